// Which account a write goes to: under several contexts a mutation must name one (WHERE context = 'a', or a
// single --context), else it is refused before anything is read or sent.
import { DoqlError } from '../errors.js';
import type { Mutation, WhereClause } from '../sql/tree/mutation.js';
import { CONTEXT_COLUMN, writeAccount } from './accounts.js';
import type { WriteContext } from './write/context.js';

/** `context = 'a'` taken out of a WHERE: the account, and the WHERE without it (undefined when nothing is left). */
function takeContext(where: WhereClause | undefined): { chosen?: string; where?: WhereClause } {
  if (!where) return {};
  const isContext = (column: string | undefined): boolean => column?.toLowerCase() === CONTEXT_COLUMN;
  const pins = where.equalities.filter((e) => isContext(e.column));
  if (!pins.length) return { where };
  const values = [...new Set(pins.flatMap((e) => e.values))];
  if (values.length !== 1 || typeof values[0] !== 'string') {
    throw new DoqlError('validation', "a write goes to one account: WHERE context = 'name' with a single name; nothing was sent", { sqlState: '42601' });
  }
  const conjuncts = where.conjuncts.filter((c) => !isContext(c.column));
  if (!conjuncts.length) return { chosen: values[0] };
  return {
    chosen: values[0],
    where: {
      ...where,
      text: conjuncts.map((c) => `(${c.text})`).join(' AND '),
      conjuncts,
      equalities: where.equalities.filter((e) => !isContext(e.column)),
    },
  };
}

/**
 * Chooses the account of a write and narrows the session to it for the statement (its reads too, so that rows
 * found by a WHERE are the chosen account's). Returns the mutation without its `context = …`.
 */
export async function chooseWriteAccount<M extends Mutation>(session: WriteContext, m: M): Promise<M> {
  const accounts = await session.accounts();
  const { chosen, where } = 'where' in m ? takeContext(m.where) : {};
  const verb = m.verb.toUpperCase();
  const name = writeAccount(accounts, chosen, m.verb === 'insert' || m.verb === 'exec' ? `${verb} (which has no WHERE)` : verb);
  session.narrowTo({ names: [name], api: () => accounts.api(name) });
  return 'where' in m ? { ...m, where } : m;
}
