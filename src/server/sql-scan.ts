// A light lexical scan of SQL text: how many statements, the highest `$n` placeholder, and the bare words used.
// It knows quoting and comments (so `'$1'` or `-- ;` do not count) and nothing else about SQL.

export interface SqlShape {
  /** Non-empty `;`-separated statements (comments and whitespace alone do not count). */
  statementCount: number;
  /** The highest `$n` placeholder, 0 when there is none. */
  paramCount: number;
  /** The first word of the first statement, upper-cased ('' for an empty query). */
  firstKeyword: string;
  /** Every bare word outside strings, quoted identifiers and comments, upper-cased. */
  words: Set<string>;
}

const isIdentStart = (c: string): boolean => /[A-Za-z_\u0080-\uffff]/.test(c);
const isIdentChar = (c: string): boolean => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

export function scanSql(sql: string): SqlShape {
  const words = new Set<string>();
  let statementCount = 0;
  let paramCount = 0;
  let firstKeyword = '';
  let statementHasContent = false;
  let i = 0;

  const content = (): void => {
    statementHasContent = true;
  };

  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1] ?? '';
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
    } else if (c === "'") {
      content();
      const escapes = /[eE]/.test(sql[i - 1] ?? '') && !isIdentChar(sql[i - 2] ?? '');
      i = skipQuoted(sql, i, "'", escapes);
    } else if (c === '"') {
      content();
      i = skipQuoted(sql, i, '"', false);
    } else if (c === '$') {
      content();
      let j = i + 1;
      while (j < sql.length && isDigit(sql[j] as string)) j++;
      if (j > i + 1) {
        paramCount = Math.max(paramCount, Number(sql.slice(i + 1, j)));
        i = j;
      } else {
        i = skipDollarQuoted(sql, i);
      }
    } else if (c === ';') {
      if (statementHasContent) statementCount++;
      statementHasContent = false;
      i++;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < sql.length && isIdentChar(sql[j] as string)) j++;
      const word = sql.slice(i, j).toUpperCase();
      if (!statementHasContent && statementCount === 0) firstKeyword = word;
      content();
      words.add(word);
      i = j;
    } else if (isDigit(c)) {
      // A number: skip it whole so that `1e5` or `x1` parts are not read as words.
      content();
      let j = i + 1;
      while (j < sql.length && /[0-9.eE_]/.test(sql[j] as string)) j++;
      i = j;
    } else {
      if (!/\s/.test(c)) content();
      i++;
    }
  }
  if (statementHasContent) statementCount++;
  return { statementCount, paramCount, firstKeyword, words };
}

function skipBlockComment(sql: string, start: number): number {
  // Postgres block comments nest.
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2; // doubled quote
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** `$tag$ … $tag$` (tag may be empty); a `$` that opens no such quote is just a character. */
function skipDollarQuoted(sql: string, start: number): number {
  if (isIdentChar(sql[start - 1] ?? ' ')) return start + 1; // part of an identifier like a$b
  let j = start + 1;
  if (j < sql.length && isIdentStart(sql[j] as string)) {
    while (j < sql.length && /[A-Za-z0-9_\u0080-\uffff]/.test(sql[j] as string)) j++;
  }
  if (sql[j] !== '$') return start + 1;
  const tag = sql.slice(start, j + 1);
  const end = sql.indexOf(tag, j + 1);
  return end < 0 ? sql.length : end + tag.length;
}
