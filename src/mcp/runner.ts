// Runs the MCP tools' statements on the CLI's engine: one fresh session per call (sharing the catalog, API
// client and read cache), counting the requests each call sends, with writes confirmed by row count.
import { DoqlError, isDoqlError } from '../errors.js';
import type { RunContext } from '../cli/context.js';
import type { EngineApi } from '../engine/fetcher.js';
import { createSession, type DoqlSession, type MutationOptions } from '../engine/session.js';
import type { StatementResult } from '../engine/types.js';
import { jsonCell, rowsJson, type JsonValue, type RowsJson } from './result-json.js';
import { plannableStatement, readStatement, writeStatement } from './statements.js';

export interface QueryAnswer extends RowsJson {
  /** HTTP requests the statement sent (0 when answered from the catalog or the read cache). */
  requests: number;
  notices?: string[];
}

export interface PlanAnswer {
  statement: string;
  /** The requests the statement would send, none of them sent. */
  requests: { method: string; url: string; body: JsonValue }[];
  /** Rows the change would touch; null when the API cannot say beforehand. */
  rows_to_change: number | null;
  /** What `execute` needs as `confirm_rows` (null: none needed). */
  confirm_rows: number | null;
  /** GET requests sent to find the rows a predicate names. */
  reads_sent: number;
  notes: string[];
}

export interface ExecuteAnswer {
  command: string;
  /** RETURNING rows, when the statement asked for them. */
  result?: RowsJson;
  requests: number;
  notices?: string[];
}

/** The API, counting what goes through it: one per request, one per page of a list. */
function counting(inner: EngineApi): { api: EngineApi; count: () => number } {
  let n = 0;
  const api: EngineApi = {
    servesEveryPath: inner.servesEveryPath,
    request: async (req) => {
      n++;
      return inner.request(req);
    },
    list: async (req) => {
      try {
        const out = await inner.list(req);
        n += out.pages;
        return out;
      } catch (err) {
        n++;
        throw err;
      }
    },
  };
  return { api, count: () => n };
}

/** Changes of more than one row must be confirmed with their count; an uncountable one cannot be run here. */
function confirmationNeeded(rows: number | undefined): boolean {
  return rows === undefined || rows > 1;
}

export class McpRunner {
  constructor(
    private readonly ctx: RunContext,
    readonly allowWrites: boolean,
  ) {}

  /** A session like the CLI's, without templating, answering every several-row question with `confirm`. */
  private session(mutation: Partial<MutationOptions>): { session: DoqlSession; requests: () => number } {
    const base = this.ctx.session;
    const { api, count } = counting(base.api());
    // Several accounts (--context a,b): each one's API counted too, into the one total.
    const counted = new Map<string, ReturnType<typeof counting>>();
    const session = createSession({
      ...base.options,
      api: () => api,
      accounts: async () => {
        const accounts = await base.accounts();
        if (accounts.names.length === 1) return { ...accounts, api: () => api };
        return { ...accounts, api: (name) => (counted.get(name) ?? counted.set(name, counting(accounts.api(name))).get(name)!).api };
      },
      cache: base.cache,
      vars: {},
      templating: false,
      registry: undefined,
      mutation: { ...base.options.mutation, dryRun: false, yes: false, confirm: undefined, onProgress: undefined, ...mutation },
    });
    return { session, requests: () => count() + [...counted.values()].reduce((n, c) => n + c.count(), 0) };
  }

  async query(sql: string, maxRows: number, signal?: AbortSignal): Promise<QueryAnswer> {
    const stmt = readStatement(sql, this.allowWrites);
    const { session, requests } = this.session({});
    try {
      const result = await session.executeOne(stmt, { signal });
      return { ...rowsJson(result, maxRows), requests: requests(), ...(result.notices?.length ? { notices: result.notices } : {}) };
    } finally {
      session.close();
    }
  }

