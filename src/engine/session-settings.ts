// Statements Postgres clients send on their own (SET, SHOW server_version, BEGIN…), read from Postgres's syntax
// tree (VariableSetStmt, VariableShowStmt, TransactionStmt, DiscardStmt, DeallocateStmt): accepted and answered
// so that psql and drivers work; doql has no transactions, so BEGIN/COMMIT only mark a block. The few settings a
// session may change (statement_timeout, default_transaction_read_only) are kept per session.
import type { Node, VariableSetStmt } from '@pgsql/types';
import { DoqlError } from '../errors.js';
import type { StatementResult } from './types.js';

export const SERVER_VERSION = '16.0 (doql)';

const FIXED_SETTINGS: Record<string, string> = {
  server_version: SERVER_VERSION,
  server_version_num: '160000',
  server_encoding: 'UTF8',
  client_encoding: 'UTF8',
  datestyle: 'ISO, MDY',
  timezone: 'UTC',
  standard_conforming_strings: 'on',
  integer_datetimes: 'on',
  transaction_isolation: 'read committed',
  search_path: 'public',
  is_superuser: 'off',
  max_identifier_length: '63',
};

/** Settings a session may change with SET / RESET, with their defaults; the rest are fixed answers. */
export const SESSION_SETTING_DEFAULTS: Readonly<Record<string, string>> = { statement_timeout: '0', default_transaction_read_only: 'off', application_name: '' };

/** Postgres's spellings of a boolean setting's value. */
const BOOLEAN_TEXT: Record<string, boolean> = { on: true, off: false, true: true, false: false, yes: true, no: false, 1: true, 0: false, t: true, f: false };

/** A `transaction_read_only` option (BEGIN READ ONLY, SET TRANSACTION / SESSION CHARACTERISTICS … READ WRITE) in a list of DefElems. */
export function readOnlyOption(options: Node[] | undefined): boolean | undefined {
  for (const o of options ?? []) {
    if ('DefElem' in o && o.DefElem.defname === 'transaction_read_only') {
      const arg = o.DefElem.arg;
      return arg !== undefined && 'A_Const' in arg && (arg.A_Const.ival?.ival ?? 0) !== 0;
    }
  }
  return undefined;
}

/**
 * The value of `SET [default_]transaction_read_only = on|off` (`true`, `1`, … too).
 * @throws DoqlError 22023 for a value that is not a boolean.
 */
export function readOnlySetting(set: VariableSetStmt): boolean {
  return booleanSetting(set.name ?? '', set.args?.length === 1 ? valueText(set.args[0]) : undefined);
}

function booleanSetting(name: string, text: string | undefined): boolean {
  const on = text === undefined ? undefined : BOOLEAN_TEXT[text.toLowerCase()];
  if (on === undefined) throw new DoqlError('usage', `parameter "${name}" requires a Boolean value`, { sqlState: '22023' });
  return on;
}

/** Whether writes are refused in a session (`default_transaction_read_only`, which pgjdbc's readOnlyMode=always sets). */
export function sessionReadOnly(settings: SessionSettings): boolean {
  return settingValue('default_transaction_read_only', settings) === 'on';
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration as Postgres reads a time setting: `200ms`, `5s`, `5min`, `1h`, `1d`, or a bare number of
 * milliseconds; 0 means none. Undefined for anything else.
 */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$/i.exec(text);
  if (!m) return undefined;
  const ms = Math.round(Number(m[1]) * (DURATION_UNITS_MS[(m[2] ?? 'ms').toLowerCase()] ?? 1));
  return Number.isSafeInteger(ms) && ms <= 2_147_483_647 ? ms : undefined;
}

/** How SHOW prints a duration: in the largest unit that divides it, as Postgres does. */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A SET's value as text: a literal (`'5s'`, `5000`, `1.5`), or an interval literal's string (`SET TIME ZONE INTERVAL '+02'`). */
function valueText(arg: Node | undefined): string | undefined {
  if (!arg) return undefined;
  if ('TypeCast' in arg) return valueText(arg.TypeCast.arg);
  if (!('A_Const' in arg)) return undefined;
  const c = arg.A_Const;
  if (c.sval) return c.sval.sval ?? '';
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return c.fval.fval ?? '';
  if (c.boolval) return c.boolval.boolval ? 'on' : 'off';
  return undefined;
}

