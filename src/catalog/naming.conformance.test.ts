// Checks doql's naming against the StackQL DigitalOcean provider's own mapping (../shared, read at run time).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSpec } from './compile.js';
import { readSpecFile } from './spec-file.js';
import type { Catalog, Method } from './types.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const csvFile = `${shared}stackql-digitalocean/all_services.csv`;
const latestSpec = `${shared}digitalocean-openapi/DigitalOcean-public.v2.json`;
const haveShared = existsSync(csvFile) && existsSync(latestSpec);
if (!haveShared) console.warn(`naming conformance skipped: ${shared} (StackQL mapping and DigitalOcean spec) is absent`);

interface Expected {
  operationId: string;
  service: string;
  resource: string;
  method: string;
  verb: string;
  objectKey: string;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows.filter((r) => r.length > 1);
}

function readMapping(): Expected[] {
  const [header, ...rows] = parseCsv(readFileSync(csvFile, 'utf8'));
  const col = (name: string): number => header.indexOf(name);
  return rows.map((r) => ({
    operationId: r[col('operationId')],
    service: r[col('filename')].replace(/\.ya?ml$/, ''),
    resource: r[col('stackql_resource_name')],
    method: r[col('stackql_method_name')],
    verb: r[col('stackql_verb')],
    objectKey: r[col('stackql_object_key')],
  }));
}

interface Found {
  service: string;
  resource: string;
  method: Method;
}

function methodsByOperationId(catalog: Catalog): Map<string, Found[]> {
  const found = new Map<string, Found[]>();
  for (const service of Object.values(catalog.services)) {
    for (const resource of Object.values(service.resources)) {
      for (const method of resource.methods) {
        const list = found.get(method.operationId) ?? [];
        list.push({ service: service.name, resource: resource.name, method });
        found.set(method.operationId, list);
      }
    }
  }
  return found;
}

function specOperationIds(doc: unknown): string[] {
  const ids: string[] = [];
  const paths = (doc as { paths: Record<string, Record<string, { operationId?: string }>> }).paths;
  for (const [path, item] of Object.entries(paths)) {
    for (const m of ['get', 'post', 'put', 'patch', 'delete', 'head']) {
      const op = item[m];
      if (op) ids.push(op.operationId ?? `${m}_${path}`);
    }
  }
  return ids;
}

interface Report {
  compared: number;
  matched: number;
  keyCompared: number;
  keyMatched: number;
  misses: string[];
  keyMisses: string[];
  unlisted: number;
}

function conform(file: string, label: string): Report {
  const doc = readSpecFile(file);
  const { catalog } = compileSpec(doc, { file, source: label });
  const ids = specOperationIds(doc);
  // No operation dropped: every one is counted, and each lands in exactly one resource.
  expect(catalog.operationCount).toBe(ids.length);
  const found = methodsByOperationId(catalog);
  for (const id of ids) expect(found.get(id)?.length ?? 0, `operation ${id} in exactly one resource`).toBe(1);

  const expected = readMapping();
  const listed = new Set(expected.map((e) => e.operationId));
  const report: Report = { compared: 0, matched: 0, keyCompared: 0, keyMatched: 0, misses: [], keyMisses: [], unlisted: 0 };
  for (const e of expected) {
    const got = found.get(e.operationId)?.[0];
    if (!got) continue;
    report.compared++;
    const actual = { service: got.service, resource: got.resource, method: got.method.name, verb: got.method.verb };
    const wrong = (['service', 'resource', 'method', 'verb'] as const).filter((k) => actual[k] !== e[k]);
    if (wrong.length === 0) report.matched++;
    else {
      const exp = `${e.service}.${e.resource}.${e.method} ${e.verb}`;
      const act = `${actual.service}.${actual.resource}.${actual.method} ${actual.verb}`;
      report.misses.push(`${e.operationId}: expected ${exp}, got ${act} (${wrong.join(', ')})`);
    }
    if (e.objectKey && got.method.verb === 'select') {
      report.keyCompared++;
      if (got.method.objectKey === e.objectKey) report.keyMatched++;
      else report.keyMisses.push(`${e.operationId}: expected ${e.objectKey}, got ${got.method.objectKey ?? '(none)'}`);
    }
  }
  for (const id of ids) {
    if (listed.has(id)) continue;
    report.unlisted++;
    const got = found.get(id)?.[0];
    expect(got?.service, `${id} has a service`).toBeTruthy();
    expect(got?.resource, `${id} has a resource`).toBeTruthy();
    expect(got?.method.verb, `${id} has a verb`).toBeTruthy();
  }
  const pct = (n: number, d: number): string => (d ? ((100 * n) / d).toFixed(1) : '0.0');
  console.log(
    [
      `${label}: ${report.matched}/${report.compared} StackQL names match (${pct(report.matched, report.compared)}%),` +
        ` objectKey ${report.keyMatched}/${report.keyCompared} (${pct(report.keyMatched, report.keyCompared)}%),` +
        ` ${report.unlisted} operations not in StackQL's mapping`,
      ...report.misses.map((m) => `  miss ${m}`),
      ...report.keyMisses.map((m) => `  objectKey miss ${m}`),
    ].join('\n'),
  );
  return report;
}

describe.skipIf(!haveShared)('naming conforms to the StackQL DigitalOcean provider', () => {
  it('names at least 95% of the latest spec operations as StackQL does (service, resource, method, verb)', () => {
    const r = conform(latestSpec, 'DigitalOcean-public.v2.json');
    expect(r.compared).toBeGreaterThan(400);
    expect(r.matched / r.compared).toBeGreaterThanOrEqual(0.95);
  });
});
