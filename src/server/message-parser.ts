// Frames and decodes frontend messages from a byte stream, across split and pipelined chunks; no sockets here.
import type { FrontendMessage } from './frontend-messages.js';
import { MalformedMessageError, MessageReader } from './message-reader.js';

/** Frontend message type bytes. */
const enum FrontendCode {
  Query = 0x51, // Q
  Parse = 0x50, // P
  Bind = 0x42, // B
  Describe = 0x44, // D
  Execute = 0x45, // E
  Sync = 0x53, // S
  Close = 0x43, // C
  Flush = 0x48, // H
  Terminate = 0x58, // X
  Password = 0x70, // p
  CopyData = 0x64, // d
  CopyDone = 0x63, // c
  CopyFail = 0x66, // f
  FunctionCall = 0x46, // F
}

/** Request codes carried where a startup packet holds its protocol version. */
const enum RequestCode {
  Cancel = 80877102,
  Ssl = 80877103,
  GssEnc = 80877104,
}

/** Postgres' own limit (MAX_STARTUP_PACKET_LENGTH). */
const MAX_STARTUP_LENGTH = 10_000;
/** Default cap on one typed message; a Bind with large values stays well under it. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;

const EMPTY = Buffer.alloc(0);

interface Framed {
  message: FrontendMessage;
  next: number;
}

/**
 * Feed it chunks as they arrive; it returns every whole message they complete and keeps the rest.
 * Until a startup message arrives it reads untyped startup packets (SSLRequest, CancelRequest, …);
 * after it, typed messages. A malformed message yields a `protocolError` and the parser stops.
 */
export class FrontendParser {
  private buffer: Buffer = EMPTY;
  private startupPhase = true;
  private failed = false;

  constructor(private readonly maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH) {}

  /** Bytes received that do not yet make a whole message. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  feed(chunk: Buffer): FrontendMessage[] {
    if (this.failed) return [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: FrontendMessage[] = [];
    let offset = 0;
    try {
      for (;;) {
        const framed = this.startupPhase ? this.frameStartup(offset) : this.frameTyped(offset);
        if (!framed) break;
        messages.push(framed.message);
        offset = framed.next;
        if (framed.message.kind === 'startup') this.startupPhase = false;
      }
    } catch (err) {
      if (!(err instanceof MalformedMessageError)) throw err;
      this.failed = true;
      this.buffer = EMPTY;
      messages.push({ kind: 'protocolError', message: err.message });
      return messages;
    }
    this.buffer = offset === this.buffer.length ? EMPTY : this.buffer.subarray(offset);
    return messages;
  }

  private frameStartup(offset: number): Framed | undefined {
    if (this.buffer.length - offset < 4) return undefined;
    const length = this.buffer.readInt32BE(offset);
    if (length < 8 || length > MAX_STARTUP_LENGTH) {
      throw new MalformedMessageError('invalid length of startup packet');
    }
    if (this.buffer.length - offset < length) return undefined;
    const reader = new MessageReader(this.buffer.subarray(offset + 4, offset + length));
    return { message: decodeStartup(reader), next: offset + length };
  }

  private frameTyped(offset: number): Framed | undefined {
    if (this.buffer.length - offset < 5) return undefined;
    const code = this.buffer[offset] as number;
    const length = this.buffer.readInt32BE(offset + 1);
    if (length < 4 || length > this.maxMessageLength) {
      throw new MalformedMessageError(`invalid message length ${length}`);
    }
    if (this.buffer.length - offset < 1 + length) return undefined;
    const reader = new MessageReader(this.buffer.subarray(offset + 5, offset + 1 + length));
    return { message: decodeTyped(code, reader), next: offset + 1 + length };
  }
}

function decodeStartup(reader: MessageReader): FrontendMessage {
  const code = reader.int32();
  switch (code) {
    case RequestCode.Ssl:
      reader.end();
      return { kind: 'sslRequest' };
    case RequestCode.GssEnc:
      reader.end();
      return { kind: 'gssEncRequest' };
    case RequestCode.Cancel: {
      const processId = reader.int32();
      const secretKey = reader.int32();
      reader.end();
      return { kind: 'cancelRequest', processId, secretKey };
    }
    default: {
      const params: Record<string, string> = {};
      for (;;) {
        const name = reader.cstring();
        if (name === '') break;
        params[name] = reader.cstring();
      }
      reader.end();
      return { kind: 'startup', protocolVersion: code, params };
    }
  }
}

function decodeTyped(code: number, reader: MessageReader): FrontendMessage {
  switch (code) {
    case FrontendCode.Query: {
      const sql = reader.cstring();
      reader.end();
      return { kind: 'query', sql };
    }
    case FrontendCode.Parse:
      return decodeParse(reader);
    case FrontendCode.Bind:
      return decodeBind(reader);
    case FrontendCode.Describe:
    case FrontendCode.Close: {
      const target = decodeTarget(reader.byte());
      const name = reader.cstring();
      reader.end();
      return { kind: code === FrontendCode.Describe ? 'describe' : 'close', target, name };
    }
    case FrontendCode.Execute: {
      const portal = reader.cstring();
      const maxRows = reader.int32();
      reader.end();
      return { kind: 'execute', portal, maxRows: Math.max(0, maxRows) };
    }
    case FrontendCode.Sync:
      return { kind: 'sync' };
    case FrontendCode.Flush:
      return { kind: 'flush' };
    case FrontendCode.Terminate:
      return { kind: 'terminate' };
    case FrontendCode.Password:
      return { kind: 'password', data: Buffer.from(reader.rest()) };
    case FrontendCode.CopyData:
    case FrontendCode.CopyDone:
    case FrontendCode.CopyFail:
      return { kind: 'copy' };
    case FrontendCode.FunctionCall:
      return { kind: 'functionCall' };
    default:
      throw new MalformedMessageError(`invalid frontend message type ${code}`);
  }
}

function decodeParse(reader: MessageReader): FrontendMessage {
  const statement = reader.cstring();
  const sql = reader.cstring();
  const count = reader.uint16();
  const paramTypes: number[] = [];
  for (let i = 0; i < count; i++) paramTypes.push(reader.uint32());
  reader.end();
  return { kind: 'parse', statement, sql, paramTypes };
}

function decodeBind(reader: MessageReader): FrontendMessage {
  const portal = reader.cstring();
  const statement = reader.cstring();
  const paramFormats = readFormats(reader);
  const count = reader.uint16();
  const params: (Buffer | null)[] = [];
  for (let i = 0; i < count; i++) {
    const length = reader.int32();
    if (length < -1) throw new MalformedMessageError(`invalid parameter length ${length}`);
    // Copy, so that a kept parameter does not pin the whole received chunk in memory.
    params.push(length === -1 ? null : Buffer.from(reader.bytes(length)));
  }
  const resultFormats = readFormats(reader);
  reader.end();
  return { kind: 'bind', portal, statement, paramFormats, params, resultFormats };
}

function readFormats(reader: MessageReader): number[] {
  const count = reader.uint16();
  const formats: number[] = [];
  for (let i = 0; i < count; i++) formats.push(reader.int16());
  return formats;
}

function decodeTarget(byte: number): 'statement' | 'portal' {
  if (byte === 0x53 /* S */) return 'statement';
  if (byte === 0x50 /* P */) return 'portal';
  throw new MalformedMessageError(`invalid describe/close target ${String.fromCharCode(byte)}`);
}
