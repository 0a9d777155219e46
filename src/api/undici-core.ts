// undici's Agent, Pool, Client and request() without the rest of the package: `import 'undici'` also loads fetch,
// WebSocket, caches, mocks and (through its cookies) Node's own bundled undici, ~100 ms of a cold start; these
// are ~30 ms. The files are undici's own (the version is pinned); use these exactly as undici's exports.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { applyWasmTiering } from '../wasm-tiering.js';

// undici compiles its HTTP/1.1 parser (llhttp, WASM) on the first connection.
applyWasmTiering();
const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export type Agent = Undici.Agent;
export declare namespace Agent {
  type Options = Undici.Agent.Options;
}

export const Pool = require('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;
export type Pool = Undici.Pool;
export declare namespace Pool {
  type Options = Undici.Pool.Options;
}

export const Client = require('undici/lib/dispatcher/client.js') as typeof Undici.Client;
export type Client = Undici.Client;
export declare namespace Client {
  type Options = Undici.Client.Options;
}

const dispatchRequest = require('undici/lib/api/api-request.js') as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/** undici's `request(url, { dispatcher, … })`, as the package's index builds it from the same function. */
export function request(url: URL, options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher }): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  return dispatchRequest.call(dispatcher, { ...rest, origin: url.origin, path: url.search ? `${url.pathname}${url.search}` : url.pathname });
}
