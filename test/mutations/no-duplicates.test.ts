// A mutation is never sent twice when its outcome is unknown: a 500 to a POST/DELETE is reported as
// `unknown_outcome` with how to check, after exactly one request; a 429 (refused, so not applied) is retried.
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, DROPLET_IMAGE, DROPLET_SIZE, failure, insertDroplets, sessionOn, startSandbox } from './harness.js';

afterAll(closeAll);

const ONE = `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image) SELECT 'once', 'nyc3', '${DROPLET_SIZE}', '${DROPLET_IMAGE}'`;

describe('never duplicate a mutation', () => {
  it('a 500 to the POST: sent exactly once, the error says the outcome is unknown and how to check', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    sb.setFaults({ rate: 1, kinds: ['500'] });
    const err = await failure(t.run(ONE));
    sb.setFaults(undefined);
    expect(sb.requests().byRouteStatus).toEqual({ 'POST /v2/droplets 500': 1 });
    expect(err.code).toBe('unknown_outcome');
    expect(err.message).toMatch(/^500 POST \/v2\/droplets: .*the outcome is unknown: the request may or may not have been applied\. List the resource to see whether it was created before retrying\./);
    expect(err.hint).toBe('List the resource to see whether it was created before retrying.');
  });

  it('a 503 to a DELETE: sent exactly once, outcome unknown, advice to check whether it still exists', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const id = sb.ids('/v2/droplets')[0];
    sb.setFaults({ rate: 1, kinds: ['503'] });
    const err = await failure(t.run(`DELETE FROM digitalocean.compute.droplets WHERE droplet_id = ${id}`));
    sb.setFaults(undefined);
    expect(sb.requests().byRoute).toEqual({ 'DELETE /v2/droplets/{droplet_id}': 1 });
    expect(err.code).toBe('unknown_outcome');
    expect(err.message).toMatch(/outcome is unknown.*Get or list the resource to see whether it still exists before retrying/);
  });

  it('a dropped connection after a POST was sent: sent once, outcome unknown', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    sb.setFaults({ rate: 1, kinds: ['drop'] });
    const err = await failure(t.run(ONE));
    sb.setFaults(undefined);
    expect(sb.requests().byRoute).toEqual({ 'POST /v2/droplets': 1 });
    expect(err.code).toBe('unknown_outcome');
    expect(err.message).toMatch(/the outcome is unknown/);
  });

  it('several rows all answered 500: each POST is sent once, and the error counts the failures', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    sb.setFaults({ rate: 1, kinds: ['500'] });
    const err = await failure(t.run(insertDroplets([{ name: 'm-1' }, { name: 'm-2' }, { name: 'm-3' }])));
    sb.setFaults(undefined);
    expect(sb.requests().byRouteStatus).toEqual({ 'POST /v2/droplets 500': 3 });
    expect(err.code).toBe('unknown_outcome');
    expect(err.message).toMatch(/^3 of 3 requests failed \(first: .*the outcome is unknown.*\); succeeded: none; failed: /);
    for (const n of ['m-1', 'm-2', 'm-3']) expect(err.message).toContain(`POST /v2/droplets (name ${n})`);
    expect(err.hint).toBe('List the resource to see whether it was created before retrying.');
  });

  it('some rows answered 500: each POST sent once; the error names the rows made and the rows of unknown outcome', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const names = ['k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-6'];
    sb.setFaults({ rate: 0.5, kinds: ['500'] });
    const err = await failure(t.run(insertDroplets(names.map((name) => ({ name })))));
    sb.setFaults(undefined);
    const counts = sb.requests();
    expect(counts.byRoute['POST /v2/droplets']).toBe(names.length);
    const failedCount = counts.byRouteStatus['POST /v2/droplets 500'];
    expect(failedCount).toBeGreaterThan(0);
    expect(failedCount).toBeLessThan(names.length); // the seed gives a mix
    expect(err.code).toBe('unknown_outcome');
    const m = /^(\d+) of 6 requests failed \(first: .*\); succeeded: (.*); failed: (.*)$/.exec(err.message);
    expect(m, err.message).not.toBeNull();
    expect(Number(m![1])).toBe(failedCount);
    const listed = (s: string): string[] => [...s.matchAll(/\(name ([^)]+)\)/g)].map((x) => x[1]).sort();
    const made = (await t.rows(`SELECT name FROM digitalocean.compute.droplets WHERE name LIKE 'k-%' ORDER BY name`)).map((r) => String(r.name));
    expect(listed(m![2])).toEqual(made);
    expect([...listed(m![2]), ...listed(m![3])].sort()).toEqual(names);
  });

  it('a 429 to the POST is retried: two POSTs counted (429 then success) and one droplet made', async () => {
    // One request per 1 s window: a GET spends the window, so the POST right after it is refused with Retry-After.
    const sb = await startSandbox({ rateLimit: { limit: 1, windowSeconds: 1, hourly: 0 } });
    const t = sessionOn(sb);
    const spend = await fetch(`${sb.url}/v2/account`, { headers: { authorization: `Bearer ${sb.token}` } });
    expect(spend.status).toBe(200);
    const [r] = await t.run(ONE);
    expect(r.command).toBe('INSERT 0 1');
    const counts = sb.requests();
    expect(counts.byRoute['POST /v2/droplets']).toBe(2);
    expect(counts.byRouteStatus['POST /v2/droplets 429']).toBe(1);
    expect(Object.keys(counts.byRouteStatus).filter((k) => /^POST \/v2\/droplets 2\d\d$/.test(k))).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the window pass before reading
    expect(await t.rows(`SELECT count(*) AS n FROM digitalocean.compute.droplets WHERE name = 'once'`)).toEqual([{ n: 1 }]);
  });
});
