// Every SQL example in StackQL's DigitalOcean docs (../shared, databases and compute), with its placeholders filled
// the way StackQL's users fill them (arrays and objects as JSON text inside the quotes the docs put around them,
// numbers and booleans as text there too, header parameters included), runs unchanged:
// - against Prism (`prism mock --errors`), a validator that shares no code with doql or its sandbox: every request
//   doql sends must be valid by DigitalOcean's spec, or the example is listed below with the spec's reason;
// - against the sandbox, with real ids, so the statements also work on data.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../src/api/client.js';
import { loadSpecFile, type LoadedCatalog } from '../src/catalog/load.js';
import type { JsonSchema, Method, Resource } from '../src/catalog/types.js';
import { findResource } from '../src/catalog/lookup.js';
import { createSession } from '../src/engine/session.js';
import { createSandbox, type Sandbox } from '../src/sandbox/index.js';
import { DataGenerator } from '../src/sandbox/generator.js';
import { createRng } from '../src/sandbox/prng.js';

/** The seed of generated body values; EXAMPLES_SEED=n tries others. */
const BODY_SEED = Number(process.env.EXAMPLES_SEED ?? 20261201);

const SHARED = join(import.meta.dirname, '..', '..', 'shared');
const DOCS = join(SHARED, 'stackql-digitalocean', 'docs');
const SPEC = join(SHARED, 'digitalocean-openapi', 'DigitalOcean-public.v2.json');
const PRISM = join(import.meta.dirname, '..', 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
const have = existsSync(DOCS) && existsSync(SPEC);
if (!have) console.warn(`skipping the StackQL docs-examples conformance suite: ${DOCS} or ${SPEC} is absent (it needs ../shared beside the checkout)`);

interface Example {
  file: string;
  sql: string;
  verb: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.md') ? [p] : [];
  });
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const file of walk(DOCS).sort()) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/```sql\n([\s\S]*?)```/g)) {
      const sql = m[1].trim();
      const verb = sql.split(/\s+/)[0].toUpperCase();
      out.push({ file: file.slice(DOCS.length + 1), sql, verb });
    }
  }
  return out;
}

const MUTATING = ['INSERT', 'UPDATE', 'REPLACE', 'DELETE', 'EXEC'];

/** The placeholders of a statement text. */
function placeholders(sql: string): string[] {
  return [...new Set([...sql.matchAll(/\{\{\s*([A-Za-z0-9_-]+)\s*\}\}/g)].map((m) => m[1]))];
}

