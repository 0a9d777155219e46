// Operations the spec puts on another server (serverless inference, agents, presigned uploads) take other
// credentials there; doql sends the API token only to the API, so it refuses them before anything is sent.
import { DoqlError } from '../errors.js';
import type { Method } from '../catalog/types.js';
import type { EngineApi } from './fetcher.js';

/** Throws when `method` lives on a server other than the API's and `api` is not the sandbox. */
export function assertServedHere(api: EngineApi, resourceId: string, method: Method): void {
  if (method.server === undefined || api.servesEveryPath) return;
  throw new DoqlError(
    'validation',
    `${resourceId}.${method.name} (${method.httpMethod.toUpperCase()} ${method.path}) is served by ${method.server}, not by the DigitalOcean API; doql sends your API token only to the API, so it does not call that server`,
    { hint: 'the sandbox serves it: add --sandbox to try it', sqlState: '0A000' },
  );
}
