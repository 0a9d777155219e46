// The tables a SELECT's tree reads, found from its RangeVar and RangeFunction nodes: which are DigitalOcean
// resources (`digitalocean.svc.res`, `svc.res` when svc is a service, `digitalocean."svc.res"`), their
// aliases, and the table functions whose alias stands for a value. Column references resolve against it.
import type { A_Expr, Node, RangeVar } from '@pgsql/types';
import { DoqlError } from '../../errors.js';
import type { ParamKind } from '../../engine/param-types.js';
import { FROM_FUNCTIONS } from './functions.js';
import { lastName, names, quoteIdent, visit } from './nodes.js';

/** What the translation asks the catalog (the session supplies it; unknown names answer undefined). */
export interface ResourceInfo {
  /** `databases` in `databases.backups` is a service: the name is digitalocean.databases.backups. */
  qualify(schema: string): boolean;
  /** Params of a resource whose name is also a real column; they live in a hidden column `name + suffix`. */
  colliding(id: string): ReadonlySet<string>;
  suffix: string;
  /** A resource's parameters (hidden columns) and real columns, to refuse `param = own column`. */
  shape(id: string): { params: ReadonlySet<string>; columns: ReadonlySet<string> } | undefined;
  /** A column's schema type (`array`, `string`, …). */
  columnType(id: string, column: string): string | undefined;
  /** The Postgres type a column is shown as beyond its schema type (`timestamptz` for date-time text). */
  columnPgType?(id: string, column: string): string | undefined;
  /** The columns `*` stands for on a resource when that is not every column of its table. */
  starColumns(id: string): readonly string[] | undefined;
  /** Kinds of a resource's columns and parameters by lower-case name, for typing `$n` compared with them. */
  kinds(id: string): ReadonlyMap<string, ParamKind>;
}

const PROVIDER = 'digitalocean';

/** A hidden column holding `column ->> path` for each row (see Scope.paths). */
export interface PathColumn {
  /** `region->>$.slug` */
  name: string;
  column: string;
  /** The object keys walked: `['slug']`. */
  keys: string[];
}

/** `col ->> '$.a.b'` or `col ->> 'a'` with plain keys: the column reference and the keys. */
function pathOf(e: A_Expr): { fields: string[]; column: string; keys: string[]; name: string } | undefined {
  if (e.kind !== 'AEXPR_OP' || lastName(e.name) !== '->>' || !e.lexpr || !e.rexpr) return undefined;
  if (!('ColumnRef' in e.lexpr) || !('A_Const' in e.rexpr) || !e.rexpr.A_Const.sval) return undefined;
  const text = e.rexpr.A_Const.sval.sval ?? '';
  const sqlitePath = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(text);
  const keys = sqlitePath ? text.slice(2).split('.') : /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? [text] : undefined;
  const fields = names(e.lexpr.ColumnRef.fields);
  if (!keys || fields.includes('*')) return undefined;
  const column = fields[fields.length - 1];
  // `->> '$.a'` is SQLite's (true is 1); `->> 'a'` Postgres's (always text: 'true', '1.5'): two hidden columns.
  return { fields, column, keys, name: sqlitePath ? `${column}->>$.${keys.join('.')}` : `${column}->>${keys[0]}` };
}

/** The resource id a RangeVar names, or undefined when it names something else (a CTE, pg_catalog…). */
export function resourceOf(rv: RangeVar, qualify: (schema: string) => boolean): string | undefined {
  const rel = rv.relname ?? '';
  const schema = rv.schemaname;
  if (rv.catalogname) return rv.catalogname.toLowerCase() === PROVIDER && schema ? `${PROVIDER}.${schema}.${rel}`.toLowerCase() : undefined;
  if (schema) {
    if (schema.toLowerCase() === PROVIDER && /^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/.test(rel)) return `${PROVIDER}.${rel}`.toLowerCase();
    return qualify(schema) ? `${PROVIDER}.${schema}.${rel}`.toLowerCase() : undefined;
  }
  if (/^[A-Za-z_]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/.test(rel) && rel.split('.')[0].toLowerCase() === PROVIDER) return rel.toLowerCase();
  return undefined;
}