/** Drops WHERE conjunct lines whose placeholder is optional (not marked `--required`), fixing WHERE/AND. */
function dropOptionalConditions(sql: string): string {
  const lines = sql.split('\n');
  const whereAt = lines.findIndex((l) => /^\s*WHERE\b/i.test(l));
  if (whereAt < 0) return sql;
  const head = lines.slice(0, whereAt);
  const conds: string[] = [];
  const tail: string[] = [];
  // `WHERE x = …` may stand on the WHERE line or on the lines after a bare WHERE.
  const first = lines[whereAt].replace(/^\s*WHERE\s*/i, '');
  const rest = [first, ...lines.slice(whereAt + 1)];
  for (const l of rest) {
    if (/^\s*;?\s*$/.test(l)) {
      tail.push(l);
      continue;
    }
    const cond = l.replace(/^\s*AND\s+/i, '');
    if (/\{\{/.test(cond) && !/--\s*required/i.test(cond)) continue;
    conds.push(cond);
  }
  if (!conds.length) return [...head, ...tail].join('\n');
  return [...head, `WHERE ${conds.join('\nAND ')}`, ...tail].join('\n');
}

/** A value as a template renders it: strings as they are, everything else as JSON text (`[1, 2]`, `true`). */
function rendered(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Fills placeholders as StackQL's users do: the value's text goes where the docs put the placeholder, inside the
 * docs' own quotes. Inside a SQL string (`'{{ x }}'`, and the `@@json='…'` around `"{{ x }}"`) a quote is doubled;
 * inside a JSON string (`"{{ x }}"`) the text is escaped as JSON text must be. A bare `{{ x }}` stands for a number
 * or a boolean (a text value there is written as a SQL string).
 */
function fill(sql: string, values: Record<string, unknown>): string {
  const sqlText = (s: string): string => s.replace(/'/g, "''");
  return sql
    .replace(/"\{\{\s*([A-Za-z0-9_-]+)\s*\}\}"/g, (_m, name: string) => sqlText(JSON.stringify(rendered(values[name] ?? ''))))
    .replace(/'\{\{\s*([A-Za-z0-9_-]+)\s*\}\}'/g, (_m, name: string) => `'${sqlText(rendered(values[name] ?? ''))}'`)
    .replace(/\{\{\s*([A-Za-z0-9_-]+)\s*\}\}/g, (_m, name: string) => {
      const v = values[name];
      if (v === null || v === undefined) return 'NULL';
      return typeof v === 'number' || typeof v === 'boolean' ? String(v) : `'${sqlText(rendered(v))}'`;
    });
}

function methodFor(resource: Resource, verb: string, names: string[]): Method | undefined {
  const v = verb.toLowerCase();
  const ms = resource.methods.filter((m) => m.verb === v);
  // The method whose params the example's placeholders cover best, all its required ones included.
  const score = (m: Method): number => names.filter((n) => m.params.some((p) => p.name === n)).length;
  return ms.filter((m) => m.requiredParams.every((p) => names.includes(p))).sort((a, b) => score(b) - score(a))[0] ?? ms[0];
}

/** The statement's resource and the method it runs, or why there is none. */
function target(catalog: LoadedCatalog, ex: Example, sql: string): { resource: Resource; method: Method } | string {
  const resId = /(digitalocean\.[a-z0-9_]+\.[a-z0-9_]+)/i.exec(sql)?.[1];
  if (!resId) return 'no resource in the example';
  const resource = findResource(catalog.catalog, resId);
  const execName = /^EXEC\s+digitalocean\.[a-z0-9_]+\.[a-z0-9_]+\.([a-z0-9_]+)/i.exec(sql)?.[1];
  const verb = ex.verb === 'EXEC' ? 'exec' : ex.verb;
  const method = execName ? resource.methods.find((m) => m.name === execName) : methodFor(resource, verb, placeholders(sql));
  return method ? { resource, method } : `no ${verb} method on ${resId}`;
}

// --- Values from DigitalOcean's spec itself (read here, not through doql) ---------------------------------------

type Json = Record<string, unknown>;

function deref(doc: Json, node: unknown): Json {
  let n = node as Json;
  while (n && typeof n.$ref === 'string') {
    n = (n.$ref as string)
      .slice(2)
      .split('/')
      .map((t) => decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<Json>((acc, t) => acc[t] as Json, doc);
  }
  return n;
}

/** A value for a parameter as its spec gives it: its example, an enum value, else one of its type and format. */
function paramValueFromSpec(doc: Json, pathTemplate: string, httpMethod: string, name: string): unknown {
  const item = (doc.paths as Json)[pathTemplate] as Json | undefined;
  if (!item) return undefined;
  const op = item[httpMethod] as Json | undefined;
  const params = [...((item.parameters as unknown[]) ?? []), ...((op?.parameters as unknown[]) ?? [])].map((p) => deref(doc, p));
  const p = params.find((x) => x.name === name);
  if (!p) return undefined;
  const s = deref(doc, p.schema ?? {});
  if (p.example !== undefined) return p.example;
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.default !== undefined) return s.default;
  if (s.format === 'uuid') return randomUUID();
  if (s.type === 'integer' || s.type === 'number') return typeof s.minimum === 'number' ? s.minimum : 1;
  if (s.type === 'boolean') return true;
  return 'example';
}

/**
 * A spec schema as one plain form, for generating a value a user would give: refs followed, allOf merged, and of
 * a oneOf/anyOf the first branch (at the top of a body, every branch's fields, the first one's winning).
 */
function plainSchema(doc: Json, node: unknown, depth = 0, top = false): JsonSchema {
  const s = deref(doc, node);
  if (!s || typeof s !== 'object' || depth > 12) return {};
  let out: JsonSchema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'allOf' || k === 'oneOf' || k === 'anyOf') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      // A bundler may point a whole properties map at another one (`"properties": {"$ref": "…/properties"}`).
      out.properties = Object.fromEntries(Object.entries(deref(doc, v)).map(([name, sub]) => [name, plainSchema(doc, sub, depth + 1)]));
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') {
      out[k] = plainSchema(doc, v, depth + 1);
    } else out[k] = v;
  }
  const merge = (a: JsonSchema, b: JsonSchema): JsonSchema => ({
    ...b,
    ...a,
    ...(a.properties || b.properties ? { properties: { ...(b.properties ?? {}), ...(a.properties ?? {}) } } : {}),
    ...(a.required || b.required ? { required: [...new Set([...(a.required ?? []), ...(b.required ?? [])])] } : {}),
  });
  for (const part of (s.allOf as unknown[] | undefined) ?? []) out = merge(out, plainSchema(doc, part, depth + 1, top));
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = s[key] as unknown[] | undefined;
    if (!branches?.length) continue;
    const first = plainSchema(doc, branches[0], depth + 1, top);
    out = merge(out, first);
    if (top) for (const b of branches.slice(1)) out = merge(out, { properties: plainSchema(doc, b, depth + 1, top).properties });
  }
  return out;
}

