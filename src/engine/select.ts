// SELECT over the API: one SQLite virtual table per referenced resource, served from the fetch cache,
// run in rounds — a run records its cache misses, they are fetched concurrently, and the statement
// runs again until a run misses nothing. Only that last run's rows are returned.
import type Database from 'better-sqlite3';
import { DoqlError } from '../errors.js';
import type { Column, Method, Resource } from '../catalog/types.js';
import type { CellValue, PgTypeName, ResultColumn, StatementResult } from '../engine/types.js';
import { pgTypeOfColumn } from './pg-column-types.js';
import { chooseSelectMethod, PARAM_SUFFIX, selectMethods, tableParameters } from './method-choice.js';
import { EarlyFetches, fetchItems, fetchKeyString, rowCount, type EngineApi, type FetchCache, type FetchedRows, type FetchKey, type QueryValue } from './fetcher.js';
import { fetchedValues, type SqliteValue, type ValueSpec } from './rows.js';
import type { PathColumn } from '../sql/tree/scope.js';
import { sqliteError, withColumnHint, type CallSignature } from './sqlite-error.js';
import type { ParamKind } from './param-types.js';
import { accountError, CONTEXT_COLUMN, singleAccount, type Accounts } from './accounts.js';
import { defineTable } from './virtual-table.js';
import { defineNativeTable } from './native-rows.js';
import { nativeBatch } from './native-scan.js';
import { earlyFetchEnabled, startEarly } from './early-fetch.js';

/** State of the run in progress: which fetches it missed. */
interface Round {
  /** The statement's cache token (FetchCache.beginStatement). */
  statement: number;
  misses: Map<string, FetchKey>;
  /** Names the statement mentions, lower-cased; undefined when it reads every column (`*`, NATURAL JOIN). */
  needed?: ReadonlySet<string>;
  /** The accounts it reads (the hidden `context` column); a `WHERE context = …` narrows a table to one. */
  contexts: readonly string[];
}

export interface SelectContext {
  /** The session's SQLite database, opened on first use. */
  db: () => Database.Database;
  cache: FetchCache;
  api: () => EngineApi;
  /** The accounts statements run over; default: api() as the one account. */
  accounts?: () => Promise<Accounts>;
  resolveResource: (id: string) => Resource;
  /** Which resources already have a table in this database. */
  registered: Map<string, Resource>;
  round?: Round;
  /**
   * Runs a stretch of synchronous SQLite work (a run of the statement). No JavaScript runs meanwhile, so a SIGINT
   * handler could not either: the one-shot command line uses this to let Ctrl-C end the process at once while
   * SQLite computes (nothing is in flight then), instead of waiting for the run to finish.
   */
  blocking?: <T>(work: () => T) => T;
  /** Where a miss is fetched; default fetchItems over api() (a wire-server session asks the server instead). */
  fetchRows?: (key: FetchKey, signal?: AbortSignal) => Promise<FetchedRows>;
  /** rounds run, and rows fetched from the API (for progress lines). */
  stats: { rounds: number; rowsFetched: number };
  /** Told how many requests a round is about to send; may refuse by throwing (a large fan-out not confirmed). */
  beforeFetch?: (requests: number) => Promise<void>;
}

const MAX_ROUNDS = 64;

/** The rows of a table scan that missed a fetch: none this run. */
const EMPTY: Iterator<unknown[]> = { next: () => ({ done: true, value: undefined }) };

