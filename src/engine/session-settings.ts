// Statements Postgres clients send on their own (SET, SHOW server_version, BEGIN…): accepted and answered
// so that psql and drivers work; doql has no transactions, so BEGIN/COMMIT are no-ops. The few settings a
// session may change (statement_timeout) are kept per session.
import { DoqlError } from '../errors.js';
import { significant, stringValue, type Token } from '../sql/lexer.js';
import type { Statement } from '../sql/statement.js';
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
  application_name: '',
  is_superuser: 'off',
  max_identifier_length: '63',
};

/** Settings a session may change with SET / RESET, with their defaults; the rest are fixed answers. */
export const SESSION_SETTING_DEFAULTS: Readonly<Record<string, string>> = { statement_timeout: '0' };

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

/** Applies `SET [SESSION|LOCAL] name {=|TO} value|DEFAULT` or `RESET name` to a session setting; others are ignored. */
function changeSetting(verb: string, toks: Token[], settings: Map<string, string>): void {
  let i = 1;
  if (verb === 'SET' && /^(SESSION|LOCAL)$/i.test(toks[i]?.text ?? '')) i++;
  const name = toks[i]?.text.toLowerCase() ?? '';
  if (!(name in SESSION_SETTING_DEFAULTS)) return;
  if (verb === 'RESET') {
    settings.delete(name);
    return;
  }
  const valueTokens = toks.slice(toks[i + 1]?.text === '=' || /^TO$/i.test(toks[i + 1]?.text ?? '') ? i + 2 : i + 1);
  const first = valueTokens[0];
  if (!first || (valueTokens.length === 1 && /^DEFAULT$/i.test(first.text))) {
    settings.delete(name);
    return;
  }
  const text = valueTokens.length === 1 && first.kind === 'string' ? stringValue(first) : valueTokens.map((t) => t.text).join('');
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    throw new DoqlError('usage', `invalid value for parameter "${name}": "${text}"`, {
      sqlState: '22023',
      hint: "Give a duration such as '200ms', '30s' or '5min' (a bare number is milliseconds; 0 turns it off).",
    });
  }
  settings.set(name, formatDurationMs(ms));
}

/** The time zones that are UTC under another name (`SET TIME ZONE 'Etc/UTC'`, `'+00:00'`, `0`, LOCAL, DEFAULT). */
const UTC_NAMES = /^(utc|etc\/utc|gmt|etc\/gmt|uct|universal|zulu|z|[+-]?0+(:0+)?|local|default)$/i;

/**
 * The zone a `SET TIME ZONE x` / `SET timezone {=|TO} x` asks for when it is not UTC, or undefined. doql serve
 * works in UTC (times go out with +00), so such a SET is answered with a notice rather than taken silently.
 */
function otherTimeZone(toks: Token[]): string | undefined {
  let i = 1;
  if (/^(SESSION|LOCAL)$/i.test(toks[i]?.text ?? '') && toks.length > 3) i++;
  const word = toks[i]?.text.toLowerCase();
  if (word === 'time' && toks[i + 1]?.text.toLowerCase() === 'zone') i += 2;
  else if (word === 'timezone') i += toks[i + 1]?.text === '=' || /^TO$/i.test(toks[i + 1]?.text ?? '') ? 2 : 1;
  else return undefined;
  const value = toks.slice(i);
  if (value.length === 1 && value[0].kind === 'string') return UTC_NAMES.test(stringValue(value[0]).trim()) ? undefined : stringValue(value[0]);
  return UTC_NAMES.test(value.map((t) => t.text).join('')) ? undefined : value.map((t) => t.text).join(' ');
}

/** A session's own settings: what SET changed, over the values it started with. */
export interface SessionSettings {
  values: Map<string, string>;
  defaults: Readonly<Record<string, string>>;
}

/**
 * Answers a session statement. `settings` holds the session's own values (statement_timeout), which SET and
 * RESET change and SHOW reads; without it they are fixed answers too.
 */
export function sessionSetting(stmt: Extract<Statement, { kind: 'session_setting' }>, settings?: SessionSettings): StatementResult {
  const toks = significant(stmt.tokens);
  const verb = toks[0]?.text.toUpperCase() ?? '';
  if ((verb === 'SET' || verb === 'RESET') && settings) changeSetting(verb, toks, settings.values);
  if (verb === 'SHOW') {
    const own = settings ? { ...SESSION_SETTING_DEFAULTS, ...settings.defaults, ...Object.fromEntries(settings.values) } : {};
    const SETTINGS: Record<string, string> = { ...FIXED_SETTINGS, ...own };
    const ALIASES: Record<string, string> = { transactionisolationlevel: 'transaction_isolation', time_zone: 'timezone' };
    const typed = toks
      .slice(1)
      .map((t) => t.text)
      .join('')
      .toLowerCase();
    const name = ALIASES[typed] ?? typed;
    if (name !== 'all' && !(name in SETTINGS)) {
      throw new DoqlError('parse', `unknown SHOW ${name ? `"${toks.slice(1).map((t) => t.text).join(' ')}"` : 'statement'}: expected SHOW SERVICES|RESOURCES|METHODS IN …, SHOW INSERT INTO …, or a setting (${Object.keys(SETTINGS).join(', ')})`, { sqlState: '42704' });
    }
    const value = name === 'all' ? undefined : SETTINGS[name];
    if (name === 'all') {
      return {
        kind: 'rows',
        columns: [
          { name: 'name', type: 'TEXT' },
          { name: 'setting', type: 'TEXT' },
        ],
        rows: Object.entries(SETTINGS),
        command: 'SHOW',
      };
    }
    return { kind: 'rows', columns: [{ name, type: 'TEXT' }], rows: [[value ?? '']], command: 'SHOW' };
  }
  const tags: Record<string, string> = {
    BEGIN: 'BEGIN',
    START: 'START TRANSACTION',
    COMMIT: 'COMMIT',
    END: 'COMMIT',
    ROLLBACK: 'ROLLBACK',
    ABORT: 'ROLLBACK',
    SET: 'SET',
    RESET: 'RESET',
    DISCARD: 'DISCARD ALL',
    DEALLOCATE: 'DEALLOCATE',
    SAVEPOINT: 'SAVEPOINT',
    RELEASE: 'RELEASE',
  };
  const zone = verb === 'SET' ? otherTimeZone(toks) : undefined;
  const notices = zone === undefined ? undefined : [`doql serve works in UTC: TimeZone stays UTC, not ${zone}; times are the same instants, written with +00`];
  return { kind: 'command', columns: [], rows: [], command: tags[verb] ?? verb, ...(notices ? { notices } : {}) };
}
