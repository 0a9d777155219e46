// SQLite's failures as the one-line DoqlErrors doql shows, with the SQLSTATE a Postgres client expects.
import { DoqlError, isDoqlError } from '../errors.js';
import { closestNames } from '../catalog/lookup.js';
import type { Resource } from '../catalog/types.js';
import { CONTEXT_COLUMN } from './accounts.js';

/**
 * A call's signature as Postgres's error names it, `lower(integer, text)`, from the statement's tree
 * (SelectTranslation.signature); undefined when the statement has no call of that name.
 */
export type CallSignature = (name: string) => string | undefined;

/** Postgres's hint for a call no function matches. */
const NO_FUNCTION_HINT = 'No function matches the given name and argument types. You might need to add explicit type casts.';

export function sqliteError(err: unknown, signature?: CallSignature): DoqlError {
  if (isDoqlError(err)) return err;
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  // Postgres's words for what is missing (a client or a person may match on them), not SQLite's.
  const table = /no such table: (?:main\.)?(.*)/.exec(message);
  if (table) return new DoqlError('not_found', `relation "${table[1]}" does not exist`, { sqlState: '42P01', cause: err });
  const column = /^no such column: (.*?)(?: - should this be a string literal in single-quotes\?)?$/.exec(message);
  if (column) {
    // The translation quotes every name (`"d"."size_gigabyte"`): the message names it as the statement wrote it,
    // as Postgres does: `column "x" does not exist`, `column d.x does not exist`.
    const parts = [...column[1].matchAll(/"((?:[^"]|"")*)"|([^".]+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]));
    const text = parts.length > 1 ? parts.join('.') : `"${parts[0] ?? column[1]}"`;
    return new DoqlError('not_found', `column ${text} does not exist`, { sqlState: '42703', cause: err });
  }
  const fn = /^no such function: (.*)$/.exec(message) ?? /^wrong number of arguments to function (.*)\(\)$/.exec(message);
  if (fn) {
    const call = signature?.(fn[1]) ?? `${fn[1]}(…)`;
    return new DoqlError('not_found', `function ${call} does not exist`, { sqlState: '42883', hint: NO_FUNCTION_HINT, cause: err });
  }
  const paramOp = /virtual table parameter "(.*)" can only be constrained by the '=' operator/.exec(message);
  if (paramOp?.[1] === CONTEXT_COLUMN) {
    return new DoqlError('parse', `context (the account column) is compared with = or IN (…) only: it chooses the accounts a table reads`, {
      hint: "name the accounts wanted: WHERE context IN ('a', 'b')",
      sqlState: '42601',
      cause: err,
    });
  }
  if (/^no query solution/.test(message)) {
    // A hidden column's = is pushed to the API only from a table read before it (sql/tree/hidden-joins.ts orders
    // the tables so); this is left when the tables' parameters take their values from each other in a cycle.
    return new DoqlError('validation', 'SQL: no order of reading the tables gives each API parameter its value: their parameters take their values from each other', {
      hint: "give one of those parameters a value of its own (WHERE … = '…'), or take it from a table that needs nothing from them",
      sqlState: '42601',
      cause: err,
    });
  }
  if (paramOp) {
    return new DoqlError('parse', `${paramOp[1]} is a parameter of the API call: compare it with = or IN (…), not other operators`, {
      sqlState: '42601',
      cause: err,
    });
  }
  if (/syntax error|incomplete input|unrecognized token/.test(message)) {
    return new DoqlError('parse', `SQL: ${message}`, { sqlState: '42601', cause: err });
  }
  return new DoqlError('validation', `SQL: ${message}`, { sqlState: '22023', cause: err });
}

/**
 * An unknown column in a statement over resources gets a hint: the closest column or parameter of those
 * resources (`did you mean size_gigabytes?`), or where to see them.
 */
export function withColumnHint(err: DoqlError, resources: Resource[]): DoqlError {
  const unknown = /^column (?:"(.*)"|(?:.*\.)?([^.]+)) does not exist$/.exec(err.message);
  if (!unknown || err.hint || !resources.length) return err;
  const column = unknown[1] ?? unknown[2];
  const names = resources.flatMap((r) => [
    ...r.columns.filter((c) => !c.envelope).map((c) => c.name),
    ...r.methods.flatMap((m) => m.params.filter((p) => p.in !== 'header').map((p) => p.name)),
  ]);
  const near = closestNames(column, names, 3);
  const hint = near.length
    ? `did you mean ${near.join(' or ')}?`
    : `DESCRIBE ${resources.length === 1 ? resources[0].id : resources.map((r) => r.id).join(', ')} lists the columns`;
  return new DoqlError(err.code, err.message, { hint, sqlState: err.sqlState, cause: err });
}
