import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeIndexedCatalog, encodeCatalog, INDEX_FILE } from './catalog-file.js';
import { DEFAULT_CATALOG_DIR, loadCatalogDir } from './load-compiled.js';
import type { Catalog } from './types.js';

const builtIn = (): Catalog => JSON.parse(readFileSync(join(DEFAULT_CATALOG_DIR, 'catalog.json'), 'utf8')) as Catalog;

describe('catalog.json with its index', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes the same JSON as JSON.stringify and reads back the same catalog, resource by resource', () => {
    const catalog = builtIn();
    const { text, index } = encodeCatalog(catalog);
    expect(JSON.parse(text)).toEqual(catalog);
    const lazy = decodeIndexedCatalog(Buffer.from(text), index)!;
    // One resource read alone, then the whole catalog as every reader sees it.
    expect(lazy.services.databases.resources.backups).toEqual(catalog.services.databases.resources.backups);
    expect(JSON.parse(JSON.stringify(lazy))).toEqual(catalog);
    expect(structuredClone(lazy)).toEqual(catalog);
  });

  it('keeps non-ASCII text intact (offsets are bytes, not characters)', () => {
    const catalog = builtIn();
    const service = Object.values(catalog.services)[0];
    const resource = Object.values(service.resources)[0];
    resource.description = `héllo — 日本 ${resource.description}`;
    const { text, index } = encodeCatalog(catalog);
    const lazy = decodeIndexedCatalog(Buffer.from(text), index)!;
    expect(JSON.parse(JSON.stringify(lazy))).toEqual(catalog);
  });

  it('ignores an index that does not match its catalog.json, and reads a directory without one', () => {
    const catalog = builtIn();
    const { text, index } = encodeCatalog(catalog);
    expect(decodeIndexedCatalog(Buffer.from(`${text} `), index)).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'doql-catalog-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'catalog.json'), `${text}\n`);
    writeFileSync(join(dir, INDEX_FILE), index);
    expect(loadCatalogDir(dir, 'test').catalog).toEqual(catalog);
    rmSync(join(dir, INDEX_FILE));
    expect(loadCatalogDir(dir, 'test').catalog).toEqual(catalog);
  });
});