/** The request body schema of an operation as the spec writes it. */
function requestSchemaFromSpec(doc: Json, pathTemplate: string, httpMethod: string): JsonSchema | undefined {
  const op = ((doc.paths as Json)[pathTemplate] as Json | undefined)?.[httpMethod] as Json | undefined;
  const body = op?.requestBody ? deref(doc, op.requestBody) : undefined;
  const content = body?.content as Record<string, Json> | undefined;
  const media = content ? (content['application/json'] ?? Object.values(content)[0]) : undefined;
  return media?.schema ? plainSchema(doc, media.schema, 0, true) : undefined;
}

// --- Prism and a recorder in front of it ---------------------------------------------------------------------

interface Seen {
  method: string;
  url: string;
  status: number;
  /** Prism's `sl-violations` of severity Error: what makes the request invalid by the spec. */
  violations: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startPrism(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [PRISM, 'mock', '--errors', '-h', '127.0.0.1', '-p', String(port), SPEC], {
    env: { ...process.env, SCARF_ANALYTICS: 'false', DO_NOT_TRACK: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start in 90 s:\n${log.slice(-2000)}`)), 90_000);
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (log.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited (${code}):\n${log.slice(-2000)}`));
    });
  });
  // Keep draining its log so it never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Forwards every request to Prism and records it with Prism's verdict. */
function startRecorder(upstream: string, seen: Seen[]): Promise<{ url: string; server: Server }> {
  const up = new URL(upstream);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fwd = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (pres) => {
        const body: Buffer[] = [];
        pres.on('data', (c: Buffer) => body.push(c));
        pres.on('end', () => {
          const raw = pres.headers['sl-violations'];
          let violations: string[] = [];
          if (typeof raw === 'string') {
            try {
              violations = (JSON.parse(raw) as { severity: string; message: string; location?: string[] }[])
                .filter((v) => v.severity === 'Error')
                .map((v) => `${v.message}${v.location ? ` (${v.location.join('.')})` : ''}`);
            } catch {
              violations = [raw];
            }
          }
          seen.push({ method: req.method ?? '', url: req.url ?? '', status: pres.statusCode ?? 0, violations: [...new Set(violations)] });
          const headers = { ...pres.headers };
          delete headers['sl-violations'];
          res.writeHead(pres.statusCode ?? 502, headers);
          res.end(Buffer.concat(body));
        });
      });
      fwd.on('error', (err) => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', status: 0, violations: [`recorder: ${err.message}`] });
        res.writeHead(502).end();
      });
      fwd.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

// Examples that cannot pass by DigitalOcean's spec, each with the spec's reason.
const SPEC_REASONS: { file: string; sql: RegExp; reason: string }[] = [
  {
    file: 'databases/log_sinks/index.md',
    sql: /^SELECT\s+sink\s+FROM/,
    // StackQL maps this response's rows under `sink`; the spec's GET …/logsink/{logsink_id} answers the sink object
    // itself, so doql's rows have its fields (sink_id, sink_name, …) and no `sink` column. When the catalog's row keys
    // follow StackQL's mapping, this example passes and leaves the list.
    reason: "the spec's response has no `sink` field: the sink object is the whole body",
  },
  {
    file: 'compute/droplet_actions/index.md',
    sql: /droplet_actions_post_by_tag/,
    // POST /v2/droplets/actions: a oneOf of a generic action and a snapshot action that is the generic one plus
    // an optional `name`, so every body matches both forms and none matches exactly one.
    reason: "the spec's oneOf for POST /v2/droplets/actions has two forms that every body matches",
  },
];

