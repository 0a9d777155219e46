// Password authentication after the startup message: cleartext, md5 or SCRAM-SHA-256, one exchange per connection.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { authenticationCleartextPassword, authenticationMd5Password } from './backend-serializer.js';
import type { ScramSecret } from './scram-sha-256.js';
import { ScramExchange } from './scram-sha-256.js';

/** `password` sends the password in clear (use it only under TLS); SCRAM never sends it. */
export type AuthMethod = 'scram-sha-256' | 'md5' | 'password';

/** The result of one client message: send `send` and wait for more, or finish. */
export type AuthStep =
  | { outcome: 'continue'; send: Buffer }
  | { outcome: 'ok'; send?: Buffer }
  /** `reason` is for the server log; it never holds the password. */
  | { outcome: 'failed'; reason: string };

export interface PasswordExchange {
  /** The first authentication request to send. */
  start(): Buffer;
  /** Handles the payload of a 'p' message. */
  respond(data: Buffer): AuthStep;
}

export interface PasswordCredentials {
  password: string;
  /** Derived once per server so that each connection does not pay for PBKDF2. */
  scram: ScramSecret;
}

export function createPasswordExchange(
  method: AuthMethod,
  credentials: PasswordCredentials,
  user: string,
): PasswordExchange {
  switch (method) {
    case 'scram-sha-256':
      return new ScramExchange(credentials.scram);
    case 'md5':
      return new Md5Exchange(credentials.password, user);
    case 'password':
      return new CleartextExchange(credentials.password);
  }
}

/** Compares without leaking where (or whether, by length) two strings differ. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** A PasswordMessage payload is one C string. */
function cstring(data: Buffer): string {
  const end = data.indexOf(0);
  return data.toString('utf8', 0, end < 0 ? data.length : end);
}

const md5Hex = (text: string | Buffer): string => createHash('md5').update(text).digest('hex');

class Md5Exchange implements PasswordExchange {
  private readonly salt = randomBytes(4);

  constructor(
    private readonly password: string,
    private readonly user: string,
  ) {}

  start(): Buffer {
    return authenticationMd5Password(this.salt);
  }

  respond(data: Buffer): AuthStep {
    // md5(md5(password || user) || salt), hex, prefixed with "md5".
    const inner = md5Hex(this.password + this.user);
    const expected = `md5${md5Hex(Buffer.concat([Buffer.from(inner, 'utf8'), this.salt]))}`;
    if (sameSecret(cstring(data), expected)) return { outcome: 'ok' };
    return { outcome: 'failed', reason: 'wrong password' };
  }
}

class CleartextExchange implements PasswordExchange {
  constructor(private readonly password: string) {}

  start(): Buffer {
    return authenticationCleartextPassword();
  }

  respond(data: Buffer): AuthStep {
    if (sameSecret(cstring(data), this.password)) return { outcome: 'ok' };
    return { outcome: 'failed', reason: 'wrong password' };
  }
}
