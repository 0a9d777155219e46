// Word-level helpers for naming: snake_case the two ways StackQL does, and English plurals for resource names.

/**
 * snake_case with acronyms split into words (`appCPUPercentageMetrics` → `app_cpu_percentage_metrics`),
 * used for resource names. A capital followed by fewer than two lowercase letters stays in its acronym, so
 * `IPs` and `IPv6` survive as `ips` and `ipv6`.
 */
export function snakeCase(s: string): string {
  return s
    .replace(/\.ya?ml$/i, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z]{2,})/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_')
    .toLowerCase();
}

/**
 * snake_case as StackQL makes method names from operationIds: a break only where a lowercase letter or digit
 * meets a capital, so acronyms run together (`appCPUPercentageMetrics` → `app_cpupercentage_metrics`).
 * A stray `.yml` some operationIds carry is dropped.
 */
export function methodSnakeCase(s: string): string {
  return s
    .replace(/\.ya?ml$/i, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_')
    .toLowerCase();
}

/** Words that name a thing that is not counted, so a resource named by them stays singular. */
const UNCOUNTABLE = new Set([
  'account',
  'ca',
  'config',
  'credentials',
  'data',
  'health',
  'history',
  'info',
  'kubeconfig',
  'metadata',
  'mode',
  'oauth2',
  'status',
  'usage',
]);

export function pluralWord(word: string): string {
  if (UNCOUNTABLE.has(word) || /\d$/.test(word)) return word;
  if (/(ss|x|ch|sh)$/.test(word)) return `${word}es`;
  if (/s$/.test(word)) return word; // already plural (`keys`, `metrics`, `ips`)
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

export function singularWord(word: string): string {
  if (UNCOUNTABLE.has(word)) return word;
  if (/ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|x|ch|sh|us)es$/.test(word)) return word.slice(0, -2);
  if (/(ss|us|is)$/.test(word)) return word;
  if (/s$/.test(word)) return word.slice(0, -1);
  return word;
}

/** `backup_policy` → `backup_policies`: only the last word changes. */
export function pluralPhrase(phrase: string): string {
  const words = phrase.split('_');
  words[words.length - 1] = pluralWord(words[words.length - 1]);
  return words.join('_');
}

/** `reserved_ips_actions` → `reserved_ip_actions`: every word singular but the last, which is plural. */
export function collectionPhrase(phrase: string): string {
  const words = phrase.split('_');
  return words.map((w, i) => (i === words.length - 1 ? pluralWord(w) : singularWord(w))).join('_');
}

/** `droplets` → `droplet`, `load_balancers` → `load_balancer`. */
export function singularPhrase(phrase: string): string {
  return phrase
    .split('_')
    .map((w) => singularWord(w))
    .join('_');
}
