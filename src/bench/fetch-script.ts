// The hand-written script doql's cold commands are measured against: plain `fetch` + `Promise.all`, as a
// user would write it for one report, run as its own process. It imports nothing of doql's, on purpose.
//   node dist/bench/fetch-script.js fanout URL   (clusters, then every cluster's backups at once)
//   node dist/bench/fetch-script.js count URL    (page 1 of droplets, then every other page at once)
// The token comes from DIGITALOCEAN_TOKEN, as for doql. Prints the row count it got.

const [mode, base] = process.argv.slice(2);
const headers = { authorization: `Bearer ${process.env.DIGITALOCEAN_TOKEN ?? ''}` };

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

interface Page {
  meta?: { total?: number };
  [key: string]: unknown;
}

/** Every item of a paged list: the first page says how many there are, the rest are fetched at once. */
async function listAll(path: string, key: string): Promise<Record<string, unknown>[]> {
  const sep = path.includes('?') ? '&' : '?';
  const first = await get<Page>(`${path}${sep}per_page=200&page=1`);
  const items = [...((first[key] as Record<string, unknown>[] | undefined) ?? [])];
  const pages = Math.ceil((first.meta?.total ?? items.length) / 200);
  const rest = await Promise.all(Array.from({ length: Math.max(0, pages - 1) }, (_, i) => get<Page>(`${path}${sep}per_page=200&page=${i + 2}`)));
  for (const p of rest) items.push(...((p[key] as Record<string, unknown>[] | undefined) ?? []));
  return items;
}

async function main(): Promise<void> {
  if (mode === 'fanout') {
    const clusters = await listAll('/v2/databases', 'databases');
    const backups = await Promise.all(clusters.map((c) => get<Page>(`/v2/databases/${String(c.id)}/backups`)));
    const rows = backups.reduce((n, b) => n + ((b.backups as unknown[] | undefined)?.length ?? 0), 0);
    process.stdout.write(`${rows}\n`);
  } else if (mode === 'count') {
    process.stdout.write(`${(await listAll('/v2/droplets', 'droplets')).length}\n`);
  } else {
    throw new Error(`usage: fetch-script fanout|count URL`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
