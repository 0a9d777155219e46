// Request bodies as StackQL's docs write them: values converted by the body's schema at every depth (arrays and
// objects quoted as JSON text, numbers and booleans as text), nullable fields taking null, the required fields of
// the form (oneOf branch) the given fields select, and validation by the spec's own schema (nested objects, enums,
// formats, bounds), every problem at once and nothing sent. What doql sends is observed at the sandbox.
import { afterAll, describe, expect, it } from 'vitest';
import { buildMissing } from '../cli/doql-home.js';
import { closeAll, doql, DROPLET_IMAGE, DROPLET_SIZE, failure, objects, routes, sessionOn, startSandbox } from './harness.js';

afterAll(closeAll);

const problemsOf = (message: string): string[] => message.replace(/^digitalocean\.[a-z_]+\.[a-z_]+\.[a-z_]+: /, '').split('; ');

describe('body values written as StackQL\'s docs write them', () => {
  it('"droplet_ids": "[1, 2]" in an @@json body is sent as an array', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const lb = sb.ids('/v2/load_balancers')[0];
    const [d1, d2] = sb.ids('/v2/droplets');
    await t.run(`EXEC digitalocean.compute.load_balancers.load_balancers_add_droplets @lb_id = '${lb}' @@json = '{"droplet_ids": "[${d1}, ${d2}]"}'`);
    expect(t.changes()).toEqual([{ method: 'POST', path: `/v2/load_balancers/${lb}/droplets`, body: { droplet_ids: [Number(d1), Number(d2)] } }]);
  });

  it('data__ fields: arrays, objects, integers and booleans given as text are sent as what the schema wants, nested too', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const [d1] = sb.ids('/v2/droplets');
    await t.run(
      `INSERT INTO digitalocean.compute.firewalls (data__name, data__tags, data__inbound_rules)
       SELECT 'fw-1', '["web"]', '[{"protocol": "tcp", "ports": "22", "sources": {"droplet_ids": "[${d1}]"}}]'`,
    );
    await t.run(
      `INSERT INTO digitalocean.compute.droplets (data__name, data__size, data__image, data__monitoring, data__ipv6)
       SELECT 'web-1', '${DROPLET_SIZE}', '${DROPLET_IMAGE}', 'true', 0`,
    );
    expect(t.changes().map((c) => c.body)).toEqual([
      { name: 'fw-1', tags: ['web'], inbound_rules: [{ protocol: 'tcp', ports: '22', sources: { droplet_ids: [Number(d1)] } }] },
      { name: 'web-1', size: DROPLET_SIZE, image: DROPLET_IMAGE, monitoring: true, ipv6: false },
    ]);
  });

  it('a value that does not parse as what the schema wants fails before anything is sent, naming the field', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const lb = sb.ids('/v2/load_balancers')[0];
    const json = await failure(t.run(`EXEC digitalocean.compute.load_balancers.load_balancers_add_droplets @lb_id = '${lb}' @@json = '{"droplet_ids": "[1, 2"}'`));
    expect(json.message).toBe(
      `digitalocean.compute.load_balancers.load_balancers_add_droplets: droplet_ids must be a JSON array, e.g. '["a","b"]', got "[1, 2"`,
    );
    const nested = await failure(
      t.run(`INSERT INTO digitalocean.compute.firewalls (data__name, data__inbound_rules) SELECT 'fw-1', '[{"protocol": "tcp", "ports": "22", "sources": {"droplet_ids": "one"}}]'`),
    );
    expect(problemsOf(nested.message)).toEqual([`data__inbound_rules[0].sources.droplet_ids must be a JSON array, e.g. '["a","b"]', got "one"`]);
    expect(sb.requests().total).toBe(0);
    expect(t.sent).toEqual([]);
  });

  it('--dry-run shows the converted body', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb, { dryRun: true });
    const [r] = await t.run(`INSERT INTO digitalocean.compute.domain_records (domain_name, data__type, data__name, data__data, data__ttl) SELECT 'example.com', 'A', 'www', '192.0.2.1', '3600'`);
    expect(objects(r)).toEqual([{ method: 'POST', url: '/v2/domains/example.com/records', body: JSON.stringify({ type: 'A', name: 'www', data: '192.0.2.1', ttl: 3600 }) }]);
    expect(sb.requests().total).toBe(0);
  });

  it('an empty text for a field that takes no text (an unset placeholder) is left out, in data__ fields and @@json', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb, { dryRun: true });
    const [insert] = await t.run(`INSERT INTO digitalocean.compute.droplets (data__name, data__size, data__image, data__tags, data__backups) SELECT 'w', '${DROPLET_SIZE}', '${DROPLET_IMAGE}', '', ''`);
    const [exec] = await t.run(`EXEC digitalocean.compute.firewalls.firewalls_create @@json = '{"name": "fw-1", "droplet_ids": "", "inbound_rules": [{"protocol": "tcp", "ports": "22", "sources": {"tags": ["web"]}}]}'`);
    expect(JSON.parse(String(objects(insert)[0].body))).toEqual({ name: 'w', size: DROPLET_SIZE, image: DROPLET_IMAGE });
    expect(JSON.parse(String(objects(exec)[0].body))).not.toHaveProperty('droplet_ids');
  });
});

