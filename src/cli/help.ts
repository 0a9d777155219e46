// `doql --help` examples and `doql help <topic>`.
import type { Command } from 'commander';

export const HELP_EXAMPLES = `
Examples:
  doql --sandbox "SHOW SERVICES IN digitalocean"
  doql --sandbox "SELECT id, name, region FROM digitalocean.databases.clusters"
  doql --var database_cluster_uuid=ID \\
    "SELECT created_at, size_gigabytes FROM digitalocean.databases.backups WHERE database_cluster_uuid = '{{ database_cluster_uuid }}'"
  doql exec -f deploy.sql --vars vars.yaml      (-i/--infile too; statements also come from a pipe)
  doql shell
  doql serve --port 5444        (then: psql -h 127.0.0.1 -p 5444)

Output: a table on a terminal, JSON when stdout is not a terminal; -o table|json|jsonl|csv|tsv|text|markdown.
Auth: -t TOKEN, DIGITALOCEAN_TOKEN, DIGITALOCEAN_ACCESS_TOKEN or doctl's config (--context NAME or
  DIGITALOCEAN_CONTEXT); --sandbox needs none.
Exit codes: 0 success, 1 statement error, 2 usage error.
Topics: doql help <command> | statements | select | mutations | templating | output | auth | sandbox
`;

const TOPICS: Record<string, string> = {
  statements: `Statements (StackQL syntax):
  SHOW PROVIDERS | SHOW SERVICES IN digitalocean [LIKE 'pat'] | SHOW RESOURCES IN digitalocean.<service> [LIKE 'pat']
  SHOW [EXTENDED] METHODS IN digitalocean.<service>.<resource> | DESCRIBE [EXTENDED] digitalocean.<service>.<resource>
  SHOW INSERT INTO digitalocean.<service>.<resource>   (an INSERT template, required fields marked)
  SELECT … (all of SQLite: joins, CTEs, aggregates, window functions, json_extract, ->>, json_each)
  INSERT INTO … | UPDATE … SET … WHERE … | REPLACE … SET … WHERE … | DELETE FROM … WHERE … | EXEC svc.res.method @p='v'
  COPY (SELECT …) TO STDOUT [WITH (FORMAT csv, HEADER)]   (Postgres's COPY formats; psql's \\copy … TO 'file' uses it)
  REGISTRY LIST | REGISTRY PULL digitalocean
`,
  select: `SELECT: required parameters come from WHERE (=, IN (…)) or from a join:
  SELECT b.created_at FROM digitalocean.databases.clusters c
    JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id;
  A missing required parameter is an error naming it; DESCRIBE EXTENDED lists parameters.
  Every page is fetched (per_page=200, pages in parallel); a failed page fails the statement.
  Times compare as DigitalOcean writes them: WHERE created_at > now() - interval '7 days'.
  Postgres's date_trunc, extract, json_agg, jsonb_array_elements_text(d.tags) AS t, ->, ->> and casts work too.
  A SELECT that would send more than 250 requests asks first on a terminal (goes ahead with a notice otherwise).
  Waits on DigitalOcean's rate limit show on stderr past 5 s; one past --max-wait (60 s) fails, saying when the
  limit resets; --timeout bounds a statement, waits included.
`,
  mutations: `Mutations:
  INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image)
    SELECT 'web-1', 'nyc3', 's-1vcpu-1gb', 'ubuntu-24-04-x64';
  /*+ AWAIT */ after the verb waits for the resulting actions; --dry-run prints the requests and sends none;
  changes to several rows ask first on a terminal and need --yes otherwise.
`,
  templating: `Templating: {{ name }} takes its value from --var name=value, a --vars FILE (JSON or YAML) or .set in the shell.
  Inside quotes ('{{ name }}', $$…$$, @@json='{"k": "{{ name }}"}') the value is text, quotes escaped; outside quotes it
  must be one literal (a number, true, false, null or a 'quoted string'). A value never changes the statement: one that
  would is an error naming it, as are an unset variable, {% … %}, {# … #} and filters.
`,
  output: `Output: -o table (default on a terminal; pretty is the same) | json (default otherwise) | jsonl | csv | tsv |
  text | markdown. The table fits the terminal (or COLUMNS): IDs and short columns whole, the widest cut with …,
  records when a row cannot fit; -x always records. json: one array of row objects, or an array of those when
  several statements return rows. text: psql's unaligned output (|-separated); tsv: tab-separated, escaped.
  --null TEXT prints NULL so (csv already tells NULL, an empty field, from '', ""); --no-header (table, csv, tsv,
  text; json has no header); --no-color or NO_COLOR.
`,
  auth: `Auth: -t/--access-token; --context NAME or DIGITALOCEAN_CONTEXT (a doctl context); DIGITALOCEAN_TOKEN, then
  DIGITALOCEAN_ACCESS_TOKEN, then doctl's config (~/.config/doctl/config.yaml, access-token or auth-contexts).
  --api-url, else DIGITALOCEAN_API_URL, else config.yaml's api_url changes the endpoint; --ca FILE, else DOQL_CA,
  else config.yaml's ca (or NODE_EXTRA_CA_CERTS) adds CA certificates to trust.
  The token is never printed, logged or put in an error.
`,
  sandbox: `Sandbox: --sandbox runs statements against a built-in DigitalOcean simulator (state kept between runs;
  doql sandbox reset starts over). doql sandbox --port 8080 serves it over HTTP (token doql-sandbox), and
  doql --api-url http://127.0.0.1:8080 talks to it with DIGITALOCEAN_TOKEN=doql-sandbox. doql sandbox --tls serves
  HTTPS (HTTP/2 and HTTP/1.1) with a self-signed certificate it writes to a file (--cert-out) for doql --ca FILE.
`,
};

export function helpTopic(program: Command, topic?: string): string {
  if (!topic) return program.helpInformation() + HELP_EXAMPLES;
  const t = TOPICS[topic.toLowerCase()];
  if (t) return t;
  const cmd = program.commands.find((c) => c.name() === topic);
  if (cmd) return cmd.helpInformation();
  return `doql: no help on "${topic}"; topics: ${[...Object.keys(TOPICS), ...program.commands.map((c) => c.name())].join(', ')}\n`;
}
