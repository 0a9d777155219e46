// `$1` placeholders (the wire server's extended protocol) bind in SELECTs over resources, and text values
// that are numbers compare as numbers, as Postgres would infer from the column.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { directGet, sessionFor, startSandbox } from './helpers.js';

describe('$n parameters in a SELECT over resources', () => {
  let sb: Sandbox;
  let cluster: string;
  let backups: { size_gigabytes: number }[];

  beforeAll(async () => {
    sb = await startSandbox({ seed: 41 });
    cluster = ((await directGet(sb, '/v2/databases')).databases as { id: string }[])[0]!.id;
    backups = (await directGet(sb, `/v2/databases/${cluster}/backups`)).backups as { size_gigabytes: number }[];
  });
  afterAll(() => sb.close());

  it('binds $1 to a required param and $2 (sent as text) to a numeric comparison', async () => {
    const t = sessionFor(sb);
    const min = Math.min(...backups.map((b) => b.size_gigabytes));
    const [r] = await t.session.execute(
      'SELECT count(*) AS n FROM digitalocean.databases.backups WHERE database_cluster_uuid = $1 AND size_gigabytes > $2',
      { params: [cluster, String(min)] },
    );
    expect(Number(r.rows[0][0])).toBe(backups.filter((b) => b.size_gigabytes > min).length);
  });

  it('the same $1 used twice binds once; a missing $n is a clear error', async () => {
    const t = sessionFor(sb);
    const [r] = await t.session.execute('SELECT $1 AS a, $1 AS b', { params: ['x'] });
    expect(r.rows).toEqual([['x', 'x']]);
    await expect(t.session.execute('SELECT $2 AS a', { params: ['x'] })).rejects.toThrow('there is no parameter $2');
  });

  it('a $n compared with a text column stays text, even when it looks like a number; with a number column it is a number', async () => {
    const t = sessionFor(sb);
    await t.session.execute("INSERT INTO digitalocean.compute.tags (data__name) VALUES ('12345'), ('007')");
    const names = async (sql: string, params: string[]) => (await t.session.execute(sql, { params }))[0].rows.map((r) => r[0]).sort();
    expect(await names('SELECT name FROM digitalocean.compute.tags WHERE name = $1', ['12345'])).toEqual(['12345']);
    expect(await names('SELECT name FROM digitalocean.compute.tags WHERE $1 = name', ['007'])).toEqual(['007']);
    expect(await names('SELECT t.name FROM digitalocean.compute.tags t WHERE t.name IN ($1, $2)', ['12345', '007'])).toEqual(['007', '12345']);
    expect(await names('SELECT name FROM digitalocean.compute.tags WHERE name NOT IN ($1) AND name = $2', ['1', '007'])).toEqual(['007']);
    // `1.50` is not how SQLite writes 1.5, but compared with a number column it is the number.
    const min = Math.min(...backups.map((b) => b.size_gigabytes));
    const [r] = await t.session.execute(
      'SELECT count(*) FROM digitalocean.databases.backups WHERE database_cluster_uuid = $1 AND size_gigabytes >= $2',
      { params: [cluster, `${min}0`] },
    );
    expect(Number(r.rows[0][0])).toBe(backups.length);
  });
});
