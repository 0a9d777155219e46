// Names an OpenAPI operation as the StackQL DigitalOcean provider does: service, resource, method, SQL verb.
// General rules first; the few irregular names StackQL gives are in naming-overrides.ts.
import { LEGACY_PATH_FAMILIES, NAME_OVERRIDES, PATH_OVERRIDES, RESOURCE_RENAMES } from './naming-overrides.js';
import { collectionPhrase, methodSnakeCase, pluralPhrase, pluralWord, singularPhrase, singularWord, snakeCase } from './naming-words.js';
import type { HttpMethod, SqlVerb } from './types.js';

export { methodSnakeCase, snakeCase } from './naming-words.js';

/** What naming needs to know of one operation. */
export interface OperationRef {
  operationId: string;
  httpMethod: HttpMethod;
  path: string;
  tags: string[];
  deprecated?: boolean;
  /** False when the success response is not JSON (kubeconfig YAML, invoice CSV or PDF). */
  jsonResponse?: boolean;
}

export interface OperationName {
  service: string;
  resource: string;
  method: string;
  verb: SqlVerb;
}

/** Tag → service, where the service is not the snake_cased tag. StackQL groups products into a few services. */
const SERVICE_BY_TAG: Record<string, string> = {
  Actions: 'account',
  'SSH Keys': 'compute',
  Droplets: 'compute',
  'Droplet Autoscale Pools': 'compute',
  'Block Storage': 'compute',
  'CDN Endpoints': 'compute',
  Certificates: 'compute',
  Domains: 'compute',
  'Domain Records': 'compute',
  Firewalls: 'compute',
  Images: 'compute',
  'Load Balancers': 'compute',
  Regions: 'compute',
  'Reserved IPs': 'compute',
  'Reserved IPv6': 'compute',
  'VPC NAT Gateways': 'compute',
  Sizes: 'compute',
  Snapshots: 'compute',
  Tags: 'compute',
  'Container Registry': 'container_registry',
  'Container Registries': 'container_registry',
  'GradientAI Platform': 'genai',
  Uptime: 'monitoring',
  'Floating IPs': 'network',
  'BYOIP Prefixes': 'network',
  'Partner Network Connect': 'network',
  '1-Click Applications': 'oneclick',
  'Project Resources': 'projects',
  Functions: 'serverless',
  'Spaces Keys': 'spaces',
  'VPC Peerings': 'vpcs',
  // Not in StackQL's mapping yet: the inference endpoints share one service.
  'Serverless Inference': 'inference',
  'Agent Inference': 'inference',
  'Batch Inference': 'inference',
  Embeddings: 'inference',
};

/**
 * Services that merge several products: there a sub-collection carries its parent's name
 * (`droplet_backups`, `volume_snapshots`), where a single-product service names it bare (`backups`).
 */
const PARENT_PREFIXED_SERVICES = new Set(['compute', 'network', 'billing']);

/** operationId verbs that are actions even where the path also has a GET (`registries_run_garbageCollection`). */
const EXEC_VERBS = new Set([
  'attach',
  'cancel',
  'commit',
  'detach',
  'promote',
  'purge',
  'recycle',
  'regenerate',
  'reset',
  'restart',
  'retry',
  'revert',
  'rollback',
  'run',
  'unassign',
  'upgrade',
  'validate',
]);

/** operationId verbs that create something even where the path has no GET (`apps_create_rollback`). */
const CREATE_VERBS = new Set(['create', 'install']);

function tagName(tag: string): string {
  // Preview tags (`[Public Preview] Reserved IPv6`) name the same product as the plain tag.
  return tag.replace(/^\[[^\]]*\]\s*/, '');
}

export function serviceForTags(tags: string[]): string {
  const tag = tagName(tags[0] ?? 'misc');
  const mapped = SERVICE_BY_TAG[tag];
  if (mapped) return mapped;
  // `Droplet Actions`, `NFS Actions`: an actions tag belongs to its product's service.
  const product = tag.replace(/ Actions$/, '');
  if (product !== tag) return SERVICE_BY_TAG[product] ?? SERVICE_BY_TAG[`${product}s`] ?? snakeCase(product);
  return snakeCase(tag);
}

/** StackQL's method name: the operationId, snake_cased its way. */
export function methodName(operationId: string): string {
  return methodSnakeCase(operationId);
}

