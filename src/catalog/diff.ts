// Compares two catalogs: the resources and methods one has that the other lacks (for spec updates and pulls).
import type { Catalog } from './types.js';

export function countResources(catalog: Catalog): number {
  return Object.values(catalog.services).reduce((n, s) => n + Object.keys(s.resources).length, 0);
}

export interface CatalogDiff {
  resourcesAdded: string[];
  resourcesRemoved: string[];
  /** `digitalocean.compute.droplets.droplets_list`, for methods of resources in both catalogs. */
  methodsAdded: string[];
  methodsRemoved: string[];
}

/** Resource id → its method names. */
function methodsByResource(catalog: Catalog): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const service of Object.values(catalog.services)) {
    for (const resource of Object.values(service.resources)) out.set(resource.id, new Set(resource.methods.map((m) => m.name)));
  }
  return out;
}

export function diffCatalogs(before: Catalog, after: Catalog): CatalogDiff {
  const a = methodsByResource(before);
  const b = methodsByResource(after);
  const diff: CatalogDiff = { resourcesAdded: [], resourcesRemoved: [], methodsAdded: [], methodsRemoved: [] };
  for (const [id, methods] of b) {
    const old = a.get(id);
    if (!old) diff.resourcesAdded.push(id);
    else for (const m of methods) if (!old.has(m)) diff.methodsAdded.push(`${id}.${m}`);
  }
  for (const [id, methods] of a) {
    const now = b.get(id);
    if (!now) diff.resourcesRemoved.push(id);
    else for (const m of methods) if (!now.has(m)) diff.methodsRemoved.push(`${id}.${m}`);
  }
  for (const list of Object.values(diff)) list.sort();
  return diff;
}

/** A readable report: counts first, then one line per change (`+ digitalocean.genai.agents`). */
export function formatDiff(diff: CatalogDiff, before: Catalog, after: Catalog): string {
  const lines = [
    `operations ${before.operationCount} → ${after.operationCount}, resources ${countResources(before)} → ${countResources(after)}`,
    `resources: ${diff.resourcesAdded.length} added, ${diff.resourcesRemoved.length} removed; ` +
      `methods of kept resources: ${diff.methodsAdded.length} added, ${diff.methodsRemoved.length} removed`,
    ...diff.resourcesAdded.map((r) => `+ resource ${r}`),
    ...diff.resourcesRemoved.map((r) => `- resource ${r}`),
    ...diff.methodsAdded.map((m) => `+ method ${m}`),
    ...diff.methodsRemoved.map((m) => `- method ${m}`),
  ];
  return `${lines.join('\n')}\n`;
}