describe.skipIf(!have)('StackQL docs examples', () => {
  let catalog: LoadedCatalog;
  let doc: Json;
  const gen = new DataGenerator();
  let serial = 0;
  let draws = 0;
  const all = have ? examples() : [];

  beforeAll(() => {
    catalog = loadSpecFile(SPEC);
    doc = JSON.parse(readFileSync(SPEC, 'utf8')) as Json;
  }, 120_000);

  /** A value for a body field, valid by the operation's request schema as the spec writes it. */
  function bodyValue(method: Method, field: string): unknown {
    const schema = requestSchemaFromSpec(doc, method.path, method.httpMethod);
    const prop = (schema?.properties ?? {})[field] as JsonSchema | undefined;
    // A fixed seed per draw, so that every run sends the same bodies (a seed from the clock made a firewall's
    // rules come out empty on some runs); names stay unique through the suffix below.
    // A nullable field may come out null, which a user filling a placeholder never writes: draw again.
    let v: unknown;
    for (let tries = 0; tries < 20 && (v === undefined || v === null); tries++) {
      const draw = ++draws;
      v = gen.generate(prop, { rng: createRng(BODY_SEED ^ (draw * 7919)), now: Date.parse('2026-01-01T00:00:00Z'), serial: 50000 + draw }, 'request', field);
    }
    // Names come from the spec's examples, which the seeded account uses too: keep new ones unique.
    return typeof v === 'string' && /name$/.test(field) && !prop?.enum ? `${v}-t${++serial}` : v;
  }

  /** Values for every placeholder: `params` first (real ids), then the spec's parameters, then body fields. */
  function valuesFor(method: Method, names: string[], params: Record<string, unknown>): Record<string, unknown> {
    const values: Record<string, unknown> = { ...params };
    for (const n of names) {
      if (values[n] !== undefined) continue;
      if (method.params.some((p) => p.name === n)) values[n] = paramValueFromSpec(doc, method.path, method.httpMethod, n) ?? 'x';
      else values[n] = bodyValue(method, n);
    }
    return values;
  }

  const header = (ex: Example): string => `${ex.file}: ${ex.sql.split('\n')[0].trim()}`;
  const expectedFailure = (ex: Example): string | undefined => SPEC_REASONS.find((r) => r.file === ex.file && r.sql.test(ex.sql))?.reason;

  describe('requests validated by DigitalOcean\'s spec (Prism)', () => {
    let prism: ChildProcess | undefined;
    let recorder: Server | undefined;
    let url = '';
    const seen: Seen[] = [];

    beforeAll(async () => {
      const p = await startPrism();
      prism = p.child;
      const r = await startRecorder(p.url, seen);
      recorder = r.server;
      url = r.url;
    }, 120_000);
    afterAll(async () => {
      prism?.kill('SIGTERM');
      await new Promise<void>((resolve) => (recorder ? recorder.close(() => resolve()) : resolve()));
    });

    it('every example sends only requests valid by the spec, or is listed with the spec\'s reason', async () => {
      const results: { ex: Example; why?: string; requests: number }[] = [];
      const notes: string[] = [];
      for (const ex of all) {
        const t = target(catalog, ex, ex.sql);
        if (typeof t === 'string') {
          results.push({ ex, why: t, requests: 0 });
          continue;
        }
        const sql = fill(ex.sql, valuesFor(t.method, placeholders(ex.sql), {}));
        const from = seen.length;
        const session = createSession({ catalog, api: () => createApiClient({ baseUrl: url, token: 'conformance', retries: 0 }), mutation: { yes: true } });
        let error: string | undefined;
        try {
          await session.execute(sql);
        } catch (err) {
          error = err instanceof Error ? err.message : String(err);
        } finally {
          session.close();
        }
        const sent = seen.slice(from);
        const invalid = sent.filter((s) => s.violations.length || s.status === 0 || s.status >= 400);
        let why: string | undefined;
        // Prism answers a list with its spec example, whose `links.pages` point at a next page forever: the
        // requests were valid, and doql refuses a list whose pages loop, as it should.
        const mockLoop = error !== undefined && sent.length > 0 && /next-page links loop/.test(error);
        if (mockLoop) notes.push(`${header(ex)}: valid requests; Prism's static example pages loop (${error})`);
        if (mockLoop) error = undefined;
        if (invalid.length) {
          why = `invalid by the spec: ${invalid.map((s) => `${s.method} ${s.url.split('?')[0]} → ${s.status} ${s.violations.join('; ')}`).join(' | ')}`;
        } else if (error) {
          why = sent.length ? `valid requests, then doql failed: ${error}` : `refused before sending: ${error}`;
        } else if (!sent.length) {
          why = 'sent nothing';
        }
        results.push({ ex, why, requests: sent.length });
      }
      const failures = results.filter((r) => r.why);
      const unexpected = failures.filter((r) => !expectedFailure(r.ex));
      const fixed = all.filter((ex) => expectedFailure(ex) && !failures.some((f) => f.ex === ex));
      const valid = results.length - failures.length;
      const requests = results.reduce((n, r) => n + r.requests, 0);
      console.log(
        `StackQL examples: ${valid}/${results.length} valid by DigitalOcean's spec (${requests} requests checked by Prism)` +
          (notes.length ? `\n  note: ${notes.join('\n  note: ')}` : '') +
          (failures.length ? `\n  ${failures.map((f) => `${header(f.ex)} → ${f.why}${expectedFailure(f.ex) ? ` [listed: ${expectedFailure(f.ex)}]` : ''}`).join('\n  ')}` : ''),
      );
      expect(results.length).toBeGreaterThan(150);
      expect(unexpected.map((f) => `${header(f.ex)} → ${f.why}`)).toEqual([]);
      // A listed example that now passes must leave the list.
      expect(fixed.map(header)).toEqual([]);
    }, 300_000);
  });

  describe('against the sandbox', () => {
    let sb: Sandbox;
    beforeAll(async () => {
      sb = await createSandbox({ catalog, rateLimit: false, actionDelayMs: 20, seed: 11 });
    }, 120_000);
    afterAll(async () => {
      await sb?.close();
    });

    /** Real values for a method's path params (existing items) and required query params. */
    function sampleParams(method: Method): Record<string, unknown> {
      const sample = sb.sample(method.path, method.httpMethod);
      const out: Record<string, unknown> = { ...(sample?.query ?? {}) };
      if (!sample) return out;
      const tpl = method.path.split('/');
      const real = sample.path.split('/');
      tpl.forEach((seg, i) => {
        const m = /^\{(.+)\}$/.exec(seg);
        if (m) out[m[1]] = decodeURIComponent(real[i]);
      });
      return out;
    }

    for (const kind of ['SELECT', 'MUTATION'] as const) {
      it(`runs every ${kind} example`, async () => {
        const chosen = all.filter((e) => (kind === 'SELECT' ? e.verb === 'SELECT' : MUTATING.includes(e.verb)));
        const failures: { ex: Example; why: string }[] = [];
        for (const ex of chosen) {
          sb.reset();
          const sql = ex.verb === 'SELECT' ? dropOptionalConditions(ex.sql) : ex.sql;
          const t = target(catalog, ex, sql);
          if (typeof t === 'string') {
            failures.push({ ex, why: t });
            continue;
          }
          const session = createSession({ catalog, api: () => createApiClient({ baseUrl: sb.url, token: sb.token, retries: 1 }), mutation: { yes: true } });
          try {
            await session.execute(fill(sql, valuesFor(t.method, placeholders(sql), sampleParams(t.method))));
          } catch (err) {
            failures.push({ ex, why: err instanceof Error ? err.message : String(err) });
          } finally {
            session.close();
          }
        }
        const unexpected = failures.filter((f) => !expectedFailure(f.ex));
        console.log(`${kind} examples on the sandbox: ${chosen.length - failures.length}/${chosen.length} run${failures.length ? `\n  ${failures.map((f) => `${header(f.ex)} → ${f.why}`).join('\n  ')}` : ''}`);
        expect(chosen.length).toBeGreaterThan(kind === 'SELECT' ? 50 : 30);
        expect(unexpected.map((f) => `${header(f.ex)} → ${f.why}`)).toEqual([]);
      }, 300_000);
    }
  });
});
