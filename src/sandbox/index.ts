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
  const tokens = options.tokens?.length ? options.tokens : [options.token ?? DEFAULT_TOKEN];
  const duplicate = tokens.find((t, i) => tokens.indexOf(t) !== i);
  if (duplicate !== undefined) throw new DoqlError('usage', 'sandbox: the same --token is given twice', { hint: 'each --token is its own account: give different ones' });
  const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  const simOptions = { count: options.count, actionDelayMs: options.actionDelayMs ?? DEFAULT_ACTION_DELAY_MS, actionErrorRate: options.actionErrorRate };
  // Each token is an account of its own: its own resources (the next seed, so rows differ), its own
  // rate-limit budget and request counts, as two DigitalOcean teams behind one API address.
  const slots = tokens.map((_, i) => options.accountSlots?.[i] ?? i);
  if (new Set(slots).size !== slots.length) throw new DoqlError('usage', 'sandbox: two accounts have the same place', { hint: 'give each account its own accountSlots entry' });
  const accounts = tokens.map((token, i) => ({
    token,
    seed: seed + slots[i],
    // Ids spaced 500,000 apart per account (seeded collections hold far fewer), as ids are unique across DigitalOcean.
    sim: new Simulator(catalog, { seed: seed + slots[i], idOffset: slots[i] * 500_000, ...simOptions }),
    counter: new RequestCounter(),
    limiter: rateLimit === false ? undefined : new RateLimiter(rateLimit),
  }));
  const main = accounts[0];
  const sim = main.sim;
  const specHash = catalog.catalog.specHash;
  // Each account is kept in its own file (stateFiles), or the first in stateFile and the others start from their
  // seed every time.
  const files = accounts.map((_, i) => (options.stateFiles ? options.stateFiles[i] : i === 0 ? options.stateFile : undefined));
  accounts.forEach((a, i) => {
    const saved = files[i] ? readState(files[i], specHash) : undefined;
    if (saved) a.sim.restore(saved.seed, saved.store);
    else a.sim.reset(a.seed);
  });

  const counter = new RequestCounter();
  const connections = new ConnectionCounter();
  const certificate = options.tls ? await generateCertificate() : undefined;
  const faults = new FaultInjector(seed, options.faults);
  const latency = { ms: options.latencyMs ?? 0, jitterMs: options.jitterMs ?? 0, rng: rngFor(seed, 'latency') };
  const saveAccount = (i: number): void => {
    const file = files[i];
    if (file) writeState(file, specHash, accounts[i].sim.seed, accounts[i].sim.snapshot());
  };
  const save = (): void => accounts.forEach((_, i) => saveAccount(i));
  const reset = (): void => {
    counter.reset();
    connections.reset();
    for (const a of accounts) {
      a.counter.reset();
      a.limiter?.reset();
      a.sim.reset(a.seed);
    }
    faults.reset(seed);
    latency.rng = rngFor(seed, 'latency');
    save();
  };
  const server = new SandboxServer({
    accounts: new Map(accounts.map((a) => [a.token, a])),
    routeKey: (method, path) => sim.routeKey(method, path),
    counter,
    connections,
    tls: certificate,
    faults,
    latency,
    onMutation: (account) => {
      const i = accounts.indexOf(account as (typeof accounts)[number]);
      if (i >= 0) saveAccount(i);
    },
    onReset: reset,
  });
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
  const account = (token: string | undefined): (typeof accounts)[number] => {
    if (token === undefined) return main;
    const found = accounts.find((a) => a.token === token);
    if (!found) throw new DoqlError('usage', 'sandbox: no account has that token');
    return found;
  };

  return {
    url,
    token: main.token,
    tokens: accounts.map((a) => a.token),
    ca: certificate?.cert,
    requests: (token) => (token === undefined ? counter.snapshot() : account(token).counter.snapshot()),
    connections: () => connections.snapshot(),
    resetCounts: () => {
      counter.reset();
      connections.reset();
      for (const a of accounts) a.counter.reset();
    },
    reset,
    revoke: (token) => {
      server.revoke(account(token).token);
    },
    setFaults: (f) => faults.set(f),
    setLatency: (ms, jitterMs = 0) => {
      latency.ms = ms;
      latency.jitterMs = jitterMs;
    },
    setActionErrorRate: (rate) => {
      for (const a of accounts) a.sim.ctx.actionErrorRate = rate;
    },
    save,
    close: async () => {
      await server.close();
      save();
    },
    ids: (collection, parentValues, token) => account(token).sim.ids(collection, parentValues),
    sample: (template, method) => sim.sample(template, method),
  };
}
