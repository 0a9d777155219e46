// Postgres arrays held as their text form (`{a,"b c",NULL}`) in SQLite, so that a client reading one gets
// what Postgres would send. One-dimensional only: that is all the catalog queries use.

type Element = string | null;

/** `{a,"b c",NULL}` → ['a', 'b c', null]; anything that is not an array literal yields undefined. */
export function parseArray(text: string): Element[] | undefined {
  const s = text.trim();
  if (!s.startsWith('{') || !s.endsWith('}')) return undefined;
  const body = s.slice(1, -1);
  const out: Element[] = [];
  if (body.trim() === '') return out;
  let i = 0;
  while (i <= body.length) {
    while (body[i] === ' ') i++;
    if (body[i] === '"') {
      let value = '';
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        value += body[i] ?? '';
        i++;
      }
      i++; // closing quote
      out.push(value);
      while (i < body.length && body[i] !== ',') i++;
    } else {
      let j = i;
      while (j < body.length && body[j] !== ',') j++;
      const raw = body.slice(i, j).trim();
      out.push(raw.toUpperCase() === 'NULL' ? null : raw);
      i = j;
    }
    i++; // the comma
  }
  return out;
}

function quoteElement(value: Element): string {
  if (value === null) return 'NULL';
  if (value === '' || /[{},"\\\s]/.test(value) || value.toUpperCase() === 'NULL') {
    return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  return value;
}

export function formatArray(values: readonly unknown[]): string {
  return `{${values.map((v) => quoteElement(v === null || v === undefined ? null : String(v))).join(',')}}`;
}

/** int2vector and oidvector print as numbers separated by spaces (`1 2`), not in braces. */
const VECTOR = /^-?\d+( -?\d+)+$/;

/** The elements of an array value; a NULL array has none. A bare scalar counts as a one-element array. */
export function arrayElements(value: unknown): Element[] {
  if (value === null || value === undefined) return [];
  const text = String(value);
  if (VECTOR.test(text)) return text.split(' ');
  return parseArray(text) ?? [text];
}
