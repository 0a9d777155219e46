// catalog.json with an index beside it (catalog-index.json: every service's fields and where each resource's JSON
// lies in catalog.json), so a command parses only the resources it touches: SHOW SERVICES none, a SELECT its tables.
import type { Catalog, Resource, Service } from './types.js';

export const INDEX_FILE = 'catalog-index.json';

interface CatalogIndex extends Omit<Catalog, 'services'> {
  /** catalog.json's length in bytes: an index that does not match its file is ignored. */
  bytes: number;
  services: Record<string, Omit<Service, 'resources'> & { resources: Record<string, [start: number, end: number]> }>;
}

/** catalog.json's text (the same JSON as JSON.stringify(catalog), with each service's resources last) and its index. */
export function encodeCatalog(catalog: Catalog): { text: string; index: string } {
  const parts: string[] = [];
  let at = 0;
  const push = (s: string): void => {
    parts.push(s);
    at += Buffer.byteLength(s);
  };
  // An object's JSON without its closing brace, ready for one more member.
  const open = (o: object): string => {
    const json = JSON.stringify(o);
    return json === '{}' ? '{' : `${json.slice(0, -1)},`;
  };
  const { services, ...meta } = catalog;
  const indexed: CatalogIndex['services'] = {};
  push(`${open(meta)}"services":{`);
  Object.entries(services).forEach(([name, service], i) => {
    const { resources, ...fields } = service;
    push(`${i ? ',' : ''}${JSON.stringify(name)}:${open(fields)}"resources":{`);
    const offsets: Record<string, [number, number]> = {};
    Object.entries(resources).forEach(([rname, resource], j) => {
      push(`${j ? ',' : ''}${JSON.stringify(rname)}:`);
      const json = JSON.stringify(resource);
      offsets[rname] = [at, at + Buffer.byteLength(json)];
      push(json);
    });
    push('}}');
    indexed[name] = { ...fields, resources: offsets };
  });
  push('}}');
  const index: CatalogIndex = { ...meta, bytes: at, services: indexed };
  return { text: parts.join(''), index: JSON.stringify(index) };
}

/**
 * The catalog from its index, each resource parsed from `file` (catalog.json's bytes) on first access;
 * undefined when the index does not belong to the file (then parse the whole file).
 */
export function decodeIndexedCatalog(file: Buffer, indexText: string): Catalog | undefined {
  const { bytes, services, ...meta } = JSON.parse(indexText) as CatalogIndex;
  if (bytes !== file.length) return undefined;
  const out: Record<string, Service> = {};
  for (const [name, { resources: offsets, ...fields }] of Object.entries(services)) {
    const resources: Record<string, Resource> = {};
    for (const [rname, [start, end]] of Object.entries(offsets)) {
      let value: Resource | undefined;
      // An ordinary enumerable property to every reader (Object.values, JSON.stringify, structuredClone).
      Object.defineProperty(resources, rname, {
        enumerable: true,
        configurable: true,
        get: () => (value ??= JSON.parse(file.toString('utf8', start, end)) as Resource),
        set: (v: Resource) => {
          value = v;
        },
      });
    }
    out[name] = { ...fields, resources };
  }
  return { ...meta, services: out };
}
