// Parses Postgres's `COPY … TO STDOUT` (what psql's \copy sends) into the query to run and how to write its rows.
// COPY FROM and COPY to a server-side file are refused: doql writes nothing on the server's disk.
import { identValue, isWord, significant, stringValue, syntaxError, type Token } from './lexer.js';

export interface CopyOptions {
  format: 'text' | 'csv';
  header: boolean;
  delimiter: string;
  /** How NULL is written: `\N` in text, an empty unquoted field in CSV. */
  null: string;
  quote: string;
  escape: string;
}

export interface CopyStatement {
  kind: 'copy';
  /** The SELECT whose rows are copied (`COPY (SELECT …)`, or `SELECT cols FROM table` for the table form). */
  query: string;
  options: CopyOptions;
}

/** Parses a COPY statement's tokens (the statement starts with COPY). */
export function parseCopy(text: string, tokens: Token[]): CopyStatement {
  const toks = significant(tokens).filter((t) => t.kind !== 'hint');
  const fail = (t: Token | undefined, message: string): never => {
    throw syntaxError(text, t ? t.start : text.length, message);
  };
  let i = 1;
  let query: string;
  if (toks[i]?.text === '(') {
    const close = matchingParen(toks, i);
    if (close === undefined) fail(toks[i], 'COPY ( needs its closing )');
    query = text.slice(toks[i].end, toks[close!].start).trim();
    if (!query) fail(toks[i], 'COPY () needs a query, e.g. COPY (SELECT …) TO STDOUT');
    i = close! + 1;
  } else {
    const parts: string[] = [];
    while (toks[i] && (toks[i].kind === 'word' || toks[i].kind === 'quoted') && !isWord(toks[i], 'TO', 'FROM')) {
      parts.push(toks[i].text);
      i++;
      if (toks[i]?.text !== '.') break;
      i++;
    }
    if (!parts.length) fail(toks[i], 'COPY needs a table or a (query), e.g. COPY (SELECT …) TO STDOUT');
    let columns = '*';
    if (toks[i]?.text === '(') {
      const close = matchingParen(toks, i);
      if (close === undefined) fail(toks[i], 'the column list needs its closing )');
      columns = text.slice(toks[i].end, toks[close!].start).trim() || '*';
      i = close! + 1;
    }
    query = `SELECT ${columns} FROM ${parts.join('.')}`;
  }
  if (isWord(toks[i], 'FROM')) fail(toks[i], 'COPY … FROM is not supported: create resources with INSERT INTO …');
  if (!isWord(toks[i], 'TO')) fail(toks[i], 'COPY needs TO STDOUT after the table or query');
  i++;
  if (!isWord(toks[i], 'STDOUT')) {
    fail(toks[i], "COPY can only write TO STDOUT (psql's \\copy … TO 'file' does that and writes the file on your side)");
  }
  i++;
  if (isWord(toks[i], 'WITH')) i++;
  const options: CopyOptions = { format: 'text', header: false, delimiter: '\t', null: '\\N', quote: '"', escape: '"' };
  const set = { delimiter: false, null: false, escape: false };
  const str = (t: Token | undefined, what: string): string => {
    if (!t || t.kind !== 'string') fail(t, `${what} needs a quoted value`);
    return stringValue(t!);
  };
  const format = (t: Token | undefined): void => {
    const f = t ? identValue(t).toLowerCase() : '';
    if (f === 'binary') fail(t, 'COPY … (FORMAT binary) is not supported: use text or csv');
    if (f !== 'text' && f !== 'csv') fail(t, 'FORMAT must be text or csv');
    options.format = f as 'text' | 'csv';
  };
  const bool = (t: Token | undefined): { value: boolean; used: boolean } => {
    const v = t && (t.kind === 'word' || t.kind === 'number' || t.kind === 'string') ? (t.kind === 'string' ? stringValue(t) : t.text).toLowerCase() : '';
    if (['true', 'on', '1'].includes(v)) return { value: true, used: true };
    if (['false', 'off', '0'].includes(v)) return { value: false, used: true };
    return { value: true, used: false };
  };

  if (toks[i]?.text === '(') {
    // The option list: (FORMAT csv, HEADER [bool], DELIMITER 'x', NULL 'x', QUOTE 'x', ESCAPE 'x').
    const close = matchingParen(toks, i);
    if (close === undefined) fail(toks[i], 'the option list needs its closing )');
    let j = i + 1;
    while (j < close!) {
      const name = toks[j];
      const word = name.kind === 'word' ? name.text.toUpperCase() : '';
      j++;
      if (word === 'FORMAT') format(toks[j++]);
      else if (word === 'HEADER') {
        const b = bool(toks[j]);
        options.header = b.value;
        if (b.used) j++;
      } else if (word === 'DELIMITER') (options.delimiter = str(toks[j++], 'DELIMITER')), (set.delimiter = true);
      else if (word === 'NULL') (options.null = str(toks[j++], 'NULL')), (set.null = true);
      else if (word === 'QUOTE') options.quote = str(toks[j++], 'QUOTE');
      else if (word === 'ESCAPE') (options.escape = str(toks[j++], 'ESCAPE')), (set.escape = true);
      else if (word === 'ENCODING') {
        const e = str(toks[j++], 'ENCODING').toUpperCase().replace(/[-_]/g, '');
        if (e !== 'UTF8') fail(toks[j - 1], 'doql writes UTF8 only');
      } else fail(name, `unknown COPY option "${name.text}": doql knows FORMAT, HEADER, DELIMITER, NULL, QUOTE, ESCAPE and ENCODING`);
      if (j < close! && toks[j].text !== ',') fail(toks[j], 'expected , between COPY options');
      if (toks[j]?.text === ',') j++;
    }
    i = close! + 1;
  } else {
    // The old syntax psql's \copy still sends: [BINARY] [DELIMITER [AS] 'x'] [NULL [AS] 'x'] [CSV [HEADER] [QUOTE [AS] 'x'] [ESCAPE [AS] 'x']].
    while (toks[i]) {
      const word = toks[i].kind === 'word' ? toks[i].text.toUpperCase() : '';
      const value = (what: string): string => {
        i++;
        if (isWord(toks[i], 'AS')) i++;
        return str(toks[i], what);
      };
      if (word === 'BINARY') fail(toks[i], 'COPY … BINARY is not supported: use text or csv');
      else if (word === 'CSV') options.format = 'csv';
      else if (word === 'HEADER') options.header = true;
      else if (word === 'DELIMITER') (options.delimiter = value('DELIMITER')), (set.delimiter = true);
      else if (word === 'NULL') (options.null = value('NULL')), (set.null = true);
      else if (word === 'QUOTE') options.quote = value('QUOTE');
      else if (word === 'ESCAPE') (options.escape = value('ESCAPE')), (set.escape = true);
      else fail(toks[i], `unexpected "${toks[i].text}" in COPY options`);
      i++;
    }
  }
  if (toks[i]) fail(toks[i], `unexpected "${toks[i].text}"`);
  if (options.format === 'csv') {
    if (!set.delimiter) options.delimiter = ',';
    if (!set.null) options.null = '';
    if (!set.escape) options.escape = options.quote;
  }
  if ([...options.delimiter].length !== 1) fail(undefined, 'COPY delimiter must be a single one-byte character');
  if (options.format === 'csv' && ([...options.quote].length !== 1 || [...options.escape].length !== 1)) {
    fail(undefined, 'COPY quote and escape must be single characters');
  }
  return { kind: 'copy', query, options };
}

function matchingParen(toks: Token[], open: number): number | undefined {
  let depth = 0;
  for (let j = open; j < toks.length; j++) {
    if (toks[j].text === '(') depth++;
    else if (toks[j].text === ')' && --depth === 0) return j;
  }
  return undefined;
}
