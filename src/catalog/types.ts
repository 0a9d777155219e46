// The catalog's data model: DigitalOcean's OpenAPI spec compiled into services, resources and methods.
// A resource is data, never a class: one engine runs every resource from these entries.

/** SQL verbs as StackQL names them. update = PATCH, replace = PUT. */
export type SqlVerb = 'select' | 'insert' | 'update' | 'replace' | 'delete' | 'exec';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head';

/** SQLite storage class doql gives a column; BOOLEAN is stored as INTEGER 0/1, JSON as text. */
export type SqlType = 'TEXT' | 'INTEGER' | 'REAL' | 'BOOLEAN' | 'JSON';

/** A JSON-schema-ish type name as shown in docs (`string`, `number`, `integer`, `boolean`, `object`, `array`). */
export type SchemaTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

export interface Column {
  name: string;
  sqlType: SqlType;
  /** The schema's own type name, as the StackQL docs show it (`string`, `number`, …). */
  schemaType: SchemaTypeName;
  /** e.g. `date-time`, `uuid`, `int64` */
  format?: string;
  description: string;
  /**
   * Not a field of the object but of the response around it (`config`, `action`, `links`): kept so that
   * StackQL's whole-body queries run; left out of DESCRIBE (but not EXTENDED) and the docs.
   */
  envelope?: true;
}

export interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schemaType: SchemaTypeName;
  sqlType: SqlType;
  description: string;
  enum?: (string | number | boolean)[];
  default?: unknown;
  /**
   * A path parameter's column: the field of the resource's rows that holds its value (`id` for `droplet_id`),
   * decided when the catalog is compiled (catalog/param-columns.ts). Absent when the rows do not carry it.
   */
  column?: string;
}

export interface BodyField {
  name: string;
  required: boolean;
  schemaType: SchemaTypeName;
  sqlType: SqlType;
  description: string;
  /** A nullable field accepts JSON null. */
  nullable?: boolean;
  enum?: (string | number | boolean)[];
}

/** One form of a body whose schema is a oneOf/anyOf of objects. */
export interface BodyVariant {
  /** The branch's title in the spec (`Single Droplet Request`), when it has one. */
  title?: string;
  /** The fields this form requires. */
  required: string[];
  /** Every field this form has. */
  fields: string[];
}

export interface BodyVariants {
  /** oneOf: exactly one form must match; anyOf: at least one. */
  kind: 'oneOf' | 'anyOf';
  forms: BodyVariant[];
}

export interface Method {
  /** StackQL method name: the snake_cased operationId (`databases_list_backups`). */
  name: string;
  operationId: string;
  verb: SqlVerb;
  httpMethod: HttpMethod;
  /** Path template, `/v2/databases/{database_cluster_uuid}/backups`. */
  path: string;
  summary: string;
  description: string;
  params: Param[];
  /** Names of required params (path params and required query params), in path order. */
  requiredParams: string[];
  /** Request body, when the operation takes one. */
  body?: {
    contentType: string;
    required: boolean;
    fields: BodyField[];
    /** The body's forms when its schema is a oneOf/anyOf of objects (a droplet create: `name`, or `names`). */
    variants?: BodyVariants;
  };
  /**
   * Where the rows are in a successful response: `$.backups` (a list or a single object under
   * that key), `$` (the whole body is the row). Absent when the response has no JSON body.
   */
  objectKey?: string;
  /** True when the item under objectKey is an array (one row per element). */
  returnsList: boolean;
  /** True when the operation pages with page/per_page and links.pages. */
  paginated: boolean;
  /** The success status code the spec documents (200, 201, 202, 204). */
  successStatus: number;
  /** Content type of the success response (`application/json`, `application/yaml`, `text/csv`…). */
  responseContentType?: string;
  tags: string[];
  /**
   * The operation's own server when the spec gives it one other than the API's (`https://inference.do-ai.run`,
   * `https://{agent_url}`). doql sends the API token only to the API, so these run against the sandbox only.
   */
  server?: string;
}

export interface Resource {
  /** `digitalocean.databases.backups` */
  id: string;
  service: string;
  name: string;
  description: string;
  /** Columns of the rows the resource's SELECT methods return (union over its select methods). */
  columns: Column[];
  methods: Method[];
}

export interface Service {
  name: string;
  title: string;
  description: string;
  resources: Record<string, Resource>;
}

export interface Catalog {
  provider: 'digitalocean';
  /** Where the spec came from (a file path or a URL). */
  source: string;
  /** The spec's info.version plus a content hash, to tell catalogs apart. */
  specVersion: string;
  specHash: string;
  /** The spec's first server URL (`https://api.digitalocean.com`). */
  serverUrl: string;
  services: Record<string, Service>;
  /** Operations seen in the spec, for accounting (every one is mapped). */
  operationCount: number;
  /** Path params carry their column (Param.column); a catalog compiled by an older doql lacks it until loaded. */
  paramColumns?: true;
}

/**
 * Resolved JSON schemas, kept apart from the catalog so that start-up does not parse them:
 * keyed by operationId, the request body schema and the success response body schema.
 * Recursive schemas are cut at the point of recursion (`{}` = any).
 */
export interface SchemaBundle {
  specHash: string;
  operations: Record<
    string,
    {
      request?: JsonSchema;
      response?: JsonSchema;
      responseStatus: number;
      /** Each form of a body that is a oneOf/anyOf of objects (Method.body.variants says which is which). */
      requestVariants?: JsonSchema[];
      /** The body schema with its nested oneOf/anyOf kept, when it has any: what a request is validated by. */
      requestStrict?: JsonSchema;
    }
  >;
}

/** A JSON Schema object (OpenAPI 3.0 dialect), resolved: no `$ref` left. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonSchema = { [key: string]: any }; // any: arbitrary JSON Schema keywords
