// What a cold command does not load: a SELECT over plain http against the sandbox, run as users run it (the code-cached
// bundle, src/build/bundle-cli.ts), never loads Node's HTTP/2, TLS or crypto modules, child_process or perf_hooks.
// Each cost milliseconds on the way to the first request (the bundle requires undici's HTTP/2 client and
// commander's child_process at first use; node:tls is loaded for --ca only; the clock is clock.ts); a dependency
// whose text the build no longer recognises, or an import put back at a module's top, shows here.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { doqlAt, startSandbox, tempDir } from '../select/helpers.js';
import { buildMissing } from './doql-home.js';

const missing = buildMissing();
const dist = join(import.meta.dirname, '..', '..', 'dist');
const FANOUT = 'SELECT c.name, b.created_at FROM digitalocean.databases.clusters c JOIN digitalocean.databases.backups b ON b.database_cluster_uuid = c.id';
const NEVER = ['http2', 'tls', 'crypto', 'child_process', 'perf_hooks'];

describe.skipIf(Boolean(missing))('a cold SELECT over plain http', () => {
  let sb: Sandbox;
  // Preloaded into doql's process: the public modules Node loaded, printed as it exits.
  const preload = join(tempDir('doql-cold-modules-'), 'loaded-modules.cjs');
  beforeAll(async () => {
    writeFileSync(
      preload,
      "process.on('exit', () => process.stderr.write('loaded: ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ') && !m.includes('internal/')).map((m) => m.slice(13)).join(',') + '\\n'));\n",
    );
    sb = await startSandbox({ seed: 71, count: { 'databases.clusters': 3 } });
  });
  afterAll(async () => sb?.close());

  it('loads none of HTTP/2, TLS, crypto, child_process or perf_hooks', async () => {
    // Without a current bundle doql runs its compiled modules, which load undici whole: that is not what users run.
    expect(statSync(join(dist, 'doql.cjs')).mtimeMs >= statSync(join(dist, 'cli', 'main.js')).mtimeMs, 'dist/doql.cjs is stale: run npm run build').toBe(true);
    const r = await doqlAt(sb, ['-o', 'json', FANOUT], { NODE_OPTIONS: `--require ${preload}` });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).length).toBeGreaterThan(0);
    const loaded = /^loaded: (.*)$/m.exec(r.stderr)?.[1]?.split(',');
    expect(loaded, r.stderr).toContain('net');
    expect(loaded!.filter((m) => NEVER.includes(m))).toEqual([]);
  });
});
