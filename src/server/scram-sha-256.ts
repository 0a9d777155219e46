// The server side of SCRAM-SHA-256 (RFC 5802 / 7677) as Postgres speaks it, without channel binding.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { authenticationSasl, authenticationSaslContinue, authenticationSaslFinal } from './backend-serializer.js';
import type { AuthStep, PasswordExchange } from './password-exchange.js';
import { MessageReader } from './message-reader.js';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';

/** What the server keeps instead of the password: derived once per server, reused by every connection. */
export interface ScramSecret {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text, 'utf8').digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/**
 * Postgres' default iteration count. The password is used as given: clients SASLprep it, which leaves
 * ASCII passwords unchanged.
 */
export function makeScramSecret(password: string, iterations = 4096): ScramSecret {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  return {
    salt,
    iterations,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

/** Parses `a=1,b=2` attribute lists; SCRAM values never contain commas. */
function attributes(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) map.set(part[0] as string, part.slice(2));
  }
  return map;
}

const failed = (reason: string): AuthStep => ({ outcome: 'failed', reason });

export class ScramExchange implements PasswordExchange {
  private stage: 'initial' | 'final' | 'done' = 'initial';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  constructor(private readonly secret: ScramSecret) {}

  start(): Buffer {
    return authenticationSasl([SCRAM_MECHANISM]);
  }

  respond(data: Buffer): AuthStep {
    try {
      if (this.stage === 'initial') return this.clientFirst(data);
      if (this.stage === 'final') return this.clientFinal(data.toString('utf8'));
      return failed('unexpected SASL message');
    } catch {
      return failed('malformed SCRAM message');
    }
  }

  /** SASLInitialResponse: mechanism, then `n,,n=user,r=clientnonce`. */
  private clientFirst(data: Buffer): AuthStep {
    const reader = new MessageReader(data);
    const mechanism = reader.cstring();
    // What the client named is never repeated: a client answering with its password would put it in the log.
    if (mechanism !== SCRAM_MECHANISM) return failed('unsupported SASL mechanism');
    const length = reader.int32();
    const message = reader.bytes(Math.max(0, length)).toString('utf8');
    const match = /^([ny]),(a=[^,]*)?,(.*)$/.exec(message);
    if (!match) return failed('malformed SCRAM client-first-message (channel binding is not offered)');
    this.gs2Header = `${match[1]},${match[2] ?? ''},`;
    this.clientFirstBare = match[3] as string;
    const clientNonce = attributes(this.clientFirstBare).get('r');
    if (!clientNonce) return failed('SCRAM client-first-message has no nonce');
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.secret.salt.toString('base64')},i=${this.secret.iterations}`;
    this.stage = 'final';
    return { outcome: 'continue', send: authenticationSaslContinue(this.serverFirst) };
  }

  /** SASLResponse: `c=<gs2 header>,r=<nonce>,p=<proof>`. */
  private clientFinal(message: string): AuthStep {
    this.stage = 'done';
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) return failed('SCRAM client-final-message has no proof');
    const withoutProof = message.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get('c') !== Buffer.from(this.gs2Header, 'utf8').toString('base64')) {
      return failed('SCRAM channel binding does not match');
    }
    if (attrs.get('r') !== this.nonce) return failed('SCRAM nonce does not match');
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    if (proof.length !== 32) return failed('SCRAM proof has the wrong length');

    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.secret.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = (proof[i] as number) ^ (clientSignature[i] as number);
    if (!timingSafeEqual(sha256(clientKey), this.secret.storedKey)) return failed('wrong password');

    const serverSignature = hmac(this.secret.serverKey, authMessage).toString('base64');
    return { outcome: 'ok', send: authenticationSaslFinal(`v=${serverSignature}`) };
  }
}
