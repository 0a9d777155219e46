// A doql session: the only place that joins catalog, SQL, API client and SQLite. One per CLI run,
// shell, or wire-server connection; holds vars, the read cache and the SQLite database.
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { DoqlError, isDoqlError } from '../errors.js';
import type { LoadedCatalog } from '../catalog/load.js';
import type { Column, Resource, Service } from '../catalog/types.js';
import { findResource, findService } from '../catalog/lookup.js';
import { splitStatements } from '../sql/split.js';
import { relocateSyntaxError, type Token } from '../sql/lexer.js';
import { startOf } from '../sql/tree/source-span.js';
import { parseStatement, type Statement } from '../sql/statement.js';
import { renderTemplate, type Vars } from '../sql/template.js';
import { parseSql, preloadParser } from '../sql/tree/parse.js';
import type { Node } from '@pgsql/types';
import { TranslationCache } from '../sql/tree/translation-cache.js';
import { parseRepaired, translateRepaired, translateSelect, translateSelectTree, type ResourceInfo, type SelectTranslation } from '../sql/tree/translate-select.js';
import { readCopy } from '../sql/copy.js';
import { kindsByName, type ParamKind } from './param-types.js';
import { registerPgLike } from './pg-like.js';
import { registerPgExact } from './pg-exact.js';
import { pgTypeOfColumn } from './pg-column-types.js';
import { runCatalogStatement } from './catalog-statements.js';
import { PgCompat } from './pg-catalog.js';
import { FetchCache, type EngineApi } from './fetcher.js';
import { inferType, runSelect, type SelectContext } from './select.js';
import type { SqliteValue } from './rows.js';
import { sqliteError } from './sqlite-error.js';
import { collidingParams, PARAM_SUFFIX, tableParameters } from './method-choice.js';
import { readOnlyOption, readOnlySetting, sessionReadOnly, sessionSetting, setConfig, settingValue, unknownShow, type SessionSettings } from './session-settings.js';
import type { CellValue, ExecuteOptions, ResultColumn, Session, StatementResult } from './types.js';
import { Cursors } from './cursors.js';
import { abortedBlockError, applySavepoint, copyBlock, exitsFailedBlock, type Block } from './transaction-block.js';
import type { BackendView } from './backend.js';
import { singleAccount, type Accounts } from './accounts.js';
import { mark } from '../timings.js';

export interface MutationOptions {
  dryRun: boolean;
  /**
   * Confirm a change to several rows; resolves false to refuse. Without it, several-row changes need `yes`.
   * `rows` is how many rows the change would touch (undefined when the API cannot say beforehand).
   */
  confirm?: (message: string, rows: number | undefined) => Promise<boolean>;
  yes: boolean;
  waitTimeoutMs: number;
  onProgress?: (line: string) => void;
  /**
   * A dry run reads what a collection DELETE (`?tag_name=ci`) would remove, to count it (`wouldChange`); the
   * CLI's dry run sends nothing at all, an agent's plan needs the count it must confirm.
   */
  countBulkInDryRun?: boolean;
  /** Shown in dry-run URLs (`https://api.digitalocean.com`). */
  baseUrl?: string;
}

