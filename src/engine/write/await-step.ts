// /*+ AWAIT */ after a write was answered: waits for the actions it started, then for a created object in a
// transitional status (a droplet `new`), all under one deadline; the answers are shown as they ended.
import { DoqlError } from '../../errors.js';
import type { Resource } from '../../catalog/types.js';
import { columnForParam, pathParamNames } from '../../catalog/param-columns.js';
import { actionRefs, awaitActions, awaitStatus, isTransitional } from '../await-actions.js';
import { fillPath } from '../fetcher.js';
import { extractItems } from '../rows.js';
import type { ExecuteOptions } from '../types.js';
import type { Planned, WriteContext } from './context.js';
import { answering } from './report.js';

type ActionLike = { id?: unknown };

/** The response bodies once everything they started has finished (or the wait gave up, with an error). */
export async function awaitWrite(ctx: WriteContext, verb: string, planned: Planned, answered: unknown[], options: ExecuteOptions): Promise<unknown[]> {
  const { resource, method } = planned;
  const opts = ctx.mutation;
  const api = ctx.api();
  let bodies = answered;
  // One deadline for the whole wait: the actions, then the created objects' statuses.
  const wait = { timeoutMs: opts.waitTimeoutMs, deadline: Date.now() + opts.waitTimeoutMs, signal: options.signal, onProgress: opts.onProgress };
  const refs = bodies.flatMap(actionRefs);
  if (refs.length) {
    // The response's own action objects are shown (SHOWRESULTS, RETURNING) as they ended, not as they started.
    const final = await awaitActions(api, refs, wait).catch((err: unknown) => {
      throw verb === 'insert' ? namingCreated(err, resource, bodies.flatMap((b) => extractItems(answering(resource, method, b), b))) : err;
    });
    const settled = (a: unknown): unknown => (a && typeof a === 'object' && final.get(String((a as ActionLike).id))) || a;
    bodies = bodies.map((b) => {
      if (!b || typeof b !== 'object' || Array.isArray(b)) return b;
      const r = b as Record<string, unknown>;
      return { ...r, ...(r.action ? { action: settled(r.action) } : {}), ...(Array.isArray(r.actions) ? { actions: r.actions.map(settled) } : {}) };
    });
  }
  // A created object in a transitional status (droplet `new`): wait on its get method too.
  const get = resource.methods.find((x) => x.verb === 'select' && !x.returnsList && pathParamNames(x).length === 1);
  const idParam = get ? pathParamNames(get)[0] : undefined;
  const idCol = idParam && get ? columnForParam(get, idParam) : undefined;
  if (verb === 'insert' && get && idParam && idCol) {
    bodies = await Promise.all(
      bodies.map(async (b) => {
        const answer = answering(resource, method, b);
        const objs = extractItems(answer, b) as Record<string, unknown>[];
        const waits = (o: Record<string, unknown>): boolean => Boolean(o) && typeof o === 'object' && isTransitional(o.status) && o[idCol] !== undefined;
        if (!objs.some(waits)) return b;
        const latest = await Promise.all(
          objs.map((o) => (waits(o) ? awaitStatus(api, fillPath(get.path, { [idParam]: o[idCol] }), get.objectKey, wait) : o)),
        );
        if (!answer.objectKey || answer.objectKey === '$') return answer.returnsList ? latest : latest[0];
        const key = answer.objectKey.slice(2);
        return { ...(b as object), [key]: Array.isArray((b as Record<string, unknown>)[key]) ? latest : latest[0] };
      }),
    );
  }
  ctx.cache.invalidate(resource.id);
  return bodies;
}

/**
 * A create whose action failed still made its object (a droplet that errored exists and may bill): the error names
 * it, so the user can inspect or delete it rather than create another.
 */
function namingCreated(err: unknown, resource: Resource, created: unknown[]): unknown {
  if (!(err instanceof DoqlError) || err.code === 'cancelled') return err;
  const ids = created.flatMap((o) => (o && typeof o === 'object' ? [(o as Record<string, unknown>).id ?? (o as Record<string, unknown>).uuid] : [])).filter((id) => id !== undefined && id !== null);
  if (!ids.length) return err;
  const list = ids.map((id) => String(id)).join(', ');
  return new DoqlError(err.code, `${err.message}; the INSERT created ${resource.id} ${ids.length === 1 ? 'id' : 'ids'} ${list}, which ${ids.length === 1 ? 'exists' : 'exist'}`, {
    hint: `inspect it with SELECT * FROM ${resource.id} WHERE id = ${typeof ids[0] === 'number' ? ids[0] : `'${String(ids[0])}'`}, or DELETE it`,
    cause: err,
  });
}
