// Classifies a statement by its first word and parses doql's own statements (SHOW, DESCRIBE, REGISTRY) from its
// tokens; Postgres's statements (SELECT, writes, COPY, cursors, session settings) are parsed into libpg-query's
// tree where they run, so classifying never loads the parser.
import { DoqlError } from '../errors.js';
import { identValue, isWord, significant, stringValue, syntaxError, type Token } from './lexer.js';

export type Statement =
  | { kind: 'select'; text: string; tokens: Token[] }
  | { kind: 'show_providers'; like?: string }
  | { kind: 'show_services'; provider: string; like?: string; extended: boolean }
  | { kind: 'show_resources'; service: string; like?: string; extended: boolean }
  | { kind: 'show_methods'; resource: string; like?: string; extended: boolean }
  | { kind: 'show_insert'; resource: string; requiredOnly: boolean }
  | { kind: 'describe'; resource: string; extended: boolean }
  | { kind: 'registry_list' }
  | { kind: 'registry_pull'; provider: string; from?: string }
  | { kind: 'mutation'; verb: 'insert' | 'update' | 'replace' | 'delete' | 'exec'; text: string; tokens: Token[] }
  | { kind: 'session_setting'; text: string; tokens: Token[] }
  /** DECLARE … CURSOR FOR, FETCH, MOVE, CLOSE (engine/cursors.ts). */
  | { kind: 'cursor'; text: string; tokens: Token[] }
  /** COPY … TO STDOUT, read from its syntax tree as it runs (sql/copy.ts). */
  | { kind: 'copy'; text: string; tokens: Token[] };

export type StatementKind = Statement['kind'];

/** Reads a dotted name (`digitalocean.databases.backups`, quoted parts allowed) starting at index i. */
function dottedName(toks: Token[], i: number): { name: string; next: number } | undefined {
  const parts: string[] = [];
  let j = i;
  for (;;) {
    const t = toks[j];
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) break;
    parts.push(identValue(t));
    j++;
    if (toks[j]?.text === '.') j++;
    else break;
  }
  return parts.length ? { name: parts.join('.').toLowerCase(), next: j } : undefined;
}

