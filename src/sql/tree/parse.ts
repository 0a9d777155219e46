// The one SQL parser: Postgres's own grammar (libpg-query, WASM), loaded on first use so statements that do not
// need it (SHOW, DESCRIBE, REGISTRY, meta-commands) never pay its ~50 ms load. A session process asks the process
// that started it instead (parseElsewhere), which has it loaded once for all of them.
import { createRequire } from 'node:module';
import type { Node, ParseResult } from '@pgsql/types';
import { syntaxError } from '../lexer.js';
import { applyWasmTiering, compileEagerly } from '../../wasm-tiering.js';

export type { Node, ParseResult };

interface PgQuery {
  parseSync(query: string): ParseResult;
}

let loading: Promise<PgQuery> | undefined;
let loaded: PgQuery | undefined;

/** A parse as plain data, which crosses between processes: the tree, or where (0-based offset) and why it failed. */
export type ParseOutcome = { tree: ParseResult } | { error: { offset: number; message: string } };

/**
 * The longest statement (in UTF-16 units) parsed elsewhere: the server parses on the thread that serves every
 * connection (~0.3 ms a kB), so a longer one is parsed where it runs, which then loads the parser itself.
 */
export const PARSE_ELSEWHERE_MAX = 8192;

let elsewhere: ((sql: string) => Promise<ParseOutcome>) | undefined;

/**
 * From now on statements up to PARSE_ELSEWHERE_MAX are parsed by `parse` (a session process's call to its server,
 * server/session-child.ts), and preloadParser() loads nothing: a process that starts does not pay the parser's
 * load, compile and first collection (~30 ms of CPU, more than the rest of its start) for every connection.
 */
export function parseElsewhere(parse: (sql: string) => Promise<ParseOutcome>): void {
  elsewhere = parse;
}

/**
 * Starts loading the parser without waiting for it. Callers that know a statement will need it (a SELECT
 * about to fetch) call this early, so the load overlaps catalog loading and network waits.
 */
export function preloadParser(): Promise<unknown> {
  return elsewhere ? Promise.resolve() : loadParser();
}

function loadParser(): Promise<PgQuery> {
  loading ??= (async () => {
    // Baseline-compiled WebAssembly for a one-shot command (src/wasm-tiering.ts says why; bin/doql.js sets it for the
    // CLI before anything loads, this for serve's session processes and the tests).
    applyWasmTiering();
    // required, not imported: Node loads the package's CommonJS entry (wasm/index.cjs) either way, and the CLI's
    // code-cached bundle (src/build/bundle-cli.ts) can have no dynamic import().
    const m = createRequire(import.meta.url)('libpg-query') as PgQuery & { loadModule(): Promise<void> };
    await compileEagerly(() => m.loadModule());
    loaded = m;
    return m;
  })();
  return loading;
}

/** Parses one or more statements into Postgres's syntax tree; a syntax error becomes doql's (42601, with a caret). */
export async function parseSql(sql: string): Promise<ParseResult> {
  const outcome = elsewhere && sql.length <= PARSE_ELSEWHERE_MAX ? await elsewhere(sql) : outcomeOf(loaded ?? (await loadParser()), sql);
  if ('error' in outcome) throw syntaxError(sql, outcome.error.offset, outcome.error.message);
  return outcome.tree;
}

/** A parse for another process (a session process's `parse` call): `sql` must be a string of at most PARSE_ELSEWHERE_MAX. */
export async function parseOutcome(sql: unknown): Promise<ParseOutcome> {
  if (typeof sql !== 'string' || sql.length > PARSE_ELSEWHERE_MAX) throw new Error(`not a statement of at most ${PARSE_ELSEWHERE_MAX} characters to parse`);
  return outcomeOf(loaded ?? (await loadParser()), sql);
}

function outcomeOf(pg: PgQuery, sql: string): ParseOutcome {
  try {
    return { tree: pg.parseSync(sql) };
  } catch (err) {
    const e = err as Error & { sqlDetails?: { message?: string; cursorPosition?: number } };
    const position = e.sqlDetails?.cursorPosition;
    // libpg-query's cursorPosition is a 0-based character offset into the statement.
    const offset = typeof position === 'number' && position >= 0 ? Math.min(position, sql.length) : sql.length;
    return { error: { offset, message: e.sqlDetails?.message ?? e.message } };
  }
}
