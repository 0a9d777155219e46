// Postgres time arithmetic in a SELECT over resources: `created_at > now() - interval '30 days'` compares with
// DigitalOcean's own timestamp format, so "what was made lately" reads as it would against Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { directGet, sessionFor, startSandbox } from './helpers.js';

describe("now() and interval '…'", () => {
  let sb: Sandbox;
  let created: string[];

  beforeAll(async () => {
    sb = await startSandbox({ seed: 12, count: { 'compute.droplets': 60 } });
    created = ((await directGet(sb, '/v2/droplets?per_page=200')).droplets as { created_at: string }[]).map((d) => d.created_at);
  });
  afterAll(() => sb.close());

  it('selects the droplets created within an interval of now, as the timestamps say', async () => {
    const t = sessionFor(sb);
    const counts: number[] = [];
    for (const [interval, ms] of [['400 days', 400 * 864e5], ['2 years', 2 * 365.25 * 864e5], ['1 week 12 hours', 7.5 * 864e5]] as const) {
      const since = Date.now() - ms;
      const rows = await t.rows(`SELECT count(*) FROM digitalocean.compute.droplets WHERE created_at > now() - interval '${interval}'`);
      // Months and years follow the calendar in SQLite; allow a day either side of the JavaScript estimate.
      const lo = created.filter((c) => Date.parse(c) > since + 864e5).length;
      const hi = created.filter((c) => Date.parse(c) > since - 864e5).length;
      expect(Number(rows[0][0])).toBeGreaterThanOrEqual(lo);
      expect(Number(rows[0][0])).toBeLessThanOrEqual(hi);
      counts.push(Number(rows[0][0]));
    }
    // The seed's droplets spread over time, so the intervals tell them apart.
    expect(new Set(counts).size).toBeGreaterThan(1);
  });

  it('writes times as DigitalOcean does, and refuses intervals it cannot read', async () => {
    const t = sessionFor(sb);
    const [[shifted]] = await t.rows("SELECT '2024-06-11T10:18:00Z' + interval '1 week 2 hours' - interval '30 minutes'");
    expect(shifted).toBe('2024-06-18T11:48:00Z');
    const [casts] = await t.rows("SELECT '2024-06-11T10:18:00Z'::date, '2024-06-11'::timestamp, CAST('2024-06-11 10:18' AS timestamp with time zone), '2024-06-11'::date + interval '36 hours'");
    expect(casts).toEqual(['2024-06-11', '2024-06-11T00:00:00Z', '2024-06-11T10:18:00Z', '2024-06-12T12:00:00Z']);
    // A cast literal compares with DigitalOcean's timestamps as a time, not as shorter text.
    const since = created.filter((c) => c >= '2024-01-01T00:00:00Z').length;
    expect(await t.rows("SELECT count(*) FROM digitalocean.compute.droplets WHERE created_at >= '2024-01-01'::timestamp")).toEqual([[since]]);
    await expect(t.rows("SELECT now() - interval '3 fortnights'")).rejects.toThrow("cannot read interval '3 fortnights'");
    await expect(t.rows("SELECT interval '1 day'")).rejects.toThrow('INTERVAL is added to or taken from a time');
  });
});
