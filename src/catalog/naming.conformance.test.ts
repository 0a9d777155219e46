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
  /** The response schema's name in components.schemas, where StackQL's mapping gives one. */
  responseObject: string;
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
    responseObject: r[col('response_object')],
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

type Raw = Record<string, unknown>;

/**
 * The fields of a raw spec schema, read without doql's resolver: `$ref`s followed, `allOf` parts merged,
 * `oneOf`/`anyOf` branches pooled (a row may be any branch). Enough to name the columns StackQL shows.
 */
function follow(doc: Raw, node: unknown): Raw | undefined {
  let s = node as Raw | undefined;
  for (let i = 0; s && typeof s.$ref === 'string' && i < 20; i++) {
    s = (s.$ref as string)
      .slice(2)
      .split('/')
      .reduce<unknown>((n, t) => (n as Raw | undefined)?.[decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~')], doc) as Raw | undefined;
  }
  return s;
}

function rawFields(doc: Raw, node: unknown, depth = 0): { props: Record<string, unknown>; items?: unknown; additional?: unknown } {
  const s = follow(doc, node);
  if (!s || depth > 8) return { props: {} };
  // A bundler may point a whole properties map elsewhere: `"properties": {"$ref": "…/properties"}`.
  const out = { props: { ...(follow(doc, s.properties) ?? {}) }, items: s.items, additional: s.additionalProperties };
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    for (const part of (s[k] as unknown[] | undefined) ?? []) {
      const sub = rawFields(doc, part, depth + 1);
      Object.assign(out.props, sub.props);
      out.items ??= sub.items;
    }
  }
  return out;
}

/** The columns StackQL gives a select: the fields of the object under its key, or of the list's items. */
function stackqlColumns(doc: Raw, response: unknown, objectKey: string): string[] {
  let at = rawFields(doc, response);
  for (const key of objectKey ? objectKey.replace(/^\$\.?/, '').split('.').filter(Boolean) : []) at = rawFields(doc, at.props[key]);
  const own = Object.keys(at.props);
  // An array's rows are its items; so is the row of an object the spec wrote as `{type: object, items: …}`.
  return own.length || !at.items ? own : Object.keys(rawFields(doc, at.items).props);
}

function successSchema(doc: Raw, path: string, verb: string): unknown {
  const op = ((doc.paths as Raw)[path] as Raw | undefined)?.[verb] as Raw | undefined;
  const responses = (op?.responses ?? {}) as Raw;
  const code = Object.keys(responses).filter((c) => /^2\d\d$/.test(c)).sort()[0];
  let resp = code ? (responses[code] as Raw) : undefined;
  for (let i = 0; resp && typeof resp.$ref === 'string' && i < 10; i++) {
    resp = (resp.$ref as string).slice(2).split('/').reduce<unknown>((n, t) => (n as Raw | undefined)?.[t], doc) as Raw | undefined;
  }
  return ((resp?.content as Raw | undefined)?.['application/json'] as Raw | undefined)?.schema;
}

describe.skipIf(!haveShared)('response rows as StackQL maps them', () => {
  it("every column of every StackQL select is a column of doql's resource, and the row keys agree", () => {
    const doc = readSpecFile(latestSpec) as Raw;
    const { catalog } = compileSpec(doc, { file: latestSpec, source: 'DigitalOcean-public.v2.json' });
    const found = methodsByOperationId(catalog);
    const csvPaths = new Map(parseCsv(readFileSync(csvFile, 'utf8')).slice(1).map((r) => [r[2], r[1]]));
    const missing: string[] = [];
    const keyDiffers: string[] = [];
    let compared = 0;
    for (const e of readMapping()) {
      const got = found.get(e.operationId)?.[0];
      if (e.verb !== 'select' || !got) continue;
      const m = got.method;
      const named = e.responseObject ? (doc.components as Raw).schemas && ((doc.components as Raw).schemas as Raw)[e.responseObject] : undefined;
      const response = named ?? successSchema(doc, m.path, m.httpMethod);
      if (!response) continue;
      compared++;
      const resource = catalog.services[got.service].resources[got.resource];
      const have = new Set(resource.columns.map((c) => c.name));
      const lost = stackqlColumns(doc, response, e.objectKey).filter((c) => !have.has(c));
      if (lost.length) missing.push(`${e.operationId} (${resource.id}, key ${e.objectKey || '$'}): no ${lost.join(', ')}`);
      // StackQL's empty key is the whole body: doql may pick the rows inside it and keep the body's keys as envelope columns.
      const theirs = e.objectKey || '$';
      const ours = m.objectKey ?? '$';
      if (theirs !== ours && theirs !== '$') keyDiffers.push(`${e.operationId}: StackQL ${theirs}, doql ${ours}`);
    }
    expect(csvPaths.size).toBeGreaterThan(400);
    console.log(
      [
        `response rows: ${compared} StackQL selects compared, ${missing.length} lose columns, ${keyDiffers.length} read another row key`,
        ...missing.map((m) => `  lost ${m}`),
        ...keyDiffers.map((k) => `  key ${k}`),
      ].join('\n'),
    );
    expect(compared).toBeGreaterThan(150);
    expect(missing).toEqual([]);
    // A map keyed by droplet id (`policies`) and a scalar under its key (`eviction_policy`): their columns are all there.
    expect(keyDiffers.length).toBeLessThanOrEqual(2);
  });
});

describe.skipIf(!haveShared)('naming conforms to the StackQL DigitalOcean provider', () => {
  it('names at least 95% of the latest spec operations as StackQL does (service, resource, method, verb)', () => {
    const r = conform(latestSpec, 'DigitalOcean-public.v2.json');
    expect(r.compared).toBeGreaterThan(400);
    expect(r.matched / r.compared).toBeGreaterThanOrEqual(0.95);
  });
});
