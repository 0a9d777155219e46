// The JSON text of stored items as list rows, fitted to the row schema of the list serving them, kept
// as UTF-8 until an item changes: per item, and per page (the array text of a run of rows), so a warm
// listing writes bytes it already has instead of walking schemas, stringifying and encoding 200 rows.
// Bytes rather than strings: a page joined as a string is copied to flatten it and again to encode it,
// each time into fresh memory. Only rows the schema accepts as they are get cached: a row that needs
// parts regenerated draws them from the response's random stream, so its text depends on the rows
// before it.
import type { JsonSchema } from '../catalog/types.js';
import type { Regenerate } from './repair.js';
import { repair } from './repair.js';
import type { Revisions } from './revisions.js';

interface RowEntry {
  /** A view of the page text it was last part of. */
  text: Buffer;
  /** Revisions clock when the text was made. */
  at: number;
  /** Stored items embedded in the row (a droplet's region, size and image objects are the stored ones). */
  deps: readonly object[];
}

interface PageEntry {
  /** The rows, in order, that the text is of. */
  rows: readonly unknown[];
  bytes: Buffer;
  at: number;
  /** Every row's embedded items. */
  deps: readonly object[];
}

/** How deep embedded items are looked for: a guard against cycles (rows are far shallower; repair stops at 24). */
const MAX_DEPTH = 32;
const EMPTY = Buffer.from('[]');

/**
 * Whether cache hits are re-derived and compared (a stale text then fails the request loudly). On under
 * vitest, so every test run doubles as an audit of the invalidation points; DOQL_SANDBOX_CHECK_CACHE=1
 * or 0 forces it either way.
 */
export function checkCachedTextsByDefault(): boolean {
  const forced = process.env.DOQL_SANDBOX_CHECK_CACHE;
  return forced ? forced === '1' : process.env.VITEST !== undefined;
}

export class StaleRowText extends Error {
  constructor() {
    super('sandbox: a cached row text is stale (a stored item changed without Store.touch)');
  }
}

const isObject = (v: unknown): v is object => v !== null && typeof v === 'object';

/** A WeakMap per schema, made on first use: there are few row schemas and many items. */
function mapFor<V>(bySchema: WeakMap<JsonSchema, WeakMap<object, V>>, schema: JsonSchema): WeakMap<object, V> {
  let map = bySchema.get(schema);
  if (!map) bySchema.set(schema, (map = new WeakMap()));
  return map;
}

export class RowTexts {
  private readonly rowsBySchema = new WeakMap<JsonSchema, WeakMap<object, RowEntry>>();
  /** Per row schema: the last page text that began with a row, found by that row and valid only for the very same rows. */
  private readonly pagesBySchema = new WeakMap<JsonSchema, WeakMap<object, PageEntry>>();

  constructor(
    private readonly revisions: Revisions,
    readonly check = checkCachedTextsByDefault(),
  ) {}