interface OperationIdParts {
  /** `dropletActions` → `droplet_actions` */
  prefix: string;
  /** `list`, `get`, `create`, … (empty when the operationId has one part) */
  verb: string;
  /** What the verb acts on, minus `by_<key>` and `to_` (`droplets_list_backups` → `backups`); may be empty. */
  noun: string;
}

/** Words an operationId uses as its verb. */
const VERB_WORDS = new Set([...EXEC_VERBS, ...CREATE_VERBS, 'list', 'get', 'update', 'patch', 'delete', 'destroy', 'add', 'remove', 'assign', 'post', 'import']);

function splitOperationId(operationId: string): OperationIdParts {
  const [head = '', ...rest] = operationId.replace(/\.ya?ml$/i, '').split('_');
  const tail = snakeCase(rest.join('_')).split('_').filter(Boolean);
  // Mostly `<prefix>_<verb>_<noun>`; older specs also say `uptime_check_alerts_list`.
  const verbAt = !VERB_WORDS.has(tail[0] ?? '') && VERB_WORDS.has(tail[tail.length - 1] ?? '') ? tail.length - 1 : 0;
  const [verb = ''] = tail.splice(verbAt, 1);
  const noun = tail
    .join('_')
    .replace(/(^|_)by_.*$/, '')
    .replace(/^to_/, '');
  return { prefix: snakeCase(head), verb, noun };
}

const isParam = (segment: string): boolean => segment.startsWith('{') || segment.startsWith('<');

/** Path segments without the API version (`/v2`, `/api/v1`). */
function segmentsOf(path: string): string[] {
  const segs = path.split('/').filter(Boolean);
  while (segs.length > 1 && /^(v\d+|api)$/.test(segs[0])) segs.shift();
  return segs;
}

/** A path with parameter names erased, so `/agents/{uuid}` and `/agents/{agent_uuid}` compare equal. */
function pathKey(segments: string[]): string {
  return segments.map((s) => (isParam(s) ? '{}' : s)).join('/');
}

function isLegacy(path: string): boolean {
  return LEGACY_PATH_FAMILIES.some((p) => path === p || path.startsWith(`${p}/`));
}

// Path globs: `*` is one path segment, `**` any number of them (`/v2/apps/**` + `/logs`).
function globMatches(glob: string, path: string): boolean {
  const source = glob
    .split('/')
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
    // `/v2/1-clicks/**` covers `/v2/1-clicks` itself too.
    .replace(/\/\.\*$/, '(/.*)?');
  return new RegExp(`^${source}$`).test(path);
}

/** Names every operation of a spec; built once per spec because some rules look at sibling paths. */
export class Namer {
  /** Operations by path with parameter names erased. */
  private readonly byPath = new Map<string, OperationRef[]>();
  /** `get /v2/…` exactly as the spec writes it. */
  private readonly exactGets = new Set<string>();
  private readonly pathKeys: string[];
  private readonly memo = new Map<OperationRef, OperationName>();
  /** Operations being named: rules that look at a sibling never loop back to one of these. */
  private readonly inProgress = new Set<OperationRef>();
  /** Per service, the resource names its non-exec operations get: an action on one of those belongs to it. */
  private knownResources?: Map<string, Set<string>>;

  constructor(private readonly ops: readonly OperationRef[]) {
    for (const op of ops) {
      const key = pathKey(segmentsOf(op.path));
      this.byPath.set(key, [...(this.byPath.get(key) ?? []), op]);
      if (op.httpMethod === 'get') this.exactGets.add(op.path);
    }
    this.pathKeys = [...this.byPath.keys()];
  }

  name(op: OperationRef): OperationName {
    let named = this.memo.get(op);
    if (!named) {
      this.inProgress.add(op);
      try {
        named = this.compute(op);
      } finally {
        this.inProgress.delete(op);
      }
      this.memo.set(op, named);
    }
    return named;
  }

  private compute(op: OperationRef): OperationName {
    const override = NAME_OVERRIDES[op.operationId] ?? {};
    const parts = splitOperationId(op.operationId);
    const service = override.service ?? serviceForTags(op.tags);
    const verb = override.verb ?? this.verbFor(op, parts);
    const legacy = isLegacy(op.path);
    const resource = override.resource ?? PATH_OVERRIDES.find((o) => globMatches(o.path, op.path))?.resource ?? this.resourceFor(op, parts, service, verb);
    return {
      service,
      resource,
      method: override.method ?? (legacy ? `${methodName(op.operationId)}_legacy` : methodName(op.operationId)),
      // A replaced family stays callable, but only by EXEC, so it never shadows the current one in SELECT.
      verb: legacy ? 'exec' : verb,
    };
  }

