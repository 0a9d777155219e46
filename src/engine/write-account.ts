// Which account a write goes to: under several contexts a mutation must name one (WHERE context = 'a', or a
// single --context), else it is refused before anything is read or sent.
import { DoqlError } from '../errors.js';
import type { Mutation, WhereClause } from '../sql/tree/mutation.js';
import { CONTEXT_COLUMN, writeAccount } from './accounts.js';
import type { WriteContext } from './write/context.js';

/** `context = 'a'` taken out of a WHERE: the account, and the WHERE without it (undefined when nothing is left). */
function takeContext(where: WhereClause | undefined): { chosen?: string; where?: WhereClause } {
  if (!where) return {};
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
  // `INSERT INTO r (context, …)`: its rows name the account (chooseInsertAccount, once they are read).
  if (m.verb === 'insert' && m.columns.some(isContext)) return m;
  const accounts = await session.accounts();
  const { chosen, where } = 'where' in m ? takeContext(m.where) : {};
  const verb = m.verb.toUpperCase();
  const name =
    m.verb === 'insert'
      ? writeAccount(accounts, chosen, 'INSERT', `name it in a context column: INSERT INTO ${m.resource} (context, …) VALUES ('${accounts.names[0]}', …)`)
      : m.verb === 'exec'
        ? writeAccount(accounts, chosen, 'EXEC', '')
        : writeAccount(accounts, chosen, verb);
  session.narrowTo({ names: [name], api: () => accounts.api(name) });
  return 'where' in m ? { ...m, where } : m;
}

/**
 * The account of an INSERT whose column list has `context`, from the values its rows give that column: one
 * name for every row (a write goes to one account), else refused before anything is sent.
 */
export async function chooseInsertAccount(session: WriteContext, values: unknown[]): Promise<void> {
  const names = [...new Set(values)];
  if (!names.length) return; // no row: nothing is sent
  const accounts = await session.accounts();
  if (names.length > 1 || typeof names[0] !== 'string') {
    throw new DoqlError('validation', `an INSERT goes to one account: its rows give context ${names.map((n) => (typeof n === 'string' ? `'${n}'` : String(n))).join(', ')}; nothing was sent`, {
      hint: 'insert into each account with its own statement',
      sqlState: '42601',
    });
  }
  const name = writeAccount(accounts, names[0], 'INSERT');
  session.narrowTo({ names: [name], api: () => accounts.api(name) });
}

const isContext = (column: string | undefined): boolean => column?.toLowerCase() === CONTEXT_COLUMN;
