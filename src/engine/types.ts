// The contract between the engine (a session that runs statements) and its front ends (CLI, shell, wire server).
import type { CopyOptions } from '../sql/copy.js';
import type { SqlType } from '../catalog/types.js';

export interface ResultColumn {
  name: string;
  /** The catalog's SQL type when known; TEXT for computed columns of unknown type. */
  type: SqlType;
  /**
   * The Postgres type a wire client sees, when `type` alone does not say it: date-time text is `timestamptz`,
   * a decimal string `numeric`, JSON `jsonb` (see pg-column-types.ts). Values stay as `type` holds them.
   */
  pgType?: PgTypeName;
}

/** Postgres types that doql values of its SQL types are shown as on the wire. */
/** `_text`, `_int4`, `_int8`: an ARRAY[…] constructor's text[], int4[], int8[] (values in Postgres' text form, `{a,b}`). */
export type PgTypeName = 'int2' | 'int4' | 'timestamptz' | 'timestamp' | 'date' | 'numeric' | 'json' | 'jsonb' | '_text' | '_int4' | '_int8';

/** Values in rows: string, number, bigint (SQLite integers), boolean (BOOLEAN columns), null. JSON columns hold JSON text. */
export type CellValue = string | number | bigint | boolean | null;

export interface StatementResult {
  /** rows: a result set (SELECT, SHOW, DESCRIBE, RETURNING); command: a statement with no result set. */
  kind: 'rows' | 'command';
  columns: ResultColumn[];
  rows: CellValue[][];
  /** The command tag, as Postgres would say it: `SELECT 3`, `INSERT 0 1`, `DELETE 2`, `SHOW`. */
  command: string;
  /** Lines for the user that are not rows (e.g. an EXEC's status); printed on stderr by the CLI. */
  notices?: string[];
  /** Postgres WARNINGs (pg_cancel_backend of a pid that is no connection); printed like notices, `WARNING:` first. */
  warnings?: string[];
  /** Set for `COPY … TO STDOUT`: the rows are written in this COPY format rather than as a result set. */
  copy?: CopyOptions;
  /**
   * A mutation's dry run: how many rows it would change (the count a confirmation would name); absent when
   * the API cannot say beforehand (a collection DELETE whose list cannot take the same filters).
   */
  wouldChange?: number;
  /**
   * Set when the rows come in batches (asked for with ExecuteOptions.batchRows): `rows` is the first batch,
   * `command` counts only it, and the reader counts the rest. Read to the end or close it.
   */
  stream?: RowStream;
}

/** The rest of a result's rows, a batch at a time, while the statement still runs. */
export interface RowStream {
  /** The next batch, or undefined once every row has been read. */
  next(): Promise<CellValue[][] | undefined>;
  /** Stops the statement; later next() calls answer undefined. */
  close(): void;
}

export interface ExecuteOptions {
  /** Values for `$1`, `$2`, … placeholders (wire server's extended protocol). */
  params?: unknown[];
  /** Aborts in-flight requests and fails the statement with a `cancelled` DoqlError. */
  signal?: AbortSignal;
  /**
   * Return a large SELECT's rows as a RowStream in batches of about this many rows (fewer when they are
   * wide) instead of all at once, so that a result bigger than memory can be sent as it is read.
   */
  batchRows?: number;
  /**
   * A wire Describe's probe, run only to learn a statement's columns: its failure is not one of the client's
   * statements failing, so it leaves a BEGIN block as it was (see engine/transaction-block.ts).
   */
  probe?: boolean;
}

/** A session: one connection's worth of state (vars, read cache, settings). */
export interface Session {
  /** Runs one or more `;`-separated statements and returns one result per statement. */
  execute(sql: string, options?: ExecuteOptions): Promise<StatementResult[]>;
  /**
   * Runs the statements one by one, handing each result to `onResult` before the next runs; a result may
   * stream its rows (with ExecuteOptions.batchRows), which `onResult` reads or closes.
   */
  executeEach?(sql: string, options: ExecuteOptions, onResult: (result: StatementResult) => void | Promise<void>): Promise<void>;
  /** ReadyForQuery's status: 'I' idle, 'T' between BEGIN and COMMIT/ROLLBACK (a block of statements only: doql has no transactions), 'E' in a block an error failed (only ROLLBACK is taken then). */
  transactionStatus?(): 'I' | 'T' | 'E';
  /** An error the session did not see (the wire server's own) happened: a block fails as after the session's errors. */
  failBlock?(): void;
  /** The session's application_name now (SET changes it), which the wire server reports in ParameterStatus. */
  applicationName?(): string;
  /** The columns of an open SQL cursor (DECLARE), which a client may Describe as a portal of that name. */
  describeCursor?(name: string): ResultColumn[] | undefined;
  close(): void;
}
