// /*+ AWAIT */ gives up at the wait timeout naming the actions still in progress, and fails naming an action that
// errored (the sandbox errors actions at its --action-error-rate).
import { afterAll, describe, expect, it } from 'vitest';
import { parseSql } from '../../src/sql/tree/parse.js';
import { closeAll, failure, routes, sessionOn, startSandbox } from './harness.js';

afterAll(closeAll);

const reboot = (id: string): string =>
  `EXEC /*+ AWAIT */ digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id='${id}' @@json='{"type":"reboot"}'`;

describe('/*+ AWAIT */ failures', () => {
  it('gives up at the wait timeout with a message naming the action id still in progress', async () => {
    const sb = await startSandbox({ actionDelayMs: 60_000 });
    const t = sessionOn(sb, { waitTimeoutMs: 600 });
    const id = sb.ids('/v2/droplets')[0];
    const started = performance.now();
    const err = await failure(t.run(reboot(id)));
    expect(performance.now() - started).toBeLessThan(3_000);
    const polled = t.sent.find((s) => s.path.startsWith('/v2/actions/'))!.path.split('/').pop();
    expect(err.code).toBe('timeout');
    expect(err.message).toBe(`gave up waiting after 1 s for action ${polled} (still in progress)`);
    expect(err.hint).toMatch(/raise --wait-timeout/);
    expect(routes(sb)['POST /v2/droplets/{droplet_id}/actions']).toBe(1);
  });

  it('INSERT /*+ AWAIT */ gives up at the wait timeout too, naming the create action', async () => {
    const sb = await startSandbox({ actionDelayMs: 60_000 });
    const t = sessionOn(sb, { waitTimeoutMs: 700 });
    // The clock times the wait, not the SQL parser's one-time load and first parse (~100 ms, more on a busy machine).
    await parseSql('SELECT 1');
    const started = performance.now();
    const err = await failure(
      t.run(`INSERT /*+ AWAIT */ INTO digitalocean.compute.droplets (data__name, data__size, data__image) SELECT 'slow', 's-1vcpu-1gb', 'ubuntu-24-04-x64'`),
    );
    expect(err.code).toBe('timeout');
    // The droplet exists even though its action never finished: the error names it.
    expect(err.message).toMatch(/^gave up waiting after 1 s for action \d+ \(still in progress\); the INSERT created digitalocean\.compute\.droplets id \d+, which exists$/);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('an errored action fails the statement naming its id and type, and changed nothing', async () => {
    const sb = await startSandbox({ actionErrorRate: 1 });
    const t = sessionOn(sb);
    const id = sb.ids('/v2/droplets')[0];
    const before = await t.rows(`SELECT status FROM digitalocean.compute.droplets WHERE droplet_id = ${id}`);
    const err = await failure(t.run(reboot(id).replace('reboot', 'power_off')));
    const polled = t.sent.find((s) => s.path.startsWith('/v2/actions/'))!.path.split('/').pop();
    expect(err.code).toBe('api');
    expect(err.message).toBe(`action ${polled} (power_off) errored`);
    expect(err.hint).toBe(`see SELECT * FROM digitalocean.account.actions WHERE action_id = ${polled}`);
    expect(routes(sb)['POST /v2/droplets/{droplet_id}/actions']).toBe(1);
    expect(await t.rows(`SELECT status FROM digitalocean.compute.droplets WHERE droplet_id = ${id}`)).toEqual(before);
    // At rate 0 the same action completes.
    sb.setActionErrorRate(0);
    const [done] = await t.run(reboot(id).replace('reboot', 'power_off'));
    expect(done.command).toBe('EXEC 1');
    expect(await t.rows(`SELECT status FROM digitalocean.compute.droplets WHERE droplet_id = ${id}`)).toEqual([{ status: 'off' }]);
  });
});
