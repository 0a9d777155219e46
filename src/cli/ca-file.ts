// `--ca FILE` (or DOQL_CA, or config.yaml's ca): CA certificates to trust besides the system's, read as PEM.
import { readFileSync } from 'node:fs';
import { DoqlError } from '../errors.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates in `file`, each a PEM text; a file that cannot be read or holds none is a usage error. */
export function readCaFile(file: string, from: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? String(err));
    throw new DoqlError('usage', `${from}: cannot read ${file}: ${why}`, { hint: 'give the path of a PEM certificate file, such as the one doql sandbox --tls prints' });
  }
  const certificates = text.match(PEM_CERTIFICATE);
  if (!certificates) {
    throw new DoqlError('usage', `${from}: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, { hint: 'give the CA certificate in PEM form, not a key or a DER file' });
  }
  return certificates;
}
