// -o json: one JSON array of row objects per result (pretty-printed).
import type { Formatter } from './formatter.js';
import { rowObject } from './values.js';

export const jsonFormatter: Formatter = {
  format(result) {
    if (result.kind !== 'rows') return '';
    return `${JSON.stringify(result.rows.map((r) => rowObject(result.columns, r)), null, 2)}\n`;
  },
};
