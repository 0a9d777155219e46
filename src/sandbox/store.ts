// The simulator's state: collections of items keyed by list path shape and parent key, singleton
// documents by concrete path, and pending status transitions. Child buckets are seeded lazily, the
// first time anything looks at them, so 100k parents cost nothing until their children are read.
import type { Collection, SandboxModel } from './model.js';
import type { ItemRef, Transition } from './lifecycle.js';
import { TransitionQueue } from './lifecycle.js';
import { Revisions } from './revisions.js';
import { RowTexts } from './row-texts.js';

export type Item = Record<string, unknown>;

export interface Bucket {
  items: Item[];
  /** Parallel to items: the key an item path names it by. */
  keys: string[];
  index: Map<string, Item>;
}

/** Produces the seeded items of a bucket the first time it is read. */
export type Seeder = (collection: Collection, parentValues: string[]) => Item[];

export interface StoreSnapshot {
  buckets: Record<string, Record<string, { items: Item[]; keys: string[] }>>;
  singletons: Record<string, unknown>;
  transitions: Transition[];
  nextInt: number;
  anon: number;
  /** How many processes have continued this state. */
  generation: number;
}

/** Integer ids of items created through the API start here, above every seeded range. */
export const CREATED_INT_BASE = 900_000_000;

export function parentKeyOf(values: readonly string[]): string {
  return values.map(encodeURIComponent).join('/');
}

export class Store {
  private buckets = new Map<string, Map<string, Bucket>>();
  /** Documents of singleton paths (`/v2/databases/x/config`) once read or written. */
  singletons = new Map<string, unknown>();
  readonly transitions = new TransitionQueue();
  nextInt = CREATED_INT_BASE;
  private anon = 0;
  generation = 0;
  seeder: Seeder = () => [];
  readonly revisions = new Revisions();
  /** Items' list-row JSON, valid until they are touched. */
  readonly rowTexts = new RowTexts(this.revisions);

  constructor(private readonly model: SandboxModel) {}

  /**
   * Every in-place change to a stored item must call this (after the change, in the same request):
   * cached texts of the item, and of items embedding it, are stale from then on. Objects not served yet
   * (being created, seeded or loaded) need none, but a touch there costs nothing and keeps the rule simple.
   */
  touch(item: object): void {
    this.revisions.touch(item);
  }

  keyOf(c: Collection, item: Item): string {
    const v = c.idField ? item[c.idField] : undefined;
    return v === undefined || v === null ? `#${++this.anon}` : String(v);
  }

  /** The bucket if it exists, without seeding it. */
  peek(c: Collection, parentValues: readonly string[]): Bucket | undefined {
    return this.buckets.get(c.shape)?.get(parentKeyOf(parentValues));
  }

  /** The bucket, seeded on first use. Callers check that the parents exist first. */
  bucket(c: Collection, parentValues: readonly string[]): Bucket {
    const existing = this.peek(c, parentValues);
    if (existing) return existing;
    return this.setItems(c, parentValues, this.seeder(c, [...parentValues]));
  }

  setItems(c: Collection, parentValues: readonly string[], items: Item[], keys?: string[]): Bucket {
    const bucket: Bucket = { items: [], keys: [], index: new Map() };
    items.forEach((item, i) => {
      const key = keys?.[i] ?? this.keyOf(c, item);
      if (bucket.index.has(key)) return; // a duplicate id cannot be addressed: keep the first
      this.revisions.track(item);
      bucket.items.push(item);
      bucket.keys.push(key);
      bucket.index.set(key, item);
    });
    let byParent = this.buckets.get(c.shape);
    if (!byParent) this.buckets.set(c.shape, (byParent = new Map()));
    byParent.set(parentKeyOf(parentValues), bucket);
    return bucket;
  }

  /** An item by the id an item path names (or by a secondary id such as an image slug). */
  find(c: Collection, parentValues: readonly string[], id: string): Item | undefined {
    const bucket = this.bucket(c, parentValues);
    const hit = bucket.index.get(id);
    if (hit || c.altIdFields.length === 0) return hit;
    return bucket.items.find((item) => c.altIdFields.some((f) => item[f] !== undefined && item[f] !== null && String(item[f]) === id));
  }

  keyOfStored(c: Collection, parentValues: readonly string[], item: Item): string | undefined {
    const bucket = this.bucket(c, parentValues);
    const i = bucket.items.indexOf(item);
    return i < 0 ? undefined : bucket.keys[i];
  }

  /** Adds an item created through the API; its child collections start empty (nothing to seed). */
  insert(c: Collection, parentValues: readonly string[], item: Item): string {
    const bucket = this.bucket(c, parentValues);
    const key = this.keyOf(c, item);
    this.revisions.track(item);
    bucket.items.push(item);
    bucket.keys.push(key);
    bucket.index.set(key, item);
    for (const child of c.children) this.setItems(child, [...parentValues, key], []);
    return key;
  }

  /** Removes an item and everything under it. */
  remove(c: Collection, parentValues: readonly string[], key: string): boolean {
    const bucket = this.bucket(c, parentValues);
    const item = bucket.index.get(key);
    if (!item) return false;
    const i = bucket.items.indexOf(item);
    bucket.items.splice(i, 1);
    bucket.keys.splice(i, 1);
    bucket.index.delete(key);
    const prefix = parentKeyOf([...parentValues, key]);
    const dropUnder = (parent: Collection): void => {
      for (const child of parent.children) {
        const byParent = this.buckets.get(child.shape);
        if (byParent) {
          for (const pk of [...byParent.keys()]) if (pk === prefix || pk.startsWith(`${prefix}/`)) byParent.delete(pk);
        }
        dropUnder(child);
      }
    };
    dropUnder(c);
    // Deleted parents must not come back through lazy seeding: an empty marker bucket is not needed
    // because every read checks the parent first.
    return true;
  }

  /** An item wherever it is now (transitions find their targets through this). */
  locate(ref: ItemRef): Item | undefined {
    return this.buckets.get(ref.shape)?.get(ref.parentKey)?.index.get(ref.key);
  }

  clear(): void {
    this.buckets.clear();
    this.singletons.clear();
    this.transitions.clear();
    this.nextInt = CREATED_INT_BASE;
    this.anon = 0;
    this.generation = 0;
  }

  toJSON(): StoreSnapshot {
    const buckets: StoreSnapshot['buckets'] = {};
    for (const [shape, byParent] of this.buckets) {
      const out: Record<string, { items: Item[]; keys: string[] }> = {};
      for (const [pk, b] of byParent) out[pk] = { items: b.items, keys: b.keys };
      buckets[shape] = out;
    }
    return {
      buckets,
      singletons: Object.fromEntries(this.singletons),
      transitions: this.transitions.toJSON(),
      nextInt: this.nextInt,
      anon: this.anon,
      generation: this.generation,
    };
  }

  load(snapshot: StoreSnapshot): void {
    this.clear();
    for (const [shape, byParent] of Object.entries(snapshot.buckets)) {
      const c = this.model.collections.get(shape);
      if (!c) continue; // a collection the current spec no longer has
      for (const [pk, b] of Object.entries(byParent)) {
        const values = pk === '' ? [] : pk.split('/').map(decodeURIComponent);
        this.setItems(c, values, b.items, b.keys);
      }
    }
    this.singletons = new Map(Object.entries(snapshot.singletons ?? {}));
    this.transitions.load(snapshot.transitions ?? []);
    this.nextInt = snapshot.nextInt ?? CREATED_INT_BASE;
    this.anon = snapshot.anon ?? 0;
    this.generation = snapshot.generation ?? 0;
  }
}
