// The one SQL parser: Postgres's own grammar (libpg-query, WASM), loaded on first use so statements that do not
// need it (SHOW, DESCRIBE, REGISTRY, meta-commands) never pay its ~50 ms load.
import { createRequire } from 'node:module';
import type { Node, ParseResult } from '@pgsql/types';
import { syntaxError } from '../lexer.js';
import { applyWasmTiering, compileEagerly } from '../../wasm-tiering.js';
import { mark } from '../../timings.js';

export type { Node, ParseResult };

interface PgQuery {
  parseSync(query: string): ParseResult;
}

let loading: Promise<PgQuery> | undefined;
let loaded: PgQuery | undefined;

/**
 * How the parser's WebAssembly (1.1 MB) is compiled. `eager`: all of it as the module loads, on V8's background
 * threads, while a command's main thread loads the engine and catalog (src/wasm-tiering.ts: its first parse then
 * compiles nothing). `on-use`: each function at its first call, on the calling thread, and the load parses one
 * statement to compile what every parse runs; a session process (server/session-child.ts) has nothing to overlap
 * with, and compiles only what parses run: measured, median of 7 alternating, load and first parse 42 → 32 ms CPU.
 */
export type ParserCompile = 'eager' | 'on-use';

/**
 * Starts loading the parser without waiting for it. Callers that know a statement will need it (a SELECT
 * about to fetch) call this early, so the load overlaps catalog loading and network waits. The first call decides
 * how it is compiled.
 */
export function preloadParser(compile: ParserCompile = 'eager'): Promise<PgQuery> {
  loading ??= (async () => {
    // Baseline-compiled WebAssembly for a one-shot command (src/wasm-tiering.ts says why; bin/doql.js sets it for the
    // CLI before anything loads, this for serve's session processes and the tests).
    applyWasmTiering();
    // required, not imported: Node loads the package's CommonJS entry (wasm/index.cjs) either way, and the CLI's
    // code-cached bundle (src/build/bundle-cli.ts) can have no dynamic import().
    const m = createRequire(import.meta.url)('libpg-query') as PgQuery & { loadModule(): Promise<void> };
    if (compile === 'eager') {
      await compileEagerly(() => m.loadModule());
    } else {
      await m.loadModule();
      m.parseSync('SELECT 1');
    }
    loaded = m;
    mark('parser');
    return m;
  })();
  return loading;
}

/** True once the parser is loaded (parseLoaded can be used). */
export function parserLoaded(): boolean {
  return loaded !== undefined;
}

/** Parses one or more statements into Postgres's syntax tree; a syntax error becomes doql's (42601, with a caret). */
export async function parseSql(sql: string): Promise<ParseResult> {
  const pg = loaded ?? (await preloadParser());
  return parseWith(pg, sql);
}

/** parseSql for callers that already awaited preloadParser(). */
export function parseLoaded(sql: string): ParseResult {
  if (!loaded) throw new Error('parseLoaded called before preloadParser() finished');
  return parseWith(loaded, sql);
}

function parseWith(pg: PgQuery, sql: string): ParseResult {
  try {
    return pg.parseSync(sql);
  } catch (err) {
    const e = err as Error & { sqlDetails?: { message?: string; cursorPosition?: number } };
    const position = e.sqlDetails?.cursorPosition;
    // libpg-query's cursorPosition is a 0-based character offset into the statement.
    const offset = typeof position === 'number' && position >= 0 ? Math.min(position, sql.length) : sql.length;
    throw syntaxError(sql, offset, e.sqlDetails?.message ?? e.message);
  }
}
