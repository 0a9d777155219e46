// Finds a service, resource or method of the catalog by name; an unknown name fails with the closest names.
import { DoqlError } from '../errors.js';
import type { Catalog, Method, Resource, Service } from './types.js';

/** Postgres `undefined_table`: what a client expects for a relation that does not exist. */
const UNDEFINED_TABLE = '42P01';

/** Levenshtein distance with adjacent transpositions (`bakcups` is one edit from `backups`). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[i][j] = j;
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}

/**
 * Up to `max` candidates close enough to `name` to be what was meant, closest first. `limit` is the most
 * edits allowed: by default about one per three characters of `name`, never fewer than two. Candidates
 * much further than the best one are dropped, so a near miss is not drowned in far ones.
 */
export function closestNames(name: string, candidates: Iterable<string>, max = 3, limit?: number): string[] {
  const wanted = name.toLowerCase();
  const reach = limit ?? Math.max(2, Math.ceil(wanted.length * 0.3));
  const ranked = [...new Set(candidates)]
    .map((c) => ({ c, d: editDistance(wanted, c.toLowerCase()) }))
    .filter(({ d }) => d <= reach)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  const best = ranked[0]?.d ?? 0;
  return ranked
    .filter(({ d }) => d <= best + 2)
    .slice(0, max)
    .map(({ c }) => c);
}

/** Reach for a dotted name: typos are judged against its last part, not the shared `digitalocean.` prefix. */
function dottedReach(name: string): number {
  const last = name.split('.').pop() ?? name;
  return Math.max(2, Math.ceil(last.length * 0.4));
}

function didYouMean(names: string[]): string {
  if (names.length === 0) return '';
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
  return `: did you mean ${list}?`;
}

/** A name this catalog lacks may be in DigitalOcean's newer spec; only a pull can tell (doql is offline here). */
const NEWER_SPEC = '`doql registry pull` installs the latest spec if it is newer than this catalog';

/** `subject` is what is unknown, as the message names it: `resource digitalocean.databases.backup`. */
function notFound(subject: string, suggestions: string[], hint: string): DoqlError {
  return new DoqlError('not_found', `unknown ${subject}${didYouMean(suggestions)}`, { sqlState: UNDEFINED_TABLE, hint });
}

/** SQL may quote the name (`"digitalocean.databases.backups"`); unquoted identifiers are case-insensitive. */
function normalise(name: string): string {
  return name.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
}

function checkProvider(catalog: Catalog, provider: string, full: string): void {
  if (provider !== catalog.provider) {
    throw notFound(`provider ${provider}`, closestNames(provider, [catalog.provider]), `doql knows one provider, ${catalog.provider} (in ${full})`);
  }
}

/** `digitalocean.databases` or `databases`. */
export function findService(catalog: Catalog, name: string): Service {
  const parts = normalise(name).split('.');
  if (parts.length > 2) throw notFound(`service ${name}`, [], 'a service is named provider.service, e.g. digitalocean.databases');
  if (parts.length === 2) checkProvider(catalog, parts[0], name);
  const service = catalog.services[parts[parts.length - 1]];
  if (service) return service;
  const names = Object.keys(catalog.services);
  const qualified = parts.length === 2;
  const suggestions = closestNames(parts[parts.length - 1], names).map((s) => (qualified ? `${catalog.provider}.${s}` : s));
  throw notFound(`service ${name}`, suggestions, `SHOW SERVICES IN ${catalog.provider} lists them; ${NEWER_SPEC}`);
}

/** `digitalocean.databases.backups`. */
export function findResource(catalog: Catalog, id: string): Resource {
  const parts = normalise(id).split('.');
  // Only for the error's suggestions: reading every resource parses all of catalog.json (catalog-file.ts parses
  // a resource when it is first read), ~20 ms a cold SELECT does not need.
  const allIds = (): string[] => Object.values(catalog.services).flatMap((s) => Object.values(s.resources).map((r) => r.id));
  if (parts.length !== 3) {
    // `databases.backups` lacks the provider; say which full names fit.
    const guess = parts.length === 2 ? `${catalog.provider}.${parts.join('.')}` : normalise(id);
    const ids = allIds();
    const exact = ids.filter((r) => r === guess || r.endsWith(`.${normalise(id)}`));
    throw notFound(`resource ${id}`, exact.length ? exact.slice(0, 3) : closestNames(guess, ids, 3, dottedReach(guess)), 'a resource is named provider.service.resource');
  }
  const [provider, serviceName, resourceName] = parts;
  checkProvider(catalog, provider, id);
  const resource = catalog.services[serviceName]?.resources[resourceName];
  if (resource) return resource;
  const ids = allIds();
  let suggestions = closestNames(parts.join('.'), ids, 3, dottedReach(parts.join('.')));
  // The same resource name in another service (`compute.clusters` → `kubernetes.clusters`) is a likely meaning too.
  if (suggestions.length === 0) suggestions = ids.filter((r) => r.endsWith(`.${resourceName}`)).slice(0, 3);
  const hint = catalog.services[serviceName]
    ? `SHOW RESOURCES IN ${provider}.${serviceName} lists them; ${NEWER_SPEC}`
    : `unknown service ${provider}.${serviceName}; SHOW SERVICES IN ${provider} lists them; ${NEWER_SPEC}`;
  throw notFound(`resource ${id}`, suggestions, hint);
}

/** A method of a resource by its StackQL name (`databases_list_backups`). */
export function findMethod(resource: Resource, name: string): Method {
  const wanted = normalise(name);
  const method = resource.methods.find((m) => m.name === wanted);
  if (method) return method;
  const names = resource.methods.map((m) => m.name);
  throw notFound(`method ${name} of ${resource.id}`, closestNames(wanted, names), `methods of ${resource.id}: ${names.join(', ')}`);
}