function paramValue(v: unknown, boolean = false): QueryValue {
  // SQL has no booleans: `private = true` arrives as 1; the API's boolean params want true/false.
  if (boolean && (v === 0 || v === 1 || v === 0n || v === 1n)) return Number(v) === 1;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

/** A resource's table columns: a resource without a schema has one `content` column. */
function tableColumns(resource: Resource): Column[] {
  return resource.columns.length ? resource.columns : [{ name: 'content', sqlType: 'TEXT', schemaType: 'string', description: '' }];
}

/** The columns of a resource a statement reads; undefined when it may read them all. */
function neededColumns(columns: Column[], mentioned: ReadonlySet<string> | undefined): Column[] | undefined {
  return mentioned && columns.filter((c) => mentioned.has(c.name.toLowerCase()));
}

/** A resource's table for a statement: its id, or a variant with hidden path columns (sql/tree/scope.ts). */
export interface TableSpec {
  name: string;
  id: string;
  paths: readonly PathColumn[];
}

/** Registers the virtual table of a resource (or of a variant with path columns) once per database. */
export function ensureTable(ctx: SelectContext, spec: TableSpec): Resource {
  const existing = ctx.registered.get(spec.name);
  if (existing) return existing;
  const resourceId = spec.id;
  const resource = ctx.resolveResource(resourceId);
  const columns = tableColumns(resource);
  // The account column comes first, so that it is never among the parameters cut at SQLite's 32.
  const parameters = [CONTEXT_COLUMN, ...tableParameters({ ...resource, columns }).slice(0, 31)];
  const P = parameters.length;
  const paths = spec.paths.flatMap((p) => {
    const base = columns.find((c) => c.name === p.column);
    return base ? [{ ...p, base }] : [];
  });
  const booleans = new Set(selectMethods(resource).flatMap((m) => m.params.filter((p) => p.schemaType === 'boolean').map((p) => p.name)));
  // SQLite calls rows() once per outer row of a join (100 clusters: 100 calls a run, three runs a statement):
  // what depends only on the params given, or on the run, is worked out once, not on every call.
  const methods = new Map<string, Method>();
  let shaped: { round: Round; reads: Column[] | undefined; specs: (ValueSpec & { slot: number })[]; slots: number[] } | undefined;
  const shapeFor = (round: Round) => {
    if (shaped?.round === round) return shaped;
    const reads = neededColumns(columns, round.needed);
    // Only the columns the statement reads cross into SQLite; the others stay null.
    const specs: (ValueSpec & { slot: number })[] = [
      ...columns.flatMap((column, j) => (reads && !reads.includes(column) ? [] : [{ name: column.name, column, slot: P + j }])),
      ...paths.map((p, j) => ({ name: p.name, column: p.base, keys: p.keys, slot: P + columns.length + j })),
    ];
    return (shaped = { round, reads, specs, slots: specs.map((s) => s.slot) });
  };
  /**
   * What a scan with these arguments reads (undefined: not constrained): one fetch per account, or undefined when
   * one is not cached yet (the miss is recorded for the round to fetch).
   */
  const scan = (args: readonly unknown[]) => {
    const round = ctx.round;
    if (!round) throw new DoqlError('internal', `${resourceId} was read outside a statement`);
    const supplied: Record<string, QueryValue> = {};
    parameters.forEach((p, i) => {
      if (i === 0) return;
      const name = p.endsWith(PARAM_SUFFIX) ? p.slice(0, -PARAM_SUFFIX.length) : p;
      if (args[i] !== undefined && args[i] !== null) supplied[name] = paramValue(args[i], booleans.has(name));
    });
    // `context = 'a'` reaches account a alone; a context the session does not have holds no rows.
    const contexts = args[0] === undefined ? round.contexts : round.contexts.filter((c) => c === String(args[0]));
    const names = Object.keys(supplied);
    const chosen = names.join('\0');
    let method = methods.get(chosen);
    if (!method) methods.set(chosen, (method = chooseSelectMethod(resource, new Set(names))));
    const params: Record<string, QueryValue> = {};
    for (const p of method.params) if (supplied[p.name] !== undefined) params[p.name] = supplied[p.name];
    const shape = shapeFor(round);
    const { reads } = shape;
    const found: [string, FetchedRows][] = [];
    for (const context of contexts) {
      const key: FetchKey = { resourceId, method, params, context };
      const k = fetchKeyString(key);
      const fetched = ctx.cache.get(k, round.statement);
      // Rows that kept only some columns serve a statement reading no other; any other fetches again.
      const partial = (f: FetchedRows): boolean =>
        Boolean(f.only && (!reads || reads.some((c) => !f.only?.has(c.name)) || paths.some((p) => !f.only?.has(p.base.name))));
      if (fetched === undefined || partial(fetched)) round.misses.set(k, key);
      else found.push([context, fetched]);
    }
    return found.length < contexts.length ? undefined : { round, shape, found };
  };
  const visible = [...columns.map((c) => c.name), ...paths.map((p) => p.name)];
  const native = defineNativeTable(ctx.db(), spec.name, {
    columns: visible,
    parameters,
    // Columns are converted and encoded once per fetch and reused by later rounds and statements.
    batch: (args, grouping) => {
      const s = scan(args);
      return s ? nativeBatch({ table: spec.name, parameters: P, visible: visible.length, specs: s.shape.specs, found: s.found, grouping }) : null;
    },
  });
  if (!native) {
    defineTable(ctx.db(), spec.name, {
      columns: visible,
      parameters,
      rows: (...args: unknown[]): Iterator<unknown[]> => {
        const s = scan(args);
        return s ? jsRows(s.found, s.shape, args, P + visible.length) : EMPTY;
      },
    });
  }
  ctx.registered.set(spec.name, resource);
  return resource;
}


/**
 * The JavaScript virtual table's rows of a scan (the fallback when the native one is not in use): each account's
 * fetch in turn, its columns converted once per fetch and reused by later rounds and statements. A path column
 * (`region ->> '$.slug'`, sql/tree/scope.ts) is read from the fetched objects, never stringified.
 */
function jsRows(found: readonly [string, FetchedRows][], shape: { specs: readonly ValueSpec[]; slots: readonly number[] }, args: readonly unknown[], width: number): Iterator<unknown[]> {
  const { specs, slots } = shape;
  const sources = found.map(([context, fetched]) => ({ context, n: rowCount(fetched), values: fetchedValues(fetched, specs) }));
  // Hidden columns come first: the account, then the parameters as the constraints gave them; path columns come
  // last. SQLite reads a row's columns before asking for the next, so one array and one result object serve every
  // row: a generator's fresh result per row, and a fresh array, were much of a GROUP BY's time over 100,000 rows.
  const row = new Array<unknown>(width).fill(null);
  for (let i = 1; i < args.length; i++) row[i] = args[i] ?? null;
  const result: IteratorResult<unknown[]> = { done: false, value: row };
  const m = slots.length;
  let si = -1;
  let i = 0;
  let n = 0;
  let values: SqliteValue[][] = [];
  return {
    next(): IteratorResult<unknown[]> {
      while (i >= n) {
        if (++si >= sources.length) return { done: true, value: undefined };
        ({ n, values } = sources[si]);
        row[0] = sources[si].context;
        i = 0;
      }
      for (let j = 0; j < m; j++) row[slots[j]] = values[j][i];
      i++;
      return result;
    },
  };
}

/** A computed column's type, from its values. */
export function inferType(values: CellValue[]): ResultColumn['type'] {
  const v = values.find((x) => x !== null && x !== undefined);
  if (typeof v === 'bigint') return 'INTEGER';
  if (typeof v === 'number') return Number.isInteger(v) && values.every((x) => x === null || (typeof x === 'number' && Number.isInteger(x))) ? 'INTEGER' : 'REAL';
  return 'TEXT';
}

/** A number written as text, as Postgres reads a numeric literal (`007`, `1.50`, `-2e3`). */
function numericText(v: string): number | bigint | undefined {
  if (!/^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) || !/^\s*[-+]?\d+\s*$/.test(v) ? n : BigInt(v.trim());
}

/**
 * Values for the statement's placeholders. `$1` was rewritten to `?1`, which better-sqlite3 binds by name
 * only (`{ 1: v }`), and each name it is given must be used; plain `?` binds by position.
 *
 * Wire clients send every parameter as text, and SQLite's untyped virtual-table columns compare text with
 * numbers as unequal (`size_gigabytes > '1'` is always false). A placeholder compared with a column takes
 * the column's kind (`kinds`); any other that is a canonical number is bound as one.
 */
function bindings(numbered: number[], params: unknown[], kinds: Map<number, ParamKind>): unknown[] {
  if (!params.length && !numbered.length) return [];
  const value = (v: unknown, kind?: ParamKind): unknown => {
    if (typeof v === 'boolean') return Number(v);
    if (typeof v !== 'string' || kind === 'text') return v;
    if (kind === 'number') return numericText(v) ?? v;
    return /^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(v) ? Number(v) : v;
  };
  if (!numbered.length) return params.map((v) => value(v));
  const named: Record<string, unknown> = {};
  for (const n of numbered) {
    if (n < 1 || n > params.length) throw new DoqlError('validation', `there is no parameter $${n}`, { sqlState: '42P02' });
    named[String(n)] = value(params[n - 1], kinds.get(n));
  }
  return [named];
}

/** Runs a SELECT (already rewritten for SQLite) to completion, fetching what it needs. */
export async function runSelect(
  ctx: SelectContext,
  sql: string,
  tables: readonly TableSpec[],
  options: {
    params?: unknown[];
    signal?: AbortSignal;
    /** Postgres types the query text fixes (casts to timestamptz, now()), by position: what wire clients are told. */
    pgTypes?: (PgTypeName | undefined)[];
    /** SQL types the query text fixes (a comparison, `= ANY`, `@>` is boolean), by position. */
    columnTypes?: readonly (Column['sqlType'] | undefined)[];
    batchRows?: number;
    /** What the syntax tree says (sql/tree/translate-select.ts): the names read, `$n` used and their kinds. */
    tree: { needed?: ReadonlySet<string>; keep?: ReadonlySet<string>; params: number[]; paramKinds: Map<number, ParamKind>; signature?: CallSignature };
    /** The resource the statement is certain to list whole (sql/tree/certain-scans.ts): sent before SQLite is set up. */
    certain?: string;
  },
): Promise<StatementResult> {
  const statement = ctx.cache.beginStatement();
  const early = new EarlyFetches();
  let accounts: Accounts | undefined;
  // With no TTL, what this statement fetches serves it alone: a listing can keep just the columns the
  // statement reads and drop its parsed items page by page (peak memory of a 100,000-row listing).
  const needed = options.tree.needed;
  const kept = needed && options.tree.keep?.size ? new Set([...needed, ...options.tree.keep]) : needed;
  const keepOnly = (resourceId: string): Column[] | undefined =>
    ctx.cache.ttlMs === 0 && tables.some((t) => t.id === resourceId) ? neededColumns(tableColumns(ctx.resolveResource(resourceId)), kept) : undefined;
  const fetch = (key: FetchKey): Promise<FetchedRows> => {
    const context = key.context ?? accounts!.names[0];
    return ctx.fetchRows ? ctx.fetchRows(key, options.signal) : fetchItems(accounts!.api(context), key, options.signal, keepOnly(key.resourceId));
  };
  if (options.certain && earlyFetchEnabled()) {
    accounts = ctx.accounts ? await ctx.accounts() : singleAccount(ctx.api);
    const resource = ctx.resolveResource(options.certain);
    await startEarly(early, { resourceId: options.certain, resource, cache: ctx.cache, statement, accounts, fetch, beforeFetch: ctx.beforeFetch });
  }
  for (const t of tables) ensureTable(ctx, t);
  let stmt: Database.Statement;
  try {
    stmt = ctx.db().prepare(sql);
  } catch (err) {
    throw withColumnHint(sqliteError(err, options.tree.signature), tables.flatMap((t) => ctx.registered.get(t.name) ?? []));
  }
  const params = options.params ?? [];
  const { tree } = options;
  const bind = bindings(tree.params, params, tree.paramKinds);
  accounts ??= ctx.accounts ? await ctx.accounts() : singleAccount(ctx.api);
  /** --partial: accounts whose fetches failed, with the first failure's message. */
  const failed = new Map<string, string>();
  const batchRows = stmt.reader ? options.batchRows : undefined;
  const fixed: FixedTypes = { pgTypes: options.pgTypes ?? [], columnTypes: options.columnTypes ?? [] };
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    if (options.signal?.aborted) throw new DoqlError('cancelled', 'statement cancelled', { sqlState: '57014' });
    ctx.stats.rounds++;
    const state: Round = { statement, misses: new Map(), needed, contexts: accounts.names };
    if (batchRows) {
      const reader = new BatchReader(ctx, state, stmt, bind, batchRows);
      const first = reader.read();
      if (!reader.done && tables.length > 0) {
        // A run that reads resources may still miss a fetch on a later row, and rows already sent cannot be
        // taken back: finish this run without keeping its rows, then stream a run that misses nothing.
        reader.drain();
        if (state.misses.size === 0) return partialNotices(streamResult(ctx, stmt, new BatchReader(ctx, { ...state, misses: new Map() }, stmt, bind, batchRows), fixed), failed);
      } else if (state.misses.size === 0) {
        return partialNotices(reader.done ? toResult(ctx, stmt, first, fixed) : streamResult(ctx, stmt, reader, fixed, first), failed);
      }
    } else {
      ctx.round = state;
      let raw: unknown[][] = [];
      try {
        const run = (): void => {
          if (stmt.reader) raw = stmt.raw(true).all(...bind) as unknown[][];
          else stmt.run(...bind);
        };
        if (ctx.blocking) ctx.blocking(run);
        else run();
      } catch (err) {
        throw sqliteError(err);
      } finally {
        ctx.round = undefined;
      }
      if (state.misses.size === 0) {
        if (!stmt.reader) return { kind: 'command', columns: [], rows: [], command: 'OK' };
        return partialNotices(toResult(ctx, stmt, raw as CellValue[][], fixed), failed);
      }
    }
    // Requests started early were already counted in (startEarly asked before sending them).
    const toSend = [...state.misses.keys()].filter((k) => !early.has(k)).length;
    if (toSend) await ctx.beforeFetch?.(toSend);
    await Promise.all(
      [...state.misses].map(async ([k, key]) => {
        const context = key.context ?? accounts.names[0];
        let fetched: FetchedRows;
        let stub = false;
        try {
          fetched = await (early.join(k) ?? fetch(key));
        } catch (err) {
          // One account failing fails the statement, naming it, unless --partial leaves its rows out (and says so).
          if (!accounts.partial || accounts.names.length < 2 || options.signal?.aborted) throw accountError(err, context, accounts);
          if (!failed.has(context)) failed.set(context, err instanceof Error ? err.message : String(err));
          // Every account failing leaves nothing to return: that is a failure, not a partial result.
          if (failed.size === accounts.names.length) throw accountError(err, context, accounts);
          fetched = { items: [] };
          stub = true;
        }
        ctx.stats.rowsFetched += rowCount(fetched);
        ctx.cache.set(k, key.resourceId, fetched, statement, stub);
      }),
    );
  }
  throw new DoqlError('internal', `the statement still needed data after ${MAX_ROUNDS} rounds of fetching`);
}

