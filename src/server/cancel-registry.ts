// Hands out BackendKeyData (process id, secret) per connection and routes CancelRequests to the right one.
import { randomBytes, randomInt } from 'node:crypto';

export interface CancelKey {
  processId: number;
  secretKey: number;
}

export class CancelRegistry {
  private readonly targets = new Map<number, { secretKey: number; cancel: () => void }>();
  // Start somewhere random so that ids do not look like (or collide with) the last server run's.
  private nextId = randomInt(1000, 1_000_000);

  register(cancel: () => void): CancelKey {
    while (this.targets.has(this.nextId)) this.nextId = this.nextId >= 0x7fffffff ? 1000 : this.nextId + 1;
    const processId = this.nextId++;
    const secretKey = randomBytes(4).readInt32BE(0);
    this.targets.set(processId, { secretKey, cancel });
    return { processId, secretKey };
  }

  unregister(processId: number): void {
    this.targets.delete(processId);
  }

  /** True when the pair matched a live connection (whose running statement, if any, is now aborted). */
  cancel(processId: number, secretKey: number): boolean {
    const target = this.targets.get(processId);
    if (!target || target.secretKey !== secretKey) return false;
    target.cancel();
    return true;
  }
}
