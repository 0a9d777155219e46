// The simple and extended query protocols for one connection: prepared statements, portals and result messages.
import type { CellValue, ResultColumn, Session, StatementResult } from '../engine/types.js';
import { copyLines } from '../engine/copy-out.js';
import type { CopyOptions } from '../sql/copy.js';
import { DoqlError } from '../errors.js';
import { abortedBlockError } from '../engine/transaction-block.js';
import * as wire from './backend-serializer.js';
import type {
  BindMessage,
  CloseMessage,
  DescribeMessage,
  ExecuteMessage,
  FrontendMessage,
  ParseMessage,
  QueryMessage,
} from './frontend-messages.js';
import { encodeCell, fieldDescriptions, FormatCode, TypeOid } from './pg-types.js';
import { decodeParam } from './pg-params.js';
import type { SqlShape } from './sql-scan.js';
import { scanSql } from './sql-scan.js';
import { errorFields } from './sql-state.js';

/** The frontend messages this layer handles. */
export type QueryProtocolMessage = Extract<FrontendMessage, { kind: 'query' | 'parse' | 'bind' | 'describe' | 'execute' | 'close' | 'sync' | 'flush' }>;

export interface QueryOutput {
  send(message: Buffer): void;
  /** Hands what was sent so far to the socket. */
  flush(): void;
  /** Flushes, then resolves once the socket has room for more (rows are read only as fast as the client takes them). */
  drain?(): Promise<void>;
  log(line: string): void;
}

interface PreparedStatement {
  name: string;
  sql: string;
  shape: SqlShape;
  /** One OID per `$n`; unspecified ones are reported as text. */
  paramTypes: number[];
  /** The result columns once known: from an execution, or from a Describe probe; null when it has no result set. */
  columns?: ResultColumn[] | null;
}

type PortalOutcome =
  | { kind: 'empty' }
  | {
      kind: 'result';
      result: StatementResult;
      formats: FormatCode[];
      sent: number;
      executions: number;
      /** Rows read but not yet sent (the first batch, then each batch the stream gives), from `offset`. */
      pending: CellValue[][];
      offset: number;
    };

interface Portal {
  statement: PreparedStatement;
  params: (string | null)[];
  resultFormats: number[];
  /** Set by the first Describe or Execute of the portal, which runs the statement. */
  outcome?: PortalOutcome;
}

