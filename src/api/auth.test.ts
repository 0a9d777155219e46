import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DoqlError } from '../errors.js';
import { DEFAULT_API_URL, doctlConfigCandidates, resolveAuth } from './auth.js';

const dir = mkdtempSync(join(tmpdir(), 'doql-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const doctl = config(
  'config.yaml',
  ['access-token: tok-default', 'context: work', 'auth-contexts:', '  work: tok-work', '  personal: tok-personal', ''].join('\n'),
);
const missing = join(dir, 'nope.yaml');

function fails(fn: () => unknown): DoqlError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DoqlError);
    return err as DoqlError;
  }
  throw new Error('expected an error');
}

describe('resolveAuth: token order', () => {
  it.each([
    ['explicit token first', { token: 'tok-flag' }, { DIGITALOCEAN_TOKEN: 'tok-env' }, 'tok-flag', 'option'],
    ['DIGITALOCEAN_TOKEN before ACCESS_TOKEN', {}, { DIGITALOCEAN_TOKEN: 'tok-a', DIGITALOCEAN_ACCESS_TOKEN: 'tok-b' }, 'tok-a', 'DIGITALOCEAN_TOKEN'],
    ['DIGITALOCEAN_ACCESS_TOKEN', {}, { DIGITALOCEAN_TOKEN: ' ', DIGITALOCEAN_ACCESS_TOKEN: 'tok-b\n' }, 'tok-b', 'DIGITALOCEAN_ACCESS_TOKEN'],
    ['env before doctl config', { doctlConfigPath: doctl }, { DIGITALOCEAN_TOKEN: 'tok-env' }, 'tok-env', 'DIGITALOCEAN_TOKEN'],
    ["doctl's current context", { doctlConfigPath: doctl }, {}, 'tok-work', 'doctl'],
    ['--context over the environment', { doctlConfigPath: doctl, context: 'personal' }, { DIGITALOCEAN_TOKEN: 'tok-env' }, 'tok-personal', 'doctl'],
    ['--context default reads access-token', { doctlConfigPath: doctl, context: 'default' }, {}, 'tok-default', 'doctl'],
  ] as const)('%s', (_name, opts, env, token, source) => {
    const got = resolveAuth({ ...opts, env: { ...env } });
    expect(got).toMatchObject({ token, source, apiUrl: DEFAULT_API_URL });
  });

  it('uses access-token when the doctl config names no context', () => {
    const path = config('plain.yaml', 'access-token: tok-plain\n');
    expect(resolveAuth({ env: {}, doctlConfigPath: path })).toMatchObject({ token: 'tok-plain', context: 'default', configPath: path });
  });

  it('finds doctl config under HOME/.config and, on macOS, Application Support', () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, 'Library', 'Application Support', 'doctl'), { recursive: true });
    writeFileSync(join(home, 'Library', 'Application Support', 'doctl', 'config.yaml'), 'access-token: tok-mac\n');
    mkdirSync(join(home, '.config', 'doctl'), { recursive: true });
    writeFileSync(join(home, '.config', 'doctl', 'config.yaml'), 'access-token: tok-linux\n');
    expect(resolveAuth({ env: {}, homeDir: home, platform: 'darwin' }).token).toBe('tok-mac');
    expect(resolveAuth({ env: {}, homeDir: home, platform: 'linux' }).token).toBe('tok-linux');
    expect(doctlConfigCandidates({ env: { XDG_CONFIG_HOME: '/x' }, homeDir: '/h', platform: 'linux' })).toEqual([
      join('/x', 'doctl', 'config.yaml'),
      join('/h', '.config', 'doctl', 'config.yaml'),
    ]);
  });
});

describe('resolveAuth: failures say what to do', () => {
  it('no token anywhere: auth error naming the env var, doctl auth init and --sandbox', () => {
    const err = fails(() => resolveAuth({ env: {}, doctlConfigPath: missing }));
    expect(err.code).toBe('auth');
    expect(err.message).toContain('DIGITALOCEAN_TOKEN');
    expect(err.message).toContain('doctl auth init');
    expect(err.message).toContain('--sandbox');
  });

  it('unknown --context lists the known names, never tokens', () => {
    const err = fails(() => resolveAuth({ env: {}, doctlConfigPath: doctl, context: 'nope' }));
    expect(err.code).toBe('auth');
    expect(err.message).toContain('default, work, personal');
    expect(err.message).not.toContain('tok-');
  });

  it('--context without a doctl config', () => {
    expect(fails(() => resolveAuth({ env: {}, doctlConfigPath: missing, context: 'work' })).code).toBe('auth');
  });

  it('broken YAML: config error without quoting the file', () => {
    const path = config('bad.yaml', 'access-token: "tok-secret-in-bad-yaml\ncontext: [\n');
    const err = fails(() => resolveAuth({ env: {}, doctlConfigPath: path }));
    expect(err.code).toBe('config');
    expect(err.message).not.toContain('tok-secret');
  });
});

describe('resolveAuth: API URL', () => {
  it.each([
    ['explicit', { apiUrl: 'http://127.0.0.1:8080/' }, { DIGITALOCEAN_API_URL: 'https://other' }, 'http://127.0.0.1:8080'],
    ['env', {}, { DIGITALOCEAN_API_URL: 'https://proxy.example/do' }, 'https://proxy.example/do'],
    ['default', {}, {}, 'https://api.digitalocean.com'],
  ] as const)('%s', (_name, opts, env, apiUrl) => {
    expect(resolveAuth({ token: 't', ...opts, env: { ...env } }).apiUrl).toBe(apiUrl);
  });

  it('rejects a URL that is not http(s)', () => {
    expect(fails(() => resolveAuth({ token: 't', apiUrl: 'ftp://x', env: {} })).code).toBe('usage');
    expect(fails(() => resolveAuth({ token: 't', env: { DIGITALOCEAN_API_URL: 'nope' } })).code).toBe('config');
  });
});
