// The data generator gives schema-valid values for every schema of the spec, and pattern samples match.
import { describe, expect, it } from 'vitest';
import { DataGenerator, likeExample } from './generator.js';
import { compileSchema, createAjv } from './openapi-schema.js';
import { createRng, rngFor } from './prng.js';
import { sampleFromPattern } from './regex-sample.js';
import { builtInCatalog } from '../../test/sandbox/test-catalog.js';
import { buildVocabulary } from './vocabulary.js';

describe('DataGenerator', () => {
  const catalog = builtInCatalog();
  const generator = new DataGenerator({ vocabulary: buildVocabulary(catalog.schemas()) });
  const ajv = createAjv();

  // ajv's compiling is most of the time (the current spec's app and agent schemas take seconds each): operations
  // sharing a schema (apps_get, apps_update, apps_create's app) share one validator, and loaded machines get time.
  it('generates valid request and response bodies for every operation of the built-in spec', { timeout: 180_000 }, () => {
    const failures: string[] = [];
    const validators = new Map<string, ReturnType<typeof compileSchema>>();
    for (const [id, op] of Object.entries(catalog.schemas().operations)) {
      for (const mode of ['request', 'response'] as const) {
        const schema = op[mode];
        if (!schema) continue;
        const key = `${mode} ${JSON.stringify(schema)}`;
        let validate = validators.get(key);
        if (!validate) validators.set(key, (validate = compileSchema(ajv, schema, mode)));
        for (let seed = 0; seed < 3; seed++) {
          const value = generator.generate(schema, { rng: rngFor(seed, id), now: Date.UTC(2025, 0, 1), serial: 0 }, mode);
          if (!validate(value)) failures.push(`${id} ${mode}: ${ajv.errorsText(validate.errors)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it.each([
    ['enum', { type: 'string', enum: ['a', 'b'] }, (v: unknown) => ['a', 'b'].includes(v as string)],
    ['bounds and multipleOf', { type: 'integer', minimum: 16, maximum: 64, multipleOf: 8 }, (v: unknown) => (v as number) % 8 === 0 && (v as number) >= 16 && (v as number) <= 64],
    ['date-time', { type: 'string', format: 'date-time' }, (v: unknown) => !Number.isNaN(Date.parse(v as string))],
    ['ipv4', { type: 'string', format: 'ipv4' }, (v: unknown) => /^\d+\.\d+\.\d+\.\d+$/.test(v as string)],
    ['minItems', { type: 'array', minItems: 2, items: { type: 'boolean' } }, (v: unknown) => (v as unknown[]).length >= 2],
    ['a required property the schema does not describe', { type: 'object', required: ['method'], properties: {} }, (v: unknown) => typeof (v as { method?: unknown }).method === 'string'],
  ])('respects %s', (_name, schema, ok) => {
    for (let seed = 0; seed < 20; seed++) expect(ok(generator.generate(schema, { rng: createRng(seed), now: Date.now(), serial: 0 }))).toBe(true);
  });

  it('caps recursion', () => {
    const node: Record<string, unknown> = { type: 'object', properties: {} };
    let cur = node;
    for (let i = 0; i < 30; i++) {
      const next = { type: 'object', properties: {} as Record<string, unknown> };
      (cur.properties as Record<string, unknown>).child = next;
      cur = next;
    }
    const json = JSON.stringify(generator.generate(node, { rng: createRng(1), now: 0, serial: 0 }));
    expect(json.split('child').length - 1).toBeLessThan(12);
  });

  it("learns words per parent: an image's slug from image slugs, a region's from region slugs", () => {
    const obj = (properties: Record<string, unknown>) => ({ type: 'object', properties });
    const slug = (examples: string[]) => obj({ slug: { type: 'string', enum: examples } });
    const droplet = obj({ image: obj({ slug: { type: 'string' } }), region: obj({ slug: { type: 'string' } }) });
    const vocabulary = buildVocabulary({
      specHash: 'x',
      operations: {
        images: { response: obj({ image: slug(['ubuntu-24-04-x64', 'debian-12-x64']) }), responseStatus: 200 },
        regions: { response: obj({ regions: { type: 'array', items: slug(['nyc3', 'ams3']) } }), responseStatus: 200 },
      },
    });
    const gen = new DataGenerator({ vocabulary });
    for (let seed = 0; seed < 20; seed++) {
      const d = gen.generate(droplet, { rng: createRng(seed), now: 0, serial: 0 }) as { image: { slug: string }; region: { slug: string } };
      expect(['ubuntu-24-04-x64', 'debian-12-x64']).toContain(d.image.slug);
      expect(['nyc3', 'ams3']).toContain(d.region.slug);
    }
  });

  it('prefers vocabulary words shaped like the example', () => {
    expect(likeExample(['ams', 'nyc3', 'sfo2', 'us_east'], 'nyc1')).toEqual(['nyc3', 'sfo2']);
    expect(likeExample(['x', 'y'], 'nyc1')).toEqual(['x', 'y']);
  });
});

describe('sampleFromPattern', () => {
  it.each([
    '^[a-z][a-z0-9-]{0,30}[a-z0-9]$',
    '^((xn--)?[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*\\.)+[a-zA-Z]{2,}\\.?$',
    '^$|[0-9a-f]{8}\\b-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-\\b[0-9a-f]{12}',
    '^(default|[a-z_]+=(on|off|default)(,[a-z_]+=(on|off|default))*)$',
    '^do:(dbaas|domain|droplet|floatingip|loadbalancer|space|volume|kubernetes|vpc):.*',
    '^[A-Za-z0-9()\\[\\]\'"][-A-Za-z0-9_. \\/()\\[\\]]{0,40}[A-Za-z0-9()\\[\\]\'"]$',
  ])('matches %s', (pattern) => {
    for (let seed = 0; seed < 20; seed++) {
      const s = sampleFromPattern(pattern, createRng(seed));
      expect(s).toBeDefined();
      expect(new RegExp(pattern).test(s as string)).toBe(true);
    }
  });
});