describe('nullable fields', () => {
  it('take null: a domain record\'s priority and a node pool\'s labels are sent as null', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb, { dryRun: true });
    const [record] = await t.run(
      `INSERT INTO digitalocean.compute.domain_records (domain_name, data__type, data__name, data__data, data__priority) SELECT 'example.com', 'A', 'www', '192.0.2.1', NULL`,
    );
    const [pool] = await t.run(
      `EXEC digitalocean.kubernetes.node_pools.kubernetes_add_node_pool @cluster_id = 'bd5f5959-5e1e-4205-a714-a914373942af' @@json = '{"name": "pool", "size": "s-1vcpu-2gb", "count": "3", "labels": null}'`,
    );
    expect(JSON.parse(String(objects(record)[0].body))).toEqual({ type: 'A', name: 'www', data: '192.0.2.1', priority: null });
    expect(JSON.parse(String(objects(pool)[0].body))).toEqual({ name: 'pool', size: 's-1vcpu-2gb', count: 3, labels: null });
  });
});

describe('bodies with several forms (oneOf)', () => {
  it('a droplet create without data__name (nor data__names) is refused, naming both forms; nothing is sent', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const err = await failure(t.run(`INSERT INTO digitalocean.compute.droplets (data__size, data__image) SELECT '${DROPLET_SIZE}', '${DROPLET_IMAGE}'`));
    expect(problemsOf(err.message)).toEqual([
      'missing required field data__name',
      'the body takes one of these forms: "Single Droplet Request" (data__name, data__size, data__image) or "Multiple Droplet Request" (data__names, data__size, data__image)',
    ]);
    expect(sb.requests().total).toBe(0);
  });

  it('data__names selects the multi-create form: two droplets made by one POST', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    await t.run(`INSERT INTO digitalocean.compute.droplets (data__names, data__size, data__image) SELECT '["m-1", "m-2"]', '${DROPLET_SIZE}', '${DROPLET_IMAGE}'`);
    expect(t.changes()).toEqual([{ method: 'POST', path: '/v2/droplets', body: { names: ['m-1', 'm-2'], size: DROPLET_SIZE, image: DROPLET_IMAGE } }]);
    expect((await t.rows(`SELECT name FROM digitalocean.compute.droplets WHERE name LIKE 'm-%' ORDER BY name`)).map((r) => r.name)).toEqual(['m-1', 'm-2']);
  });

  it('both data__name and data__names: the fields of two forms, refused', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const err = await failure(
      t.run(`INSERT INTO digitalocean.compute.droplets (data__name, data__names, data__size, data__image) SELECT 'a', '["b"]', '${DROPLET_SIZE}', '${DROPLET_IMAGE}'`),
    );
    expect(err.message).toMatch(/the body matches more than one of its forms: "Single Droplet Request" .* "Multiple Droplet Request" .*; give the fields of one$/);
    expect(sb.requests().total).toBe(0);
  });

  it('SHOW INSERT /*+ REQUIRED */ shows each form with its own required fields', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const [r] = await t.run(`SHOW INSERT /*+ REQUIRED */ INTO digitalocean.compute.droplets`);
    const forms = r.rows.map((row) => String(row[0]));
    expect(forms).toHaveLength(2);
    expect(forms[0]).toMatch(/^\/\* Single Droplet Request: form 1 of the 2 the body takes \*\/\nINSERT INTO digitalocean\.compute\.droplets \(/);
    expect(forms[0]).toContain('data__name\n');
    expect(forms[1]).toMatch(/^\/\* Multiple Droplet Request: form 2 of the 2 the body takes \*\//);
    expect(forms[1]).toContain('data__names\n');
    for (const f of forms) expect(f).toMatch(/data__size/);
  });
});

