// Reads the fields of one frontend message body; running past the end is a protocol error.

/** Thrown for a malformed message; the parser turns it into a `protocolError` message. */
export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

export class MessageReader {
  private offset = 0;

  constructor(private readonly body: Buffer) {}

  int16(): number {
    this.need(2);
    const value = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  /** Counts are unsigned 16-bit on the wire. */
  uint16(): number {
    this.need(2);
    const value = this.body.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** Type OIDs are unsigned 32-bit. */
  uint32(): number {
    this.need(4);
    const value = this.body.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  byte(): number {
    this.need(1);
    return this.body[this.offset++] as number;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw new MalformedMessageError('invalid string in message');
    const value = this.body.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return value;
  }

  bytes(length: number): Buffer {
    this.need(length);
    const value = this.body.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  rest(): Buffer {
    return this.bytes(this.body.length - this.offset);
  }

  get remaining(): number {
    return this.body.length - this.offset;
  }

  /** Postgres rejects trailing bytes as well as missing ones. */
  end(): void {
    if (this.offset !== this.body.length) throw new MalformedMessageError('invalid message format');
  }

  private need(length: number): void {
    if (length < 0 || this.offset + length > this.body.length) {
      throw new MalformedMessageError('invalid message format');
    }
  }
}
