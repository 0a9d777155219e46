// The accounts a session's statements run over (doctl auth contexts), each with its own API client, and
// the hidden `context` column that says which account a row came from.
import { DoqlError } from '../errors.js';
import type { EngineApi } from './fetcher.js';

/** The hidden column every resource has (DESCRIBE EXTENDED lists it; `SELECT *` leaves it out). */
export const CONTEXT_COLUMN = 'context';

export const ACCOUNT_COLUMN_DESCRIPTION =
  "The doctl auth context (account) the row came from (hidden from SELECT *; WHERE context = 'a' reads that account alone).";

/** The name a session's one account goes by when no context was named. */
export const DEFAULT_CONTEXT = 'default';

export interface Accounts {
  /** In the order they were named; at least one. */
  names: readonly string[];
  /** One account's API (its own client: its own rate-limit budget and concurrency). */
  api(name: string): EngineApi;
  /** `--partial`: a failing account's rows are left out, with a warning, instead of failing the statement. */
  partial?: boolean;
}

/** A session over one API: one account. */
export function singleAccount(api: () => EngineApi, name: string = DEFAULT_CONTEXT): Accounts {
  return { names: [name], api: () => api() };
}

/** The one account a write goes to: its own context, or the one `WHERE context = …` chose. */
export function writeAccount(
  accounts: Accounts,
  chosen: string | undefined,
  verb: string,
  /** How this statement names its account (the hint's first half). */
  how = `add WHERE context = '${accounts.names[0]}'`,
): string {
  if (chosen !== undefined) {
    if (!accounts.names.includes(chosen)) {
      throw new DoqlError('validation', `${verb}: context "${chosen}" is not one of this session's contexts (${accounts.names.join(', ')})`, {
        hint: `start doql with --context ${chosen} (or a list that has it)`,
      });
    }
    return chosen;
  }
  if (accounts.names.length === 1) return accounts.names[0];
  throw new DoqlError(
    'validation',
    `${verb} under several contexts (${accounts.names.join(', ')}) must say which account it changes; nothing was sent`,
    { hint: `${how ? `${how}, or ` : ''}run it with a single --context ${accounts.names[0]}` },
  );
}

/** The error of a failed account, naming it when the statement ran over several. */
export function accountError(err: unknown, context: string, accounts: Accounts): unknown {
  if (accounts.names.length > 1 && err instanceof Error && !err.message.startsWith(`context "${context}"`)) {
    err.message = `context "${context}": ${err.message}`;
  }
  return err;
}
