// EXEC of a droplet action: the POST it sends, what /*+ SHOWRESULTS */ prints, and /*+ AWAIT */ waiting for the action.
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, objects, routes, sessionOn, startSandbox } from './harness.js';

afterAll(closeAll);

const reboot = (id: string, hints = ''): string =>
  `EXEC ${hints}digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id='${id}' @@json='{"type":"reboot"}'`;

describe('EXEC digitalocean.compute.droplet_actions.droplet_actions_post (reboot)', () => {
  it('sends one POST /v2/droplets/{id}/actions with the @@json body and returns the action it started', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const id = sb.ids('/v2/droplets')[0];
    const [r] = await t.run(reboot(id));
    expect(t.changes()).toEqual([{ method: 'POST', path: `/v2/droplets/${id}/actions`, body: { type: 'reboot' } }]);
    expect(routes(sb)).toEqual({ 'POST /v2/droplets/{droplet_id}/actions': 1 });
    expect(r.kind).toBe('rows');
    expect(objects(r)).toEqual([expect.objectContaining({ type: 'reboot', resource_id: Number(id) })]);
  });

  it('/*+ SHOWRESULTS */ prints the action from the response: a reboot of that droplet, in progress', async () => {
    const sb = await startSandbox({ actionDelayMs: 5_000 });
    const t = sessionOn(sb);
    const id = sb.ids('/v2/droplets')[0];
    const [r] = await t.run(reboot(id, '/*+ SHOWRESULTS */ '));
    const rows = objects(r);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'reboot', status: 'in-progress', resource_type: 'droplet', resource_id: Number(id) });
    expect(routes(sb)).toEqual({ 'POST /v2/droplets/{droplet_id}/actions': 1 });
  });

  it('/*+ AWAIT */ polls the action until it is completed', async () => {
    const delay = 400;
    const sb = await startSandbox({ actionDelayMs: delay });
    const t = sessionOn(sb);
    const id = sb.ids('/v2/droplets')[0];
    const started = performance.now();
    await t.run(reboot(id, '/*+ AWAIT */ '));
    expect(performance.now() - started).toBeGreaterThanOrEqual(delay - 50);
    expect(routes(sb)['POST /v2/droplets/{droplet_id}/actions']).toBe(1);
    expect(routes(sb)['GET /v2/actions/{action_id}']).toBeGreaterThanOrEqual(2); // in progress, then completed
    const [action] = t.sent.filter((s) => s.path.startsWith('/v2/actions/'));
    expect(await t.rows(`SELECT status, type FROM digitalocean.compute.droplet_actions WHERE droplet_id = '${id}' AND id = ${action.path.split('/').pop()}`)).toEqual([
      { status: 'completed', type: 'reboot' },
    ]);
  });

  it('/*+ AWAIT, SHOWRESULTS */ prints the action as it ended: completed', async () => {
    const sb = await startSandbox({ actionDelayMs: 200 });
    const t = sessionOn(sb);
    const id = sb.ids('/v2/droplets')[0];
    const [r] = await t.run(reboot(id, '/*+ AWAIT, SHOWRESULTS */ '));
    expect(objects(r)).toEqual([expect.objectContaining({ type: 'reboot', status: 'completed', resource_id: Number(id) })]);
    expect(objects(r)[0].completed_at).toEqual(expect.any(String));
  });

  it('EXEC of an unknown method sends nothing and lists the methods there are', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    await expect(t.run(`EXEC digitalocean.compute.droplet_actions.reboot @droplet_id='1'`)).rejects.toThrow(/has no method reboot; its methods: .*droplet_actions_post/);
    expect(sb.requests().total).toBe(0);
  });
});
