import { describe, expect, it } from 'vitest';
import { Namer, serviceForTags } from './naming.js';
import type { OperationRef } from './naming.js';
import { methodSnakeCase, pluralWord, singularWord, snakeCase } from './naming-words.js';
import type { HttpMethod } from './types.js';

describe('words', () => {
  it.each([
    ['appCPUPercentageMetrics', 'app_cpu_percentage_metrics', 'app_cpupercentage_metrics'],
    ['reservedIPv6Actions', 'reserved_ipv6_actions', 'reserved_ipv6_actions'],
    ['floatingIPsAction_post', 'floating_ips_action_post', 'floating_ips_action_post'],
    ['registries_list_repositoriesV2', 'registries_list_repositories_v2', 'registries_list_repositories_v2'],
    ['invoices_get_csvByUUID', 'invoices_get_csv_by_uuid', 'invoices_get_csv_by_uuid'],
    ['monitoring_get_appRestartCountMetrics.yml', 'monitoring_get_app_restart_count_metrics', 'monitoring_get_app_restart_count_metrics'],
  ])('%s → resource words %s, method %s', (input, words, method) => {
    expect(snakeCase(input)).toBe(words);
    expect(methodSnakeCase(input)).toBe(method);
  });

  it.each([
    ['policy', 'policies'],
    ['index', 'indexes'],
    ['keys', 'keys'],
    ['config', 'config'],
    ['ipv6', 'ipv6'],
    ['droplet', 'droplets'],
  ])('plural of %s is %s', (one, many) => expect(pluralWord(one)).toBe(many));

  it.each([
    ['droplets', 'droplet'],
    ['ips', 'ip'],
    ['prefixes', 'prefix'],
    ['policies', 'policy'],
    ['access', 'access'],
    ['databases', 'database'],
  ])('singular of %s is %s', (many, one) => expect(singularWord(many)).toBe(one));
});

describe('services', () => {
  it.each([
    [['Droplets'], 'compute'],
    [['Block Storage Actions'], 'compute'],
    [['Floating IP Actions'], 'network'],
    [['NFS Actions'], 'nfs'],
    [['[Public Preview] Reserved IPv6'], 'compute'],
    [['Vector Databases'], 'vector_databases'],
  ])('tags %j are service %s', (tags, service) => expect(serviceForTags(tags)).toBe(service));
});

/** A spec as a list of `METHOD path operationId tag` lines. */
function namer(lines: string[]): { name: (operationId: string) => string; namer: Namer } {
  const ops: OperationRef[] = lines.map((line) => {
    const [httpMethod, path, operationId, ...tag] = line.split(' ');
    return { httpMethod: httpMethod.toLowerCase() as HttpMethod, path, operationId, tags: [tag.join(' ')] };
  });
  const n = new Namer(ops);
  return {
    namer: n,
    name: (id) => {
      const op = ops.find((o) => o.operationId === id) as OperationRef;
      const r = n.name(op);
      return `${r.service}.${r.resource}.${r.method} ${r.verb}`;
    },
  };
}

