// Response bodies by content type: JSON parsed, text (YAML kubeconfig, CSV invoices) as strings, binary (PDF) as base64.

export interface DecodedBody {
  body: unknown;
  /** Set when a JSON content type came with a body that does not parse (truncated or garbled). */
  invalidJson: boolean;
}

const BINARY_TYPES = new Set([
  'application/pdf',
  'application/octet-stream',
  'application/zip',
  'application/gzip',
  'application/x-gzip',
  'application/x-tar',
]);
const BINARY_PREFIXES = ['image/', 'audio/', 'video/', 'font/'];

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

export function decodeBody(bytes: Uint8Array, contentType: string | undefined): DecodedBody {
  if (bytes.length === 0) return { body: null, invalidJson: false };
  const type = mediaType(contentType);
  if (BINARY_TYPES.has(type) || BINARY_PREFIXES.some((p) => type.startsWith(p))) {
    return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), invalidJson: false };
  }
  const text = utf8(bytes);
  if (text === undefined) {
    // Not text after all: base64 keeps every byte and never crashes a row.
    return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), invalidJson: false };
  }
  const looksJson = type === '' && /^\s*[[{]/.test(text);
  if (isJsonType(type) || looksJson) {
    try {
      return { body: JSON.parse(text) as unknown, invalidJson: false };
    } catch {
      // Only a declared JSON type makes a parse failure an error; a guess that fails is just text.
      return { body: text, invalidJson: isJsonType(type) };
    }
  }
  return { body: text, invalidJson: false };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
