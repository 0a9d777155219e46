// Status lifecycles by rule: a status enum with a starting value (new, creating, in-progress, …) and a
// settled one (active, online, completed, …) moves from the first to the second after a delay.
// Transitions are kept as data (not timers) and applied when due, so they survive a state file.
import type { JsonSchema } from '../catalog/types.js';

const INITIAL = ['new', 'creating', 'provisioning', 'pending', 'in-progress', 'in_progress', 'building', 'deploying', 'starting', 'initializing', 'queued', 'pending_deployment'];
const FINAL = ['active', 'online', 'running', 'available', 'ready', 'completed', 'complete', 'succeeded', 'success', 'enabled', 'created', 'up'];
/** Fields stamped with the completion time when a transition settles. */
const COMPLETION_FIELDS = ['completed_at', 'finished_at'];

export interface StatusRule {
  /** Where the status is: `['status']`, or `['status', 'state']` for `status: {state}`. */
  path: string[];
  initial: string;
  final: string;
  /** Completion timestamps the item has (`completed_at`). */
  stamps: string[];
}

function pickFrom(values: unknown[], wanted: string[]): string | undefined {
  for (const w of wanted) {
    const hit = values.find((v) => typeof v === 'string' && v.toLowerCase() === w);
    if (typeof hit === 'string') return hit;
  }
  return undefined;
}

/** The lifecycle an item schema admits, if its status enum has both a starting and a settled value. */
export function statusRule(item: JsonSchema): StatusRule | undefined {
  const props = (item.properties ?? {}) as Record<string, JsonSchema>;
  const candidates: [string[], JsonSchema | undefined][] = [
    [['status'], props.status],
    [['status', 'state'], props.status?.properties?.state],
    [['state'], props.state],
    [['phase'], props.phase],
  ];
  for (const [path, schema] of candidates) {
    if (!schema || !Array.isArray(schema.enum)) continue;
    const initial = pickFrom(schema.enum, INITIAL);
    const final = pickFrom(schema.enum, FINAL);
    if (initial && final) return { path, initial, final, stamps: COMPLETION_FIELDS.filter((f) => props[f]) };
  }
  return undefined;
}

export function setAtPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** Where a stored item is: collection shape, parent key, item key. */
export interface ItemRef {
  shape: string;
  parentKey: string;
  key: string;
}

export interface Transition {
  /** Epoch ms when it settles. */
  at: number;
  targets: ItemRef[];
  path: string[];
  value: string;
  stamps: string[];
}

/** Pending transitions, earliest first. */
export class TransitionQueue {
  private items: Transition[] = [];

  schedule(t: Transition): void {
    let i = this.items.length;
    while (i > 0 && this.items[i - 1].at > t.at) i--;
    this.items.splice(i, 0, t);
  }

  /** Removes and returns every transition due at `now`. */
  takeDue(now: number): Transition[] {
    let n = 0;
    while (n < this.items.length && this.items[n].at <= now) n++;
    return n === 0 ? [] : this.items.splice(0, n);
  }

  toJSON(): Transition[] {
    return this.items;
  }

  load(items: Transition[]): void {
    this.items = [...items].sort((a, b) => a.at - b.at);
  }

  clear(): void {
    this.items = [];
  }
}
