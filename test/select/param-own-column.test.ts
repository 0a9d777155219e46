// A parameter compared with a column of its own table (`WHERE droplet_id = id`) can never reach the API:
// doql says so instead of answering with no rows. The same comparison across two references (a self-join)
// is a real fan-out and runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { sessionFor, startSandbox } from './helpers.js';

describe('a parameter against its own table’s column', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 47, count: { 'compute.droplets': 4 } });
  });
  afterAll(() => sb.close());

  it.each([
    'SELECT id FROM digitalocean.compute.droplets WHERE droplet_id = id',
    'SELECT d.id FROM digitalocean.compute.droplets d WHERE d.id = d.droplet_id',
  ])('%s is refused before any request', async (sql) => {
    const t = sessionFor(sb);
    await expect(t.session.execute(sql)).rejects.toThrow('droplet_id is a parameter of digitalocean.compute.droplets');
    expect(t.urls).toEqual([]);
  });

  it('a self-join passes one reference’s column to the other’s parameter', async () => {
    const t = sessionFor(sb);
    const rows = await t.rows('SELECT count(*) FROM digitalocean.compute.droplets a JOIN digitalocean.compute.droplets b ON b.droplet_id = a.id');
    expect(rows).toEqual([[4]]);
  });
});