export class Scope {
  /** Resource ids read, in order of first mention. */
  readonly resources: string[] = [];
  /** alias (or table name) → resource id. */
  private readonly aliases = new Map<string, string>();
  /** resource id → the alias its first reference has in the SQL. */
  private readonly aliasOf = new Map<string, string>();
  /** The alias of each reference to a resource (a self-join has two). */
  private readonly references: string[] = [];
  /** A reference's alias as written, by its lower-cased form. */
  private readonly spelled = new Map<string, string>();
  /** `t`, `col` and `t.col` for `unnest(x) AS t(col)` → `"t".value`. */
  private readonly values = new Map<string, string>();
  /** Names of the statement's CTEs: a RangeVar with one of them is never a resource. */
  readonly ctes = new Set<string>();
  private kindCache?: Map<string, ParamKind>;
  /**
   * `region ->> '$.slug'` over a resource's object column, read as a hidden column of the resource's table
   * (`region->>$.slug`) that doql fills from the fetched objects: SQLite never parses the JSON text.
   */
  private readonly paths = new Map<string, Map<string, PathColumn>>();

  constructor(
    tree: Node,
    readonly info: ResourceInfo,
  ) {
    visit(tree, (key, o) => {
      if (key === 'CommonTableExpr' && typeof o.ctename === 'string') this.ctes.add(o.ctename);
    });
    let star = false;
    visit(tree, (key, o) => {
      if (key === 'RangeVar') this.addRange(o as RangeVar);
      else if (key === 'RangeFunction') this.addFunction(o as { functions?: Node[]; alias?: { aliasname?: string; colnames?: Node[] } });
      else if (key === 'A_Star' || (key === 'JoinExpr' && o.isNatural)) star = true;
    });
    // `*` would list the hidden path columns too: such statements read JSON text as before.
    if (!star) visit(tree, (key, o) => key === 'A_Expr' && this.addPath(o as A_Expr));
  }

  private addPath(e: A_Expr): void {
    const path = pathOf(e);
    if (!path) return;
    const owner = this.pathOwner(path.fields);
    if (!owner || this.info.columnType(owner.id, path.column) !== 'object') return;
    let columns = this.paths.get(owner.id);
    if (!columns) this.paths.set(owner.id, (columns = new Map()));
    columns.set(path.name, { name: path.name, column: path.column, keys: path.keys });
  }

  /** The one table reference a path's column belongs to: its qualifier's, or the only reference's. */
  private pathOwner(fields: string[]): { id: string; alias: string } | undefined {
    if (fields.length === 2) {
      const id = this.aliases.get(fields[0].toLowerCase());
      return id && !fields[0].includes('.') ? { id, alias: fields[0] } : undefined;
    }
    if (fields.length !== 1 || this.references.length !== 1) return undefined;
    const id = this.aliases.get(this.references[0]);
    return id ? { id, alias: this.references[0] } : undefined;
  }

  /** The hidden path columns of a resource's table in this statement. */
  pathColumns(id: string): PathColumn[] {
    return [...(this.paths.get(id)?.values() ?? [])];
  }

  /** The SQLite table a resource is read from: its own, or a variant with this statement's path columns. */
  tableName(id: string): string {
    const paths = this.paths.get(id);
    return paths?.size ? `${id}#${[...paths.keys()].join('#')}` : id;
  }

  /** `"d"."region->>$.slug"` for a path this statement reads as a hidden column; undefined otherwise. */
  pathReference(e: A_Expr): { sql: string; column: string; name: string } | undefined {
    const path = pathOf(e);
    if (!path) return undefined;
    const owner = this.pathOwner(path.fields);
    if (!owner || !this.paths.get(owner.id)?.has(path.name)) return undefined;
    const alias = path.fields.length === 2 ? path.fields[0] : this.aliasOfReference(owner.alias);
    return { sql: `${quoteIdent(alias)}.${quoteIdent(path.name)}`, column: path.column, name: path.name };
  }

  /** The alias as emitted for a lower-cased reference name (the RangeVar's own spelling). */
  private aliasOfReference(lower: string): string {
    return this.spelled.get(lower) ?? lower;
  }

  /** The resource a RangeVar names (undefined for a CTE or any other table). */
  resourceOf(rv: RangeVar): string | undefined {
    if (!rv.schemaname && !rv.catalogname && this.ctes.has(rv.relname ?? '')) return undefined;
    return resourceOf(rv, (s) => this.info.qualify(s));
  }

  /** The alias a resource reference gets in the SQL: its own, or its table name as in Postgres. */
  aliasFor(rv: RangeVar): string {
    return rv.alias?.aliasname ?? rv.relname ?? '';
  }

