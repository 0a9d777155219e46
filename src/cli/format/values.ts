// Cell values as each kind of output wants them.
import type { CellValue, ResultColumn } from '../../engine/types.js';

/** A cell as plain text: null → `nullText` (default ''), booleans true/false, JSON text as is. */
export function cellText(v: CellValue, nullText = ''): string {
  if (v === null || v === undefined) return nullText;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** A cell as a JSON value: JSON columns parsed, integers as numbers (bigints past 2^53 as strings). */
export function cellJson(v: CellValue, column: ResultColumn): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (column.type === 'JSON' && typeof v === 'string') {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  if (column.type === 'BOOLEAN' && typeof v === 'number') return v !== 0;
  return v;
}

export function rowObject(columns: ResultColumn[], row: CellValue[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    o[c.name] = cellJson(row[i], c);
  });
  return o;
}
