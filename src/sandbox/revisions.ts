// Change stamps for stored items. Every change to an item goes through touch(), which stamps it with
// the next value of one clock; whatever is derived from an item (its JSON text) remembers the clock
// when it was derived and is stale once the item, or a stored item it embeds, has a later stamp.
// Stamps live in a WeakMap, not on the items: items are serialized as they are (responses, state files).

export class Revisions {
  private clock = 0;
  private readonly stamps = new WeakMap<object, number>();

  /** Marks an object as a stored item (embedded items are dependencies of the embedding item's text). */
  track(item: object): void {
    // A state file can hold anything: only objects can be stamped (and only they are ever cached).
    if (typeof item === 'object' && item !== null && !this.stamps.has(item)) this.stamps.set(item, 0);
  }

  /** Whether an object is a stored item (or ever was one). */
  isTracked(value: object): boolean {
    return this.stamps.has(value);
  }

  /** Records that an item changed (called after the change, before anything is served from it). */
  touch(item: object): void {
    this.stamps.set(item, ++this.clock);
  }

  /** The clock now: a later touch of anything gives it a greater stamp. */
  now(): number {
    return this.clock;
  }

  changedSince(item: object, at: number): boolean {
    return (this.stamps.get(item) ?? 0) > at;
  }
}