export interface SessionOptions {
  catalog: LoadedCatalog;
  /** Creates the API client on first need (so SHOW/DESCRIBE work without a token). */
  api: () => EngineApi;
  cacheTtlMs?: number;
  /** A read cache shared with other sessions (the wire server's connections); default: a new one. */
  cache?: FetchCache;
  /**
   * The accounts (doctl contexts) statements run over, each with its own API; default: api() as one account
   * named `default`. Resolved when a statement first reads a resource.
   */
  accounts?: () => Promise<Accounts>;
  /** Fetches a resource's rows for SELECT; default: over api() (see SelectContext.fetchRows). */
  fetchRows?: SelectContext['fetchRows'];
  vars?: Vars;
  /** Expand `{{ var }}` placeholders (the CLI and shell do; the wire server does not). */
  templating?: boolean;
  mutation?: Partial<MutationOptions>;
  /** Told how many requests a SELECT's round is about to send; throws to refuse (the CLI asks above 250). */
  beforeFetch?: (requests: number) => Promise<void>;
  /**
   * Called before each statement runs; throws to refuse it. The wire server refuses there what a remote
   * client may not do (REGISTRY statements read the server's files and change its active catalog).
   */
  guard?: (stmt: Statement) => void;
  /** Starting values of the settings a session may SET (statement_timeout), e.g. from `doql serve` flags. */
  settings?: Record<string, string>;
  /**
   * Runs a SELECT (its text, templated) elsewhere and returns its result, or undefined to run it here. The CLI
   * runs them in a session process that Ctrl-C can stop mid-SQLite; `local()` says whether it reads no resource
   * (it translates the statement, so a hook that takes every SELECT does not call it: nothing is translated twice).
   */
  offloadSelect?: (text: string, local: () => Promise<boolean>, options: ExecuteOptions) => Promise<StatementResult | undefined>;
  /** Wraps the synchronous SQLite work of a SELECT run here (see SelectContext.blocking). */
  blocking?: SelectContext['blocking'];
  /** The wire server's connection this session serves now (pg_backend_pid, pg_stat_activity, pg_cancel_backend). */
  backend?: () => BackendView | undefined;
  /** Hooks for registry statements, supplied by the CLI (the engine knows no file locations). */
  registry?: {
    list(): Promise<StatementResult>;
    pull(from?: string): Promise<StatementResult>;
  };
}

/** A session's state between statements (DoqlSession.sessionState); structured-clone safe. */
export interface SessionState {
  /** What SET changed (statement_timeout), as SHOW prints it. */
  settings: Record<string, string>;
  /** In a block: what SET LOCAL and set_config(…, true) changed, over `settings`, until the block ends. */
  local?: Record<string, string>;
  /** Between BEGIN and COMMIT: how many changes were sent meanwhile, and whether it is read-only. */
  block?: Block;
  /**
   * The open cursors' columns, by name. Cursors hold rows in the process that declared them, so a wire
   * connection with open cursors keeps its session process (see server/session-process.ts).
   */
  cursors?: Record<string, ResultColumn[]>;
  /** The connection's startup parameters that are settings (application_name): what RESET returns to. */
  startup?: Record<string, string>;
}

/** Runs statement texts one by one; `onResult` sees each result as soon as it is ready. */
export interface StatementProgress {
  index: number;
  total: number;
  text: string;
}

export class DoqlSession implements Session {
  readonly vars: Vars;
  readonly cache: FetchCache;
  readonly stats = { rounds: 0, statements: 0, rowsFetched: 0 };
  private database?: Database.Database;
  private readonly ctx: SelectContext;
  private apiClient?: EngineApi;
  /** Postgres clients' catalog queries and syntax (pg-catalog.ts). */
  private readonly pg: PgCompat;
  readonly mutation: MutationOptions;
  /** DECLARE'd cursors (a driver's server-side cursors). */
  private readonly cursors = new Cursors();
  private block?: Block;
  private startup?: Record<string, string>;
  /** SELECTs already translated, by text: a statement run again skips parsing and translating (a warm fan-out). */
  private readonly translations = new TranslationCache();
  /** What SET changed this session (statement_timeout), over its starting values; SHOW reads them. */
  readonly settings: SessionSettings;

  /** ReadyForQuery's status: idle, in a block, or in a block that failed (see transaction-block.ts). */
  transactionStatus(): 'I' | 'T' | 'E' {
    return this.block ? (this.block.failed ? 'E' : 'T') : 'I';
  }

  applicationName(): string {
    return settingValue('application_name', this.settings) ?? '';
  }

  /** An error outside the session (the wire server's) happened in the block: it fails as one of ours would. */
  failBlock(): void {
    if (this.block) this.block.failed = true;
  }

  /** The columns of an open cursor, which a wire client may describe as a portal. */
  describeCursor(name: string): ResultColumn[] | undefined {
    return this.cursors.columns(name);
  }

  /** What carries over from one statement to the next: SET values and the BEGIN block (see restoreState). */
  sessionState(): SessionState {
    const cursors = this.cursors.describeAll();
    return {
      settings: Object.fromEntries(this.settings.values),
      ...(this.settings.local?.size ? { local: Object.fromEntries(this.settings.local) } : {}),
      ...(this.block ? { block: copyBlock(this.block) } : {}),
      ...(Object.keys(cursors).length ? { cursors } : {}),
      ...(this.startup ? { startup: this.startup } : {}),
    };
  }

