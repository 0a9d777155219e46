// A statement's result as the JSON an agent reads: typed columns, rows as objects, and whether it was cut.
import type { CellValue, ResultColumn, StatementResult } from '../engine/types.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface RowsJson {
  columns: { name: string; type: ResultColumn['type'] }[];
  rows: Record<string, JsonValue>[];
  /** How many rows the statement gave. */
  row_count: number;
  /** True when `rows` holds only the first `max_rows` of them. */
  truncated: boolean;
}

/** A cell as JSON: JSON columns as the value they hold, integers beyond 2^53 as decimal text. */
export function jsonCell(value: CellValue, type: ResultColumn['type']): JsonValue {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (type === 'JSON' && typeof value === 'string') {
    try {
      return JSON.parse(value) as JsonValue;
    } catch {
      return value; // a computed column typed JSON that holds plain text
    }
  }
  return value;
}

/**
 * Column names made unique (`id`, `id_2`) so that each row can be an object: a join may select two `id`s,
 * and an object with one of them silently dropped would pass off part of the row as all of it.
 */
function uniqueNames(columns: ResultColumn[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    let name = n === 1 ? c.name : `${c.name}_${n}`;
    while (n > 1 && columns.some((o) => o.name === name)) name = `${name}_`;
    return name;
  });
}

export function rowsJson(result: StatementResult, maxRows: number): RowsJson {
  const names = uniqueNames(result.columns);
  const kept = result.rows.slice(0, maxRows);
  return {
    columns: result.columns.map((c, i) => ({ name: names[i], type: c.type })),
    rows: kept.map((row) => Object.fromEntries(row.map((v, i) => [names[i], jsonCell(v, result.columns[i].type)]))),
    row_count: result.rows.length,
    truncated: result.rows.length > kept.length,
  };
}