/** --partial: one warning per account whose rows are missing from the result. */
function partialNotices(result: StatementResult, failed: ReadonlyMap<string, string>): StatementResult {
  if (failed.size === 0) return result;
  const warnings = [...failed].map(([context, message]) => `WARNING: context "${context}" failed, its rows are left out (--partial): ${message}`);
  return { ...result, notices: [...(result.notices ?? []), ...warnings] };
}

/** Bytes of text after which a batch ends early, so that wide rows make smaller batches. */
const BATCH_TEXT_BYTES = 1 << 20;

/** Reads one run of a statement a batch at a time, recording its cache misses in `state`. */
class BatchReader {
  private readonly rows: IterableIterator<unknown[]>;
  done = false;

  constructor(
    private readonly ctx: SelectContext,
    readonly state: Round,
    stmt: Database.Statement,
    bind: unknown[],
    private readonly batchRows: number,
  ) {
    this.rows = this.step(() => stmt.raw(true).iterate(...bind) as IterableIterator<unknown[]>);
  }

  /** Runs SQLite with this run's round state in place (the virtual tables' rows() reads it). */
  private step<T>(work: () => T): T {
    this.ctx.round = this.state;
    try {
      return this.ctx.blocking ? this.ctx.blocking(work) : work();
    } catch (err) {
      this.close();
      throw sqliteError(err);
    } finally {
      this.ctx.round = undefined;
    }
  }

