// Timing script (not a test): the server CPU a standalone `doql sandbox` spends serving 10,000
// droplets at per_page=200, as the benchmark lists them (page 1, then pages 2..50 at once).
// CPU is read from /proc/<pid>/task/*/schedstat (nanoseconds, all threads, GC helpers included), so
// the number is the server's own and not the client's. Linux only.
//   node dist/sandbox/list-timing.js [--count 10000] [--listings 4] [--latency 50]
// TIMING_NODE_FLAGS="--trace-gc" passes node flags to the sandbox process and shows what it prints.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandboxProcess } from './process.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const COUNT = arg('count', 10_000);
const LISTINGS = arg('listings', 4);
const LATENCY = arg('latency', 50);
const PER_PAGE = 200;
const doqlBin = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'doql.js');

/** CPU nanoseconds used so far by every thread of a process (`main`: by its JavaScript thread). */
function cpuNs(pid: number): { all: number; main: number } {
  let all = 0;
  let main = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      all += ns;
      if (tid === String(pid)) main = ns;
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return { all, main };
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'doql-list-timing-'));
  const flags = (process.env.TIMING_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const server = await startSandboxProcess(doqlBin, ['--count', `compute.droplets=${COUNT}`, '--rate-limit', '1000000', '--latency', String(LATENCY)], {
    env: { ...process.env, DOQL_HOME: home },
    nodeArgs: flags,
    // What the flags make node print (--trace-gc).
    onOutput: flags.length ? (d) => process.stderr.write(d) : undefined,
  });
  const { url } = server;
  try {
    const headers = { authorization: 'Bearer doql-sandbox' };
    const page = async (n: number): Promise<number> => {
      const res = await fetch(`${url}/v2/droplets?page=${n}&per_page=${PER_PAGE}`, { headers });
      return (await res.arrayBuffer()).byteLength;
    };
    const pid = server.child.pid as number;
    const pages = Math.ceil(COUNT / PER_PAGE);
    process.stdout.write(`${COUNT} droplets, per_page=${PER_PAGE}, ${pages} pages, latency ${LATENCY} ms\n`);
    for (let listing = 1; listing <= LISTINGS; listing++) {
      const t0 = performance.now();
      const c0 = cpuNs(pid);
      let bytes = await page(1);
      const c1 = cpuNs(pid);
      const t1 = performance.now();
      const sizes = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => page(i + 2)));
      const t2 = performance.now();
      const c2 = cpuNs(pid);
      bytes += sizes.reduce((a, b) => a + b, 0);
      const rest = (c2.all - c1.all) / 1e6;
      const restMain = (c2.main - c1.main) / 1e6;
      process.stdout.write(
        `listing ${listing}: page 1 ${((c1.all - c0.all) / 1e6).toFixed(1)} ms cpu; pages 2..${pages}: ${rest.toFixed(1)} ms cpu ` +
          `(${(rest / (pages - 1)).toFixed(2)} ms/page; main thread ${(restMain / (pages - 1)).toFixed(2)}), ` +
          `wall ${(t2 - t1).toFixed(0)} ms; total wall ${(t2 - t0).toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB\n`,
      );
    }
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    process.stdout.write(`sandbox resident memory after the listings: ${(Number(rss) / 1024).toFixed(0)} MB\n`);
  } finally {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
