// One scan of a native table (native-rows.ts): the fetches it reads, one per account, as one batch (row-batch.ts).
// Each column is encoded once per fetch, and a one-account scan's order by group once per (fetch, keys), both
// kept with the fetch's converted columns (rows.ts ColumnCache); a repeat of a statement only joins the pieces.
import { rowCount, type FetchedRows } from './fetcher.js';
import { fetchedValues, type ColumnCache, type ValueSpec } from './rows.js';
import type { ScanGrouping } from './native-rows.js';
import { assembleBatch, encodeColumn, groupedOrder, NULL_COLUMN, type EncodedColumn, type KeyValues } from './row-batch.js';

export interface NativeScan {
  /** The SQLite table's name (for better-sqlite3's error on an integer past 64 bits). */
  table: string;
  /** Hidden columns before the visible ones; the first is the account. */
  parameters: number;
  /** Visible columns (declared order). */
  visible: number;
  /** What the statement reads, each at its declared slot (parameters + visible index); the others are NULL. */
  specs: readonly (ValueSpec & { slot: number })[];
  /** The fetches, with their accounts. */
  found: readonly [context: string, fetched: FetchedRows][];
  /** The declared columns whose equal values SQLite wants adjacent (a GROUP BY or DISTINCT); see doql_columns.c. */
  grouping: ScanGrouping | undefined;
}

/** The batch of one scan. */
export function nativeBatch(scan: NativeScan): Buffer {
  const { parameters: P, visible, specs, found } = scan;
  const segments = found.map(([context, fetched]) => {
    const rows = rowCount(fetched);
    const encoded = encodedColumns(fetched, specs, rows, scan.table);
    const columns: Buffer[] = new Array<Buffer>(visible).fill(NULL_COLUMN);
    specs.forEach((s, j) => (columns[s.slot - P] = encoded[j].bytes));
    return { context, rows, columns, fetched, encoded };
  });
  let order: Uint32Array | null = null;
  const grouping = scan.grouping;
  if (grouping?.columns.length) {
    // The account column and any read column can be keys; another hidden column is one value for the whole scan,
    // and so is a column the statement does not read (NULL).
    const at = grouping.columns.flatMap((c, i) => (c === 0 || specs.some((s) => s.slot === c) ? [i] : []));
    const keys = at.map((i) => grouping.columns[i]);
    const directions = { sorted: grouping.sorted, descending: at.map((i) => grouping.descending[i]) };
    const keyValues = (s: (typeof segments)[number]): KeyValues[] =>
      keys.map((c) => (c === 0 ? { dict: [s.context], codes: null } : s.encoded[specs.findIndex((sp) => sp.slot === c)]));
    if (keys.length && segments.length === 1 && !keys.includes(0)) {
      // One fetch: its order by these keys is kept with it.
      const [s] = segments;
      const cache = columnCache(s.fetched);
      const id = `${grouping.sorted ? 'sorted' : 'first'}\0${keys.map((c, i) => `${specs.find((sp) => sp.slot === c)!.name}${directions.descending[i] ? ' desc' : ''}`).join('\0')}`;
      const orders = (cache.nativeOrders ??= new Map());
      order = orders.get(id) ?? null;
      if (!orders.has(id)) orders.set(id, (order = groupedOrder([{ rows: s.rows, keys: keyValues(s) }], directions)));
    } else if (keys.length) {
      order = groupedOrder(
        segments.map((s) => ({ rows: s.rows, keys: keyValues(s) })),
        directions,
      );
    }
  }
  return assembleBatch(visible, segments, order);
}

const columnCache = (fetched: FetchedRows): ColumnCache => (fetched.cache ??= { columns: new Map() });

/** The encoding of each spec's values, encoded on first use and kept with the fetch. */
function encodedColumns(fetched: FetchedRows, specs: readonly ValueSpec[], rows: number, table: string): EncodedColumn[] {
  const cache = columnCache(fetched);
  const encoded = (cache.encoded ??= new Map());
  const missing = specs.filter((s) => !encoded.has(s.name));
  if (missing.length) fetchedValues(fetched, missing).forEach((values, j) => encoded.set(missing[j].name, encodeColumn(values, rows, table)));
  return specs.map((s) => encoded.get(s.name)!);
}
