// A BEGIN … COMMIT block as Postgres clients see it: failed after an error until ROLLBACK, and its savepoints' names.
// doql has no transactions (a change is sent to the API at once), but clients steer by the block's state: psql
// with ON_ERROR_ROLLBACK, pgjdbc's autosave and psycopg's nested transactions put each statement in a savepoint
// and roll back to it after an error, and ReadyForQuery's 'E' tells a driver the block must be rolled back.
import type { TransactionStmt } from '@pgsql/types';
import { DoqlError } from '../errors.js';

/** A BEGIN … COMMIT block: how many changes were sent meanwhile (none can be rolled back); BEGIN READ ONLY refuses them. */
export interface Block {
  changes: number;
  readOnly: boolean;
  /** An error happened in the block: every statement but ROLLBACK (or COMMIT, which rolls back) is refused. */
  failed?: boolean;
  /**
   * SAVEPOINTs, oldest first (a name may repeat: the latest is the one ROLLBACK TO and RELEASE find), each with the
   * block's mark when it was set.
   */
  savepoints?: Savepoint[];
  /** Counts the block's SAVEPOINTs and cursor DECLAREs: a cursor's mark above a savepoint's was declared after it. */
  marks?: number;
  /** The session's SET values at BEGIN: ROLLBACK puts them back, as Postgres undoes a SET with its transaction. */
  settings?: Record<string, string>;
}

/** The session's settings at a moment: SET's values, and SET LOCAL's over them. */
export interface SettingsSnapshot {
  values: Record<string, string>;
  local: Record<string, string>;
}

/** A SAVEPOINT: its name, the block's mark when it was set, and the settings then (ROLLBACK TO puts them back). */
export interface Savepoint extends SettingsSnapshot {
  name: string;
  mark: number;
}

/** The next mark of the block (see Block.marks). */
export function nextMark(block: Block): number {
  block.marks = (block.marks ?? 0) + 1;
  return block.marks;
}

/** Postgres' own words (25P02), which drivers recognise. */
export function abortedBlockError(): DoqlError {
  return new DoqlError('validation', 'current transaction is aborted, commands ignored until end of transaction block', {
    sqlState: '25P02',
    hint: 'ROLLBACK (or ROLLBACK TO SAVEPOINT) ends the failed block; doql has no transactions, so nothing is undone.',
  });
}

/** Statements a failed block still takes, as Postgres' IsTransactionExitStmt: COMMIT, ROLLBACK, ROLLBACK TO SAVEPOINT. */
export function exitsFailedBlock(stmt: TransactionStmt | undefined): boolean {
  const kind = stmt?.kind;
  return kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_ROLLBACK_TO';
}

const SAVEPOINT_VERBS: Partial<Record<NonNullable<TransactionStmt['kind']>, string>> = {
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE SAVEPOINT',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK TO SAVEPOINT',
};

/**
 * SAVEPOINT, RELEASE and ROLLBACK TO: keeps the block's savepoints (with the settings `now`); ROLLBACK TO a
 * savepoint ends the block's failed state (the statements after it are "undone": doql had nothing to undo but its
 * own refusal) and returns the savepoint: the cursors declared after it are closed and its settings put back, as in
 * Postgres.
 * @throws DoqlError 25P01 outside a block, 3B001 for a name no SAVEPOINT gave, as Postgres.
 */
export function applySavepoint(stmt: TransactionStmt, block: Block | undefined, now: SettingsSnapshot): Savepoint | undefined {
  const verb = stmt.kind && SAVEPOINT_VERBS[stmt.kind];
  if (!verb) return undefined;
  if (!block) throw new DoqlError('validation', `${verb} can only be used in transaction blocks`, { sqlState: '25P01' });
  const name = stmt.savepoint_name ?? '';
  const savepoints = block.savepoints ?? [];
  if (stmt.kind === 'TRANS_STMT_SAVEPOINT') {
    block.savepoints = [...savepoints, { name, mark: nextMark(block), ...now }];
    return undefined;
  }
  const at = savepoints.map((p) => p.name).lastIndexOf(name);
  if (at < 0) throw new DoqlError('validation', `savepoint "${name}" does not exist`, { sqlState: '3B001' });
  if (stmt.kind === 'TRANS_STMT_RELEASE') {
    block.savepoints = savepoints.slice(0, at);
    return undefined;
  }
  block.savepoints = savepoints.slice(0, at + 1);
  block.failed = false;
  return savepoints[at];
}

/** A copy that shares nothing with `block` (the session hands its state to other processes). */
export function copyBlock(block: Block): Block {
  return { ...block, ...(block.savepoints ? { savepoints: block.savepoints.map((p) => ({ ...p, values: { ...p.values }, local: { ...p.local } })) } : {}) };
}
