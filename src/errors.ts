// The few error classes doql throws; the CLI and the wire server turn them into one line / an ErrorResponse.

export type ErrorCode =
  | 'usage' // bad command line or option
  | 'parse' // a statement that does not parse
  | 'not_found' // unknown provider/service/resource/method
  | 'missing_param' // a required parameter was not supplied
  | 'validation' // a request body or value failed validation
  | 'api' // the API answered with an error
  | 'network' // the API could not be reached
  | 'unknown_outcome' // a mutation may or may not have happened
  | 'spec' // a spec file that cannot be compiled
  | 'auth' // no credentials
  | 'config' // unreadable config / vars file
  | 'timeout' // waiting for an action took too long
  | 'cancelled'
  | 'internal';

export interface DoqlErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Postgres SQLSTATE for the wire server. */
  sqlState?: string;
}

/** Every error doql means to show a user. The message is one line and never holds a token. */
export class DoqlError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly sqlState?: string;

  constructor(code: ErrorCode, message: string, options: DoqlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DoqlError';
    this.code = code;
    this.hint = options.hint;
    this.sqlState = options.sqlState;
  }

  /** Exit code for the CLI: 2 for usage errors, 1 for everything else. */
  get exitCode(): number {
    return this.code === 'usage' ? 2 : 1;
  }
}

/** An error answer from the DigitalOcean API (or the sandbox). */
export class ApiError extends DoqlError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly apiId?: string;
  readonly requestId?: string;

  constructor(fields: {
    status: number;
    method: string;
    path: string;
    apiId?: string;
    apiMessage?: string;
    requestId?: string;
    code?: ErrorCode;
    hint?: string;
    cause?: unknown;
  }) {
    const rid = fields.requestId ? ` (request id ${fields.requestId})` : '';
    const msg = fields.apiMessage ?? (fields.status ? `HTTP ${fields.status}` : 'request failed');
    const status = fields.status ? `${fields.status} ` : '';
    super(fields.code ?? 'api', `${status}${fields.method.toUpperCase()} ${fields.path}: ${msg}${rid}`, {
      hint: fields.hint,
      cause: fields.cause,
      sqlState: '08006',
    });
    this.name = 'ApiError';
    this.status = fields.status;
    this.method = fields.method.toUpperCase();
    this.path = fields.path;
    this.apiId = fields.apiId;
    this.requestId = fields.requestId;
  }
}

export function isDoqlError(err: unknown): err is DoqlError {
  return err instanceof DoqlError;
}