export function parseStatement(text: string, tokens: Token[]): Statement {
  const toks = significant(tokens).filter((t) => t.kind !== 'hint');
  const first = toks[0];
  const word = first?.kind === 'word' ? first.text.toUpperCase() : first?.text === '(' ? 'SELECT' : '';
  const fail = (t: Token | undefined, message: string): never => {
    throw syntaxError(text, t ? t.start : text.length, message);
  };
  const expectEnd = (i: number): void => {
    if (toks[i]) fail(toks[i], `unexpected "${toks[i].text}"`);
  };
  const likeAt = (i: number): { like?: string; next: number } => {
    if (isWord(toks[i], 'LIKE')) {
      const s = toks[i + 1];
      if (!s || s.kind !== 'string') fail(s, "LIKE needs a quoted pattern, e.g. LIKE '%backup%'");
      return { like: stringValue(s!), next: i + 2 };
    }
    return { next: i };
  };

  switch (word) {
    case 'SELECT':
    case 'WITH':
    case 'VALUES':
    case 'EXPLAIN':
      return { kind: 'select', text, tokens };
    case 'INSERT':
    case 'UPDATE':
    case 'REPLACE':
    case 'DELETE':
    case 'EXEC':
      return { kind: 'mutation', verb: word.toLowerCase() as 'insert', text, tokens };
    case 'COPY':
      return { kind: 'copy', text, tokens };
    case 'DECLARE':
    case 'FETCH':
    case 'MOVE':
    case 'CLOSE':
      return { kind: 'cursor', text, tokens };
    case 'SET':
    case 'RESET':
    case 'BEGIN':
    case 'START':
    case 'COMMIT':
    case 'END':
    case 'ROLLBACK':
    case 'ABORT':
    case 'SAVEPOINT':
    case 'RELEASE':
    case 'DISCARD':
    case 'DEALLOCATE':
      return { kind: 'session_setting', text, tokens };
    case 'DESCRIBE':
    case 'DESC': {
      let i = 1;
      const extended = isWord(toks[i], 'EXTENDED');
      if (extended) i++;
      const n = dottedName(toks, i);
      if (!n) fail(toks[i], 'DESCRIBE needs a resource, e.g. DESCRIBE digitalocean.databases.backups');
      expectEnd(n!.next);
      return { kind: 'describe', resource: n!.name, extended };
    }
    case 'REGISTRY': {
      if (isWord(toks[1], 'LIST')) {
        expectEnd(2);
        return { kind: 'registry_list' };
      }
      if (isWord(toks[1], 'PULL')) {
        const n = dottedName(toks, 2);
        const provider = n?.name ?? 'digitalocean';
        let i = n?.next ?? 2;
        let from: string | undefined;
        if (isWord(toks[i], 'FROM')) {
          const s = toks[i + 1];
          if (!s || s.kind !== 'string') fail(s, "REGISTRY PULL … FROM needs a quoted file or URL");
          from = stringValue(s!);
          i += 2;
        }
        expectEnd(i);
        return { kind: 'registry_pull', provider, from };
      }
      return fail(toks[1], 'expected REGISTRY LIST or REGISTRY PULL digitalocean');
    }
    case 'SHOW': {
      let i = 1;
      const extended = isWord(toks[i], 'EXTENDED');
      if (extended) i++;
      const what = toks[i]?.kind === 'word' ? toks[i].text.toUpperCase() : '';
      i++;
      if (what === 'PROVIDERS') {
        const l = likeAt(i);
        expectEnd(l.next);
        return { kind: 'show_providers', like: l.like };
      }
      if (what === 'SERVICES' || what === 'RESOURCES' || what === 'METHODS') {
        if (!isWord(toks[i], 'IN', 'FROM')) fail(toks[i], `expected IN after SHOW ${what}`);
        const n = dottedName(toks, i + 1);
        if (!n) fail(toks[i + 1], `SHOW ${what} IN needs a name`);
        const l = likeAt(n!.next);
        expectEnd(l.next);
        if (what === 'SERVICES') return { kind: 'show_services', provider: n!.name, like: l.like, extended };
        if (what === 'RESOURCES') return { kind: 'show_resources', service: n!.name, like: l.like, extended };
        return { kind: 'show_methods', resource: n!.name, like: l.like, extended };
      }
      if (what === 'INSERT') {
        if (!isWord(toks[i], 'INTO')) fail(toks[i], 'expected SHOW INSERT INTO <resource>');
        const n = dottedName(toks, i + 1);
        if (!n) fail(toks[i + 1], 'SHOW INSERT INTO needs a resource');
        let j = n!.next;
        // StackQL's `/*+ REQUIRED */` hint is dropped by significant(); accept a trailing REQUIRED word too.
        const requiredOnly = isWord(toks[j], 'REQUIRED') || /\/\*\+\s*REQUIRED\s*\*\//i.test(text);
        if (isWord(toks[j], 'REQUIRED')) j++;
        expectEnd(j);
        return { kind: 'show_insert', resource: n!.name, requiredOnly };
      }
      // Anything else (`SHOW server_version`, …) is a session setting the wire server answers.
      return { kind: 'session_setting', text, tokens };
    }
    case 'CREATE':
    case 'DROP':
    case 'ALTER':
    case 'TRUNCATE':
    case 'GRANT':
    case 'REVOKE':
    case 'COMMENT':
      throw ddlRefused(toks);
    default:
      return fail(first, first ? `unknown statement "${first.text}": expected SELECT, SHOW, DESCRIBE, INSERT, UPDATE, REPLACE, DELETE, EXEC, COPY or REGISTRY` : 'empty statement');
  }
}

/** The words that name what a DDL statement makes or changes (`CREATE TEMP TABLE`, `DROP INDEX`), after its verb. */
const DDL_WORDS = new Set(
  ('TEMP TEMPORARY LOCAL GLOBAL UNLOGGED OR REPLACE MATERIALIZED UNIQUE RECURSIVE TABLE VIEW INDEX SCHEMA SEQUENCE ' +
    'FUNCTION PROCEDURE TYPE EXTENSION DATABASE TRIGGER ROLE USER DOMAIN ON').split(' '),
);

/**
 * A DDL statement, refused as Postgres refuses what a server does not support (0A000, not a syntax error): doql's
 * tables are the API's resources, and it keeps none of its own, temporary or not.
 */
function ddlRefused(toks: Token[]): DoqlError {
  const words = [toks[0].text.toUpperCase()];
  for (const t of toks.slice(1)) {
    if (t.kind !== 'word' || !DDL_WORDS.has(t.text.toUpperCase())) break;
    words.push(t.text.toUpperCase());
  }
  return new DoqlError('validation', `${words.join(' ')} is not supported by doql: its tables are DigitalOcean's API resources, and it keeps no tables of its own`, {
    sqlState: '0A000',
    hint: 'For an intermediate result use a CTE (WITH t AS (SELECT …) SELECT … FROM t) or a subquery; to keep rows in a database of your own, copy them there with `doql sync` (see doql sync --help); resources are created with INSERT INTO and removed with DELETE.',
  });
}
