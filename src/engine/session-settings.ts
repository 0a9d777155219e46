// Statements Postgres clients send on their own (SET, SHOW server_version, BEGIN…): accepted and answered
// so that psql and drivers work; doql has no transactions, so BEGIN/COMMIT are no-ops.
import { DoqlError } from '../errors.js';
import { significant } from '../sql/lexer.js';
import type { Statement } from '../sql/statement.js';
import type { StatementResult } from './types.js';

export const SERVER_VERSION = '16.0 (doql)';

const SETTINGS: Record<string, string> = {
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

export function sessionSetting(stmt: Extract<Statement, { kind: 'session_setting' }>): StatementResult {
  const toks = significant(stmt.tokens);
  const verb = toks[0]?.text.toUpperCase() ?? '';
  if (verb === 'SHOW') {
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
  return { kind: 'command', columns: [], rows: [], command: tags[verb] ?? verb };
}