  private opsAt(segments: string[]): OperationRef[] {
    return this.byPath.get(pathKey(segments)) ?? [];
  }

  private get(segments: string[]): OperationRef | undefined {
    return this.opsAt(segments).find((o) => o.httpMethod === 'get');
  }

  private resourceOf(op: OperationRef | undefined, self: OperationRef): string | undefined {
    return op && op !== self && !this.inProgress.has(op) ? this.name(op).resource : undefined;
  }

  private resourceFor(op: OperationRef, parts: OperationIdParts, service: string, verb: SqlVerb): string {
    const segs = segmentsOf(op.path);
    const literal = segs.filter((s) => !isParam(s));
    // `…/actions` collections (droplet actions, volume actions) are resources of their own.
    if (verb === 'exec' && literal[literal.length - 1] !== 'actions') return this.actionResource(op, parts, service);
    // A write on a path one can read belongs with the read: POST /v2/images is `images_create_custom` on images.
    if (op.httpMethod !== 'get') {
      const read = this.resourceOf(this.get(segs), op);
      if (read) return read;
    }
    const own = this.ownResource(op, parts, service);
    // A lone reading (`droplets_get_backup_policy`) joins the collection of its kind (`droplet_backup_policies`).
    const plural = pluralPhrase(own);
    if (plural !== own && this.resourcesOf(service).has(plural)) return plural;
    // A list named with its parent (`uptime_check_alerts_list` → `check_alerts`) takes its items' bare name (`alerts`).
    const item = op.httpMethod === 'get' ? this.resourceOf(this.get([...segs, '{}']), op) : undefined;
    return item && own.endsWith(`_${item}`) ? item : own;
  }

  /** The resource an operation names by itself: its operationId's noun, else its prefix, else its path. */
  private ownResource(op: OperationRef, parts: OperationIdParts, service: string): string {
    return rename(service, this.bareResource(op, parts, service));
  }

  private bareResource(op: OperationRef, parts: OperationIdParts, service: string): string {
    let prefix = this.prefixResource(parts.prefix, op.tags);
    const serviceWords = `${service}_`;
    if (prefix === service || prefix === singularPhrase(service)) prefix = '';
    else if (prefix.startsWith(serviceWords)) prefix = prefix.slice(serviceWords.length);
    if (!parts.noun) {
      // A product name (`droplet_autoscale_pools`, `reserved_ip_actions`) is a collection.
      if (prefix) return collectionPhrase(prefix);
      // `databases_list` on `/databases/{id}/dbs`: the operationId names only the service, the path says what.
      const literal = segmentsOf(op.path).filter((s) => !isParam(s));
      return snakeCase(literal[literal.length - 1] ?? service);
    }
    // `projects_list_resources_default` lists the default project's resources; `repositories_v2` are repositories.
    let noun = parts.noun.replace(/^(.+)_default$/, 'default_$1').replace(/_v\d+$/, '');
    const countable = this.isCountable(op);
    if (prefix && PARENT_PREFIXED_SERVICES.has(service)) {
      const parent = singularPhrase(prefix);
      if (noun.startsWith(`${parent}_`)) noun = noun.slice(parent.length + 1);
      const words = noun.split('_');
      const last = words.pop() as string;
      return [parent, ...words.map(singularWord), countable ? pluralWord(last) : last].join('_');
    }
    return countable ? pluralPhrase(noun) : noun;
  }

  /**
   * A thing one can create, change, or find among others is named in the plural (`users`, `eviction_policies`);
   * a read-only value (`droplet_cpu_metrics`, `invoice_summary`, `kafka_schema_version`) keeps its own number.
   */
  private isCountable(op: OperationRef): boolean {
    const segs = segmentsOf(op.path);
    // A path parameter picks one among many; a POST makes one more; actions are a log of many.
    if (isParam(segs[segs.length - 1] ?? '') || op.httpMethod === 'post' || segs[segs.length - 1] === 'actions') return true;
    // Anything else on the path or below it (`/rollback` and `/rollback/commit`) makes it a thing one handles.
    const key = pathKey(segs);
    return this.opsAt(segs).some((o) => o !== op) || this.pathKeys.some((k) => k.startsWith(`${key}/`));
  }

