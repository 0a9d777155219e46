// Serializes backend messages (server → client) into Buffers; pure, no sockets.

/** Backend message type bytes. */
const enum BackendCode {
  Authentication = 0x52, // R
  ParameterStatus = 0x53, // S
  BackendKeyData = 0x4b, // K
  ReadyForQuery = 0x5a, // Z
  RowDescription = 0x54, // T
  DataRow = 0x44, // D
  CommandComplete = 0x43, // C
  EmptyQueryResponse = 0x49, // I
  ErrorResponse = 0x45, // E
  NoticeResponse = 0x4e, // N
  ParseComplete = 0x31, // 1
  BindComplete = 0x32, // 2
  CloseComplete = 0x33, // 3
  NoData = 0x6e, // n
  ParameterDescription = 0x74, // t
  PortalSuspended = 0x73, // s
  NegotiateProtocolVersion = 0x76, // v
  CopyOutResponse = 0x48, // H
  CopyData = 0x64, // d
  CopyDone = 0x63, // c
}

/** The int32 that follows 'R' and says which authentication message it is. */
const enum AuthCode {
  Ok = 0,
  CleartextPassword = 3,
  Md5Password = 5,
  Sasl = 10,
  SaslContinue = 11,
  SaslFinal = 12,
}

/** A column as RowDescription states it. */
export interface FieldDescription {
  name: string;
  typeOid: number;
  /** pg_type.typlen: 8 for int8, -1 for varlena types. */
  typeSize: number;
  /** 0 text, 1 binary. */
  format: number;
}

/** The fields of an ErrorResponse or NoticeResponse that doql fills. */
export interface ErrorFields {
  severity: 'ERROR' | 'FATAL' | 'NOTICE' | 'WARNING';
  sqlState: string;
  message: string;
  detail?: string;
  hint?: string;
}

/** Accumulates one message body, then prefixes the type byte and length. */
class MessageWriter {
  private chunks: Buffer[] = [];
  private size = 0;

  int8(value: number): this {
    return this.push(Buffer.from([value & 0xff]));
  }

  int16(value: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(value);
    return this.push(b);
  }

  int32(value: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(value);
    return this.push(b);
  }

  uint32(value: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(value);
    return this.push(b);
  }

  cstring(value: string): this {
    // A NUL inside would end the string early on the client; Postgres never sends one.
    return this.push(Buffer.from(`${value.replaceAll('\0', '')}\0`, 'utf8'));
  }

  push(bytes: Buffer): this {
    this.chunks.push(bytes);
    this.size += bytes.length;
    return this;
  }

  finish(code: BackendCode): Buffer {
    const header = Buffer.allocUnsafe(5);
    header[0] = code;
    header.writeInt32BE(this.size + 4, 1);
    return Buffer.concat([header, ...this.chunks], this.size + 5);
  }
}

function empty(code: BackendCode): Buffer {
  return new MessageWriter().finish(code);
}

function auth(code: AuthCode, payload?: Buffer): Buffer {
  const w = new MessageWriter().int32(code);
  if (payload) w.push(payload);
  return w.finish(BackendCode.Authentication);
}

export const authenticationOk = (): Buffer => auth(AuthCode.Ok);
export const authenticationCleartextPassword = (): Buffer => auth(AuthCode.CleartextPassword);
export const authenticationMd5Password = (salt: Buffer): Buffer => auth(AuthCode.Md5Password, salt);

/** Offers SASL mechanisms: a list of C strings ended by an empty one. */
export function authenticationSasl(mechanisms: string[]): Buffer {
  return auth(AuthCode.Sasl, Buffer.from(`${mechanisms.map((m) => `${m}\0`).join('')}\0`, 'utf8'));
}

export const authenticationSaslContinue = (data: string): Buffer =>
  auth(AuthCode.SaslContinue, Buffer.from(data, 'utf8'));
export const authenticationSaslFinal = (data: string): Buffer => auth(AuthCode.SaslFinal, Buffer.from(data, 'utf8'));

export function parameterStatus(name: string, value: string): Buffer {
  return new MessageWriter().cstring(name).cstring(value).finish(BackendCode.ParameterStatus);
}

