// Request accounting: every request served (faulted, refused and failed ones included) by route
// template and status, for tests that assert how many calls a query made.

export interface RequestCounts {
  total: number;
  /** `"GET /v2/droplets": n` */
  byRoute: Record<string, number>;
  /** `"200": n` */
  byStatus: Record<string, number>;
  /** `"GET /v2/droplets 200": n` */
  byRouteStatus: Record<string, number>;
}

export class RequestCounter {
  private counts: RequestCounts = RequestCounter.empty();

  private static empty(): RequestCounts {
    return { total: 0, byRoute: {}, byStatus: {}, byRouteStatus: {} };
  }

  /** `status` 0 is a dropped connection. */
  record(routeKey: string, status: number): void {
    const c = this.counts;
    c.total++;
    c.byRoute[routeKey] = (c.byRoute[routeKey] ?? 0) + 1;
    c.byStatus[String(status)] = (c.byStatus[String(status)] ?? 0) + 1;
    const rs = `${routeKey} ${status}`;
    c.byRouteStatus[rs] = (c.byRouteStatus[rs] ?? 0) + 1;
  }

  snapshot(): RequestCounts {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = RequestCounter.empty();
  }
}