  /** The operationId prefix, with the tag's word breaks where the prefix runs them together (`autoscalepools`). */
  private prefixResource(prefix: string, tags: string[]): string {
    const tag = snakeCase(tagName(tags[0] ?? ''));
    const words = tag.split('_');
    const squashed = prefix.replace(/_/g, '');
    for (let k = 0; k < words.length; k++) {
      const tail = words.slice(k);
      if (tail.join('') === squashed) return tail.join('_') === prefix ? prefix : tag;
    }
    return prefix;
  }

  /**
   * An action (restart an app, resize a cluster, attach a function to an agent) belongs to the resource it
   * acts on: the collection its noun names, else what a GET of its own path or of the nearest path above reads.
   */
  private actionResource(op: OperationRef, parts: OperationIdParts, service: string): string {
    const own = this.ownResource(op, parts, service);
    const known = this.resourcesOf(service);
    if (known.has(own)) return own;
    if (known.has(pluralPhrase(own))) return pluralPhrase(own);
    const segs = segmentsOf(op.path);
    const ancestors: string[][] = [];
    for (let n = segs.length - 1; n > 0; n--) ancestors.push(segs.slice(0, n));
    const lastIsParam = isParam(segs[segs.length - 1] ?? '');
    return (
      this.resourceOf(this.get(segs), op) ??
      // `…/destroy_with_associated_resources/dangerous`: the listing right above it.
      (lastIsParam ? undefined : this.resourceOf(this.get(ancestors[0] ?? []), op)) ??
      this.resourceOf(this.get(ancestors.find((a) => isParam(a[a.length - 1]) && this.get(a)) ?? []), op) ??
      this.resourceOf(this.get(ancestors.find((a) => this.get(a)) ?? []), op) ??
      own
    );
  }

  private resourcesOf(service: string): Set<string> {
    if (!this.knownResources) {
      const known = new Map<string, Set<string>>();
      for (const op of this.ops) {
        const parts = splitOperationId(op.operationId);
        const override = NAME_OVERRIDES[op.operationId];
        if ((override?.verb ?? this.verbFor(op, parts)) === 'exec') continue;
        const svc = override?.service ?? serviceForTags(op.tags);
        const set = known.get(svc) ?? new Set<string>();
        set.add(override?.resource ?? this.ownResource(op, parts, svc));
        known.set(svc, set);
      }
      this.knownResources = known;
    }
    return this.knownResources.get(service) ?? new Set();
  }

  private verbFor(op: OperationRef, parts: OperationIdParts): SqlVerb {
    const segs = segmentsOf(op.path);
    const last = segs[segs.length - 1] ?? '';
    const lastIsParam = isParam(last);
    switch (op.httpMethod) {
      case 'get':
      case 'head':
        // A YAML, CSV or PDF download is not rows: StackQL calls it with EXEC.
        return op.jsonResponse === false ? 'exec' : 'select';
      case 'patch':
        return 'update';
      default:
        break;
    }
    if (op.httpMethod === 'post' && last === 'actions') return 'exec';
    if (EXEC_VERBS.has(parts.verb)) return 'exec';
    // A path one can also read (or whose collection one can list) holds rows; otherwise it is an action.
    // Parameter names count here: `/agents/{parent_agent_uuid}/child_agents/{id}` is not the list at
    // `/agents/{uuid}/child_agents` but an attachment between two agents.
    const parent = op.path.slice(0, op.path.lastIndexOf('/'));
    const readable = this.exactGets.has(op.path) || (lastIsParam && this.exactGets.has(parent));
    // Minting presigned URLs or OAuth tokens creates nothing one could SELECT back.
    if (!readable && /(^|_)(urls?|tokens)$/.test(parts.noun)) return 'exec';
    switch (op.httpMethod) {
      case 'post':
        return readable || CREATE_VERBS.has(parts.verb) ? 'insert' : 'exec';
      case 'put':
        return readable ? 'replace' : 'exec';
      case 'delete':
        return lastIsParam || readable ? 'delete' : 'exec';
    }
  }
}

function rename(service: string, resource: string): string {
  return RESOURCE_RENAMES[`${service}.${resource}`] ?? resource;
}

/** Names one operation in the context of all the spec's operations. */
export function nameOperation(op: OperationRef, all: readonly OperationRef[]): OperationName {
  return new Namer(all).name(op);
}
