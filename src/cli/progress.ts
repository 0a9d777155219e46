// A single updating progress line on a terminal's stderr, shown only when a statement takes over ~300 ms:
// requests, pages, rows as they arrive (of meta.total when the API gives it) and any rate-limit wait.
import { duration } from '../api/rate-limit.js';

export class Progress {
  private timer?: NodeJS.Timeout;
  private started = performance.now();
  private shown = false;
  /** The client's counters when this line began: a shell's client counts across statements. */
  private readonly base: Record<string, number>;

  constructor(
    private readonly enabled: boolean,
    private readonly stats: () => Record<string, number> | undefined,
    private readonly write: (text: string) => void = (t) => process.stderr.write(t),
  ) {
    this.base = { ...(enabled ? stats() : undefined) };
    this.restart();
  }

  restart(): void {
    if (!this.enabled) return;
    this.started = performance.now();
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
  }

  /** The line as it reads now. */
  line(elapsedMs: number): string {
    const now = this.stats() ?? {};
    const s: Record<string, number> = { ...now };
    for (const k of ['done', 'requests', 'pages', 'rows', 'rowsExpected']) if (typeof now[k] === 'number') s[k] = now[k] - (this.base[k] ?? 0);
    const rows = s.rows ?? 0;
    const total = s.rowsExpected && s.rowsExpected >= rows ? ` of ${s.rowsExpected}` : '';
    const waitMs = s.rateLimitWaitUntil ? s.rateLimitWaitUntil - Date.now() : 0;
    const waiting = waitMs > 0 ? `waiting ${duration(waitMs)} for DigitalOcean's rate limit · ` : '';
    return `${waiting}requests ${s.done ?? s.requests ?? 0} done, ${s.inFlight ?? 0} in flight · pages ${s.pages ?? 0} · rows ${rows}${total} · ${(elapsedMs / 1000).toFixed(1)} s`;
  }

  private draw(): void {
    const elapsed = performance.now() - this.started;
    if (elapsed < 300) return;
    this.write(`\r\x1b[2K${this.line(elapsed)}`);
    this.shown = true;
  }

  /** Erases the line so another line can be written on stderr; the next tick draws it again below. */
  clear(): void {
    if (this.shown) this.write('\r\x1b[2K');
    this.shown = false;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }
}
