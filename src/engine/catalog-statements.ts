// SHOW, DESCRIBE and SHOW INSERT: answered from the catalog alone, with no API call.
import { ACCOUNT_COLUMN_DESCRIPTION, CONTEXT_COLUMN } from './accounts.js';
import { DoqlError } from '../errors.js';
import { closestNames } from '../catalog/lookup.js';
import { compareNames } from '../catalog/name-order.js';
import type { Catalog, Method, Resource, Service } from '../catalog/types.js';
import type { Statement } from '../sql/statement.js';
import type { CellValue, ResultColumn, StatementResult } from './types.js';

export interface CatalogLookups {
  catalog: Catalog;
  service(name: string): Service;
  resource(id: string): Resource;
}

function likeToRegExp(like: string): RegExp {
  const body = like.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function filterLike<T extends { name: string }>(items: T[], like?: string): T[] {
  if (!like) return items;
  const re = likeToRegExp(like);
  return items.filter((i) => re.test(i.name));
}

function table(columns: [string, ResultColumn['type']][], rows: CellValue[][], command = 'SHOW'): StatementResult {
  return { kind: 'rows', columns: columns.map(([name, type]) => ({ name, type })), rows, command: `${command} ${rows.length}` };
}

export function verbLabel(m: Method): string {
  return m.verb.toUpperCase();
}

export function optionalParams(m: Method): string[] {
  return m.params.filter((p) => !m.requiredParams.includes(p.name)).map((p) => p.name);
}

/**
 * `INSERT INTO … (data__…) SELECT '{{ … }}' …;` with required fields marked, as StackQL prints it: one per form
 * of the body when it has several (a droplet create: one `name`, or `names` for several), each named in a comment.
 */
export function insertTemplates(resource: Resource, requiredOnly: boolean): string[] {
  const method = resource.methods.find((m) => m.verb === 'insert');
  if (!method) return [`-- ${resource.id} has no INSERT method (see SHOW METHODS IN ${resource.id})`];
  const all = method.body?.fields ?? [];
  const forms = method.body?.variants?.forms;
  const params = method.requiredParams.map((p) => ({ column: p, value: p, required: true }));
  const render = (fields: typeof all): string => {
    const cols = fields
      .filter((f) => f.required || !requiredOnly)
      .map((f) => ({ column: `data__${f.name}`, value: f.name, required: f.required, type: f.schemaType }));
    const both = [...cols, ...params];
    const vals = both
      .map((c) => {
        const quoted = 'type' in c && (c.type === 'integer' || c.type === 'number' || c.type === 'boolean') ? `{{ ${c.value} }}` : `'{{ ${c.value} }}'`;
        return `${quoted}${c.required ? ' /* required */' : ''}`;
      })
      .join(',\n');
    return `INSERT INTO ${resource.id} (\n${both.map((c) => c.column).join(',\n')}\n)\nSELECT\n${vals}\n;`;
  };
  if (!forms?.length) return [render(all)];
  // Forms that come out the same (a domain record's A and AAAA forms) are shown once.
  const rendered = forms.map((f) => render(all.filter((x) => f.fields.includes(x.name)).map((x) => ({ ...x, required: f.required.includes(x.name) }))));
  const distinct = forms.flatMap((f, i) => (rendered.indexOf(rendered[i]) === i ? [{ f, text: rendered[i] }] : []));
  if (distinct.length === 1) return [distinct[0].text];
  return distinct.map(({ f, text }, i) => `/* ${f.title ? `${f.title}: ` : ''}form ${i + 1} of the ${distinct.length} the body takes */\n${text}`);
}

/** The INSERT template(s) of a resource as one text (the forms of its body one after another). */
export function insertTemplate(resource: Resource, requiredOnly: boolean): string {
  return insertTemplates(resource, requiredOnly).join('\n\n');
}

export function runCatalogStatement(stmt: Statement, cat: CatalogLookups): StatementResult {
  switch (stmt.kind) {
    case 'show_providers':
      return table(
        [
          ['name', 'TEXT'],
          ['version', 'TEXT'],
          ['source', 'TEXT'],
        ],
        filterLike([{ name: 'digitalocean' }], stmt.like).map(() => [cat.catalog.provider, cat.catalog.specVersion, cat.catalog.source]),
      );
    case 'show_services': {
      if (stmt.provider !== cat.catalog.provider) {
        throw new DoqlError('not_found', `unknown provider ${stmt.provider}${closestNames(stmt.provider, [cat.catalog.provider]).length ? `: did you mean ${cat.catalog.provider}?` : ''}`, {
          hint: 'SHOW PROVIDERS lists them',
          sqlState: '42P01',
        });
      }
      const services = filterLike(Object.values(cat.catalog.services), stmt.like).sort((a, b) => compareNames(a.name, b.name));
      const cols: [string, ResultColumn['type']][] = [
        ['name', 'TEXT'],
        ['id', 'TEXT'],
        ['title', 'TEXT'],
        ['resources', 'INTEGER'],
      ];
      if (stmt.extended) cols.push(['description', 'TEXT']);
      return table(
        cols,
        services.map((s) => {
          const row: CellValue[] = [s.name, `digitalocean.${s.name}`, s.title, Object.keys(s.resources).length];
          if (stmt.extended) row.push(s.description);
          return row;
        }),
      );
    }
    case 'show_resources': {
      const service = cat.service(stmt.service);
      const resources = filterLike(Object.values(service.resources), stmt.like).sort((a, b) => compareNames(a.name, b.name));
      const cols: [string, ResultColumn['type']][] = [
        ['name', 'TEXT'],
        ['id', 'TEXT'],
      ];
      if (stmt.extended) cols.push(['verbs', 'TEXT'], ['description', 'TEXT']);
      return table(
        cols,
        resources.map((r) => {
          const row: CellValue[] = [r.name, r.id];
          if (stmt.extended) row.push([...new Set(r.methods.map(verbLabel))].join(', '), r.description);
          return row;
        }),
      );
    }
    case 'show_methods': {
      const resource = cat.resource(stmt.resource);
      const cols: [string, ResultColumn['type']][] = [
        ['name', 'TEXT'],
        ['sql_verb', 'TEXT'],
        ['required_params', 'TEXT'],
      ];
      if (stmt.extended) cols.push(['optional_params', 'TEXT'], ['http', 'TEXT'], ['description', 'TEXT']);
      return table(
        cols,
        filterLike(resource.methods, stmt.like).map((m) => {
          const row: CellValue[] = [m.name, verbLabel(m), m.requiredParams.join(', ')];
          if (stmt.extended) row.push(optionalParams(m).join(', '), `${m.httpMethod.toUpperCase()} ${m.server ?? ''}${m.path}`, m.description || m.summary);
          return row;
        }),
      );
    }
    case 'describe': {
      const resource = cat.resource(stmt.resource);
      const cols: [string, ResultColumn['type']][] = [
        ['name', 'TEXT'],
        ['type', 'TEXT'],
        ['description', 'TEXT'],
      ];
      if (stmt.extended) cols.push(['format', 'TEXT'], ['sql_type', 'TEXT'], ['kind', 'TEXT']);
      const rows: CellValue[][] = resource.columns.filter((c) => stmt.extended || !c.envelope).map((c) => {
        const row: CellValue[] = [c.name, c.schemaType, c.description];
        if (stmt.extended) row.push(c.format ?? null, c.sqlType === 'BOOLEAN' ? 'INTEGER' : c.sqlType === 'JSON' ? 'TEXT' : c.sqlType, c.envelope ? 'response field' : 'column');
        return row;
      });
      if (stmt.extended) {
        // Parameters are columns you can filter on (hidden from SELECT *): list them too.
        const seen = new Set(resource.columns.map((c) => c.name));
        for (const m of resource.methods.filter((x) => x.verb === 'select')) {
          for (const p of m.params) {
            if (seen.has(p.name)) continue;
            seen.add(p.name);
            rows.push([p.name, p.schemaType, p.description, null, p.sqlType, m.requiredParams.includes(p.name) ? 'required param' : 'optional param']);
          }
        }
        rows.push([CONTEXT_COLUMN, 'string', ACCOUNT_COLUMN_DESCRIPTION, null, 'TEXT', 'account']);
      }
      return table(cols, rows, 'DESCRIBE');
    }
    case 'show_insert': {
      const resource = cat.resource(stmt.resource);
      return table([['insert_statement', 'TEXT']], insertTemplates(resource, stmt.requiredOnly).map((t) => [t]));
    }
    default:
      throw new Error(`not a catalog statement: ${stmt.kind}`);
  }
}
