// The built-in catalog through the real command line: today's DigitalOcean API out of the box, the way to a
// newer one named when a name is unknown, a YAML alias bomb refused fast, and sandbox state kept per catalog.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../../src/catalog/spec-file.js';
import { buildMissing, doql, tempDir } from '../select/helpers.js';

const missing = buildMissing();
const tinySpec = fileURLToPath(new URL('../../src/catalog/fixtures/tiny-spec.yaml', import.meta.url));

/**
 * 438 bytes of YAML whose nine levels of nine aliases expand to 9^9 strings (gigabytes), inside an
 * otherwise well-formed OpenAPI document so only the aliases can be what fails.
 */
const ALIAS_BOMB = [
  'openapi: 3.0.0',
  'info: {title: a YAML alias bomb, version: "1.0.0-x"}',
  'paths: {}',
  'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((c, i) => `x-${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  '',
].join('\n');

describe.skipIf(Boolean(missing))('the built-in catalog on a fresh install', () => {
  it('lists genai among the services and agents among its resources', async () => {
    const services = await doql(['-o', 'json', 'SHOW SERVICES IN digitalocean']);
    expect(services.stderr).toBe('');
    expect(services.code).toBe(0);
    const names = (JSON.parse(services.stdout) as { name: string }[]).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['genai', 'compute', 'databases', 'spaces', 'nfs']));

    const resources = await doql(['-o', 'json', 'SHOW RESOURCES IN digitalocean.genai']);
    expect(resources.code).toBe(0);
    const genai = (JSON.parse(resources.stdout) as { name: string }[]).map((r) => r.name);
    expect(genai).toContain('agents');
    expect(genai.length).toBeGreaterThanOrEqual(30);
  });

  it('an unknown service names `doql registry pull`, and a near miss still gets its closest name', async () => {
    const unknown = await doql(['--sandbox', 'SELECT * FROM digitalocean.foo.bars']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^doql: unknown resource digitalocean\.foo\.bars\b/);
    expect(unknown.stderr).toContain('unknown service digitalocean.foo; SHOW SERVICES IN digitalocean lists them');
    expect(unknown.stderr).toContain('`doql registry pull` installs the latest spec');

    const typo = await doql(['--sandbox', 'SELECT * FROM digitalocean.genai.agentz']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('unknown resource digitalocean.genai.agentz: did you mean digitalocean.genai.agents?');
    expect(typo.stderr).toContain('`doql registry pull`');
  });
});

describe('a YAML alias bomb', () => {
  it('is 438 bytes and is refused while parsing, well under a second', () => {
    expect(Buffer.byteLength(ALIAS_BOMB)).toBe(438);
    const started = performance.now();
    expect(() => parseSpecText(ALIAS_BOMB, 'bomb.yaml')).toThrow(/^bomb\.yaml: its YAML aliases expand past 10000 nodes \(an alias bomb\?\); refusing to parse it$/);
    // Unbounded, this grows to gigabytes and runs past a minute; bounded, it takes milliseconds.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it.skipIf(Boolean(missing))('given as --spec, fails with a clear one-line error and exit 1, fast', async () => {
    const dir = tempDir();
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, ALIAS_BOMB);
    const r = await doql(['--spec', bomb, 'SHOW SERVICES IN digitalocean']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `doql: ${bomb}: its YAML aliases expand past 10000 nodes (an alias bomb?); refusing to parse it (a spec needs no nested aliases: use a bundled JSON or YAML spec without them)\n`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // The process's whole life (start-up included), with room for a loaded machine: not the minute it was.
    expect(r.ms).toBeLessThan(10_000);
  });
});

describe.skipIf(Boolean(missing))('sandbox state per catalog', () => {
  it('a --spec --sandbox run neither sees nor wipes the droplet a default --sandbox run inserted', async () => {
    const home = tempDir('doql-home-');
    const env = { DOQL_HOME: home };
    const insert = await doql(
      [
        '--sandbox',
        '-o',
        'json',
        "INSERT INTO digitalocean.compute.droplets (data__name, data__region, data__size, data__image) SELECT 'kept-across-specs', 'nyc3', 's-1vcpu-1gb', 'ubuntu-24-04-x64'",
      ],
      env,
    );
    expect(insert.code, insert.stderr).toBe(0);
    const find = "SELECT name FROM digitalocean.compute.droplets WHERE name = 'kept-across-specs'";
    expect(JSON.parse((await doql(['--sandbox', '-o', 'json', find], env)).stdout)).toEqual([{ name: 'kept-across-specs' }]);

    // Another catalog, with its own simulated account (the tiny spec has no droplets at all).
    const other = await doql(['--spec', tinySpec, '--sandbox', '-o', 'json', 'SELECT name FROM digitalocean.databases.clusters'], env);
    expect(other.code, other.stderr).toBe(0);
    expect((JSON.parse(other.stdout) as unknown[]).length).toBeGreaterThan(0);

    const after = await doql(['--sandbox', '-o', 'json', find], env);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual([{ name: 'kept-across-specs' }]);

    // `doql sandbox reset` starts every catalog's account over.
    const reset = await doql(['sandbox', 'reset'], env);
    expect(reset.code).toBe(0);
    expect(reset.stderr).toMatch(/^doql: sandbox state reset/);
    expect(JSON.parse((await doql(['--sandbox', '-o', 'json', find], env)).stdout)).toEqual([]);
  });
});
