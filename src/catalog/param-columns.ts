// Which column of a resource's rows fills each path parameter of its methods: decided once, when the catalog is
// compiled, and recorded as data (Param.column). Writes that find their rows by a WHERE, AWAIT's polling of a created
// object and the sandbox's store all read it; nothing guesses at run time.
import type { Method, Resource } from './types.js';

/** Words that name an identifier in a parameter (`droplet_id`, `ssh_key_identifier`), most telling first. */
const ID_WORDS = ['id', 'uuid', 'name', 'slug', 'urn', 'ip', 'fingerprint', 'digest', 'tag', 'key'];
/** The fields a parameter's last word may stand for (`tag_id` names a tag by its `name`). */
const SYNONYMS: Record<string, string[]> = {
  id: ['id', 'uuid', 'name', 'slug'],
  uuid: ['uuid', 'id'],
  name: ['name', 'slug', 'id'],
  username: ['name', 'username'],
  identifier: ['id', 'fingerprint'],
  ip: ['ip', 'ip_address'],
  slug: ['slug', 'name'],
  digest: ['digest'],
  tag: ['tag', 'name'],
  key: ['key', 'access_key', 'id'],
};

/**
 * The field of an item that an item-path parameter (the last of `…/{param}`) names, by rule: the same name; a
 * suffix of it (`database_cluster_uuid` → `cluster_uuid`); a synonym of its last word; its prefix
 * (`manifest_digest`… `repository_tag` → `tag`); else the first identifier-like field.
 */
export function itemFieldForParam(param: string, fields: ReadonlySet<string>): string | undefined {
  if (fields.has(param)) return param;
  const words = param.split('_');
  for (let i = 1; i < words.length; i++) {
    const suffix = words.slice(i).join('_');
    if (fields.has(suffix)) return suffix;
  }
  const last = words[words.length - 1];
  for (const c of SYNONYMS[last] ?? []) if (fields.has(c)) return c;
  if (words.length > 1 && !ID_WORDS.includes(words[0])) {
    const prefix = words.slice(0, -1).join('_');
    if (fields.has(prefix)) return prefix;
  }
  for (const c of ID_WORDS) if (fields.has(c)) return c;
  return undefined;
}

export function pathParamNames(method: Method): string[] {
  return [...method.path.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]);
}

/**
 * Records on each path parameter of the resource's methods the column that holds its value: the item parameter
 * (the path's last) by itemFieldForParam over the row's own fields; an enclosing one (`database_cluster_uuid` of
 * a backup) only when a column has its very name, since the rows do not otherwise carry their parent's key.
 */
export function assignParamColumns(resource: Resource): void {
  const fields = new Set(resource.columns.filter((c) => !c.envelope).map((c) => c.name));
  for (const method of resource.methods) {
    const names = pathParamNames(method);
    names.forEach((name, i) => {
      const column = i === names.length - 1 ? itemFieldForParam(name, fields) : fields.has(name) ? name : undefined;
      const param = method.params.find((p) => p.name === name && p.in === 'path');
      if (param && column) param.column = column;
    });
  }
}

/** The column that fills a path parameter of a method (catalog data; undefined when the rows do not carry it). */
export function columnForParam(method: Method, param: string): string | undefined {
  return method.params.find((p) => p.name === param && p.in === 'path')?.column;
}