/** Statements that only read, so that running them to learn their columns is harmless (see describeStatement). */
const READ_KEYWORDS = new Set(['SELECT', 'VALUES', 'SHOW', 'TABLE', 'DESCRIBE', 'DESC', 'EXPLAIN', 'WITH']);
const WRITE_WORDS = ['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'MERGE', 'EXEC', 'CREATE', 'DROP', 'ALTER'];
/** First words of the statements a failed block still takes (ROLLBACK [TO SAVEPOINT], COMMIT; ABORT and END are theirs). */
const BLOCK_EXIT_WORDS = new Set(['ROLLBACK', 'ABORT', 'COMMIT', 'END']);
/** Large results are read from the session in batches of about this many rows and sent as they come. */
const BATCH_ROWS = 2000;

/** `SELECT 2000` → `SELECT 12000`: a streamed result's tag counts every row sent. */
const recount = (command: string, rows: number): string => command.replace(/\d+$/, String(rows));

function protocolError(sqlState: string, message: string): DoqlError {
  return new DoqlError('validation', message, { sqlState });
}

const statementLabel = (name: string): string =>
  name === '' ? 'unnamed prepared statement' : `prepared statement "${name}"`;

/** @throws DoqlError 08P01 for a format code that is neither 0 (text) nor 1 (binary). */
function checkFormatCodes(codes: number[]): void {
  for (const code of codes) {
    if (code !== FormatCode.Text && code !== FormatCode.Binary) {
      throw protocolError('08P01', `unsupported format code: ${code}`);
    }
  }
}

/**
 * Expands Bind's format codes: none means all text, one applies to all, else one per item.
 * @throws DoqlError 08P01 when the count fits none of those.
 */
function expandFormats(codes: number[], count: number, what: 'parameter' | 'result'): FormatCode[] {
  checkFormatCodes(codes);
  if (codes.length > 1 && codes.length !== count) {
    const items = what === 'parameter' ? `${count} parameters` : `query has ${count} columns`;
    throw protocolError('08P01', `bind message has ${codes.length} ${what} formats but ${items}`);
  }
  return Array.from({ length: count }, (_, i) => (codes.length === 1 ? codes[0] : codes[i]) ?? FormatCode.Text);
}

type Handlers = {
  [K in QueryProtocolMessage['kind']]: (message: Extract<QueryProtocolMessage, { kind: K }>) => Promise<void>;
};

export class QueryProtocol {
  private readonly statements = new Map<string, PreparedStatement>();
  private readonly portals = new Map<string, Portal>();
  /** After an error in an extended-protocol batch, everything up to Sync is skipped, as Postgres does. */
  private skipUntilSync = false;
  private running?: AbortController;

  private readonly handlers: Handlers = {
    query: (m) => this.query(m),
    parse: async (m) => this.parse(m),
    bind: async (m) => this.bind(m),
    describe: (m) => this.describe(m),
    execute: (m) => this.execute(m),
    close: async (m) => this.close(m),
    sync: async () => this.sync(),
    flush: async () => this.out.flush(),
  };

  constructor(
    private readonly session: Session,
    private readonly out: QueryOutput,
  ) {
    this.reportedApplicationName = session.applicationName?.();
  }

  /** Bumped by every cancel(), so that a stream being read between statements (a portal's) sees it. */
  private cancels = 0;

  /** Aborts the statement running now, if any (a CancelRequest, or the connection closing). */
  cancel(): void {
    this.cancels++;
    this.running?.abort();
    this.reading?.close();
  }

  /** The stream whose next batch is awaited now. */
  private reading?: NonNullable<StatementResult['stream']>;

  async handle(message: QueryProtocolMessage): Promise<void> {
    if (this.skipUntilSync && message.kind !== 'sync') return;
    // The map is keyed by kind, so the handler takes exactly this message; TS cannot correlate the two.
    const handler = this.handlers[message.kind] as (m: QueryProtocolMessage) => Promise<void>;
    try {
      await handler(message);
    } catch (err) {
      this.out.send(wire.errorResponse(toErrorFields(err)));
      this.session.failBlock?.(); // an error in BEGIN … COMMIT fails the block, whichever layer raised it
      this.skipUntilSync = true;
    }
  }

  /** The application_name last reported (at startup first). */
  private reportedApplicationName?: string;

  /**
   * ReadyForQuery, after a ParameterStatus when SET changed application_name (Postgres reports it, being GUC_REPORT;
   * pgjdbc's getClientInfo reads it from there).
   */
  private ready(status: 'I' | 'T' | 'E'): void {
    const name = this.session.applicationName?.();
    if (name !== undefined && name !== this.reportedApplicationName) {
      this.out.send(wire.parameterStatus('application_name', name));
    }
    this.reportedApplicationName = name;
    this.out.send(wire.readyForQuery(status));
  }

  /** ReadyForQuery's status byte: 'E' after an error in a block, until ROLLBACK. */
  private status(): 'I' | 'T' | 'E' {
    return this.session.transactionStatus?.() ?? 'I';
  }

  /** Runs SQL with a fresh AbortSignal that cancel() fires; failures are rethrown as StatementFailure. */
  private async run(sql: string, params?: (string | null)[], probe = false): Promise<StatementResult[]> {
    const controller = new AbortController();
    this.running = controller;
    try {
      const { signal } = controller;
      return await this.session.execute(sql, { ...(params ? { params } : {}), signal, batchRows: BATCH_ROWS, ...(probe ? { probe } : {}) });
    } catch (err) {
      throw new StatementFailure(err, controller.signal.aborted);
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }

  /** Like run(), handing each result over before the next statement runs, when the session can. */
  private async runEach(sql: string, onResult: (result: StatementResult) => Promise<void>): Promise<void> {
    if (!this.session.executeEach) {
      for (const result of await this.run(sql)) await onResult(result);
      return;
    }
    const controller = new AbortController();
    this.running = controller;
    try {
      await this.session.executeEach(sql, { signal: controller.signal, batchRows: BATCH_ROWS }, onResult);
    } catch (err) {
      throw new StatementFailure(err, controller.signal.aborted);
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }

  /** The next batch of a streaming result, once the client has taken the last; undefined at its end. */
  private async nextBatch(result: StatementResult): Promise<CellValue[][] | undefined> {
    const { stream } = result;
    if (!stream) return undefined;
    const cancels = this.cancels;
    await this.out.drain?.();
    this.reading = stream;
    try {
      if (this.cancels === cancels) {
        const batch = await stream.next();
        if (this.cancels === cancels) return batch;
      }
    } finally {
      this.reading = undefined;
    }
    stream.close();
    throw new StatementFailure(new DoqlError('cancelled', 'statement cancelled', { sqlState: '57014' }), true);
  }

  /** Drops a portal, stopping the statement still streaming its rows. */
  private dropPortal(name: string): void {
    const outcome = this.portals.get(name)?.outcome;
    if (outcome?.kind === 'result') outcome.result.stream?.close();
    this.portals.delete(name);
  }

  // ---- simple query ----

  private async query(message: QueryMessage): Promise<void> {
    // A simple Query ends any unnamed statement and portal, as in Postgres.
    this.statements.delete('');
    this.dropPortal('');
    try {
      let count = 0;
      if (scanSql(message.sql).statementCount > 0) {
        await this.runEach(message.sql, async (result) => {
          count++;
          this.sendNotices(result);
          let rows = result.rows.length;
          if (result.copy) {
            rows = await this.sendCopy(result, result.copy);
          } else if (result.kind === 'rows') {
            const formats = result.columns.map(() => FormatCode.Text);
            this.out.send(wire.rowDescription(fieldDescriptions(result.columns, formats)));
            this.sendRows(result, formats, result.rows);
            for (let batch = await this.nextBatch(result); batch; batch = await this.nextBatch(result)) {
              this.sendRows(result, formats, batch);
              rows += batch.length;
            }
          }
          this.out.send(wire.commandComplete(result.stream ? recount(result.command, rows) : result.command));
        });
      }
      if (count === 0) this.out.send(wire.emptyQueryResponse());
    } catch (err) {
      this.out.send(wire.errorResponse(toErrorFields(err)));
      this.session.failBlock?.();
    }
    const status = this.status();
    // A COMMIT or ROLLBACK sent as a simple Query ends the block's portals too.
    if (status === 'I') for (const name of [...this.portals.keys()]) this.dropPortal(name);
    this.ready(status);
    this.out.flush();
  }

  // ---- extended query ----

  private parse(message: ParseMessage): void {
    if (message.statement !== '' && this.statements.has(message.statement)) {
      throw protocolError('42P05', `prepared statement "${message.statement}" already exists`);
    }
    const shape = scanSql(message.sql);
    if (shape.statementCount > 1) {
      throw protocolError('42601', 'cannot insert multiple commands into a prepared statement');
    }
    // As Postgres, a failed block refuses the Parse already (the session refuses the statement again when it runs).
    if (this.status() === 'E' && !BLOCK_EXIT_WORDS.has(shape.firstKeyword)) throw abortedBlockError();
    const count = Math.max(shape.paramCount, message.paramTypes.length);
    const paramTypes = Array.from({ length: count }, (_, i) => message.paramTypes[i] || TypeOid.Text);
    this.statements.set(message.statement, { name: message.statement, sql: message.sql, shape, paramTypes });
    this.out.send(wire.parseComplete());
  }

  private bind(message: BindMessage): void {
    const statement = this.statements.get(message.statement);
    if (!statement) throw protocolError('26000', `${statementLabel(message.statement)} does not exist`);
    if (message.portal !== '' && this.portals.has(message.portal)) {
      throw protocolError('42P03', `portal "${message.portal}" already exists`);
    }
    if (message.params.length !== statement.paramTypes.length) {
      throw protocolError(
        '08P01',
        `bind message supplies ${message.params.length} parameters, ` +
          `but ${statementLabel(statement.name)} requires ${statement.paramTypes.length}`,
      );
    }
    const formats = expandFormats(message.paramFormats, message.params.length, 'parameter');
    const params = message.params.map((bytes, i) =>
      bytes === null ? null : decodeParam(bytes, formats[i] ?? FormatCode.Text, statement.paramTypes[i] ?? TypeOid.Unspecified, i + 1),
    );
    checkFormatCodes(message.resultFormats); // their count is checked once the columns are known
    // A new unnamed portal replaces the last one, which may still be streaming (inside BEGIN, Sync keeps it).
    if (message.portal === '') this.dropPortal('');
    this.portals.set(message.portal, { statement, params, resultFormats: message.resultFormats });
    this.out.send(wire.bindComplete());
  }

  private async describe(message: DescribeMessage): Promise<void> {
    if (message.target === 'statement') {
      const statement = this.statements.get(message.name);
      if (!statement) throw protocolError('26000', `${statementLabel(message.name)} does not exist`);
      this.out.send(wire.parameterDescription(statement.paramTypes));
      const columns = await this.statementColumns(statement);
      const formats = (columns ?? []).map(() => FormatCode.Text);
      this.out.send(columns ? wire.rowDescription(fieldDescriptions(columns, formats)) : wire.noData());
      return;
    }
    const cursorColumns = this.portals.has(message.name) ? undefined : this.session.describeCursor?.(message.name);
    if (cursorColumns) {
      // A DECLAREd cursor is a portal of that name in Postgres: drivers describe it before they FETCH.
      this.out.send(wire.rowDescription(fieldDescriptions(cursorColumns, cursorColumns.map(() => FormatCode.Text))));
      return;
    }
    const outcome = await this.runPortal(this.portal(message.name));
    if (outcome.kind === 'result' && outcome.result.kind === 'rows' && !outcome.result.copy) {
      this.out.send(wire.rowDescription(fieldDescriptions(outcome.result.columns, outcome.formats)));
    } else {
      this.out.send(wire.noData());
    }
  }

  /**
   * A statement's result columns before it has run with real parameters. The Session contract has no
   * "describe", so a read-only-looking statement (SELECT, SHOW, … with no write keyword) is run once with
   * every parameter NULL and its columns kept; anything else, or a probe that fails, answers NoData.
   * Writes are never probed: running an INSERT to describe it would perform it.
   */
  private async statementColumns(statement: PreparedStatement): Promise<ResultColumn[] | null> {
    if (statement.columns !== undefined) return statement.columns;
    const { shape } = statement;
    const readOnly = READ_KEYWORDS.has(shape.firstKeyword) && !WRITE_WORDS.some((w) => shape.words.has(w));
    if (shape.statementCount === 0 || !readOnly) return null;
    try {
      // A probe's failure is not the client's: it leaves a BEGIN block as it was.
      const results = await this.run(statement.sql, statement.paramTypes.map(() => null), true);
      for (const r of results) r.stream?.close(); // only the columns were wanted
      const last = results[results.length - 1];
      statement.columns = last?.kind === 'rows' ? last.columns : null;
    } catch (err) {
      const why = toErrorFields(err).message;
      this.out.log(`describe of ${statementLabel(statement.name)} could not learn its columns: ${why}`);
      return null; // not cached: a later execution may still teach us
    }
    return statement.columns;
  }

  private async execute(message: ExecuteMessage): Promise<void> {
    const outcome = await this.runPortal(this.portal(message.portal));
    if (outcome.kind === 'empty') {
      this.out.send(wire.emptyQueryResponse());
      return;
    }
    const { result } = outcome;
    if (result.copy) {
      const rows = await this.sendCopy(result, result.copy);
      this.out.send(wire.commandComplete(result.stream ? recount(result.command, rows) : result.command));
      return;
    }
    if (result.kind === 'command') {
      this.out.send(wire.commandComplete(result.command));
      return;
    }
    // Rows are sent from what was read (`pending`), reading the stream's next batch when that runs out.
    let sentNow = 0;
    let more = true;
    for (;;) {
      if (outcome.offset >= outcome.pending.length) {
        const batch = await this.nextBatch(result);
        outcome.pending = batch ?? [];
        outcome.offset = 0;
        if (!batch) {
          more = false;
          break;
        }
        continue;
      }
      if (message.maxRows > 0 && sentNow >= message.maxRows) break;
      const take = message.maxRows > 0 ? message.maxRows - sentNow : outcome.pending.length - outcome.offset;
      const rows = outcome.pending.slice(outcome.offset, outcome.offset + take);
      outcome.offset += rows.length;
      this.sendRows(result, outcome.formats, rows);
      sentNow += rows.length;
    }
    outcome.sent += sentNow;
    outcome.executions++;
    if (more) {
      this.out.send(wire.portalSuspended());
      return;
    }
    // After a partial fetch Postgres reports the rows of this Execute only.
    const partial = outcome.executions > 1 && result.command.startsWith('SELECT');
    const tag = partial ? `SELECT ${sentNow}` : result.stream ? recount(result.command, outcome.sent) : result.command;
    this.out.send(wire.commandComplete(tag));
  }

  private close(message: CloseMessage): void {
    if (message.target === 'statement') this.statements.delete(message.name);
    else this.dropPortal(message.name);
    this.out.send(wire.closeComplete());
  }

  private sync(): void {
    this.skipUntilSync = false;
    // A Sync outside BEGIN … COMMIT ends the implicit transaction, and its portals with it. Inside a block they
    // stay open until the block ends, as in Postgres: pgjdbc with autocommit off and a fetch size reads a
    // portal a few rows per Execute, each Execute followed by its own Sync.
    const status = this.status();
    if (status === 'I') for (const name of [...this.portals.keys()]) this.dropPortal(name);
    this.ready(status);
    this.out.flush();
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (!portal) {
      throw protocolError('34000', name === '' ? 'unnamed portal does not exist' : `portal "${name}" does not exist`);
    }
    return portal;
  }

  /** Runs a portal's statement the first time it is described or executed, and keeps the result for the rest. */
  private async runPortal(portal: Portal): Promise<PortalOutcome> {
    if (portal.outcome) return portal.outcome;
    const { statement } = portal;
    const results = statement.shape.statementCount === 0 ? [] : await this.run(statement.sql, portal.params);
    const result = results[results.length - 1];
    if (!result) {
      portal.outcome = { kind: 'empty' };
      return portal.outcome;
    }
    for (const r of results) this.sendNotices(r);
    const formats = expandFormats(portal.resultFormats, result.columns.length, 'result');
    statement.columns = result.kind === 'rows' && !result.copy ? result.columns : null;
    portal.outcome = { kind: 'result', result, formats, sent: 0, executions: 0, pending: result.rows, offset: 0 };
    return portal.outcome;
  }

  // ---- results ----

  private sendNotices(result: StatementResult): void {
    for (const warning of result.warnings ?? []) {
      this.out.send(wire.noticeResponse({ severity: 'WARNING', sqlState: '01000', message: warning }));
    }
    for (const notice of result.notices ?? []) {
      this.out.send(wire.noticeResponse({ severity: 'NOTICE', sqlState: '00000', message: notice }));
    }
  }

  /** COPY … TO STDOUT: CopyOutResponse, one CopyData a row (the header first when asked), CopyDone; returns the row count. */
  private async sendCopy(result: StatementResult, options: CopyOptions): Promise<number> {
    this.out.send(wire.copyOutResponse(result.columns.length));
    let rows = 0;
    for (let batch: CellValue[][] | undefined = result.rows, first = true; batch; batch = await this.nextBatch(result), first = false) {
      for (const line of copyLines({ columns: result.columns, rows: batch }, first ? options : { ...options, header: false })) {
        this.out.send(wire.copyData(Buffer.from(line, 'utf8')));
      }
      rows += batch.length;
    }
    this.out.send(wire.copyDone());
    return rows;
  }

  /** Encodes every row before sending any, so that a value that cannot be encoded fails cleanly. */
  private sendRows(result: StatementResult, formats: FormatCode[], rows: StatementResult['rows']): void {
    const columns = result.columns;
    const messages = rows.map((row) =>
      wire.dataRow(columns.map((column, i) => encodeCell(row[i] ?? null, column, formats[i] ?? FormatCode.Text))),
    );
    for (const message of messages) this.out.send(message);
  }
}

/** An engine error together with whether the statement had been cancelled when it was thrown. */
class StatementFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly cancelled: boolean,
  ) {
    super('statement failed');
  }
}

function toErrorFields(err: unknown): ReturnType<typeof errorFields> {
  return err instanceof StatementFailure ? errorFields(err.error, err.cancelled) : errorFields(err);
}
