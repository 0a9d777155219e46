// INSERT, UPDATE, REPLACE, DELETE and EXEC, step by step: parse the statement into its tree, plan the requests
// (write/plan.ts), check them, show them (--dry-run) or confirm and send them (write/confirm.ts, write/send.ts), wait
// for their actions when asked (write/await-step.ts), and shape the result (write/report.ts).
import { parseMutation } from '../sql/tree/mutation.js';
import type { Statement } from '../sql/statement.js';
import { assertServedHere } from './served-here.js';
import type { ExecuteOptions, StatementResult } from './types.js';
import type { WriteContext } from './write/context.js';
import { planWrite } from './write/plan.js';
import { bulkTargets, confirmChange, dryRun } from './write/confirm.js';
import { sendAll } from './write/send.js';
import { awaitWrite } from './write/await-step.js';
import { checkReturning, report } from './write/report.js';
import { chooseWriteAccount } from './write-account.js';

export async function runMutation(ctx: WriteContext, stmt: Extract<Statement, { kind: 'mutation' }>, options: ExecuteOptions): Promise<StatementResult> {
  const m = await chooseWriteAccount(ctx, await parseMutation(stmt.text, stmt.tokens));
  const planned = await planWrite(ctx, m, options);
  const { resource, method, requests } = planned;
  // Before the dry run too: it must not show a request doql would refuse to send.
  assertServedHere(ctx.api(), resource.id, method);
  if (m.returning) checkReturning(ctx, resource, method, m.returning, m.verb === 'exec');
  if (ctx.mutation.dryRun) return dryRun(ctx, planned, options);

  const none: StatementResult = { kind: 'command', columns: [], rows: [], command: `${m.verb.toUpperCase()} 0`, notices: [`no rows matched: nothing sent`] };
  if (requests.length === 0) return none;
  // Read even with --yes: the statement reports how many rows it removed, and sends nothing when none match.
  const affected = planned.bulk ? await bulkTargets(ctx, resource, requests[0], options) : undefined;
  if (affected?.length === 0) return none;
  await confirmChange(ctx, m.verb, planned, affected);

  const responses = await sendAll(ctx, resource.id, requests, options);
  const answered = responses.map((r) => r.body);
  const bodies = m.hints.await ? await awaitWrite(ctx, m.verb, planned, answered, options) : answered;
  return report(ctx, m, planned, responses, bodies, affected);
}
