// Tab completion for the shell: SQL keywords, digitalocean.<service>.<resource>[.<method>] names, the columns and
// parameters of the resources named in the statement being typed, and meta commands with their arguments.
import type { Catalog, Resource } from '../catalog/types.js';
import { FORMAT_NAMES } from './format/index.js';

export const SQL_KEYWORDS = [
  'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'BETWEEN', 'EXISTS', 'AS', 'DISTINCT',
  'JOIN', 'LEFT', 'INNER', 'CROSS', 'ON', 'USING', 'GROUP', 'BY', 'ORDER', 'ASC', 'DESC', 'HAVING', 'LIMIT', 'OFFSET',
  'UNION', 'ALL', 'WITH', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'COALESCE',
  'JSON_EXTRACT', 'JSON_EACH', 'INSERT', 'INTO', 'VALUES', 'UPDATE', 'SET', 'REPLACE', 'DELETE', 'RETURNING', 'EXEC',
  'SHOW', 'PROVIDERS', 'SERVICES', 'RESOURCES', 'METHODS', 'EXTENDED', 'DESCRIBE', 'REGISTRY', 'LIST', 'PULL', 'COPY', 'STDOUT', 'TRUE', 'FALSE',
];

/** Meta commands and how their first argument completes. */
export const META_ARGUMENTS: Record<string, (catalog: Catalog) => string[]> = {
  '.help': () => [],
  '.tables': () => [],
  '.describe': (catalog) => resourceIds(catalog),
  '.output': () => [...FORMAT_NAMES],
  '.timing': () => ['on', 'off'],
  '.vars': () => [],
  '.set': () => [],
  '.unset': () => [],
  '.context': () => [],
  '.cache': () => ['clear'],
  '.quit': () => [],
  '.exit': () => [],
};

const PROVIDER = 'digitalocean';

export function resourceIds(catalog: Catalog): string[] {
  return Object.values(catalog.services).flatMap((s) => Object.values(s.resources).map((r) => r.id));
}

/** Resources named `digitalocean.<service>.<resource>` anywhere in the text that the catalog knows. */
export function referencedResources(text: string, catalog: Catalog): Resource[] {
  const found = new Map<string, Resource>();
  for (const m of text.matchAll(/\bdigitalocean\.([A-Za-z_]\w*)\.([A-Za-z_]\w*)/gi)) {
    const r = catalog.services[m[1].toLowerCase()]?.resources[m[2].toLowerCase()];
    if (r) found.set(r.id, r);
  }
  return [...found.values()];
}

/** Column names, parameter names and `data__` body fields: what a statement on these resources may mention. */
function fieldNames(resources: Resource[]): string[] {
  const names = new Set<string>();
  for (const r of resources) {
    for (const c of r.columns) names.add(c.name);
    for (const m of r.methods) {
      for (const p of m.params) names.add(p.name);
      for (const f of m.body?.fields ?? []) names.add(`data__${f.name}`);
    }
  }
  return [...names];
}

/** Dotted names: `digitalocean.` → services, `digitalocean.svc.` → resources, `digitalocean.svc.res.` → methods. */
function dottedCandidates(word: string, catalog: Catalog, referenced: Resource[]): string[] {
  const parts = word.split('.');
  const head = parts.slice(0, -1).map((p) => p.toLowerCase());
  if (head[0] === PROVIDER) {
    if (head.length === 1) return Object.keys(catalog.services).map((s) => `${PROVIDER}.${s}`);
    const service = catalog.services[head[1]];
    if (!service) return [];
    if (head.length === 2) return Object.values(service.resources).map((r) => r.id);
    const resource = service.resources[head[2]];
    if (head.length === 3 && resource) return resource.methods.map((m) => `${resource.id}.${m.name}`);
    return [];
  }
  // `alias.col`: the columns of the statement's resources, after whatever prefix was typed.
  if (head.length === 1) return fieldNames(referenced).map((f) => `${parts[0]}.${f}`);
  return [];
}

function startsWithFold(candidate: string, prefix: string): boolean {
  return candidate.toLowerCase().startsWith(prefix.toLowerCase());
}

/**
 * Completions for the word before the cursor, as node:readline wants them: [candidates, the text they replace].
 * `buffer` is the statement typed on earlier lines, so a column completes from a FROM on the line before.
 */
export function completeLine(line: string, buffer: string, catalog: Catalog): [string[], string] {
  if (!buffer.trim() && line.trimStart().startsWith('.')) {
    const m = /^\s*(\.\w*)(\s+)?(\S*)$/.exec(line);
    if (!m) return [[], line];
    if (!m[2]) return [Object.keys(META_ARGUMENTS).filter((c) => c.startsWith(m[1])), m[1]];
    const args = META_ARGUMENTS[m[1]]?.(catalog) ?? [];
    return [args.filter((a) => startsWithFold(a, m[3])), m[3]];
  }
  const word = /[\w.$]*$/.exec(line)?.[0] ?? '';
  const referenced = referencedResources(`${buffer}\n${line}`, catalog);
  let candidates: string[];
  if (word.includes('.')) {
    candidates = dottedCandidates(word, catalog, referenced);
  } else {
    if (!word) return [fieldNames(referenced).sort(), word];
    // Keywords in the case the user types them in.
    const lower = word === word.toLowerCase();
    candidates = [...SQL_KEYWORDS.map((k) => (lower ? k.toLowerCase() : k)), PROVIDER, ...fieldNames(referenced)];
  }
  const hits = [...new Set(candidates.filter((c) => startsWithFold(c, word)))].sort();
  return [hits, word];
}
