// /*+ AWAIT */: waits until every action a response points to is completed, and until a created object
// leaves its transitional status (a droplet `new` → `active`). One rule for every operation of the spec.
import { DoqlError } from '../errors.js';
import type { EngineApi } from './fetcher.js';

const TRANSITIONAL = new Set(['new', 'pending', 'provisioning', 'creating', 'building', 'in-progress', 'in_progress', 'forking', 'migrating', 'resizing', 'restoring', 'deploying']);
const FAILED = new Set(['errored', 'error', 'failed']);

interface ActionRef {
  id: number | string;
  type?: string;
}

/** Action ids a response mentions: `links.actions[]`, `action`, `actions[]`. */
export function actionRefs(body: unknown): ActionRef[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  const out: ActionRef[] = [];
  const add = (a: unknown): void => {
    if (a && typeof a === 'object' && (typeof (a as ActionRef).id === 'number' || typeof (a as ActionRef).id === 'string')) {
      out.push({ id: (a as ActionRef).id, type: (a as { type?: string }).type ?? (a as { rel?: string }).rel });
    }
  };
  const links = b.links as Record<string, unknown> | undefined;
  if (links && Array.isArray(links.actions)) links.actions.forEach(add);
  if (b.action) add(b.action);
  if (Array.isArray(b.actions)) b.actions.forEach(add);
  return out;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new DoqlError('cancelled', 'statement cancelled', { sqlState: '57014' }));
      },
      { once: true },
    );
  });
}

export interface AwaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  /** When the wait ends (epoch ms), shared by several waits; default now + timeoutMs. */
  deadline?: number;
  /** First poll delay; grows ×1.5 to 5 s. */
  initialDelayMs?: number;
}

/** Polls GET /v2/actions/{id} for each action until all are completed; returns each completed action by id. */
export async function awaitActions(api: EngineApi, refs: ActionRef[], options: AwaitOptions): Promise<Map<string, Record<string, unknown>>> {
  const deadline = options.deadline ?? Date.now() + options.timeoutMs;
  const pending = new Map(refs.map((r) => [String(r.id), r]));
  const done = new Map<string, Record<string, unknown>>();
  let delay = options.initialDelayMs ?? 250;
  while (pending.size) {
    await Promise.all(
      [...pending.values()].map(async (ref) => {
        const res = await api.request({ method: 'GET', path: `/v2/actions/${encodeURIComponent(String(ref.id))}`, signal: options.signal });
        const action = (res.body as { action?: { status?: string; type?: string } }).action;
        const status = action?.status;
        if (status === 'completed') {
          pending.delete(String(ref.id));
          done.set(String(ref.id), action as Record<string, unknown>);
        } else if (status && FAILED.has(status)) {
          throw new DoqlError('api', `action ${ref.id} (${action?.type ?? ref.type ?? 'unknown type'}) ${status}`, {
            hint: `see SELECT * FROM digitalocean.account.actions WHERE action_id = ${ref.id}`,
          });
        }
      }),
    );
    if (!pending.size) break;
    options.onProgress?.(`waiting for ${pending.size} action${pending.size > 1 ? 's' : ''}: ${[...pending.keys()].join(', ')}`);
    if (Date.now() + delay > deadline) {
      throw new DoqlError('timeout', `gave up waiting after ${Math.round(options.timeoutMs / 1000)} s for action${pending.size > 1 ? 's' : ''} ${[...pending.keys()].join(', ')} (still in progress)`, {
        hint: 'raise --wait-timeout, or check later with SELECT * FROM digitalocean.account.actions',
      });
    }
    await sleep(delay, options.signal);
    delay = Math.min(5000, delay * 1.5);
  }
  return done;
}

/** Polls an object's get path until its `status` leaves the transitional states. */
export async function awaitStatus(api: EngineApi, getPath: string, objectKey: string | undefined, options: AwaitOptions): Promise<unknown> {
  const deadline = options.deadline ?? Date.now() + options.timeoutMs;
  let delay = options.initialDelayMs ?? 250;
  for (;;) {
    const res = await api.request({ method: 'GET', path: getPath, signal: options.signal });
    const body = res.body as Record<string, unknown>;
    const obj = (objectKey && objectKey !== '$' ? body?.[objectKey.slice(2)] : body) as Record<string, unknown> | undefined;
    const status = typeof obj?.status === 'string' ? obj.status : undefined;
    if (!status || !TRANSITIONAL.has(status)) {
      if (status && FAILED.has(status)) throw new DoqlError('api', `${getPath} ended in status ${status}`);
      return obj;
    }
    options.onProgress?.(`waiting for ${getPath}: ${status}`);
    if (Date.now() + delay > deadline) {
      throw new DoqlError('timeout', `gave up waiting after ${Math.round(options.timeoutMs / 1000)} s for ${getPath} (status still ${status})`, {
        hint: 'raise --wait-timeout',
      });
    }
    await sleep(delay, options.signal);
    delay = Math.min(5000, delay * 1.5);
  }
}

export function isTransitional(status: unknown): boolean {
  return typeof status === 'string' && TRANSITIONAL.has(status);
}
