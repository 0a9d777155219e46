// A result value as Postgres' text output prints it, for the wire server and COPY: t/f for booleans, and
// for columns shown as Postgres types (ResultColumn.pgType) that type's form (`2024-06-01 12:00:00+00`).
import { float8Text, jsonbText } from './pg-text-forms.js';
import { decimalText, isoDate, pgTimestampText } from './pg-values.js';
import type { CellValue, ResultColumn } from './types.js';

export function pgValueText(value: Exclude<CellValue, null>, column: ResultColumn): string {
  if (column.type === 'BOOLEAN' || typeof value === 'boolean') {
    if (value === true || value === 1 || value === 1n || value === 't' || value === 'true') return 't';
    if (value === false || value === 0 || value === 0n || value === 'f' || value === 'false') return 'f';
  }
  const text = String(value);
  switch (column.pgType) {
    case 'timestamptz':
      return pgTimestampText(text);
    case 'timestamp':
      return pgTimestampText(text).replace(/\+00$/, '');
    case 'date':
      return isoDate(text) ?? text;
    case 'numeric':
      return typeof value === 'boolean' ? text : (decimalText(value) ?? text);
    case 'jsonb':
      // jsonb's own text form: `{"a": 1, "b": [1, 2]}`, keys shorter first.
      return jsonbText(text);
    default:
      return typeof value === 'number' && column.type === 'REAL' ? float8Text(value) : text;
  }
}