  /** Puts the settings back as a snapshot had them (ROLLBACK, ROLLBACK TO SAVEPOINT). */
  private restoreSettings(values: Record<string, string>, local: Record<string, string>): void {
    this.settings.values.clear();
    for (const [name, value] of Object.entries(values)) this.settings.values.set(name, value);
    this.settings.local = new Map(Object.entries(local));
  }

  /** Takes up a state from sessionState(): the wire server runs a connection's statements in whichever process is free. */
  restoreState(state: SessionState): void {
    this.settings.values.clear();
    for (const [name, value] of Object.entries(state.settings)) this.settings.values.set(name, value);
    this.settings.local = state.local ? new Map(Object.entries(state.local)) : undefined;
    this.settings.defaults = { ...this.options.settings, ...state.startup };
    this.block = state.block ? copyBlock(state.block) : undefined;
    this.startup = state.startup;
    // A state without cursors is another session's, or one whose cursors are closed: none of this process's apply.
    if (!state.cursors) this.cursors.clear();
  }

  constructor(readonly options: SessionOptions) {
    this.vars = { ...(options.vars ?? {}) };
    this.settings = { values: new Map(), defaults: options.settings ?? {} };
    this.cache = options.cache ?? new FetchCache(options.cacheTtlMs ?? 0);
    this.mutation = { dryRun: false, yes: false, waitTimeoutMs: 600_000, ...options.mutation };
    this.pg = new PgCompat(options.catalog, () => this.db(), {
      cursors: () => this.cursors.list(),
      setting: (name) => settingValue(name, this.settings),
      setConfig: (name, value, isLocal) => setConfig(this.settings, name, value, isLocal),
      backend: () => options.backend?.(),
      warnings: [],
    });
    this.ctx = {
      db: () => this.db(),
      cache: this.cache,
      api: () => this.api(),
      accounts: () => this.accounts(),
      resolveResource: (id) => this.resource(id),
      registered: new Map(),
      stats: this.stats,
      beforeFetch: options.beforeFetch,
      fetchRows: options.fetchRows,
      blocking: options.blocking,
    };
  }

  /** SQLite is loaded only when a statement needs it: SHOW and DESCRIBE start faster without it. */
  private db(): Database.Database {
    if (!this.database) {
      const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
      this.database = new Sqlite(':memory:');
      mark('sqlite');
      // LIKE and ILIKE as Postgres matches them (sql/tree/emit-expr.ts emits pg_like).
      registerPgLike(this.database);
      // Division by zero, casts, round and text forms as Postgres gives them (the translation emits pg_nonzero & co).
      registerPgExact(this.database);
    }
    return this.database;
  }

  /**
   * Evaluates a RETURNING list of any SELECT expressions (`id AS droplet_id`, `region->>'slug'`) over the rows
   * a mutation got back, loaded into a temporary table for the one query.
   */
  returningRows(columns: { name: string; sqlType: Column['sqlType'] }[], rows: (SqliteValue | boolean)[][], list: string): StatementResult {
    const db = this.db();
    const table = '_doql_returning';
    const quoted = columns.map((c) => `"${c.name.replace(/"/g, '""')}"`);
    db.exec(`DROP TABLE IF EXISTS temp.${table}; CREATE TEMP TABLE ${table}(${quoted.join(', ')})`);
    try {
      const insert = db.prepare(`INSERT INTO temp.${table} VALUES (${columns.map(() => '?').join(', ')})`);
      db.transaction(() => {
        // SQLite has no booleans: results carry them as true/false, the table as 1/0.
        for (const r of rows) insert.run(...r.map((v) => (typeof v === 'boolean' ? Number(v) : v)));
      })();
      let stmt: Database.Statement;
      try {
        stmt = db.prepare(`SELECT ${list} FROM temp.${table}`);
      } catch (err) {
        const e = sqliteError(err);
        throw new DoqlError(e.code, `RETURNING: ${e.message.replace(/^SQL: /, '')}`, { sqlState: e.sqlState, cause: err });
      }
      if (!stmt.reader) throw new DoqlError('parse', 'RETURNING takes a list of expressions, e.g. RETURNING id, name');
      const out = stmt.raw(true).all() as CellValue[][];
      const types = new Map(columns.map((c) => [c.name, c.sqlType]));
      const resultColumns = stmt.columns().map((c, i) => ({
        name: c.name,
        type: (c.table === table && c.column ? types.get(c.column) : undefined) ?? inferType(out.map((r) => r[i])),
      }));
      for (const r of out) resultColumns.forEach((c, i) => {
        if (c.type === 'BOOLEAN' && (typeof r[i] === 'number' || typeof r[i] === 'bigint')) r[i] = Number(r[i]) !== 0;
      });
      return { kind: 'rows', columns: resultColumns, rows: out, command: `SELECT ${out.length}` };
    } finally {
      db.exec(`DROP TABLE IF EXISTS temp.${table}`);
    }
  }