describe('naming rules', () => {
  const spec = namer([
    'GET /v2/droplets droplets_list Droplets',
    'POST /v2/droplets droplets_create Droplets',
    'DELETE /v2/droplets droplets_destroy_byTag Droplets',
    'GET /v2/droplets/{droplet_id} droplets_get Droplets',
    'GET /v2/droplets/{droplet_id}/backups droplets_list_backups Droplets',
    'POST /v2/droplets/{droplet_id}/actions dropletActions_post Droplet Actions',
    'GET /v2/droplets/autoscale autoscalepools_list Droplet Autoscale Pools',
    'GET /v2/apps apps_list Apps',
    'GET /v2/apps/{id} apps_get Apps',
    'POST /v2/apps/{app_id}/restart apps_restart Apps',
    'GET /v2/databases/{database_cluster_uuid} databases_get_cluster Databases',
    'GET /v2/databases/{database_cluster_uuid}/dbs databases_list Databases',
    'POST /v2/databases/{database_cluster_uuid}/dbs databases_add Databases',
    'GET /v2/databases/{database_cluster_uuid}/backups databases_list_backups Databases',
    'PUT /v2/databases/{database_cluster_uuid}/resize databases_update_clusterSize Databases',
    'GET /v2/databases/{database_cluster_uuid}/eviction_policy databases_get_evictionPolicy Databases',
    'PUT /v2/databases/{database_cluster_uuid}/eviction_policy databases_update_evictionPolicy Databases',
    'GET /v2/monitoring/metrics/droplet/cpu monitoring_get_DropletCpuMetrics Monitoring',
    'GET /v2/registry registry_get Container Registry',
    'GET /v2/registries registries_list Container Registries',
    'GET /v2/tags/{tag_id} tags_get Tags',
    'POST /v2/tags/{tag_id}/resources tags_assign_resources Tags',
  ]);

  it.each([
    // method = snake_cased operationId; resource from the operationId's noun
    ['droplets_list', 'compute.droplets.droplets_list select'],
    ['droplets_create', 'compute.droplets.droplets_create insert'],
    ['droplets_destroy_byTag', 'compute.droplets.droplets_destroy_by_tag delete'],
    // compute merges products, so a sub-collection carries its parent's name; databases does not
    ['droplets_list_backups', 'compute.droplet_backups.droplets_list_backups select'],
    ['databases_list_backups', 'databases.backups.databases_list_backups select'],
    // a POST to …/actions is an EXEC on the actions resource
    ['dropletActions_post', 'compute.droplet_actions.droplet_actions_post exec'],
    // a run-together prefix takes the tag's word breaks
    ['autoscalepools_list', 'compute.droplet_autoscale_pools.autoscalepools_list select'],
    // an action with no GET beside it is an EXEC on the resource it acts on
    ['apps_restart', 'apps.apps.apps_restart exec'],
    ['databases_update_clusterSize', 'databases.clusters.databases_update_cluster_size exec'],
    ['tags_assign_resources', 'compute.tags.tags_assign_resources exec'],
    // an operationId that names only the service takes its resource from the path
    ['databases_list', 'databases.dbs.databases_list select'],
    ['databases_add', 'databases.dbs.databases_add insert'],
    // something one can change is plural; a read-only metric keeps its number
    ['databases_get_evictionPolicy', 'databases.eviction_policies.databases_get_eviction_policy select'],
    ['monitoring_get_DropletCpuMetrics', 'monitoring.droplet_cpu_metrics.monitoring_get_droplet_cpu_metrics select'],
    // a replaced family is EXEC-only, suffixed _legacy
    ['registry_get', 'container_registry.registries.registry_get_legacy exec'],
    ['registries_list', 'container_registry.registries.registries_list select'],
  ])('%s is named %s', (operationId, expected) => expect(spec.name(operationId)).toBe(expected));

  it('names a download (non-JSON GET) as an EXEC on the resource it belongs to', () => {
    const ops: OperationRef[] = [
      { httpMethod: 'get', path: '/v2/kubernetes/clusters/{cluster_id}', operationId: 'kubernetes_get_cluster', tags: ['Kubernetes'] },
      { httpMethod: 'get', path: '/v2/kubernetes/clusters/{cluster_id}/kubeconfig', operationId: 'kubernetes_get_kubeconfig', tags: ['Kubernetes'], jsonResponse: false },
    ];
    expect(new Namer(ops).name(ops[1])).toEqual({ service: 'kubernetes', resource: 'clusters', method: 'kubernetes_get_kubeconfig', verb: 'exec' });
  });
});

describe('naming terminates', () => {
  it('names a download item under a list without looping between them', () => {
    const ops: OperationRef[] = [
      { httpMethod: 'get', path: '/v2/reports', operationId: 'reports_list_reports_csv', tags: ['Reports'] },
      { httpMethod: 'get', path: '/v2/reports/{id}', operationId: 'reports_get_csv', tags: ['Reports'], jsonResponse: false },
    ];
    const n = new Namer(ops);
    expect(n.name(ops[1]).verb).toBe('exec');
    expect(n.name(ops[0]).resource).toBeTruthy();
  });
});