  read(): CellValue[][] {
    const batch: CellValue[][] = [];
    if (this.done) return batch;
    this.step(() => {
      let bytes = 0;
      while (batch.length < this.batchRows && bytes < BATCH_TEXT_BYTES) {
        const next = this.rows.next();
        if (next.done) {
          this.done = true;
          break;
        }
        const row = next.value as CellValue[];
        for (const v of row) if (typeof v === 'string') bytes += v.length;
        batch.push(row);
      }
    });
    return batch;
  }

  /** Finishes the run, dropping its rows: only its misses are wanted. */
  drain(): void {
    this.step(() => {
      while (!this.rows.next().done);
    });
    this.done = true;
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.rows.return?.();
  }
}

/** A result whose first batch is read now and the rest as the reader asks (see StatementResult.stream). */
function streamResult(ctx: SelectContext, stmt: Database.Statement, reader: BatchReader, fixed: FixedTypes, first = reader.read()): StatementResult {
  const result = toResult(ctx, stmt, first, fixed);
  const booleans = result.columns.flatMap((c, i) => (c.type === 'BOOLEAN' ? [i] : []));
  result.stream = {
    next: async () => {
      if (reader.done) return undefined;
      const batch = reader.read();
      if (reader.state.misses.size > 0) {
        reader.close();
        throw new DoqlError('internal', 'the statement needed more data after its rows had started to be sent; run it again');
      }
      for (const r of batch) for (const i of booleans) if (typeof r[i] === 'number' || typeof r[i] === 'bigint') r[i] = Number(r[i]) !== 0;
      return batch.length > 0 || !reader.done ? batch : undefined;
    },
    close: () => reader.close(),
  };
  if (reader.done) result.stream.close();
  return result;
}