  private addRange(rv: RangeVar): void {
    const id = this.resourceOf(rv);
    if (!id) return;
    if (!this.resources.includes(id)) this.resources.push(id);
    const alias = this.aliasFor(rv);
    this.references.push(alias.toLowerCase());
    this.spelled.set(alias.toLowerCase(), alias);
    this.aliases.set(alias.toLowerCase(), id);
    this.aliases.set(id, id);
    if (!this.aliasOf.has(id)) this.aliasOf.set(id, alias);
  }

  private addFunction(rf: { functions?: Node[]; alias?: { aliasname?: string; colnames?: Node[] } }): void {
    const first = rf.functions?.[0];
    const call = first && 'List' in first ? first.List.items?.[0] : undefined;
    if (!call || !('FuncCall' in call)) return;
    const name = lastName(call.FuncCall.funcname).toLowerCase();
    if (!FROM_FUNCTIONS[name]?.scalar) return;
    // `FROM unnest(tags)` names its one column after the function, as Postgres does.
    const alias = rf.alias?.aliasname ?? name;
    const a = quoteIdent(alias);
    // json_each gives JSON true as 1 and a string without its quotes: jsonb_array_elements gives JSON values,
    // jsonb_array_elements_text their text ('true', not 1).
    const value = /^jsonb?_array_elements$/.test(name)
      ? `(CASE ${a}."type" WHEN 'text' THEN json_quote(${a}."value") WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN 'null' ELSE ${a}."value" END)`
      : /^jsonb?_array_elements_text$/.test(name)
        ? `(CASE ${a}."type" WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE ${a}."value" END)`
        : `${a}."value"`;
    const col = names(rf.alias?.colnames)[0];
    if (col) {
      this.values.set(col, value);
      this.values.set(`${alias}.${col}`, value);
    } else this.values.set(alias, value);
  }

  /** The resource a reference's qualifier names (an alias, a table name or a full resource id). */
  private qualifierResource(q: string): string | undefined {
    return this.aliases.get(q.toLowerCase());
  }

  /** Whether a resource the statement reads has a column of this name. */
  hasColumn(name: string): boolean {
    return this.resources.some((id) => this.info.shape(id)?.columns.has(name));
  }

  /** The resource a `q.*` qualifier names (an alias, a table name, a resource's full name). */
  resourceOfQualifier(qualifier: string[]): string | undefined {
    if (qualifier.length === 1) return this.qualifierResource(qualifier[0]);
    return this.qualifiedByName([...qualifier, 'x'])?.id;
  }

  /** A resource id named by the leading fields of a column reference (`compute.droplets.name`), with the rest. */
  private qualifiedByName(fields: string[]): { id: string; rest: string[] } | undefined {
    if (fields.length >= 4 && fields[0].toLowerCase() === PROVIDER) return { id: fields.slice(0, 3).join('.').toLowerCase(), rest: fields.slice(3) };
    if (fields.length === 3 && fields[0].toLowerCase() === PROVIDER && fields[1].includes('.')) return { id: `${PROVIDER}.${fields[1]}`.toLowerCase(), rest: fields.slice(2) };
    if (fields.length === 3 && this.info.qualify(fields[0])) return { id: `${PROVIDER}.${fields[0]}.${fields[1]}`.toLowerCase(), rest: fields.slice(2) };
    return undefined;
  }

  /** A column reference as SQLite SQL. */
  column(fields: string[]): string {
    const q = (f: string): string => (f === '*' ? '*' : quoteIdent(f));
    if (fields.length === 1 && this.values.has(fields[0])) return this.values.get(fields[0])!;
    if (fields.length === 2 && this.values.has(`${fields[0]}.${fields[1]}`)) return this.values.get(`${fields[0]}.${fields[1]}`)!;
    const byName = this.qualifiedByName(fields);
    if (byName && this.aliasOf.has(byName.id)) return [quoteIdent(this.aliasOf.get(byName.id)!), ...byName.rest.map(q)].join('.');
    if (fields.length === 2 && this.aliasOf.has(fields[0].toLowerCase()) && fields[0].includes('.')) {
      return `${quoteIdent(this.aliasOf.get(fields[0].toLowerCase())!)}.${q(fields[1])}`;
    }
    return fields.map(q).join('.');
  }

