// The irregular names the StackQL DigitalOcean provider gives, which no general rule in naming.ts produces.
// Keep this table small: a rule that covers several of these belongs in naming.ts instead.
import type { SqlVerb } from './types.js';

export interface NameOverride {
  service?: string;
  resource?: string;
  method?: string;
  verb?: SqlVerb;
}

/**
 * Families of paths StackQL keeps only as EXEC methods suffixed `_legacy`, because a newer family replaced
 * them (`/v2/registry` → `/v2/registries`). Matched on the path prefix, so every operation under it follows.
 */
export const LEGACY_PATH_FAMILIES: readonly string[] = ['/v2/registry'];

/** Keyed by operationId. */
export const NAME_OVERRIDES: Readonly<Record<string, NameOverride>> = {
  // Rules and tags of a firewall are rows one adds and deletes, though the API has no GET for them.
  firewalls_add_rules: { verb: 'insert' },
  firewalls_delete_rules: { verb: 'delete' },
  firewalls_add_tags: { verb: 'insert' },
  firewalls_delete_tags: { verb: 'delete' },
  // The spec's operationId misspells opensearch; StackQL fixed it.
  databases_list_opeasearch_indexes: { method: 'databases_list_opensearch_indexes', resource: 'opensearch_indexes' },
  droplets_get_DestroyAssociatedResourcesStatus: { verb: 'exec' },
  registries_get_garbageCollection: { resource: 'active_garbage_collection' },
  genai_list_agents_by_anthropic_key: { resource: 'agents_by_anthropic_key' },
  genai_list_agents_by_openai_key: { resource: 'agents_by_openai_key' },
  genai_run_evaluation_test_case: { resource: 'evaluation_runs', verb: 'insert' },
  genai_create_data_source_file_upload_presigned_urls: { resource: 'knowledge_base_data_sources' },
  partnerAttachments_get_bgp_auth_key: { resource: 'partner_attachments_bgp_auth_key' },
  partnerAttachments_list_remote_routes: { resource: 'partner_attachments_remote_routes' },
  volumeActions_post: { resource: 'volumes' },
  reservedIPv6Actions_post: { resource: 'reserved_ipv6' },
  apps_list_metrics_bandwidth_daily: { verb: 'insert' },
};

/** `service.resource` as the rules name it → StackQL's name; every operation of the resource follows. */
export const RESOURCE_RENAMES: Readonly<Record<string, string>> = {
  'billing.history': 'billing_history',
  'compute.droplet_associated_resources': 'droplets_associated_resources',
  'compute.droplet_firewalls': 'droplets_firewalls',
  'compute.droplet_neighbors': 'droplets_neighbors',
  'databases.autoscales': 'autoscale_config',
  'databases.kafka_schema_versions': 'kafka_schema_version',
  'databases.config': 'cluster_config',
  'databases.logsinks': 'log_sinks',
  'databases.migration_status': 'online_migrations',
  'genai.agent_childrens': 'agent_routes',
  'kubernetes.cluster_lint_results': 'lint_checks',
  // Adding a registry to clusters is an action on the clusters.
  'kubernetes.registries': 'clusters',
  'monitoring.check_state': 'check_states',
};

// Resource names by path glob (`*` one segment, `**` any number), for paths no operationId names well.
export const PATH_OVERRIDES: readonly { path: string; resource: string }[] = [
  { path: '/v2/apps/**/logs', resource: 'deployment_logs' },
  { path: '/v2/apps/**/exec', resource: 'deployment_url' },
  { path: '/v2/apps/**/bandwidth_daily', resource: 'daily_bandwidth_metrics' },
  { path: '/v2/1-clicks/**', resource: 'applications' },
  { path: '/v2/gen-ai/oauth2/**', resource: 'oauth2' },
];
