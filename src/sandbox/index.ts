// The sandbox: a stateful DigitalOcean API simulator generated from the active spec, served over HTTP.
import { loadCatalog } from '../catalog/load.js';
import { DoqlError } from '../errors.js';
import { generateCertificate } from './certificate.js';
import { ConnectionCounter } from './connections.js';
import { RequestCounter } from './counts.js';
import { FaultInjector } from './faults.js';
import { rngFor } from './prng.js';
import { DEFAULT_RATE_LIMIT, RateLimiter } from './rate-limit.js';
import { SandboxServer } from './server.js';
import { Simulator } from './simulator.js';
import { readState, writeState } from './state-file.js';
import type { Sandbox, SandboxOptions } from './types.js';

export type { Sandbox, SandboxOptions, FaultKind, FaultOptions, RateLimitOptions, RequestCounts, ConnectionCounts } from './types.js';
export { runSandboxServer, parseSandboxArgs } from './command.js';
export type { SandboxCommandOptions } from './command.js';

export const DEFAULT_TOKEN = 'doql-sandbox';
export const DEFAULT_SEED = 1;
export const DEFAULT_ACTION_DELAY_MS = 2000;

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const catalog = options.catalog ?? loadCatalog();
  const seed = options.seed ?? DEFAULT_SEED;
  const token = options.token ?? DEFAULT_TOKEN;
  const sim = new Simulator(catalog, { seed, count: options.count, actionDelayMs: options.actionDelayMs ?? DEFAULT_ACTION_DELAY_MS, actionErrorRate: options.actionErrorRate });
  const specHash = catalog.catalog.specHash;
  const { stateFile } = options;
  const saved = stateFile ? readState(stateFile, specHash) : undefined;
  if (saved) sim.restore(saved.seed, saved.store);
  else sim.reset(seed);

  const counter = new RequestCounter();
  const connections = new ConnectionCounter();
  const certificate = options.tls ? await generateCertificate() : undefined;
  const faults = new FaultInjector(seed, options.faults);
  const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  const limiter = rateLimit === false ? undefined : new RateLimiter(rateLimit);
  const latency = { ms: options.latencyMs ?? 0, jitterMs: options.jitterMs ?? 0, rng: rngFor(seed, 'latency') };
  const save = (): void => {
    if (stateFile) writeState(stateFile, specHash, sim.seed, sim.snapshot());
  };
  const reset = (): void => {
    counter.reset();
    connections.reset();
    limiter?.reset();
    faults.reset(seed);
    latency.rng = rngFor(seed, 'latency');
    sim.reset(seed);
    save();
  };
  const server = new SandboxServer({ sim, token, counter, connections, tls: certificate, faults, limiter, latency, onMutation: save, onReset: reset });
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  let url: string;
  try {
    url = await server.listen(host, port);
  } catch (err) {
    throw new DoqlError('usage', `sandbox: cannot listen on ${host}:${port}: ${(err as Error).message}`, {
      hint: 'choose another --port (0 picks a free one)',
      cause: err,
    });
  }

  return {
    url,
    token,
    ca: certificate?.cert,
    requests: () => counter.snapshot(),
    connections: () => connections.snapshot(),
    resetCounts: () => {
      counter.reset();
      connections.reset();
    },
    reset,
    setFaults: (f) => faults.set(f),
    setLatency: (ms, jitterMs = 0) => {
      latency.ms = ms;
      latency.jitterMs = jitterMs;
    },
    setActionErrorRate: (rate) => {
      sim.ctx.actionErrorRate = rate;
    },
    save,
    close: async () => {
      await server.close();
      save();
    },
    ids: (collection, parentValues) => sim.ids(collection, parentValues),
    sample: (template, method) => sim.sample(template, method),
  };
}
