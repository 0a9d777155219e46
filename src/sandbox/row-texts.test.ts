// The row-text cache by itself: the bytes are JSON.stringify(repair(...)) exactly, a touch (of the row or
// of a stored item it embeds) is seen by the next call, rows needing repair are never cached, and the
// checking mode catches a change made without a touch.
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../catalog/types.js';
import { repair } from './repair.js';
import type { Regenerate } from './repair.js';
import { Revisions } from './revisions.js';
import { RowTexts, StaleRowText } from './row-texts.js';

const REGION: JsonSchema = { type: 'object', properties: { slug: { type: 'string' }, name: { type: 'string' } } };
const ROW: JsonSchema = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'integer' }, name: { type: 'string' }, status: { type: 'string', enum: ['new', 'active', 'off'] }, region: REGION },
};

/** A regenerator with a stream: each call gives the next value, as the response's random stream would. */
function stream(): Regenerate {
  let n = 0;
  return (s) => (s.enum ? s.enum[0] : s.type === 'integer' ? ++n : `regen-${++n}`);
}

const expected = (rows: unknown[]): string => JSON.stringify(repair(rows, { type: 'array', items: ROW }, stream(), 'rows'));
const actual = (texts: RowTexts, rows: unknown[]): string => texts.arrayJson(rows, ROW, 'rows', stream()).toString();

function setup(check: boolean): { revisions: Revisions; texts: RowTexts; region: Record<string, unknown>; rows: Record<string, unknown>[] } {
  const revisions = new Revisions();
  const region = { slug: 'nyc3', name: 'New York 3' };
  const rows = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, name: `web-${i + 1}`, status: 'active', region }));
  for (const item of [region, ...rows]) revisions.track(item);
  return { revisions, texts: new RowTexts(revisions, check), region, rows };
}

describe.each([false, true])('row texts (checking hits: %s)', (check) => {
  it('serves what JSON.stringify(repair(...)) gives, cold and warm, for any page of the rows', () => {
    const { texts, rows } = setup(check);
    for (let round = 0; round < 2; round++) {
      expect(actual(texts, rows)).toBe(expected(rows));
      expect(actual(texts, rows.slice(1, 3))).toBe(expected(rows.slice(1, 3)));
      expect(actual(texts, [])).toBe('[]');
    }
  });

  it('sees a touched row in the next call', () => {
    const { revisions, texts, rows } = setup(check);
    actual(texts, rows);
    actual(texts, rows);
    rows[2].name = 'renamed';
    revisions.touch(rows[2]);
    expect(actual(texts, rows)).toContain('"renamed"');
    expect(actual(texts, rows.slice(2, 3))).toBe(expected(rows.slice(2, 3)));
  });

  it('sees a touched embedded item (a shared region) in every row that embeds it', () => {
    const { revisions, texts, region, rows } = setup(check);
    actual(texts, rows);
    region.name = 'Renamed Region';
    revisions.touch(region);
    expect(actual(texts, rows)).toBe(expected(rows));
    expect(actual(texts, rows).match(/Renamed Region/g)).toHaveLength(5);
  });

  it('sees rows added, removed and reordered (pages are told apart by their rows, not by where they start)', () => {
    const { revisions, texts, rows } = setup(check);
    actual(texts, rows);
    const added = { id: 9, name: 'web-9', status: 'new', region: rows[0].region };
    revisions.track(added);
    for (const page of [[...rows, added], rows.slice(0, 4), [rows[0], rows[2], rows[1]]]) expect(actual(texts, page)).toBe(expected(page));
  });

  it('never caches a row that needs regenerating: its parts follow the random stream of the rows before it', () => {
    const { revisions, texts, rows } = setup(check);
    const broken = [{ id: 7, status: 'gone' }, rows[0], { id: 8 }];
    for (const r of broken) revisions.track(r);
    for (let round = 0; round < 2; round++) expect(actual(texts, broken)).toBe(expected(broken));
    expect(actual(texts, [broken[2], broken[0]])).toBe(expected([broken[2], broken[0]]));
  });
});

describe('row texts: the checking mode', () => {
  it('fails loudly when an item changed without a touch, where the plain mode would serve the old text', () => {
    const plain = setup(false);
    actual(plain.texts, plain.rows);
    plain.rows[0].name = 'untouched change';
    expect(actual(plain.texts, plain.rows)).not.toContain('untouched change');

    const checked = setup(true);
    actual(checked.texts, checked.rows);
    checked.rows[0].name = 'untouched change';
    expect(() => actual(checked.texts, checked.rows)).toThrow(StaleRowText);
    expect(() => actual(checked.texts, checked.rows.slice(0, 1))).toThrow(StaleRowText);
  });
});