  /**
   * `JSON.stringify(rows.map((r) => repair(r, schema, regen, name, 1)))` as UTF-8, rows repaired in
   * order (so that those needing it draw from regen's stream as one repair of the array would).
   */
  arrayJson(rows: readonly unknown[], schema: JsonSchema, name: string | undefined, regen: Regenerate): Buffer {
    if (rows.length === 0) return EMPTY;
    const pages = isObject(rows[0]) ? mapFor(this.pagesBySchema, schema) : undefined;
    const page = pages?.get(rows[0] as object);
    const hit = page && this.pageFresh(page, rows) ? page.bytes : undefined;
    if (hit && !this.check) return hit;
    const at = this.revisions.now();
    // Rows made now are strings, encoded straight into the page's bytes (no buffer of their own).
    const texts: (Buffer | string)[] = new Array(rows.length);
    const entries: (RowEntry | undefined)[] = new Array(rows.length);
    const made: boolean[] = new Array(rows.length);
    let size = rows.length + 1; // brackets and commas
    for (let i = 0; i < rows.length; i++) {
      const row = this.rowJson(rows[i], schema, name, regen);
      texts[i] = row.text;
      entries[i] = row.entry;
      made[i] = row.made;
      size += typeof row.text === 'string' ? Buffer.byteLength(row.text) : row.text.length;
    }
    const bytes = Buffer.allocUnsafe(size);
    const starts = new Array<number>(rows.length);
    let offset = 0;
    for (let i = 0; i < rows.length; i++) {
      bytes[offset++] = i === 0 ? 0x5b /* [ */ : 0x2c /* , */;
      starts[i] = offset;
      const text = texts[i];
      offset += typeof text === 'string' ? bytes.write(text, offset) : text.copy(bytes, offset);
    }
    bytes[offset] = 0x5d; /* ] */
    if (hit) {
      if (!bytes.equals(hit)) throw new StaleRowText();
      return hit;
    }
    const deps = new Set<object>();
    const rowCache = mapFor(this.rowsBySchema, schema);
    for (let i = 0; i < rows.length; i++) {
      const e = entries[i];
      if (!e) continue;
      for (const d of e.deps) deps.add(d);
      // The row's text becomes a view of the page's: one copy of the bytes is kept, not two.
      e.text = bytes.subarray(starts[i], (i + 1 < rows.length ? starts[i + 1] : size) - 1);
      // Only now, with its text in place (a later row that throws leaves no half-made entry behind).
      if (made[i]) rowCache.set(rows[i] as object, e);
    }
    // A page with a row that is not cached (regenerated parts) is not cached either.
    if (pages && entries.every((e) => e !== undefined)) pages.set(rows[0] as object, { rows: [...rows], bytes, at, deps: [...deps] });
    return bytes;
  }

  /**
   * One row's text, and its cache entry when it is cacheable (the schema takes the row as it is);
   * `made`: the entry is new, for the caller to store once its text is in place.
   */
  private rowJson(item: unknown, schema: JsonSchema, name: string | undefined, regen: Regenerate): { text: Buffer | string; entry?: RowEntry; made: boolean } {
    // Not an object (a hand-edited state file): nothing to key a cache entry on.
    if (!isObject(item)) return { text: JSON.stringify(repair(item, schema, regen, name, 1)) ?? 'null', made: false };
    const cache = mapFor(this.rowsBySchema, schema);
    const entry = cache.get(item);
    const hit = entry && this.rowFresh(item, entry) ? entry : undefined;
    if (hit && !this.check) return { text: hit.text, entry: hit, made: false };
    const at = this.revisions.now();
    let regenerated = false;
    const noting: Regenerate = (s, n) => {
      regenerated = true;
      return regen(s, n);
    };
    const text = JSON.stringify(repair(item, schema, noting, name, 1));
    if (hit) {
      if (regenerated || !hit.text.equals(Buffer.from(text))) throw new StaleRowText();
      return { text: hit.text, entry: hit, made: false };
    }
    if (regenerated) return { text, made: false };
    // The text is a placeholder until arrayJson points it into the page's bytes.
    return { text, entry: { text: EMPTY, at, deps: this.embeddedItems(item) }, made: true };
  }

  private rowFresh(item: object, entry: RowEntry): boolean {
    if (this.revisions.changedSince(item, entry.at)) return false;
    for (const d of entry.deps) if (this.revisions.changedSince(d, entry.at)) return false;
    return true;
  }

  /** The same rows, none changed (nor anything they embed) since the page text was made. */
  private pageFresh(page: PageEntry, rows: readonly unknown[]): boolean {
    if (page.rows.length !== rows.length) return false;
    for (let i = 0; i < rows.length; i++) if (page.rows[i] !== rows[i]) return false;
    for (const row of rows) if (this.revisions.changedSince(row as object, page.at)) return false;
    for (const d of page.deps) if (this.revisions.changedSince(d, page.at)) return false;
    return true;
  }

  private embeddedItems(root: object): object[] {
    const found: object[] = [];
    this.findTracked(root, root, 0, found);
    return found;
  }

  private findTracked(v: object, root: object, depth: number, found: object[]): void {
    if (v !== root && this.revisions.isTracked(v)) found.push(v);
    if (depth >= MAX_DEPTH) return;
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') this.findTracked(x as object, root, depth + 1, found);
    } else {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== null && typeof x === 'object') this.findTracked(x, root, depth + 1, found);
      }
    }
  }
}