  /** The resources a column reference may belong to, and its column name. */
  private owners(fields: string[]): { ids: string[]; column: string; qualifier?: string } {
    const column = fields[fields.length - 1];
    const byName = this.qualifiedByName(fields);
    if (byName) return { ids: [byName.id], column, qualifier: this.aliasOf.get(byName.id) };
    if (fields.length === 2) {
      const id = this.qualifierResource(fields[0]);
      return { ids: id ? [id] : [], column, qualifier: fields[0] };
    }
    return { ids: fields.length === 1 ? this.resources : [], column };
  }

  /**
   * `id = 5` in WHERE/ON where id is a parameter of its resource that is also a real column: the parameter's
   * hidden column, so that the value goes to the API. Undefined for any other column.
   */
  paramColumn(fields: string[]): string | undefined {
    const { ids, column, qualifier } = this.owners(fields);
    const owners = ids.filter((id) => this.info.colliding(id).has(column));
    if (owners.length !== 1) return undefined;
    const hidden = quoteIdent(`${column}${this.info.suffix}`);
    return qualifier ? `${quoteIdent(qualifier)}.${hidden}` : hidden;
  }

  /** A column's schema type; `array` when any resource it may belong to has it as an array. */
  schemaType(fields: string[]): string | undefined {
    if (fields.length === 1 && this.values.has(fields[0])) return undefined;
    const { ids, column } = this.owners(fields);
    const types = ids.map((id) => this.info.columnType(id, column)).filter((t): t is string => t !== undefined);
    return types.includes('array') ? 'array' : types[0];
  }

  /** Whether a name may be a parameter of a resource's API call (its value goes to the API as written). */
  isParam(fields: string[]): boolean {
    const { ids, column } = this.owners(fields);
    return ids.some((id) => this.info.shape(id)?.params.has(column) || this.info.colliding(id).has(column));
  }

  /** A column's Postgres type beyond its schema type (`timestamptz`), when every resource it may belong to agrees. */
  pgType(fields: string[]): string | undefined {
    if (fields.length === 1 && this.values.has(fields[0])) return undefined;
    const { ids, column } = this.owners(fields);
    const types = new Set(ids.map((id) => this.info.columnPgType?.(id, column)).filter((t) => t !== undefined));
    return types.size === 1 ? [...types][0] : undefined;
  }

  /** The kind a `$n` compared with this column takes (names two resources type differently give none). */
  columnKind(fields: string[]): ParamKind | undefined {
    if (!this.kindCache) {
      const all = new Map<string, ParamKind | null>();
      for (const id of this.resources) {
        for (const [name, kind] of this.info.kinds(id)) {
          const seen = all.get(name);
          all.set(name, seen === undefined || seen === kind ? kind : null);
        }
      }
      this.kindCache = new Map([...all].filter((e): e is [string, ParamKind] => e[1] !== null));
    }
    return this.kindCache.get(fields[fields.length - 1].toLowerCase());
  }

  /**
   * `WHERE droplet_id = id`: a parameter compared with a column of its own table can never be given to the
   * API (the value is only known after the call), and SQLite would quietly answer with no rows.
   */
  checkParamAgainstOwnColumn(a: Node | undefined, b: Node | undefined): void {
    if (!a || !b || !('ColumnRef' in a) || !('ColumnRef' in b)) return;
    // With one table reference an unqualified name is its column; with several only a qualifier tells.
    const only = this.references.length === 1 ? this.references[0] : undefined;
    const ref = (f: string[]): { ref?: string; name: string } => (f.length === 2 ? { ref: f[0].toLowerCase(), name: f[1] } : { ref: f.length === 1 ? only : undefined, name: f[f.length - 1] });
    const left = ref(names(a.ColumnRef.fields));
    const right = ref(names(b.ColumnRef.fields));
    if (!left.ref || left.ref !== right.ref) return;
    const resource = this.aliases.get(left.ref);
    const s = resource ? this.info.shape(resource) : undefined;
    if (!s) return;
    for (const [x, y] of [
      [left, right],
      [right, left],
    ] as const) {
      if (s.params.has(x.name) && s.columns.has(y.name)) {
        throw new DoqlError('validation', `${x.name} is a parameter of ${resource}'s API call and ${y.name} one of its own columns: the parameter needs a value (= 'x', IN (…)) or a column of another table`, { sqlState: '42P10' });
      }
    }
  }
}