/** The result columns' types the query text fixes, by position (see runSelect's options). */
interface FixedTypes {
  pgTypes: readonly (PgTypeName | undefined)[];
  columnTypes: readonly (Column['sqlType'] | undefined)[];
}

function toResult(ctx: SelectContext, stmt: Database.Statement, rows: CellValue[][], fixed: FixedTypes): StatementResult {
  const cols = stmt.columns();
  const columns: ResultColumn[] = cols.map((c, i) => {
    const resource = c.table ? ctx.registered.get(c.table) : undefined;
    const col = resource?.columns.find((x) => x.name === c.column);
    // A cast in the query (`created_at::date`) says more than the column it reads.
    const pgType = fixed.pgTypes[i] ?? (col ? pgTypeOfColumn(col) : undefined);
    // A comparison, `= ANY`, `@>` or bool_or is boolean in Postgres; SQLite gives 1 or 0 (the rewriter knows).
    // float8 too, so that a whole number in it is still written as float8 (1e+16), not as an integer.
    const known = fixed.columnTypes.length === cols.length ? fixed.columnTypes[i] : undefined;
    // An integer expression (`count(*)`, `1`) is one even with no value to show it (no rows, or only NULLs).
    const values = rows.map((r) => r[i]);
    const computed = known === 'BOOLEAN' || known === 'REAL' || (known === 'INTEGER' && values.every((v) => v === null)) ? known : inferType(values);
    const type = col ? col.sqlType : computed;
    return pgType ? { name: c.name, type, pgType } : { name: c.name, type };
  });
  const boolIdx = columns.map((c, i) => (c.type === 'BOOLEAN' ? i : -1)).filter((i) => i >= 0);
  if (boolIdx.length) {
    for (const r of rows) for (const i of boolIdx) if (typeof r[i] === 'number' || typeof r[i] === 'bigint') r[i] = Number(r[i]) !== 0;
  }
  return { kind: 'rows', columns, rows, command: `SELECT ${rows.length}` };
}
