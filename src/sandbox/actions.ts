// Actions and lifecycles: creating a resource (or POSTing to …/actions) records an action that is
// in-progress and completes after actionDelayMs; created items start in their initial status.
import type { JsonSchema } from '../catalog/types.js';
import { isoSeconds } from './generator.js';
import type { GenContext } from './generator.js';
import type { ItemRef } from './lifecycle.js';
import { setAtPath, statusRule } from './lifecycle.js';
import type { Collection } from './model.js';
import { stableStringify } from './model.js';
import { uuidFrom } from './prng.js';
import type { SimContext } from './sim-context.js';
import type { Item } from './store.js';
import { parentKeyOf } from './store.js';

/** An item an action acts on. */
export interface ActionTarget {
  c: Collection;
  parentValues: string[];
  key: string;
  item: Item;
}

/**
 * Puts a created item in its initial status and schedules the settled one, which for an action is
 * `errored` instead of `completed` at the sandbox's action error rate. Returns the settled status.
 */
export function startLifecycle(sim: SimContext, c: Collection, refs: ItemRef[], item: Item, now: number): string | undefined {
  const rule = sim.factory.statusRule(c);
  if (!rule) return undefined;
  setAtPath(item, rule.path, rule.initial);
  const props = (c.itemSchema.properties ?? {}) as Record<string, JsonSchema>;
  for (const stamp of rule.stamps) if (props[stamp]?.nullable) item[stamp] = null;
  sim.store.touch(item);
  const statuses = (props.status?.enum ?? []) as unknown[];
  const errored = c.isActions && sim.actionErrorRate > 0 && statuses.includes('errored') && sim.factory.runtimeRng.chance(sim.actionErrorRate);
  const value = errored ? 'errored' : rule.final;
  sim.store.transitions.schedule({ at: now + sim.actionDelayMs, targets: refs, path: rule.path, value, stamps: rule.stamps });
  return value;
}

/** Applies every transition that is due: statuses settle and completion times are stamped. */
export function settle(sim: SimContext, now: number): void {
  for (const t of sim.store.transitions.takeDue(now)) {
    for (const ref of t.targets) {
      const item = sim.store.locate(ref);
      if (!item) continue;
      setAtPath(item, t.path, t.value);
      for (const s of t.stamps) item[s] = isoSeconds(t.at);
      sim.store.touch(item);
    }
  }
}

/** What an action type does to its target, for the few types whose effect is plain (DigitalOcean semantics). */
function applyEffect(sim: SimContext, type: string, target: ActionTarget, body: Record<string, unknown>): void {
  const status = target.c.itemSchema.properties?.status as JsonSchema | undefined;
  const setStatus = (v: string): void => {
    if (Array.isArray(status?.enum) && status.enum.includes(v)) {
      target.item.status = v;
      sim.store.touch(target.item);
    }
  };
  if (type === 'power_off' || type === 'shutdown') setStatus('off');
  else if (type === 'power_on' || type === 'power_cycle' || type === 'reboot') setStatus('active');
  else if (type === 'rename' && typeof body.name === 'string') sim.factory.merge(target.c, target.item, { name: body.name }, target.c.idField);
  else if (type === 'resize' && typeof body.size === 'string') sim.factory.merge(target.c, target.item, { size: body.size }, target.c.idField);
}

/** Whether actions of one schema can be stored in a log of another: same id type, same statuses. */
function compatible(a: JsonSchema, b: JsonSchema): boolean {
  const pa = (a.properties ?? {}) as Record<string, JsonSchema>;
  const pb = (b.properties ?? {}) as Record<string, JsonSchema>;
  return pa.id?.type === pb.id?.type && stableStringify(pa.status?.enum ?? null) === stableStringify(pb.status?.enum ?? null);
}

/** An action of a shape the action log does not hold (`/v2/nfs/{id}/actions`): answered, not stored. */
function standaloneAction(sim: SimContext, shape: JsonSchema, type: string, now: number): Item {
  const ctx: GenContext = { rng: sim.factory.runtimeRng, now, serial: 0 };
  const action = sim.generator.generate(shape, ctx) as Item;
  const props = (shape.properties ?? {}) as Record<string, JsonSchema>;
  const rule = statusRule(shape);
  if (rule) setAtPath(action, rule.path, rule.initial);
  if (props.type?.type === 'string' && (!props.type.enum || props.type.enum.includes(type))) action.type = type;
  if (props.started_at?.type === 'string') action.started_at = isoSeconds(now);
  return action;
}

/**
 * Records an action in the account's action log (`/v2/actions`) and under its target
 * (`/v2/droplets/{id}/actions`), in progress until actionDelayMs has passed. `shape` is the schema the
 * caller answers with, when it has one of its own.
 */
export function recordAction(
  sim: SimContext,
  type: string,
  now: number,
  target?: ActionTarget,
  body: Record<string, unknown> = {},
  shape?: JsonSchema,
): Item | undefined {
  const log = sim.model.actions;
  const local = target?.c.children.find((ch) => ch.isActions);
  const schemaOf = log ?? local;
  if (shape?.properties && (!schemaOf || !compatible(shape, schemaOf.itemSchema))) return standaloneAction(sim, shape, type, now);
  if (!schemaOf) return undefined;
  const ctx: GenContext = { rng: sim.factory.runtimeRng, now, serial: 0 };
  const action = sim.generator.generate(schemaOf.itemSchema, ctx) as Item;
  const props = (schemaOf.itemSchema.properties ?? {}) as Record<string, JsonSchema>;
  const localValues = target ? [...target.parentValues, target.key] : [];
  if (schemaOf.idField) {
    const idType = props[schemaOf.idField]?.type;
    if (idType === 'integer' || idType === 'number') {
      const taken = (n: number): boolean =>
        Boolean((log && sim.store.bucket(log, []).index.has(String(n))) || (local && sim.store.bucket(local, localValues).index.has(String(n))));
      while (taken(sim.store.nextInt)) sim.store.nextInt++;
      action[schemaOf.idField] = sim.store.nextInt++;
    } else action[schemaOf.idField] = uuidFrom(sim.factory.runtimeRng);
  }
  if (props.type) action.type = type;
  if (target) sim.factory.linkAction(action, schemaOf, target.c, target.key);
  else {
    if (props.resource_id?.nullable) action.resource_id = null;
    if (props.resource_type) action.resource_type = 'backend';
  }
  if (props.started_at) action.started_at = isoSeconds(now);
  if (props.region_slug && target) {
    const region = target.item.region;
    const slug = region && typeof region === 'object' ? (region as Record<string, unknown>).slug : region;
    if (typeof slug === 'string') action.region_slug = slug;
    // The action's region object is the target's own, where the schemas agree on its shape.
    const shape = props.region?.properties as Record<string, JsonSchema> | undefined;
    if (shape && region && typeof region === 'object' && !Array.isArray(region) && Object.keys(region).every((k) => k in shape)) {
      action.region = structuredClone(region);
    }
  }
  const refs: ItemRef[] = [];
  if (log) refs.push({ shape: log.shape, parentKey: '', key: sim.store.insert(log, [], action) });
  if (local) refs.push({ shape: local.shape, parentKey: parentKeyOf(localValues), key: sim.store.insert(local, localValues, action) });
  // An action that will fail changes nothing.
  const settled = startLifecycle(sim, schemaOf, refs, action, now);
  if (target && settled !== 'errored') applyEffect(sim, type, target, body);
  return action;
}
