// The generated digitalocean.databases.backups page states the same facts as the seed page in ../shared, as
// today's spec (vendored, the built-in catalog's source) still states them. The seed page was made from an
// older spec; what DigitalOcean has changed since is written out below, so any other difference still fails.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogDir } from '../catalog/load.js';
import { findResource } from '../catalog/lookup.js';
import { pageFacts } from '../../test/docs/page-facts.js';
import { renderResourcePage } from './resource-page.js';

const SEED_DIR = '/work/shared/seed';
const CATALOG_DIR = join(import.meta.dirname, '../../dist/catalog/default');

const seedFile = existsSync(SEED_DIR) ? readdirSync(SEED_DIR).find((f) => /^000_.*\.txt$/.test(f)) : undefined;
const missing = !seedFile ? `${SEED_DIR}/000_*.txt is absent` : !existsSync(join(CATALOG_DIR, 'catalog.json')) ? 'dist/catalog/default is absent (run npm run build)' : undefined;
if (missing) console.warn(`skipping the seed docs page comparison: ${missing}`);

describe.skipIf(Boolean(missing))('docs page for digitalocean.databases.backups', () => {
  const seed = () => pageFacts(readFileSync(join(SEED_DIR, seedFile!), 'utf8'));
  const generated = () => pageFacts(renderResourcePage(findResource(loadCatalogDir(CATALOG_DIR, 'default').catalog, 'digitalocean.databases.backups')));

  it('has the seed title and id', () => {
    // Guards against a parser that finds nothing on either side (an empty list equals an empty list).
    expect(seed().fields.length).toBeGreaterThan(0);
    expect(seed().methods.length).toBeGreaterThan(0);
    expect(seed().examples.SELECT?.length).toBe(1);
    expect(generated().title).toBe(seed().title);
    expect(generated().id).toBe(seed().id);
  });

  /** Added to a backup since the seed page: MySQL's incremental backups. */
  const ADDED_FIELD = { name: 'incremental', type: 'boolean', description: 'Indicates if this backup is a full or an incremental one (available only for MySQL).' };

  it('lists the seed fields with their types and descriptions, and the field the spec added since', () => {
    expect(generated().fields).toEqual([...seed().fields, ADDED_FIELD]);
  });

  it('lists the seed methods with verb, required params and description (Redis is now "Caching or Valkey")', () => {
    const renamed = seed().methods.map((m) => ({ ...m, description: m.description.replace('not supported for Redis clusters', 'not supported for Caching or Valkey clusters') }));
    expect(generated().methods).toEqual(renamed);
  });

  it('gives the seed SELECT example, with the added field', () => {
    expect(generated().examples.SELECT).toEqual(seed().examples.SELECT?.map((sql) => sql.replace('size_gigabytes\n', 'size_gigabytes,\nincremental\n')));
  });
});