/** Applies a SET or RESET to the session's own settings (statement_timeout); other settings are ignored. */
function changeSetting(set: VariableSetStmt, settings: Map<string, string>): void {
  if (set.kind === 'VAR_RESET_ALL') {
    settings.clear();
    return;
  }
  const name = (set.name ?? '').toLowerCase();
  if (name === 'session characteristics') {
    const readOnly = readOnlyOption(set.args);
    if (readOnly !== undefined) settings.set('default_transaction_read_only', readOnly ? 'on' : 'off');
    return;
  }
  if (!(name in SESSION_SETTING_DEFAULTS)) return;
  if (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT') {
    settings.delete(name);
    return;
  }
  if (set.kind !== 'VAR_SET_VALUE') return;
  assignSetting(name, set.args?.length === 1 ? valueText(set.args[0]) : undefined, settings);
}

/** Sets one of the session's own settings (SESSION_SETTING_DEFAULTS) from its text, as SET reads it. */
function assignSetting(name: string, text: string | undefined, settings: Map<string, string>): void {
  if (name === 'default_transaction_read_only') {
    settings.set(name, booleanSetting(name, text) ? 'on' : 'off');
    return;
  }
  if (name === 'application_name') {
    // Postgres keeps 63 bytes of printable ASCII, writing `?` for anything else.
    settings.set(name, (text ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 63));
    return;
  }
  const ms = text === undefined ? undefined : parseDurationMs(text);
  if (ms === undefined) {
    throw new DoqlError('usage', `invalid value for parameter "${name}": "${text ?? ''}"`, {
      sqlState: '22023',
      hint: "Give a duration such as '200ms', '30s' or '5min' (a bare number is milliseconds; 0 turns it off).",
    });
  }
  settings.set(name, formatDurationMs(ms));
}

/**
 * set_config(name, value, is_local): SET by a function call, answering the value the setting now has. A NULL value
 * resets it. is_local lasts for the transaction only: doql has none to undo it at, so it changes nothing lasting
 * (as outside a transaction block in Postgres). Settings doql does not keep are answered as given, as SET ignores them.
 */
export function setConfig(settings: SessionSettings, name: string, value: string | null, isLocal: boolean): string | null {
  const key = name.toLowerCase();
  if (!(key in SESSION_SETTING_DEFAULTS)) return value;
  if (isLocal) {
    settings.local ??= new Map();
    // A NULL value is the setting's reset value, for the transaction.
    settings.local.set(key, value === null ? (settingValue(key, { values: new Map(), defaults: settings.defaults }) ?? '') : checkedSetting(key, value));
  } else {
    settings.local?.delete(key);
    if (value === null) settings.values.delete(key);
    else assignSetting(key, value, settings.values);
  }
  return settingValue(key, settings) ?? null;
}

/** A setting's value as SET would keep it (its checks, its normal form), without keeping it. */
function checkedSetting(name: string, text: string): string {
  const scratch = new Map<string, string>();
  assignSetting(name, text, scratch);
  return scratch.get(name) ?? text;
}

/** The time zones that are UTC under another name (`SET TIME ZONE 'Etc/UTC'`, `'+00:00'`, `0`). */
const UTC_NAMES = /^(utc|etc\/utc|gmt|etc\/gmt|uct|universal|zulu|z|[+-]?0+(:0+)?)$/i;

/**
 * The zone a `SET TIME ZONE x` / `SET timezone {=|TO} x` asks for when it is not UTC, or undefined (LOCAL and
 * DEFAULT are UTC here). doql serve works in UTC (times go out with +00), so such a SET is answered with a
 * notice rather than taken silently.
 */
function otherTimeZone(set: VariableSetStmt): string | undefined {
  if (set.name?.toLowerCase() !== 'timezone' || set.kind !== 'VAR_SET_VALUE') return undefined;
  const zone = (set.args ?? []).map(valueText).join(', ');
  return UTC_NAMES.test(zone.trim()) ? undefined : zone;
}

/** A session's own settings: what SET changed, over the values it started with. */
export interface SessionSettings {
  values: Map<string, string>;
  defaults: Readonly<Record<string, string>>;
  /**
   * What SET LOCAL and set_config(…, true) changed, over `values`: until the transaction ends (the block's COMMIT
   * or ROLLBACK, or the statement's end outside a block; the session clears it).
   */
  local?: Map<string, string>;
}

