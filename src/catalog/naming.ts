// Names an OpenAPI operation as the StackQL DigitalOcean provider does: service, resource, method, SQL verb.
import type { HttpMethod, SqlVerb } from './types.js';

export interface OperationInfo {
  operationId: string;
  httpMethod: HttpMethod;
  path: string;
  tags: string[];
  /** Every (path, method) pair of the spec, for rules that look at siblings. */
  hasOperation: (path: string, method: HttpMethod) => boolean;
}

export interface OperationName {
  service: string;
  resource: string;
  method: string;
  verb: SqlVerb;
}

/** Tag → service, where the service is not the snake_cased tag. */
const SERVICE_BY_TAG: Record<string, string> = {
  Account: 'account',
  Actions: 'account',
  'SSH Keys': 'compute',
  Droplets: 'compute',
  'Droplet Actions': 'compute',
  'Droplet Autoscale Pools': 'compute',
  'Block Storage': 'compute',
  'Block Storage Actions': 'compute',
  'CDN Endpoints': 'compute',
  Certificates: 'compute',
  Domains: 'compute',
  'Domain Records': 'compute',
  Firewalls: 'compute',
  Images: 'compute',
  'Image Actions': 'compute',
  'Load Balancers': 'compute',
  Regions: 'compute',
  'Reserved IPs': 'compute',
  'Reserved IP Actions': 'compute',
  '[Public Preview] Reserved IPv6': 'compute',
  '[Public Preview] Reserved IPv6 Actions': 'compute',
  'Reserved IPv6': 'compute',
  'Reserved IPv6 Actions': 'compute',
  '[Public Preview] VPC NAT Gateways': 'compute',
  'VPC NAT Gateways': 'compute',
  Sizes: 'compute',
  Snapshots: 'compute',
  Tags: 'compute',
  'Container Registry': 'container_registry',
  'Container Registries': 'container_registry',
  Billing: 'billing',
  Databases: 'databases',
  'GradientAI Platform': 'genai',
  Kubernetes: 'kubernetes',
  Monitoring: 'monitoring',
  Uptime: 'monitoring',
  'Floating IPs': 'network',
  'Floating IP Actions': 'network',
  'BYOIP Prefixes': 'network',
  'Partner Network Connect': 'network',
  '1-Click Applications': 'oneclick',
  Projects: 'projects',
  'Project Resources': 'projects',
  Functions: 'serverless',
  'Spaces Keys': 'spaces',
  VPCs: 'vpcs',
  'VPC Peerings': 'vpcs',
  Apps: 'apps',
};

export function snakeCase(s: string): string {
  return s
    .replace(/\.ya?ml$/i, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_')
    .toLowerCase();
}

export function serviceForTags(tags: string[]): string {
  const tag = tags[0] ?? 'misc';
  return SERVICE_BY_TAG[tag] ?? snakeCase(tag.replace(/^\[[^\]]*\]\s*/, ''));
}

export function methodName(operationId: string): string {
  return snakeCase(operationId);
}

function isParam(segment: string): boolean {
  return segment.startsWith('{');
}

export function verbFor(op: OperationInfo): SqlVerb {
  switch (op.httpMethod) {
    case 'get':
    case 'head':
      return 'select';
    case 'patch':
      return 'update';
    case 'put':
      return 'replace';
    case 'delete':
      return 'delete';
    case 'post': {
      const last = op.path.split('/').filter(Boolean).pop() ?? '';
      if (last === 'actions') return 'exec';
      return 'insert';
    }
  }
}

export function resourceFor(op: OperationInfo): string {
  const segments = op.path.split('/').filter((s) => s && s !== 'v2' && !isParam(s));
  return snakeCase(segments[segments.length - 1] ?? 'root');
}

export function nameOperation(op: OperationInfo): OperationName {
  return {
    service: serviceForTags(op.tags),
    resource: resourceFor(op),
    method: methodName(op.operationId),
    verb: verbFor(op),
  };
}