export function backendKeyData(processId: number, secretKey: number): Buffer {
  return new MessageWriter().int32(processId).int32(secretKey).finish(BackendCode.BackendKeyData);
}

/** Tells a client that asked for a newer 3.x minor, or for `_pq_.` options, what the server speaks. */
export function negotiateProtocolVersion(minorVersion: number, unrecognizedOptions: string[]): Buffer {
  const w = new MessageWriter().int32(minorVersion).int32(unrecognizedOptions.length);
  for (const option of unrecognizedOptions) w.cstring(option);
  return w.finish(BackendCode.NegotiateProtocolVersion);
}

/** 'I' idle, 'T' in a transaction block, 'E' in a failed one. */
export function readyForQuery(status: 'I' | 'T' | 'E' = 'I'): Buffer {
  return new MessageWriter().push(Buffer.from(status, 'latin1')).finish(BackendCode.ReadyForQuery);
}

export function rowDescription(fields: FieldDescription[]): Buffer {
  const w = new MessageWriter().int16(fields.length);
  for (const field of fields) {
    w.cstring(field.name)
      .int32(0) // table OID: not a table column
      .int16(0) // attribute number
      .uint32(field.typeOid)
      .int16(field.typeSize)
      .int32(-1) // type modifier
      .int16(field.format);
  }
  return w.finish(BackendCode.RowDescription);
}

/** One row of already-encoded values; null is SQL NULL (length -1). */
export function dataRow(values: (Buffer | null)[]): Buffer {
  const w = new MessageWriter().int16(values.length);
  for (const value of values) {
    if (value === null) {
      w.int32(-1);
    } else {
      w.int32(value.length).push(value);
    }
  }
  return w.finish(BackendCode.DataRow);
}

export function commandComplete(tag: string): Buffer {
  return new MessageWriter().cstring(tag).finish(BackendCode.CommandComplete);
}

/** Starts a COPY … TO STDOUT in text format (CSV is text too): the overall format, then one per column. */
export function copyOutResponse(columnCount: number): Buffer {
  const w = new MessageWriter().int8(0).int16(columnCount);
  for (let i = 0; i < columnCount; i++) w.int16(0);
  return w.finish(BackendCode.CopyOutResponse);
}

export function copyData(data: Buffer): Buffer {
  return new MessageWriter().push(data).finish(BackendCode.CopyData);
}

export function copyDone(): Buffer {
  return new MessageWriter().finish(BackendCode.CopyDone);
}

export function parameterDescription(typeOids: number[]): Buffer {
  const w = new MessageWriter().int16(typeOids.length);
  for (const oid of typeOids) w.uint32(oid);
  return w.finish(BackendCode.ParameterDescription);
}

function noticeFields(code: BackendCode, fields: ErrorFields): Buffer {
  const w = new MessageWriter();
  const field = (type: string, value: string | undefined): void => {
    if (value === undefined) return;
    w.push(Buffer.from(type, 'latin1')).cstring(value);
  };
  field('S', fields.severity);
  field('V', fields.severity); // the non-localized severity (protocol 9.6+)
  field('C', fields.sqlState);
  field('M', fields.message);
  field('D', fields.detail);
  field('H', fields.hint);
  w.push(Buffer.from([0]));
  return w.finish(code);
}

export const errorResponse = (fields: ErrorFields): Buffer => noticeFields(BackendCode.ErrorResponse, fields);
export const noticeResponse = (fields: ErrorFields): Buffer => noticeFields(BackendCode.NoticeResponse, fields);

export const emptyQueryResponse = (): Buffer => empty(BackendCode.EmptyQueryResponse);
export const parseComplete = (): Buffer => empty(BackendCode.ParseComplete);
export const bindComplete = (): Buffer => empty(BackendCode.BindComplete);
export const closeComplete = (): Buffer => empty(BackendCode.CloseComplete);
export const noData = (): Buffer => empty(BackendCode.NoData);
export const portalSuspended = (): Buffer => empty(BackendCode.PortalSuspended);
