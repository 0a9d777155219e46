// Connection accounting: connections accepted, the protocol each negotiated, and how many carried API
// requests, so a test or the bench can see whether a client multiplexed its requests or opened one each.

export interface ConnectionCounts {
  /** TCP connections accepted since the last reset (admin requests' own connections included). */
  opened: number;
  /** Connections open now. */
  open: number;
  /** Connections that carried at least one API request (not only /_sandbox/ ones) since the last reset. */
  used: number;
  /** Connections by negotiated protocol: `h2`, `http/1.1` (TLS, by ALPN) or `http` (plain). */
  byProtocol: Record<string, number>;
  /** API requests by HTTP version (`2.0`, `1.1`). */
  requestsByHttpVersion: Record<string, number>;
}

export class ConnectionCounter {
  private counts: ConnectionCounts = ConnectionCounter.empty();
  private open = 0;
  /** Connections (a socket, or an HTTP/2 session) already counted as used since the last reset. */
  private usedKeys = new WeakSet<object>();

  private static empty(): ConnectionCounts {
    return { opened: 0, open: 0, used: 0, byProtocol: {}, requestsByHttpVersion: {} };
  }

  accepted(): void {
    this.counts.opened++;
    this.open++;
  }

  closed(): void {
    this.open--;
  }

  /** The protocol a connection settled on (after the TLS handshake, or at once for plain HTTP). */
  negotiated(protocol: string): void {
    this.counts.byProtocol[protocol] = (this.counts.byProtocol[protocol] ?? 0) + 1;
  }

  /** An API request on `connection` (its socket or HTTP/2 session). */
  request(connection: object, httpVersion: string): void {
    const v = this.counts.requestsByHttpVersion;
    v[httpVersion] = (v[httpVersion] ?? 0) + 1;
    if (this.usedKeys.has(connection)) return;
    this.usedKeys.add(connection);
    this.counts.used++;
  }

  snapshot(): ConnectionCounts {
    return { ...structuredClone(this.counts), open: this.open };
  }

  reset(): void {
    this.counts = ConnectionCounter.empty();
    this.usedKeys = new WeakSet();
  }
}
