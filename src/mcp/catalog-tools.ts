// search_resources and describe_resource: answered from the catalog alone, with no API call.
import { closestNames, findResource } from '../catalog/lookup.js';
import type { Catalog, Method, Resource } from '../catalog/types.js';
import { optionalParams, verbLabel } from '../engine/catalog-statements.js';
import { methodText } from '../docs/resource-page.js';
import { oneLine } from '../docs/markdown.js';

function allResources(catalog: Catalog): Resource[] {
  return Object.values(catalog.services).flatMap((s) => Object.values(s.resources));
}

/** The SELECT method needing the fewest parameters: what a plain query of the resource goes through. */
function mainSelect(resource: Resource): Method | undefined {
  return resource.methods.filter((m) => m.verb === 'select').sort((a, b) => a.requiredParams.length - b.requiredParams.length)[0];
}

function short(text: string, max = 160): string {
  const line = oneLine(text);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export interface SearchHit {
  id: string;
  description: string;
  sql_verbs: string[];
  /** Parameters a SELECT must give (in WHERE or through a join); null when the resource cannot be selected. */
  select_requires: string[] | null;
}

/** How well one word fits a resource: its name counts most, then its service, then its descriptions and columns. */
function wordScore(resource: Resource, word: string): number {
  if (resource.name === word) return 12;
  if (resource.name.includes(word)) return 8;
  if (resource.service.includes(word)) return 5;
  if (resource.id.includes(word)) return 4;
  if (resource.description.toLowerCase().includes(word)) return 3;
  if (resource.columns.some((c) => !c.envelope && c.name.includes(word))) return 2;
  if (resource.methods.some((m) => `${m.summary} ${m.description}`.toLowerCase().includes(word))) return 1;
  return 0;
}

export function searchResources(catalog: Catalog, keyword: string, limit: number): { resources: SearchHit[]; hint?: string } {
  const words = keyword
    .toLowerCase()
    .split(/[\s.,;/]+/)
    .filter(Boolean);
  const scored = allResources(catalog)
    .map((r) => {
      const scores = words.map((w) => wordScore(r, w));
      return { r, score: scores.every((s) => s > 0) ? scores.reduce((a, b) => a + b, 0) : 0 };
    })
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || a.r.id.localeCompare(b.r.id));
  const resources = scored.slice(0, limit).map(({ r }) => {
    const select = mainSelect(r);
    return { id: r.id, description: short(r.description), sql_verbs: [...new Set(r.methods.map(verbLabel))], select_requires: select ? select.requiredParams : null };
  });
  if (resources.length) return scored.length > limit ? { resources, hint: `${scored.length} resources match; showing the best ${limit}` } : { resources };
  const names = allResources(catalog).flatMap((r) => [r.name, r.service]);
  const near = [...new Set(words.flatMap((w) => closestNames(w, names)))];
  return {
    resources: [],
    hint: `no resource matches "${keyword}"${near.length ? `; close words: ${near.join(', ')}` : ''}; services: ${Object.keys(catalog.services).sort().join(', ')}`,
  };
}

/** A SELECT an agent can send as it is once the <placeholders> are filled. */
function exampleSelect(resource: Resource, method: Method | undefined): string {
  const fields = resource.columns.filter((c) => !c.envelope).map((c) => c.name);
  const where = (method?.requiredParams ?? []).map((p, i) => `${i === 0 ? 'WHERE' : 'AND'} ${p} = '<${p}>'`);
  return [`SELECT ${fields.length ? fields.join(', ') : '*'}`, `FROM ${resource.id}`, ...where].join(' ');
}

export function describeResource(catalog: Catalog, id: string): Record<string, unknown> {
  const resource = findResource(catalog, id);
  const select = mainSelect(resource);
  const params = new Map<string, { in: string; type: string; description: string; enum?: unknown[] }>();
  for (const m of resource.methods) {
    for (const p of m.params) {
      if (!params.has(p.name)) params.set(p.name, { in: p.in, type: p.schemaType, description: short(p.description, 240), ...(p.enum ? { enum: p.enum } : {}) });
    }
  }
  return {
    id: resource.id,
    description: oneLine(resource.description),
    columns: resource.columns
      .filter((c) => !c.envelope)
      .map((c) => ({ name: c.name, type: c.sqlType, ...(c.format ? { format: c.format } : {}), description: short(c.description, 240) })),
    methods: resource.methods.map((m) => ({
      name: m.name,
      sql_verb: verbLabel(m),
      http: `${m.httpMethod.toUpperCase()} ${m.path}`,
      required_params: m.requiredParams,
      optional_params: optionalParams(m),
      description: short(methodText(m), 240),
      ...(m.body ? { body_fields: m.body.fields.map((f) => `data__${f.name}${f.required ? ' (required)' : ''}`) } : {}),
    })),
    parameters: Object.fromEntries(params),
    select_requires: select ? select.requiredParams : null,
    how_to_query: select
      ? 'Give required parameters in WHERE (=, IN (…)) or through a join to a resource that has them; other parameters in WHERE are sent to the API as filters. JSON columns hold objects: use ->> or json_extract.'
      : `${resource.id} has no SELECT method`,
    ...(select ? { example_select: exampleSelect(resource, select) } : {}),
  };
}
