// Resource pages: sections per verb, examples that parse and run through the template, MDX-safe text.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogDir } from '../catalog/load.js';
import type { Catalog, Method, Resource } from '../catalog/types.js';
import { insertTemplate } from '../engine/catalog-statements.js';
import { parseMutation } from '../sql/tree/mutation.js';
import { splitStatements } from '../sql/split.js';
import { parseStatement } from '../sql/statement.js';
import { placeholders, renderTemplate } from '../sql/template.js';
import { pageFacts } from '../../test/docs/page-facts.js';
import { renderResourcePage } from './resource-page.js';
import { EXAMPLES } from './sql-examples.js';
import { writeDocs } from './write-docs.js';

function method(over: Partial<Method>): Method {
  return {
    name: 'm',
    operationId: 'm',
    verb: 'select',
    httpMethod: 'get',
    path: '/v2/things',
    summary: 'summary',
    description: '',
    params: [],
    requiredParams: [],
    returnsList: true,
    paginated: false,
    successStatus: 200,
    tags: [],
    ...over,
  };
}

const things: Resource = {
  id: 'digitalocean.widgets.things',
  service: 'widgets',
  name: 'things',
  description: 'Things',
  columns: [
    { name: 'id', sqlType: 'TEXT', schemaType: 'string', description: 'The id.' },
    { name: 'size', sqlType: 'INTEGER', schemaType: 'integer', description: 'Size | in {units} <b>' },
  ],
  methods: [
    method({ name: 'things_list', description: 'List\n\nall things.' }),
    method({ name: 'things_get', requiredParams: ['project_id', 'thing_id'], description: 'Get one.' }),
    method({
      name: 'things_create',
      verb: 'insert',
      httpMethod: 'post',
      body: { contentType: 'application/json', required: true, fields: [{ name: 'name', required: true, schemaType: 'string', sqlType: 'TEXT', description: '' }] },
    }),
    method({
      name: 'things_patch',
      verb: 'update',
      httpMethod: 'patch',
      requiredParams: ['thing_id'],
      body: { contentType: 'application/json', required: true, fields: [{ name: 'size', required: false, schemaType: 'integer', sqlType: 'INTEGER', description: '' }] },
    }),
    method({ name: 'things_delete', verb: 'delete', httpMethod: 'delete', requiredParams: ['thing_id'] }),
    method({
      name: 'things_reboot',
      verb: 'exec',
      httpMethod: 'post',
      requiredParams: ['thing_id'],
      body: { contentType: 'application/json', required: true, fields: [{ name: 'tags', required: false, schemaType: 'array', sqlType: 'JSON', description: '' }] },
    }),
  ],
};

/** Fills every placeholder and parses the example as the session would. */
async function parseExample(sql: string): Promise<void> {
  const vars = Object.fromEntries(placeholders(sql).map((p) => [p, '1']));
  const statements = splitStatements(renderTemplate(sql, vars));
  expect(statements).toHaveLength(1);
  const st = parseStatement(statements[0].text, statements[0].tokens);
  if (st.kind === 'mutation') await parseMutation(st.text, st.tokens);
  else expect(st.kind).toBe('select');
}

describe('renderResourcePage', () => {
  const facts = pageFacts(renderResourcePage(things));

  it('states the title, id, fields and methods of the resource', () => {
    expect(facts.title).toBe('things');
    expect(facts.id).toBe('digitalocean.widgets.things');
    expect(facts.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', 'string'],
      ['size', 'integer'],
    ]);
    expect(facts.methods.map((m) => [m.name, m.verb, m.requiredParams])).toEqual([
      ['things_list', 'SELECT', []],
      ['things_get', 'SELECT', ['project_id', 'thing_id']],
      ['things_create', 'INSERT', []],
      ['things_patch', 'UPDATE', ['thing_id']],
      ['things_delete', 'DELETE', ['thing_id']],
      ['things_reboot', 'EXEC', ['thing_id']],
    ]);
  });

  it('falls back to the summary when a method has no description, on one line', () => {
    expect(facts.methods[0].description).toBe('List all things.');
    expect(facts.methods[2].description).toBe('summary');
  });

  it('escapes what MDX or a table cell would misread', () => {
    expect(facts.fields[1].description).toBe('Size | in &#123;units&#125; &#60;b>');
  });

  it('gives one SELECT example per select method, required params as placeholders in WHERE', () => {
    expect(facts.examples.SELECT).toEqual([
      'SELECT\nid,\nsize\nFROM digitalocean.widgets.things;',
      "SELECT\nid,\nsize\nFROM digitalocean.widgets.things\nWHERE project_id = '{{ project_id }}'\nAND thing_id = '{{ thing_id }}';",
    ]);
  });

  it('uses the SHOW INSERT INTO template for INSERT', () => {
    expect(facts.examples.INSERT).toEqual([insertTemplate(things, false)]);
  });

  it('has an example for every verb the resource supports, each of which parses', async () => {
    expect(Object.keys(facts.examples).sort()).toEqual(['DELETE', 'EXEC', 'INSERT', 'SELECT', 'UPDATE']);
    for (const list of Object.values(facts.examples)) for (const sql of list) await parseExample(sql);
    expect(facts.examples.EXEC[0]).toContain(`@@json = '{ "tags": {{ tags }} }'`);
  });
});

const CATALOG_DIR = join(import.meta.dirname, '../../dist/catalog/default');
const noCatalog = !existsSync(join(CATALOG_DIR, 'catalog.json'));
if (noCatalog) console.warn('skipping docs tests over the built catalog: dist/catalog/default is absent (run npm run build)');

describe.skipIf(noCatalog)('docs for the built-in catalog', () => {
  const catalog = (): Catalog => loadCatalogDir(CATALOG_DIR, 'default').catalog;

  it('gives every method of every resource an example that parses once its placeholders are set', async () => {
    let n = 0;
    for (const service of Object.values(catalog().services)) {
      for (const r of Object.values(service.resources)) {
        for (const m of r.methods) {
          await parseExample(EXAMPLES[m.verb](r, m));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(100);
  });

  it('writes DIR/<service>/<resource>/index.md, DIR/<service>/index.md and DIR/index.md', () => {
    const out = mkdtempSync(join(tmpdir(), 'doql-docs-'));
    const summary = writeDocs(catalog(), out);
    expect(summary.files).toHaveLength(1 + summary.services + summary.resources);
    expect(readFileSync(join(out, 'databases', 'backups', 'index.md'), 'utf8')).toContain('FROM digitalocean.databases.backups');
    expect(readFileSync(join(out, 'databases', 'index.md'), 'utf8')).toContain('[backups](backups/index.md)');
    expect(readFileSync(join(out, 'index.md'), 'utf8')).toContain('[databases](databases/index.md)');
  });
});
