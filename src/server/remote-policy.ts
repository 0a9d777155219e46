// What a remote (wire) client may not do: statements that read the server's files, fetch URLs from it, or
// change its persisted state for everyone (the REGISTRY statements) are refused unless the server allows them.
import { DoqlError } from '../errors.js';
import type { Statement } from '../sql/statement.js';

export interface RemotePolicy {
  /** `doql serve --allow-registry`. */
  allowRegistry: boolean;
}

/**
 * A session guard (SessionOptions.guard). The refusal is the same whatever the statement names, so that it
 * tells nothing of which server paths or addresses exist.
 */
export function remoteStatementGuard(policy: RemotePolicy): (stmt: Statement) => void {
  return (stmt) => {
    if (stmt.kind.startsWith('registry') && !policy.allowRegistry) {
      throw new DoqlError('usage', 'permission denied: REGISTRY statements are refused over the wire because this server was not started with --allow-registry', {
        sqlState: '42501',
        hint: "They read the server's files or fetch URLs and change the catalog its later runs use: start `doql serve --allow-registry` to allow them, or run `doql registry …` on the server.",
      });
    }
  };
}
