// A session's SELECT translations by statement text, so that a statement run again is not parsed and translated again.
import type { SelectTranslation } from './translate-select.js';

/**
 * translateSelect is a function of the statement's text (templates already rendered) and of the ResourceInfo it
 * asks, which reads only the session's catalog: no setting, search_path or variable reaches it. A session keeps
 * its catalog for its life, so its translations stay right for it; the owner passes the catalog it translates
 * against, and a different one empties the cache. A translation that fails is not kept (it throws again).
 * Callers must not change a translation they are given: the next run of the same text gets the same object.
 */
export class TranslationCache {
  private readonly entries = new Map<string, SelectTranslation>();
  private against: unknown;

  constructor(private readonly limit = 128) {}

  async get(text: string, catalog: unknown, translate: () => Promise<SelectTranslation>): Promise<SelectTranslation> {
    if (catalog !== this.against) {
      this.entries.clear();
      this.against = catalog;
    }
    const hit = this.entries.get(text);
    if (hit) {
      // Most recently used last: the oldest entry is the one dropped when the cache is full.
      this.entries.delete(text);
      this.entries.set(text, hit);
      return hit;
    }
    const t = await translate();
    if (this.against !== catalog) return t;
    this.entries.set(text, t);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    return t;
  }
}
