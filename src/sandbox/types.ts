// The sandbox's public contract: options and the handle createSandbox returns.
import type { LoadedCatalog } from '../catalog/load.js';
import type { ConnectionCounts } from './connections.js';
import type { RequestCounts } from './counts.js';
import type { FaultOptions } from './faults.js';
import type { RateLimitOptions } from './rate-limit.js';

export type { FaultKind, FaultOptions } from './faults.js';
export type { RateLimitOptions } from './rate-limit.js';
export type { RequestCounts } from './counts.js';
export type { ConnectionCounts } from './connections.js';

export interface SandboxOptions {
  /** Seed for data, ids and faults (default 1): the same seed gives the same sandbox. */
  seed?: number;
  /** Bearer token clients must send (default `doql-sandbox`). */
  token?: string;
  /**
   * Several accounts (overrides `token`): each token is an account with its own resources (seed, seed + 1, …),
   * rate-limit budget and request counts, behind the one URL. Any other token gets DigitalOcean's 401.
   */
  tokens?: string[];
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = ephemeral (default). */
  port?: number;
  /**
   * Items per collection: keys are `<service>.<resource>` as in the catalog (`compute.droplets`) or a
   * list path (`/v2/droplets`). For a child collection the number is per parent.
   * Unlisted: 3–5 per top-level collection, 1–3 per parent for children.
   */
  count?: Record<string, number>;
  latencyMs?: number;
  jitterMs?: number;
  faults?: FaultOptions;
  /** Default 250 per 60 s and 5000 per hour; `false` turns rate limiting off. */
  rateLimit?: RateLimitOptions | false;
  /** How long actions take to complete and created resources to settle (default 2000 ms). */
  actionDelayMs?: number;
  /** The fraction of actions that end `errored` (default 0), to try how scripts handle failed actions. */
  actionErrorRate?: number;
  /** Default: loadCatalog(). */
  catalog?: LoadedCatalog;
  /** State is loaded from this JSON file when it exists and saved to it after every change. */
  stateFile?: string;
  /** With several tokens: each account's own state file, in the order of `tokens` (overrides stateFile). */
  stateFiles?: readonly string[];
  /**
   * With several tokens: each account's place, in the order of `tokens` (default: its position). The place picks
   * the account's generated resources (seed + place) and id range (place × 500,000), so an account named the same
   * way is the same account whichever others it is served beside.
   */
  accountSlots?: readonly number[];
  /**
   * Serve HTTPS with a self-signed certificate made at start (for 127.0.0.1, ::1 and localhost), offering
   * HTTP/2 by ALPN and still serving HTTP/1.1. The certificate is `Sandbox.ca`.
   */
  tls?: boolean;
}

export interface Sandbox {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`) */
  url: string;
  /** The first account's token. */
  token: string;
  /** With `tls`: the certificate (PEM) a client must trust; it is its own CA. */
  ca?: string;
  /** Every account's token, in order. */
  tokens: string[];
  /** Requests served: every account's, or those sent with one account's token (a 401 counts in no account). */
  requests(token?: string): RequestCounts;
  /** Connections accepted, by protocol, and how many carried API requests (also GET /_sandbox/connections). */
  connections(): ConnectionCounts;
  /** Request and connection counts back to zero. */
  resetCounts(): void;
  /** The token stops working, as a revoked DigitalOcean token does: every request with it gets a 401. */
  revoke(token: string): void;
  /** Counts, rate limits, faults and state back to the seed. */
  reset(): void;
  setFaults(faults: FaultOptions | undefined): void;
  setLatency(ms: number, jitterMs?: number): void;
  /** The fraction of actions started from now on that end `errored`. */
  setActionErrorRate(rate: number): void;
  /** Writes the state file (a no-op without one). */
  save(): void;
  close(): Promise<void>;
  /**
   * Ids (as they appear in item paths) of a collection's items: a list path (`/v2/databases`), a
   * concrete child path (`/v2/databases/ID/dbs`) or `<service>.<resource>`. For a child collection
   * given as a template, the first parent's items (or pass `parentValues`). `token` picks an account (default the first).
   */
  ids(collection: string, parentValues?: string[], token?: string): string[];
  /**
   * A request for a path template whose path parameters name existing items and whose required
   * query parameters are filled; undefined when a parent collection is empty.
   */
  sample(template: string, method?: string): { path: string; query: Record<string, string> } | undefined;
}