  async plan(sql: string, signal?: AbortSignal): Promise<PlanAnswer> {
    const stmt = plannableStatement(sql);
    if (stmt.kind !== 'mutation') {
      const select = stmt.kind === 'select';
      return {
        statement: select ? 'SELECT' : stmt.kind.startsWith('show') ? 'SHOW' : 'DESCRIBE',
        requests: [],
        rows_to_change: 0,
        confirm_rows: null,
        reads_sent: 0,
        notes: [
          select
            ? 'a SELECT changes nothing: it sends only GET requests, as many as its tables, parameters and pages need; query runs it and reports how many it sent'
            : 'answered from the catalog: sends no request',
        ],
      };
    }
    const { session, requests } = this.session({ dryRun: true, countBulkInDryRun: true });
    try {
      const result = await session.executeOne(stmt, { signal });
      const rows = result.wouldChange;
      const needed = confirmationNeeded(rows);
      return {
        statement: stmt.verb.toUpperCase(),
        requests: result.rows.map(([method, url, body]) => ({ method: String(method), url: String(url), body: jsonCell(body, 'JSON') })),
        rows_to_change: rows ?? null,
        confirm_rows: needed && rows !== undefined ? rows : null,
        reads_sent: requests(),
        notes: [
          ...(result.notices ?? []),
          ...(rows === undefined
            ? ['the API cannot say beforehand how many rows this removes, so execute refuses it: name the rows by id instead']
            : !this.allowWrites
              ? ['this server runs no changes: it was started without --allow-writes, so execute is not offered']
              : needed
                ? [`execute needs confirm_rows: ${rows}`]
                : []),
        ],
      };
    } finally {
      session.close();
    }
  }

  async execute(sql: string, confirmRows: number | undefined, signal?: AbortSignal): Promise<ExecuteAnswer> {
    if (!this.allowWrites) throw new DoqlError('usage', 'this server does not run changes', { hint: 'start it with doql mcp --allow-writes' });
    const stmt = writeStatement(sql);
    const verb = stmt.verb.toUpperCase();
    // The engine asks before changing several existing rows, never before creating them: an INSERT is counted
    // by its dry run first, so that a fleet is not created by accident either.
    if (stmt.verb === 'insert') {
      const planned = await this.plan(sql, signal);
      const rows = planned.rows_to_change ?? undefined;
      if (confirmationNeeded(rows) && confirmRows !== rows) throw refusal(`INSERT would create ${rows} rows; nothing was sent`, rows, confirmRows);
    }
    // Set when the engine asked and was told no: it then throws its refusal, having sent nothing.
    let refused: { rows: number | undefined } | undefined;
    const { session, requests } = this.session({
      confirm: async (_message, rows) => {
        const ok = rows !== undefined && rows === confirmRows;
        if (!ok) refused = { rows };
        return ok;
      },
    });
    try {
      let result: StatementResult;
      try {
        result = await session.executeOne(stmt, { signal });
      } catch (err) {
        // The engine's refusal ("… would change 2 rows …; nothing was sent"), with what to do about it here.
        if (refused && isDoqlError(err)) throw refusal(err.message, refused.rows, confirmRows);
        throw err;
      }
      return {
        command: result.command || verb,
        ...(result.kind === 'rows' ? { result: rowsJson(result, result.rows.length) } : {}),
        requests: requests(),
        ...(result.notices?.length ? { notices: result.notices } : {}),
      };
    } finally {
      session.close();
    }
  }
}

function refusal(message: string, rows: number | undefined, given: number | undefined): DoqlError {
  const hint =
    rows === undefined
      ? 'doql cannot count these rows beforehand: name them by id (WHERE id IN (…)) so that plan can count them'
      : given === undefined
        ? `a change to several rows needs confirm_rows: ${rows} (the count plan reports)`
        : `confirm_rows was ${given} but the statement would change ${rows} rows now: plan it again`;
  return new DoqlError('validation', message, { hint });
}
