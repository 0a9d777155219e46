// Keeps API tokens out of every message, event and error the client produces.

export const REDACTED = '[REDACTED]';

/** DigitalOcean token shapes (personal, OAuth, refresh), masked even when they are not ours. */
const DO_TOKEN_PATTERN = /\bdo[opr]_v1_[A-Za-z0-9]{16,}/g;
/** Whatever follows `Bearer ` in a printed header. */
const BEARER_PATTERN = /\b(Bearer\s+)[^\s"',;]+/gi;

/** Replaces the token (raw and URL-encoded), any DigitalOcean-shaped token and any bearer credential in text. */
export function redact(text: string, token: string | undefined): string {
  let out = text;
  if (token) {
    out = out.split(token).join(REDACTED);
    const encoded = encodeURIComponent(token);
    if (encoded !== token) out = out.split(encoded).join(REDACTED);
  }
  return out.replace(DO_TOKEN_PATTERN, REDACTED).replace(BEARER_PATTERN, `$1${REDACTED}`);
}

/** One printable line: redacted, whitespace collapsed, cut to `max` characters. */
export function safeLine(text: string, token: string | undefined, max = 300): string {
  const line = redact(text, token).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * A stand-in for a low-level error (undici, node:net) that is safe to attach as a `cause`:
 * same name, code and redacted message, none of the original's object graph (sockets, headers).
 */
export function safeCause(err: unknown, token: string | undefined): Error {
  const src = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(redact(src.message, token));
  copy.name = src.name;
  const code = errorCode(src);
  if (code) (copy as Error & { code?: string }).code = code;
  return copy;
}

function errorCode(err: Error): string | undefined {
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