const TRANSACTION_TAGS: Record<string, string> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
};

const command = (tag: string, notices?: string[]): StatementResult => ({ kind: 'command', columns: [], rows: [], command: tag, ...(notices ? { notices } : {}) });

/**
 * Answers a session statement from its tree. `settings` holds the session's own values (statement_timeout),
 * which SET and RESET change and SHOW reads; without it they are fixed answers too.
 */
export function sessionSetting(stmt: Node, settings?: SessionSettings, transactionReadOnly?: boolean): StatementResult {
  if ('VariableShowStmt' in stmt) return show((stmt.VariableShowStmt.name ?? '').toLowerCase(), settings, transactionReadOnly);
  if ('VariableSetStmt' in stmt) {
    const set = stmt.VariableSetStmt;
    if (settings && set.is_local) changeSetting(set, (settings.local ??= new Map()));
    else if (settings) {
      // A SET outlasts the transaction: a SET LOCAL of the same setting no longer hides it.
      if (set.name) settings.local?.delete(set.name.toLowerCase());
      changeSetting(set, settings.values);
    }
    const zone = otherTimeZone(set);
    const notices = zone === undefined ? undefined : [`doql serve works in UTC: TimeZone stays UTC, not ${zone}; times are the same instants, written with +00`];
    return command(set.kind === 'VAR_RESET' || set.kind === 'VAR_RESET_ALL' ? 'RESET' : 'SET', notices);
  }
  if ('TransactionStmt' in stmt) {
    const tag = TRANSACTION_TAGS[stmt.TransactionStmt.kind ?? ''];
    if (!tag) throw new DoqlError('validation', 'two-phase commit (PREPARE TRANSACTION, COMMIT PREPARED) is not supported by doql', { sqlState: '0A000' });
    return command(tag);
  }
  if ('DiscardStmt' in stmt) return command(`DISCARD ${(stmt.DiscardStmt.target ?? 'DISCARD_ALL').slice('DISCARD_'.length)}`);
  if ('DeallocateStmt' in stmt) return command(stmt.DeallocateStmt.isall ? 'DEALLOCATE ALL' : 'DEALLOCATE');
  throw new DoqlError('parse', 'expected SET, RESET, SHOW, BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, DISCARD or DEALLOCATE', { sqlState: '42601' });
}

/** The error for a SHOW that names neither a doql statement nor a setting. */
export function unknownShow(typed: string, settings?: SessionSettings): DoqlError {
  const known = Object.keys(settingValues(settings));
  return new DoqlError('parse', `unknown SHOW ${typed ? `"${typed}"` : 'statement'}: expected SHOW SERVICES|RESOURCES|METHODS IN …, SHOW INSERT INTO …, or a setting (${known.join(', ')})`, { sqlState: '42704' });
}

/** One setting as SHOW shows it (a session's own, or a fixed one), or undefined for a name SHOW does not know. */
export function settingValue(name: string, settings?: SessionSettings): string | undefined {
  return settingValues(settings)[name.toLowerCase()];
}

function settingValues(settings?: SessionSettings, transactionReadOnly?: boolean): Record<string, string> {
  const own = settings ? { ...SESSION_SETTING_DEFAULTS, ...settings.defaults, ...Object.fromEntries(settings.values), ...Object.fromEntries(settings.local ?? []) } : {};
  const readOnly = transactionReadOnly ?? own.default_transaction_read_only === 'on';
  return { ...FIXED_SETTINGS, ...own, transaction_read_only: readOnly ? 'on' : 'off' };
}

/** SHOW name (the grammar has already read `TIME ZONE` as timezone, `TRANSACTION ISOLATION LEVEL` as transaction_isolation). */
function show(name: string, settings?: SessionSettings, transactionReadOnly?: boolean): StatementResult {
  const values = settingValues(settings, transactionReadOnly);
  if (name === 'all') {
    return {
      kind: 'rows',
      columns: [
        { name: 'name', type: 'TEXT' },
        { name: 'setting', type: 'TEXT' },
      ],
      rows: Object.entries(values),
      command: 'SHOW',
    };
  }
  if (!(name in values)) throw unknownShow(name, settings);
  return { kind: 'rows', columns: [{ name, type: 'TEXT' }], rows: [[values[name] ?? '']], command: 'SHOW' };
}
