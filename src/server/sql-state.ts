// Turns any thrown value into the fields of an ErrorResponse: a SQLSTATE, a one-line message, a hint. Never a stack.
import type { ErrorCode } from '../errors.js';
import { isDoqlError } from '../errors.js';
import type { ErrorFields } from './backend-serializer.js';

/** SQLSTATE for each doql error code, used when the error does not carry its own. */
const SQL_STATE_BY_CODE: Record<ErrorCode, string> = {
  usage: '22023', // invalid_parameter_value: a bad option reaching the engine (e.g. a SET)
  parse: '42601', // syntax_error
  not_found: '42P01', // undefined_table: unknown provider/service/resource/method
  missing_param: '42P02', // undefined_parameter: a required key column was not supplied
  validation: '22023', // invalid_parameter_value
  api: '08006', // connection_failure (ApiError sets this too)
  network: '08006', // connection_failure
  unknown_outcome: '40003', // statement_completion_unknown
  spec: 'F0000', // config_file_error
  auth: '28000', // invalid_authorization_specification: no DigitalOcean credentials
  config: 'F0000', // config_file_error
  timeout: '57014', // query_canceled, as statement_timeout reports it
  cancelled: '57014', // query_canceled
  internal: 'XX000', // internal_error
};

export const CANCELLED_MESSAGE = 'canceling statement due to user request';

/** Collapses a message to one line, as the wire server promises clients. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * @param cancelled true when the statement's AbortSignal fired: whatever the engine threw then (a cancelled
 *   DoqlError, a network error from an aborted fetch, an AbortError) is reported as 57014.
 */
export function errorFields(err: unknown, cancelled = false): ErrorFields {
  if (cancelled) {
    // Postgres' own words, which clients and people recognise; what was in flight goes in the detail.
    const detail = isDoqlError(err) ? oneLine(err.message) : undefined;
    return { severity: 'ERROR', sqlState: '57014', message: CANCELLED_MESSAGE, ...(detail && detail !== CANCELLED_MESSAGE ? { detail } : {}) };
  }
  if (isDoqlError(err)) {
    const sqlState = err.sqlState ?? SQL_STATE_BY_CODE[err.code] ?? 'XX000';
    const fields: ErrorFields = { severity: 'ERROR', sqlState, message: oneLine(err.message) };
    if (err.hint) fields.hint = oneLine(err.hint);
    return fields;
  }
  const message = err instanceof Error && err.message ? err.message : 'internal error';
  return { severity: 'ERROR', sqlState: 'XX000', message: oneLine(message) };
}

/** The one-line message of anything thrown, for log lines. */
export function messageOf(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}

/** Longest client-chosen text (a user name) a log line shows. */
const LOG_TEXT_MAX = 64;

/**
 * Client-chosen text (a user name, before or after authentication) as a log line may show it: control
 * characters escaped (a newline cannot forge another line), quotes escaped, cut to 64 characters.
 */
export function logSafe(text: string): string {
  const chars = [...text];
  const cut = chars.length > LOG_TEXT_MAX;
  const shown = (cut ? chars.slice(0, LOG_TEXT_MAX) : chars)
    .map((ch) => {
      const code = ch.codePointAt(0) as number;
      if (ch === '"' || ch === '\\') return `\\${ch}`;
      if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0x2028 || code === 0x2029) {
        return `\\x${code.toString(16).padStart(2, '0')}`;
      }
      return ch;
    })
    .join('');
  return `"${shown}"${cut ? `… (${chars.length} characters)` : ''}`;
}
