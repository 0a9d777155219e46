// -o jsonl: one JSON object per line.
import type { Formatter } from './formatter.js';
import { rowObject } from './values.js';

export const jsonlFormatter: Formatter = {
  format(result) {
    if (result.kind !== 'rows') return '';
    return result.rows.map((r) => `${JSON.stringify(rowObject(result.columns, r))}\n`).join('');
  },
};
