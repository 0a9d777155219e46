// The one CSV writer (csv-stringify) for `-o csv` and COPY … CSV. NULL is the null string unquoted and a value equal
// to it is quoted, as Postgres's COPY writes them, so NULL and '' (or a value spelled like --null's text) stay apart.
import { stringify, type Options } from 'csv-stringify/sync';

export interface CsvDialect {
  delimiter: string;
  quote: string;
  escape: string;
  /** How NULL is written (COPY's NULL option; '' by default). */
  null: string;
  /** Quote every empty string (`-o csv` always writes '' as `""`); COPY quotes it only when NULL is ''. */
  quoteEmpty?: boolean;
}

/** Stands for NULL in the records handed to csv-stringify, so its cast can write the null string unquoted. */
const NULL_FIELD = Object.freeze({});

function options(d: CsvDialect): Options {
  return {
    delimiter: d.delimiter,
    quote: d.quote,
    escape: d.escape,
    record_delimiter: '\n',
    cast: {
      string: (s) => (s === d.null || (s === '' && d.quoteEmpty) ? { value: s, quoted: true, quoted_empty: true } : s),
      object: (v) => (v === NULL_FIELD ? { value: d.null, quoted: false } : JSON.stringify(v)),
    },
  };
}

/** CSV lines, each ending in a newline, one per record; a null field is NULL. */
export function csvLines(records: ReadonlyArray<ReadonlyArray<string | null>>, d: CsvDialect): string[] {
  const o = options(d);
  return records.map((r) => stringify([r.map((f) => (f === null ? NULL_FIELD : f))], o));
}
