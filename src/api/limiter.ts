// The cap on requests in flight: a FIFO semaphore whose queued callers can be cancelled.
// (p-limit cannot drop a queued task on abort, which `cancelled` must do promptly.)
import { cancelledError } from './cancel.js';

export type Release = () => void;

export class Limiter {
  private active = 0;
  private readonly queue: Array<{ grant: (release: Release) => void }> = [];

  constructor(private readonly max: number) {}

  get activeCount(): number {
    return this.active;
  }

  get pendingCount(): number {
    return this.queue.length;
  }

  /** Resolves with a release function once a slot is free; rejects with `cancelled` if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(cancelledError());
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const entry = {
        grant: (release: Release): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = (): void => {
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        reject(cancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(entry);
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      // The slot passes straight to the next waiter, so `active` only drops when nobody waits.
      if (next) next.grant(this.releaser());
      else this.active--;
    };
  }
}
