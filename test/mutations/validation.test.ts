// Mutations are checked against the spec before anything is sent: one error lists every problem, and the
// sandbox sees no request at all.
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, DROPLET_IMAGE, DROPLET_SIZE, failure, sessionOn, startSandbox } from './harness.js';

afterAll(closeAll);

describe('validation before sending', () => {
  it('one error lists each problem: unknown field, wrong types, missing required fields; zero requests', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const err = await failure(
      t.run(
        `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__bogus, data__size, data__backups, data__tags)
         SELECT 'v-1', 'nyc3', 1, json_object('slug', '${DROPLET_SIZE}'), 'maybe', 'web'`,
      ),
    );
    expect(err.code).toBe('validation');
    const problems = err.message.replace(/^digitalocean\.compute\.droplets\.droplets_create: /, '').split('; ');
    expect(problems).toEqual([
      expect.stringMatching(/^unknown field data__bogus \(fields of droplets_create: (?=.*data__backups)(?=.*data__size).*\)$/),
      `data__size must be a string like "s-1vcpu-1gb", got a JSON object {"slug":"${DROPLET_SIZE}"}`,
      'data__backups must be true or false, got "maybe"',
      `data__tags must be a JSON array, e.g. '["a","b"]', got "web"`,
      'missing required field data__image',
    ]);
    expect(sb.requests().total).toBe(0);
    expect(t.sent).toEqual([]);
  });

  it.each([
    ['missing required fields', `SELECT 'v-1', 'nyc3'`, '(data__name, data__region)', /missing required field data__size; missing required field data__image$/],
    ['an unknown data__ field', `SELECT 'v-1', '${DROPLET_SIZE}', '${DROPLET_IMAGE}', 'x'`, '(data__name, data__size, data__image, data__colour)', /unknown field data__colour \(fields of droplets_create: /],
    ['a JSON object for a string field', `SELECT 'v-1', '{"slug":"${DROPLET_SIZE}"}', '${DROPLET_IMAGE}'`, '(data__name, data__size, data__image)', /data__size must be a string like "s-1vcpu-1gb", got a JSON object/],
    ["'maybe' for a boolean field", `SELECT 'v-1', '${DROPLET_SIZE}', '${DROPLET_IMAGE}', 'maybe'`, '(data__name, data__size, data__image, data__monitoring)', /data__monitoring must be true or false, got "maybe"/],
    ['a word for an array field', `SELECT 'v-1', '${DROPLET_SIZE}', '${DROPLET_IMAGE}', 'key-1'`, '(data__name, data__size, data__image, data__ssh_keys)', /data__ssh_keys must be a JSON array/],
  ])('%s: a validation error naming it, zero requests', async (_name, source, columns, message) => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const err = await failure(t.run(`INSERT INTO digitalocean.compute.droplets ${columns} ${source}`));
    expect(err.code).toBe('validation');
    expect(err.message).toMatch(message);
    expect(sb.requests().total).toBe(0);
  });

  it('a JSON column of another table given for a string field (a droplet\'s size object for data__size) is refused before any POST', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const err = await failure(
      t.run(`INSERT INTO digitalocean.compute.droplets (data__name, data__size, data__image) SELECT name || '-2', size, '${DROPLET_IMAGE}' FROM digitalocean.compute.droplets LIMIT 1`),
    );
    expect(err.message).toMatch(/data__size must be a string like "s-1vcpu-1gb", got a JSON object \{/);
    expect(sb.requests().byRoute).toEqual({ 'GET /v2/droplets': 1 });
  });

  it('a string field still takes text that only looks like JSON, and a free-text field (user_data) takes JSON text', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    await t.run(
      `INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image, data__user_data) SELECT 'web', '{nyc3}', '${DROPLET_SIZE}', '${DROPLET_IMAGE}', '{"runcmd":["true"]}'`,
    );
    expect(t.changes()[0].body).toMatchObject({ region: '{nyc3}', user_data: '{"runcmd":["true"]}' });
  });

  it('UPDATE: wrong types in two SET fields are both reported, zero requests', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const err = await failure(
      t.run(`UPDATE digitalocean.compute.domain_records SET data__ttl = 'soon', data__weight = 'heavy' WHERE domain_name = 'example.com' AND domain_record_id = 5`),
    );
    expect(err.message).toMatch(/data__ttl must be an integer, got "soon"; data__weight must be an integer, got "heavy"/);
    expect(sb.requests().total).toBe(0);
  });

  it('a boolean field of a REPLACE given \'maybe\' is refused', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const err = await failure(
      t.run(
        `REPLACE digitalocean.projects.projects SET data__name = 'p', data__description = 'd', data__purpose = 'x', data__environment = 'Production', data__is_default = 'maybe' WHERE project_id = 'abc'`,
      ),
    );
    expect(err.message).toMatch(/data__is_default must be true or false, got "maybe"/);
    expect(sb.requests().total).toBe(0);
  });

  it('EXEC with @@json that is not JSON and without the required path param: both listed, nothing sent', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const err = await failure(t.run(`EXEC digitalocean.compute.droplet_actions.droplet_actions_post @@json='{type: reboot}'`));
    expect(err.message).toMatch(/@@json is not valid JSON: .*; missing required param droplet_id/);
    expect(sb.requests().total).toBe(0);
  });
});
