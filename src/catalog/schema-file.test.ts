// schemas.json written with shared schemas once: the same schemas come back, sharing restored, in far fewer bytes.
import { describe, expect, it } from 'vitest';
import { compileSpec } from './compile.js';
import { decodeSchemas, encodeSchemas } from './schema-file.js';
import { readSpecFile } from './spec-file.js';
import { VENDORED_SPEC } from './vendored.js';

describe('schemas.json', () => {
  const { schemas } = compileSpec(readSpecFile(VENDORED_SPEC), { file: VENDORED_SPEC, source: 'test' });

  it('decodes to the schemas it encoded, each shared schema one object again, in under half the bytes', () => {
    const text = encodeSchemas(schemas);
    const plain = JSON.stringify(schemas);
    const back = decodeSchemas(text);
    expect(JSON.stringify(back)).toBe(plain);
    expect(text.length).toBeLessThan(plain.length / 2);
    // apps_get and apps_update both answer with the app: one object before, one object after.
    const app = (id: string) => back.operations[id].response?.properties?.app;
    expect(schemas.operations.apps_get.response?.properties?.app).toBe(schemas.operations.apps_update.response?.properties?.app);
    expect(app('apps_get')).toBe(app('apps_update'));
  });

  it('reads plain JSON too (catalogs pulled before schemas were shared)', () => {
    const small = { specHash: 'x', operations: { a: { responseStatus: 200, response: { type: 'object' } } } };
    expect(decodeSchemas(JSON.stringify(small))).toEqual(small);
  });
});