  get catalog(): LoadedCatalog {
    return this.options.catalog;
  }

  api(): EngineApi {
    if (this.narrowed) return this.narrowed.api(this.narrowed.names[0]);
    return this.ownApi();
  }

  /** The API of options.api(), whatever account a write chose. */
  private ownApi(): EngineApi {
    return (this.apiClient ??= this.options.api());
  }

  /** A write's one account (write-account.ts), for the statement's reads and requests alike. */
  private narrowed?: Accounts;

  narrowTo(accounts: Accounts | undefined): void {
    this.narrowed = accounts;
  }

  /** The accounts statements run over (see SessionOptions.accounts, which keeps them from one call to the next). */
  accounts(): Promise<Accounts> {
    if (this.narrowed) return Promise.resolve(this.narrowed);
    return this.options.accounts ? this.options.accounts() : Promise.resolve(singleAccount(() => this.ownApi()));
  }

  /** How SQL names map onto tables: colliding params go to their hidden `name$p` column. */
  private readonly resourceNames = {
    suffix: PARAM_SUFFIX,
    colliding: (id: string): ReadonlySet<string> => {
      try {
        return collidingParams(this.resource(id));
      } catch {
        return new Set<string>(); // an unknown name fails later, with suggestions
      }
    },
    shape: (id: string): { params: ReadonlySet<string>; columns: ReadonlySet<string> } | undefined => {
      try {
        const r = this.resource(id);
        const columns = new Set(r.columns.map((c) => c.name));
        return { params: new Set(tableParameters(r).filter((p) => !p.endsWith(PARAM_SUFFIX))), columns };
      } catch {
        return undefined;
      }
    },
    columnType: (id: string, column: string): string | undefined => {
      try {
        return this.resource(id).columns.find((c) => c.name === column)?.schemaType;
      } catch {
        return undefined;
      }
    },
    columnPgType: (id: string, column: string): string | undefined => {
      try {
        const col = this.resource(id).columns.find((c) => c.name === column);
        return col ? pgTypeOfColumn(col) : undefined;
      } catch {
        return undefined;
      }
    },
    starColumns: (id: string): readonly string[] | undefined => {
      try {
        const cols = this.resource(id).columns;
        return cols.some((c) => c.envelope) ? cols.filter((c) => !c.envelope).map((c) => c.name) : undefined;
      } catch {
        return undefined;
      }
    },
  };

  /** What the SELECT translator asks the catalog (sql/tree/scope.ts). */
  private readonly resourceInfo: ResourceInfo = {
    ...this.resourceNames,
    qualify: (schema: string): boolean => Object.hasOwn(this.options.catalog.catalog.services, schema),
    kinds: (id: string): ReadonlyMap<string, ParamKind> => {
      try {
        return kindsByName([this.resource(id)]);
      } catch {
        return new Map();
      }
    },
  };

  resource(id: string): Resource {
    return findResource(this.options.catalog.catalog, id);
  }

  service(name: string): Service {
    return findService(this.options.catalog.catalog, name);
  }

  async execute(sql: string, options: ExecuteOptions = {}): Promise<StatementResult[]> {
    const results: StatementResult[] = [];
    await this.executeEach(sql, options, (r) => {
      results.push(r);
    });
    return results;
  }

