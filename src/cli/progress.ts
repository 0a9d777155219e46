// A single updating progress line on a terminal's stderr, shown only when a statement takes over ~300 ms.
export class Progress {
  private timer?: NodeJS.Timeout;
  private started = performance.now();
  private shown = false;

  constructor(
    private readonly enabled: boolean,
    private readonly stats: () => Record<string, number> | undefined,
  ) {
    this.restart();
  }

  restart(): void {
    if (!this.enabled) return;
    this.started = performance.now();
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
  }

  private draw(): void {
    const elapsed = performance.now() - this.started;
    if (elapsed < 300) return;
    const s = this.stats() ?? {};
    const rows = s.rowsFetched === undefined ? '' : ` · rows ${s.rowsFetched}`;
    const line = `requests ${s.done ?? s.requests ?? 0} done, ${s.inFlight ?? 0} in flight · pages ${s.pages ?? 0}${rows} · ${(elapsed / 1000).toFixed(1)} s`;
    process.stderr.write(`\r\x1b[2K${line}`);
    this.shown = true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}
