// Messages a Postgres client sends (protocol v3), as a union on `kind`; the parser builds them from bytes.

/** Sent first, without a type byte: protocol version and connection parameters (user, database, …). */
export interface StartupMessage {
  kind: 'startup';
  /** major << 16 | minor; 196608 is 3.0. */
  protocolVersion: number;
  params: Record<string, string>;
}

/** The client asks for TLS before the startup message; answered by one byte, 'S' or 'N'. */
export interface SslRequestMessage {
  kind: 'sslRequest';
}

/** The client asks for GSSAPI encryption; doql always answers 'N'. */
export interface GssEncRequestMessage {
  kind: 'gssEncRequest';
}

/** Sent on a fresh connection to cancel the statement running on another one. */
export interface CancelRequestMessage {
  kind: 'cancelRequest';
  processId: number;
  secretKey: number;
}

/** Q: simple query protocol, one or more `;`-separated statements. */
export interface QueryMessage {
  kind: 'query';
  sql: string;
}

/** P: prepare a statement; `statement` is '' for the unnamed one. A type OID of 0 means unspecified. */
export interface ParseMessage {
  kind: 'parse';
  statement: string;
  sql: string;
  paramTypes: number[];
}

/** B: bind parameter values to a prepared statement, making a portal. Format codes: 0 text, 1 binary. */
export interface BindMessage {
  kind: 'bind';
  portal: string;
  statement: string;
  paramFormats: number[];
  /** Raw parameter bytes; null is SQL NULL. */
  params: (Buffer | null)[];
  resultFormats: number[];
}

/** D: describe a prepared statement ('S') or a portal ('P'). */
export interface DescribeMessage {
  kind: 'describe';
  target: 'statement' | 'portal';
  name: string;
}

/** E: run a portal; maxRows 0 means all rows. */
export interface ExecuteMessage {
  kind: 'execute';
  portal: string;
  maxRows: number;
}

/** C: drop a prepared statement or a portal. */
export interface CloseMessage {
  kind: 'close';
  target: 'statement' | 'portal';
  name: string;
}

/** S: ends an extended-protocol batch; the server answers ReadyForQuery. */
export interface SyncMessage {
  kind: 'sync';
}

/** H: asks the server to send what it has buffered. */
export interface FlushMessage {
  kind: 'flush';
}

/** X: the client is leaving. */
export interface TerminateMessage {
  kind: 'terminate';
}

/** p: PasswordMessage, SASLInitialResponse or SASLResponse; only the auth exchange knows which. */
export interface PasswordMessage {
  kind: 'password';
  data: Buffer;
}

/** d, c, f: COPY traffic, which doql never starts; Postgres ignores it outside COPY too. */
export interface CopyMessage {
  kind: 'copy';
}

/** F: the legacy fast-path function call, which doql does not support. */
export interface FunctionCallMessage {
  kind: 'functionCall';
}

/** Bytes that break the protocol; the connection answers with a FATAL error and closes. */
export interface ProtocolErrorMessage {
  kind: 'protocolError';
  message: string;
}

export type FrontendMessage =
  | StartupMessage
  | SslRequestMessage
  | GssEncRequestMessage
  | CancelRequestMessage
  | QueryMessage
  | ParseMessage
  | BindMessage
  | DescribeMessage
  | ExecuteMessage
  | CloseMessage
  | SyncMessage
  | FlushMessage
  | TerminateMessage
  | PasswordMessage
  | CopyMessage
  | FunctionCallMessage
  | ProtocolErrorMessage;

export type FrontendKind = FrontendMessage['kind'];
