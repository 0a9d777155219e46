// Which statements each MCP tool takes: exactly one, parsed by doql's own parser, of the kinds the tool allows.
import { DoqlError } from '../errors.js';
import { splitStatements } from '../sql/split.js';
import { parseStatement, type Statement } from '../sql/statement.js';

export type ReadStatement = Extract<Statement, { kind: 'select' | 'show_providers' | 'show_services' | 'show_resources' | 'show_methods' | 'show_insert' | 'describe' }>;
export type WriteStatement = Extract<Statement, { kind: 'mutation' }>;

const READ_KINDS: ReadonlySet<Statement['kind']> = new Set(['select', 'show_providers', 'show_services', 'show_resources', 'show_methods', 'show_insert', 'describe']);

export function isRead(stmt: Statement): stmt is ReadStatement {
  return READ_KINDS.has(stmt.kind);
}

/** What a statement is, in the words of a refusal: `DELETE`, `COPY`, `a session setting`. */
function named(stmt: Statement): string {
  switch (stmt.kind) {
    case 'mutation':
      return stmt.verb.toUpperCase();
    case 'copy':
      return 'COPY';
    case 'registry_list':
    case 'registry_pull':
      return 'REGISTRY';
    case 'session_setting':
      return 'a session statement (SET, BEGIN, …)';
    default:
      return 'a read statement';
  }
}

/** The one statement of `sql`; several (`a; b`) or none is an error, since a tool answers for one. */
export function oneStatement(sql: string): Statement {
  const statements = splitStatements(sql);
  if (statements.length === 0) throw new DoqlError('parse', 'empty statement', { hint: 'give one SQL statement, e.g. SHOW SERVICES IN digitalocean' });
  if (statements.length > 1) {
    throw new DoqlError('usage', `one statement per call, got ${statements.length}`, { hint: 'call the tool once for each statement' });
  }
  const st = statements[0];
  return parseStatement(st.text, st.tokens);
}

/** For `query`: SELECT, SHOW and DESCRIBE only. */
export function readStatement(sql: string, writesAllowed: boolean): ReadStatement {
  const stmt = oneStatement(sql);
  if (isRead(stmt)) return stmt;
  if (stmt.kind === 'mutation') {
    throw new DoqlError('usage', `query runs read statements only (SELECT, SHOW, DESCRIBE); ${named(stmt)} changes resources`, {
      hint: writesAllowed ? 'call plan to see its requests, then execute' : 'call plan to see its requests; this server was started without --allow-writes, so it cannot run it',
    });
  }
  throw notForAgents(stmt);
}

/** For `execute`: INSERT, UPDATE, REPLACE, DELETE, EXEC. */
export function writeStatement(sql: string): WriteStatement {
  const stmt = oneStatement(sql);
  if (stmt.kind === 'mutation') return stmt;
  if (isRead(stmt)) throw new DoqlError('usage', 'execute runs INSERT, UPDATE, REPLACE, DELETE or EXEC; this is a read statement', { hint: 'call query to run it' });
  throw notForAgents(stmt);
}

/** For `plan`: a mutation or a read statement. */
export function plannableStatement(sql: string): ReadStatement | WriteStatement {
  const stmt = oneStatement(sql);
  if (stmt.kind === 'mutation' || isRead(stmt)) return stmt;
  throw notForAgents(stmt);
}

/** COPY, REGISTRY and session statements touch files, the installed spec or session state: not offered to agents. */
function notForAgents(stmt: Statement): DoqlError {
  return new DoqlError('usage', `${named(stmt)} is not available through MCP`, {
    hint: 'query takes SELECT, SHOW and DESCRIBE; execute takes INSERT, UPDATE, REPLACE, DELETE and EXEC',
  });
}