  /** Runs each statement in turn and stops at the first failure (the error says which statement). */
  async executeEach(
    sql: string,
    options: ExecuteOptions,
    onResult: (result: StatementResult, progress: StatementProgress) => void | Promise<void>,
  ): Promise<void> {
    const text = this.options.templating === false ? sql : renderTemplate(sql, this.vars);
    const statements = splitStatements(text);
    // The parser loads while earlier statements run (SHOW and DESCRIBE alone never load it).
    if (statements.some((st) => /^(SELECT|WITH|VALUES|COPY|DECLARE|\()/i.test(st.tokens.find((t) => t.kind !== 'space' && t.kind !== 'comment')?.text ?? ''))) {
      void preloadParser().catch(() => undefined);
    }
    for (let i = 0; i < statements.length; i++) {
      const st = statements[i];
      let result: StatementResult;
      try {
        let parsed: Statement;
        try {
          parsed = parseStatement(st.text, st.tokens);
        } catch (err) {
          throw relocateSyntaxError(err, text, st.offset);
        }
        // Writes, COPY, cursors and settings are parsed into their trees as they run: their syntax errors point
        // into the script too.
        result = await this.executeOne(parsed, options).catch((err: unknown) => {
          throw parsed.kind !== 'select' ? relocateSyntaxError(err, text, st.offset) : err;
        });
      } catch (err) {
        // As in Postgres, an error inside BEGIN … COMMIT fails the block until ROLLBACK.
        if (!options.probe) this.failBlock();
        if (statements.length > 1 && isDoqlError(err)) {
          const ran = i === 0 ? 'none ran' : i === 1 ? 'statement 1 ran' : `statements 1–${i} ran`;
          const left = statements.length - i - 1;
          const notRun = left === 0 ? 'none left to run' : left === 1 ? `statement ${i + 2} not run` : `statements ${i + 2}–${statements.length} not run`;
          (err as { statementIndex?: number }).statementIndex = i;
          err.message = `statement ${i + 1} of ${statements.length} failed (${ran}; ${notRun}): ${err.message}`;
        }
        throw err;
      }
      this.stats.statements++;
      await onResult(result, { index: i, total: statements.length, text: st.text });
    }
  }

  async executeOne(stmt: Statement, options: ExecuteOptions = {}): Promise<StatementResult> {
    try {
      return await this.runStatement(stmt, options);
    } finally {
      // Outside a block each statement is its transaction: what it set locally ends with it.
      if (!this.block) this.settings.local = undefined;
    }
  }

  private async runStatement(stmt: Statement, options: ExecuteOptions): Promise<StatementResult> {
    this.options.guard?.(stmt);
    // A failed block takes only ROLLBACK and COMMIT, which are session statements (checked once parsed, below).
    if (this.block?.failed && stmt.kind !== 'session_setting') throw abortedBlockError();
    switch (stmt.kind) {
      case 'select': {
        const translate = (): Promise<SelectTranslation> => translateSelect(stmt.text, this.resourceInfo);
        return this.runQuery(stmt.text, () => this.translations.get(stmt.text, this.options.catalog.catalog, translate), options);
      }
      case 'show_providers':
      case 'show_services':
      case 'show_resources':
      case 'show_methods':
      case 'show_insert':
      case 'describe':
        return runCatalogStatement(stmt, {
          catalog: this.options.catalog.catalog,
          service: (n) => this.service(n),
          resource: (id) => this.resource(id),
        });
      case 'registry_list':
      case 'registry_pull': {
        const reg = this.options.registry;
        if (!reg) throw new DoqlError('usage', 'REGISTRY statements are not available here; use `doql registry list|pull`');
        return stmt.kind === 'registry_list' ? reg.list() : reg.pull(stmt.from);
      }
      case 'mutation': {
        if (this.block?.readOnly ?? sessionReadOnly(this.settings)) {
          // As Postgres refuses a write in a read-only transaction (pgjdbc's setReadOnly, BEGIN READ ONLY).
          throw new DoqlError('validation', `cannot execute ${stmt.verb.toUpperCase()} in a read-only transaction`, {
            sqlState: '25006',
            hint: 'The session or its transaction is READ ONLY: SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE, or COMMIT first',
          });
        }
        const { runMutation } = await import('./mutate.js');
        let result: StatementResult;
        try {
          result = await runMutation(this, stmt, options);
        } finally {
          this.narrowTo(undefined);
        }
        if (this.block && !this.mutation.dryRun && result.command !== `${stmt.verb.toUpperCase()} 0`) {
          this.block.changes++;
          const notice = `${stmt.verb.toUpperCase()} was sent to the API now: doql has no transactions, so ROLLBACK cannot undo it`;
          return { ...result, notices: [...(result.notices ?? []), notice] };
        }
        return result;
      }
      case 'session_setting': {
        const tree = await parseSessionStatement(stmt.text, this.settings);
        const transactionStmt = 'TransactionStmt' in tree ? tree.TransactionStmt : undefined;
        if (this.block?.failed && !exitsFailedBlock(transactionStmt)) throw abortedBlockError();
        const now = { values: Object.fromEntries(this.settings.values), local: Object.fromEntries(this.settings.local ?? []) };
        const rolledBackTo = transactionStmt ? applySavepoint(transactionStmt, this.block, now) : undefined;
        if (rolledBackTo) {
          this.cursors.rollbackTo(rolledBackTo.mark);
          this.restoreSettings(rolledBackTo.values, rolledBackTo.local);
        }
        const failedCommit = this.block?.failed && transactionStmt?.kind === 'TRANS_STMT_COMMIT';
        // COMMIT of a failed block rolls it back, and says so in its tag, as Postgres does.
        let result = failedCommit ? { ...sessionSetting(tree, this.settings), command: 'ROLLBACK' } : sessionSetting(tree, this.settings, this.block?.readOnly);
        // Outside a block SET LOCAL lasts its own statement only (executeOne drops it): Postgres warns so.
        if ('VariableSetStmt' in tree && tree.VariableSetStmt.is_local && !this.block) result = { ...result, warnings: ['SET LOCAL can only be used in transaction blocks'] };
        const transaction = failedCommit ? 'TRANS_STMT_ROLLBACK' : transactionStmt?.kind;
        if (transaction === 'TRANS_STMT_BEGIN' || transaction === 'TRANS_STMT_START') {
          const readOnly = 'TransactionStmt' in tree ? readOnlyOption(tree.TransactionStmt.options) : undefined;
          this.block ??= { changes: 0, readOnly: readOnly ?? sessionReadOnly(this.settings), settings: now.values };
        } else if ('VariableSetStmt' in tree && this.block) {
          // SET TRANSACTION READ ONLY (or SET transaction_read_only) changes the open block only.
          const set = tree.VariableSetStmt;
          const name = (set.name ?? '').toLowerCase();
          const readOnly = name === 'transaction' ? readOnlyOption(set.args) : name === 'transaction_read_only' ? readOnlySetting(set) : undefined;
          if (readOnly !== undefined) this.block.readOnly = readOnly;
        } else if (transaction === 'TRANS_STMT_COMMIT') {
          this.block = undefined;
          this.cursors.endTransaction(true);
        } else if (transaction === 'TRANS_STMT_ROLLBACK') {
          this.cursors.endTransaction(false);
          // What SET changed in the block is undone with it (the API changes are not: doql has no transactions).
          if (this.block?.settings) this.restoreSettings(this.block.settings, {});
          const changes = this.block?.changes ?? 0;
          this.block = undefined;
          if (changes) return { ...result, notices: [`ROLLBACK did not undo the ${changes} change${changes === 1 ? '' : 's'} sent since BEGIN: doql has no transactions`] };
        }
        return result;
      }
      case 'cursor': {
        // DECLARE's SELECT is translated from the one parse; a session process that takes it gets its text.
        const parsed = await parseRepaired(stmt.text);
        return this.cursors.run(stmt.text, parsed.stmt, this.block, (select) => {
          return this.runQuery(cursorQueryText(stmt.text, stmt.tokens, select), async () => translateRepaired(select, parsed, this.resourceInfo), options);
        });
      }
      case 'copy': {
        // Parsed once: the CopyStmt's query (or the table form's SELECT, built as a tree) is translated from it.
        const parsed = await parseRepaired(stmt.text);
        if (!('CopyStmt' in parsed.stmt)) throw new DoqlError('parse', 'expected COPY … TO STDOUT', { sqlState: '42601' });
        const plan = readCopy(stmt.text, parsed.stmt.CopyStmt);
        const rows = await this.runQuery(stmt.text, async () => translateRepaired(plan.query, parsed, this.resourceInfo), options);
        // A session process that took the statement ran the whole COPY: its result is already COPY's.
        if (rows.copy) return rows;
        return { ...rows, kind: 'rows', command: `COPY ${rows.rows.length}`, copy: plan.options };
      }
    }
  }

  /**
   * Runs a translated query: a session process may take the statement `text` (the command line's, so that Ctrl-C
   * stops it even mid-SQLite); questions about the server (psql's \d family, drivers) run on the emulated catalog.
   */
  private async runQuery(text: string, translate: () => Promise<SelectTranslation>, options: ExecuteOptions): Promise<StatementResult> {
    let translated: SelectTranslation | undefined;
    const local = async (): Promise<boolean> => {
      translated ??= await translate();
      return translated.catalog || translated.tables.length === 0;
    };
    const offloaded = await this.options.offloadSelect?.(text, local, options);
    if (offloaded) return offloaded;
    const t = translated ?? (await translate());
    if (t.catalog) return this.pg.runSql(t, options);
    return this.runTranslated(t, options);
  }

  /** Runs a translated SELECT over the API (the session's database gets Postgres's functions when it calls one). */
  private runTranslated(t: SelectTranslation, options: ExecuteOptions & { batchRows?: number }): Promise<StatementResult> {
    if (t.pgFunctions) this.pg.ensureSessionFunctions();
    return runSelect(this.ctx, t.sql, t.tables, {
      ...options,
      pgTypes: t.pgTypes,
      columnTypes: t.columnTypes,
      tree: { needed: t.needed, keep: t.keep, params: t.params, paramKinds: t.paramKinds, signature: t.signature },
      certain: t.certain,
    });
  }

  /** Runs a SELECT text (already templated) through the rounds loop; used by mutations for their source rows. */
  async select(sql: string, options: ExecuteOptions = {}): Promise<StatementResult> {
    const st = splitStatements(sql)[0];
    if (!st) throw new DoqlError('parse', 'empty SELECT');
    const t = await translateSelect(st.text, this.resourceInfo, { catalog: false });
    // A mutation reads all of its source rows: never a stream.
    return this.runTranslated(t, { params: options.params, signal: options.signal });
  }

  /** Runs a SELECT already parsed (the SelectStmt of an INSERT … SELECT's tree) through the rounds loop. */
  async selectTree(stmt: Node, options: ExecuteOptions = {}): Promise<StatementResult> {
    const t = translateSelectTree(stmt, this.resourceInfo, { catalog: false });
    return this.runTranslated(t, { params: options.params, signal: options.signal });
  }

  close(): void {
    this.database?.close();
  }
}

/** A session statement's tree; a SHOW the grammar cannot read is neither doql's nor a setting. */
async function parseSessionStatement(text: string, settings: SessionSettings): Promise<Node> {
  let stmts;
  try {
    stmts = (await parseSql(text)).stmts ?? [];
  } catch (err) {
    if (/^SHOW\b/i.test(text)) throw unknownShow(text.replace(/^SHOW\s*/i, '').replace(/;\s*$/, '').trim(), settings);
    throw err;
  }
  if (stmts.length !== 1 || !stmts[0].stmt) throw new DoqlError('parse', 'expected one statement', { sqlState: '42601' });
  return stmts[0].stmt;
}

/** The text of a DECLARE's query: what follows the last FOR before the query's first node. */
function cursorQueryText(text: string, tokens: Token[], select: Node): string {
  const start = startOf(select);
  const keyword = tokens.filter((t) => t.start < start && t.kind === 'word' && t.text.toUpperCase() === 'FOR').pop();
  return text.slice(keyword?.end ?? 0).trim();
}

export function createSession(options: SessionOptions): DoqlSession {
  return new DoqlSession(options);
}
