// Reads Postgres's `COPY … TO STDOUT` (what psql's \copy sends) from its syntax tree (a CopyStmt): the SELECT to
// run and how to write its rows. Postgres's grammar turns the old option syntax (`CSV HEADER`, `DELIMITER AS 'x'`)
// into the same option list as `WITH (FORMAT csv, HEADER)`. COPY FROM and COPY to a server-side file are refused:
// doql writes nothing on the server's disk.
import type { CopyStmt, DefElem, Node } from '@pgsql/types';
import { DoqlError } from '../errors.js';
import { syntaxError } from './lexer.js';

export interface CopyOptions {
  format: 'text' | 'csv';
  header: boolean;
  delimiter: string;
  /** How NULL is written: `\N` in text, an empty unquoted field in CSV. */
  null: string;
  quote: string;
  escape: string;
}

export interface CopyPlan {
  /** The SelectStmt whose rows are copied (`COPY (SELECT …)`, or `SELECT cols FROM table` for the table form). */
  query: Node;
  options: CopyOptions;
}

/** Reads a COPY statement's tree; `text` is the statement's text, for the caret of an error. */
export function readCopy(text: string, copy: CopyStmt): CopyPlan {
  const fail = (location: number | undefined, message: string): never => {
    throw syntaxError(text, location ?? text.length, message);
  };
  if (copy.is_from) fail(copy.relation?.location, 'COPY … FROM is not supported: create resources with INSERT INTO …');
  if (copy.filename !== undefined || copy.is_program) {
    fail(undefined, "COPY can only write TO STDOUT (psql's \\copy … TO 'file' does that and writes the file on your side)");
  }
  if (copy.whereClause) fail(undefined, 'COPY … WHERE is not supported: use COPY (SELECT … WHERE …) TO STDOUT');
  let query: Node;
  if (copy.query) {
    if (!('SelectStmt' in copy.query)) throw new DoqlError('parse', 'COPY (…) TO STDOUT copies the rows of a SELECT', { sqlState: '0A000' });
    query = copy.query;
  } else {
    // The table form reads the named columns (or all of them) of the resource, as a SELECT would.
    const columns: Node[] = copy.attlist?.length
      ? copy.attlist.map((n) => ({ ResTarget: { val: { ColumnRef: { fields: [n] } } } }))
      : [{ ResTarget: { val: { ColumnRef: { fields: [{ A_Star: {} }] } } } }];
    query = { SelectStmt: { targetList: columns, fromClause: [{ RangeVar: copy.relation! }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } };
  }
  return { query, options: readOptions(copy.options ?? [], fail) };
}

type Fail = (location: number | undefined, message: string) => never;

/** The option list: FORMAT, HEADER, DELIMITER, NULL, QUOTE, ESCAPE and ENCODING, with Postgres's defaults per format. */
function readOptions(list: Node[], fail: Fail): CopyOptions {
  const options: CopyOptions = { format: 'text', header: false, delimiter: '\t', null: '\\N', quote: '"', escape: '"' };
  const set = { delimiter: false, null: false, escape: false };
  for (const node of list) {
    if (!('DefElem' in node)) continue;
    const d = node.DefElem;
    const str = (): string => {
      const v = d.arg && 'String' in d.arg ? d.arg.String.sval : undefined;
      if (v === undefined) fail(d.location, `${(d.defname ?? '').toUpperCase()} needs a quoted value`);
      return v!;
    };
    switch (d.defname) {
      case 'format': {
        const f = str().toLowerCase();
        if (f === 'binary') fail(d.location, 'COPY … (FORMAT binary) is not supported: use text or csv');
        if (f !== 'text' && f !== 'csv') fail(d.location, 'FORMAT must be text or csv');
        options.format = f as 'text' | 'csv';
        break;
      }
      case 'header':
        options.header = bool(d, fail);
        break;
      case 'delimiter':
        options.delimiter = str();
        set.delimiter = true;
        break;
      case 'null':
        options.null = str();
        set.null = true;
        break;
      case 'quote':
        options.quote = str();
        break;
      case 'escape':
        options.escape = str();
        set.escape = true;
        break;
      case 'encoding':
        if (str().toUpperCase().replace(/[-_]/g, '') !== 'UTF8') fail(d.location, 'doql writes UTF8 only');
        break;
      default:
        fail(d.location, `unknown COPY option "${d.defname}": doql knows FORMAT, HEADER, DELIMITER, NULL, QUOTE, ESCAPE and ENCODING`);
    }
  }
  if (options.format === 'csv') {
    if (!set.delimiter) options.delimiter = ',';
    if (!set.null) options.null = '';
    if (!set.escape) options.escape = options.quote;
  }
  if ([...options.delimiter].length !== 1) fail(undefined, 'COPY delimiter must be a single one-byte character');
  if (options.format === 'csv' && ([...options.quote].length !== 1 || [...options.escape].length !== 1)) {
    fail(undefined, 'COPY quote and escape must be single characters');
  }
  return options;
}

/** HEADER's value: none (true), a boolean, 0/1, or on/off/true/false as a word or string. */
function bool(d: DefElem, fail: Fail): boolean {
  const a = d.arg;
  if (!a) return true;
  if ('Boolean' in a) return a.Boolean.boolval === true;
  const v = 'Integer' in a ? String(a.Integer.ival ?? 0) : 'String' in a ? (a.String.sval ?? '').toLowerCase() : '';
  if (['true', 'on', '1'].includes(v)) return true;
  if (['false', 'off', '0'].includes(v)) return false;
  return fail(d.location, `HEADER needs a boolean, got "${v}"`);
}