describe('validation by the spec\'s own schema', () => {
  it('nested enums, formats and bounds are all reported at once, each named as written; nothing is sent', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const err = await failure(
      t.run(
        `INSERT INTO digitalocean.compute.load_balancers (data__name, data__region, data__droplet_ids, data__forwarding_rules, data__vpc_uuid, data__size_unit, data__http_idle_timeout_seconds)
         SELECT 'lb', 'nyc3', '[1, 2]', '[{"entry_protocol": "http", "entry_port": "80", "target_protocol": "htttp", "target_port": 80}]', 'not-a-uuid', 500, '10'`,
      ),
    );
    expect(err.code).toBe('validation');
    expect(problemsOf(err.message).sort()).toEqual(
      [
        'data__forwarding_rules[0].target_protocol must be one of "http", "https", "http2", "tcp", "udp", got "htttp"',
        'data__http_idle_timeout_seconds must be >= 30, got 10',
        'data__size_unit must be <= 100, got 500',
        'data__vpc_uuid must be a valid uuid, got "not-a-uuid"',
      ].sort(),
    );
    expect(sb.requests().total).toBe(0);
  });

  it('inside @@json the fields are named as the JSON names them', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const err = await failure(
      t.run(`EXEC digitalocean.compute.firewalls.firewalls_create @@json = '{"name": "fw-1", "inbound_rules": [{"protocol": "tcpx", "ports": "22", "sources": {"droplet_ids": "[1"}}]}'`),
    );
    expect(problemsOf(err.message)).toEqual([
      `inbound_rules[0].sources.droplet_ids must be a JSON array, e.g. '["a","b"]', got "[1"`,
      'inbound_rules[0].protocol must be one of "tcp", "udp", "icmp", got "tcpx"',
    ]);
    expect(sb.requests().total).toBe(0);
  });
});

describe('EXEC returns what the API returns', () => {
  it('a power_cycle prints the action (its id and status) as rows', async () => {
    const sb = await startSandbox({ actionDelayMs: 5_000 });
    const t = sessionOn(sb);
    const id = sb.ids('/v2/droplets')[0];
    const [r] = await t.run(`EXEC digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id = ${id} @type = 'power_cycle'`);
    expect(r.kind).toBe('rows');
    expect(r.command).toBe('EXEC 1');
    expect(objects(r)).toEqual([expect.objectContaining({ id: expect.any(Number), status: 'in-progress', type: 'power_cycle', resource_id: Number(id), resource_type: 'droplet' })]);
    expect(t.changes()).toEqual([{ method: 'POST', path: `/v2/droplets/${id}/actions`, body: { type: 'power_cycle' } }]);
  });

  it('RETURNING picks columns and expressions of the answer', async () => {
    const sb = await startSandbox({ actionDelayMs: 5_000 });
    const t = sessionOn(sb);
    const id = sb.ids('/v2/droplets')[0];
    const [r] = await t.run(`EXEC digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id = ${id} @type = 'power_cycle' RETURNING status, upper(type) AS kind`);
    expect(objects(r)).toEqual([{ status: 'in-progress', kind: 'POWER_CYCLE' }]);
  });

  it.skipIf(Boolean(buildMissing()))('the doql command prints the action on stdout in the chosen format; a bad value exits 1 having sent nothing', async () => {
    const sb = await startSandbox({ actionDelayMs: 5_000 });
    const id = sb.ids('/v2/droplets')[0];
    const r = await doql([`EXEC digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id = ${id} @type = 'power_cycle'`, '-o', 'json'], { sandbox: sb });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ id: expect.any(Number), status: 'in-progress', type: 'power_cycle' })]);
    sb.resetCounts();
    const bad = await doql([`EXEC digitalocean.compute.load_balancers.load_balancers_add_droplets @lb_id = '${sb.ids('/v2/load_balancers')[0]}' @@json = '{"droplet_ids": "[1, 2"}'`], { sandbox: sb });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(`doql: digitalocean.compute.load_balancers.load_balancers_add_droplets: droplet_ids must be a JSON array, e.g. '["a","b"]', got "[1, 2"\n`);
    expect(sb.requests().total).toBe(0);
  });

  it('RETURNING a column the answer cannot have fails before anything is sent', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const id = sb.ids('/v2/droplets')[0];
    const err = await failure(t.run(`EXEC digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id = ${id} @type = 'power_cycle' RETURNING bogus`));
    expect(err.message).toMatch(/RETURNING: column "bogus" does not exist/);
    expect(sb.requests().total).toBe(0);
  });
});

describe('UPDATE of a resource changed only by actions', () => {
  it('names the EXEC actions that change it, with an example built from the statement; nothing is sent', async () => {
    const sb = await startSandbox();
    const t = sessionOn(sb);
    const err = await failure(t.run(`UPDATE digitalocean.compute.droplets SET data__name = 'web-2' WHERE droplet_id = 42`));
    expect(err.message).toMatch(/^digitalocean\.compute\.droplets has no UPDATE method \(it supports [A-Z, ]+\); it is changed by EXEC of digitalocean\.compute\.droplet_actions\.droplet_actions_post \(POST \/v2\/droplets\/\{droplet_id\}\/actions\)/);
    expect(err.message).toMatch(/; e\.g\. EXEC digitalocean\.compute\.droplet_actions\.droplet_actions_post @droplet_id = 42 @@json = '\{"type":"rename","name":"web-2"\}'$/);
    expect(err.hint).toBe('see SHOW METHODS IN digitalocean.compute.droplet_actions');
    expect(routes(sb)).toEqual({});
  });
});
