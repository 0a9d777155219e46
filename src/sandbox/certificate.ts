// The sandbox's self-signed certificate for `--tls`: made fresh at start for 127.0.0.1, ::1 and localhost.
// Clients trust it by its PEM (`doql --ca FILE`, NODE_EXTRA_CA_CERTS): it is its own CA, so no chain to build.

export interface SandboxCertificate {
  /** The certificate, PEM: what a client is given to trust. */
  cert: string;
  /** Its private key, PEM (PKCS#8); never leaves the sandbox process. */
  key: string;
}

/** A P-256 key and a certificate valid from a minute ago (clock skew) for 30 days. */
export async function generateCertificate(): Promise<SandboxCertificate> {
  // Loaded only here: plain-HTTP sandboxes (and every doql command) never pay for the X.509 library.
  const { generate } = await import('selfsigned');
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'doql sandbox' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 30 * 24 * 3600_000),
    extensions: [
      // A CA as well as the server's certificate, so that a client's CA list (--ca) can name it directly.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
