// Property: whatever arrives (random methods, spec paths with real, random and junk parameters,
// random queries and bodies), the sandbox answers with a status, never crashes and never hangs.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataGenerator } from './generator.js';
import { createSandbox } from './index.js';
import type { Sandbox } from './index.js';
import { rngFor } from './prng.js';
import type { LoadedCatalog } from '../catalog/load.js';
import { builtInCatalog } from '../../test/sandbox/test-catalog.js';

const JUNK = ['0', '-1', '999999999999999999999', '%25', '%zz', '..', '.', 'a%2Fb', '%F0%9F%98%80', 'null', 'undefined', '__proto__', 'constructor', "'; DROP TABLE x;--"];

// The built-in spec only: suites that read ../shared belong to the conformance config.
describe('sandbox under random requests', () => {
  let sb: Sandbox;
  let catalog: LoadedCatalog;
  let methods: LoadedCatalog['catalog']['services'][string]['resources'][string]['methods'];
  let templates: string[];
  const generator = new DataGenerator();
  beforeAll(async () => {
    catalog = builtInCatalog();
    methods = Object.values(catalog.catalog.services).flatMap((s) => Object.values(s.resources).flatMap((r) => r.methods));
    templates = [...new Set(methods.map((m) => m.path))];
    sb = await createSandbox({ catalog, rateLimit: false, actionDelayMs: 10 });
  });
  afterAll(async () => sb?.close());

  it('always answers with a status, without internal errors, for thousands of random requests', async () => {
    const segment = fc.oneof(
      fc.constantFrom(...JUNK),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
      fc.integer().map(String),
      fc.constant('<real>'),
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
      template: fc.constantFrom(...templates),
      params: fc.array(segment, { minLength: 6, maxLength: 6 }),
      extra: fc.option(segment, { freq: 6 }),
      query: fc.dictionary(
        fc.constantFrom('page', 'per_page', 'tag_name', 'name', 'type', 'region', 'x'),
        fc.oneof(fc.string({ maxLength: 8 }), fc.integer().map(String)),
        { maxKeys: 3 },
      ),
      body: fc.oneof(
        fc.constant(undefined),
        fc.constant('<valid>'),
        fc.json({ maxDepth: 3 }),
        fc.string({ maxLength: 20 }),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      ),
      seed: fc.integer(),
    });
    let internal = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const real = sb.sample(r.template, r.method);
        const realSegments = real?.path.split('/') ?? [];
        const templateSegments = r.template.split('/');
        let k = 0;
        let path = templateSegments
          .map((seg, i) => {
            if (!seg.startsWith('{')) return seg;
            const p = r.params[k++] ?? 'x';
            return p === '<real>' ? (realSegments[i] ?? 'x') : p;
          })
          .join('/');
        if (r.extra !== null) path += `/${r.extra === '<real>' ? 'x' : r.extra}`;
        const qs = new URLSearchParams(r.query).toString();
        let body: string | undefined = r.body;
        if (body === '<valid>') {
          const m = methods.find((x) => x.path === r.template && x.httpMethod.toUpperCase() === r.method);
          const schema = m && catalog.schemas().operations[m.operationId]?.request;
          body = schema ? JSON.stringify(generator.generate(schema, { rng: rngFor(r.seed, 'fuzz'), now: Date.now(), serial: 0 }, 'request')) : undefined;
        }
        if (r.method === 'GET' || r.method === 'HEAD') body = undefined;
        const res = await fetch(`${sb.url}${path}${qs ? `?${qs}` : ''}`, {
          method: r.method,
          headers: { authorization: `Bearer ${sb.token}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(600);
        expect(res.headers.get('x-request-id')).toBeTruthy();
        if (res.status === 500) {
          internal++;
          throw new Error(`internal error for ${r.method} ${path}: ${text}`);
        }
      }),
      { numRuns: 3000, seed: Number(process.env.DOQL_FUZZ_SEED ?? 20250601) },
    );
    expect(internal).toBe(0);
    expect((await fetch(`${sb.url}/v2/account`, { headers: { authorization: `Bearer ${sb.token}` } })).status).toBe(200);
  }, 120_000);
});
