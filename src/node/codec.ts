/**
 * @module node/codec
 * Terms on the wire: the one place that knows msgpackr. Every frame between two nodes is
 * a 4-byte big-endian length followed by a msgpack body, as Erlang's `{packet, 4}` sockets
 * do. Pids, refs and errors travel as msgpack extensions registered here, once, for the
 * whole OS process (msgpackr's extension table is global).
 *
 * Protocol:
 * - Frame: `u32be length | msgpack body`; a length above the reader's limit closes the
 *   connection (the limit is small until the handshake completes, 64 MiB after it).
 * - Extensions (a one-byte tag, then the payload as ordinary msgpack):
 *   type 1 Pid `[node, id, creation]` (`[node, id, creation, serial]` for a BEAM pid
 *   whose serial is not 0), type 2 Ref `[node, id, creation]` (plus `words` for a
 *   reference made on the BEAM), type 3 Error `[name, message, stack, code]`, and the
 *   Erlang values of `term.ts`: type 4 List `[items, tail]`, type 5 Binary
 *   `[bytes, bits]`, type 6 Opaque `[kind, label, bytes]`.
 * - Anything that is not a term (a function, a symbol) is refused at encode time with
 *   a `CodecError`, so the sender learns at once instead of the receiver getting `undefined`.
 *
 * Throughput: `FrameWriter` packs each term into one growing buffer and hands the socket
 * one chunk per tick, so a burst of sends costs one syscall, not thousands.
 */
import './msgpackr-setup.ts';
import { Packr, addExtension, RESET_BUFFER_MODE, RESERVE_START_SPACE } from 'msgpackr';
import { Binary, List, Opaque, Pid, Ref } from '../term.ts';
import { CodedError } from '../errors.ts';

/** Before the handshake completes a peer may only send frames this small. */
export const HANDSHAKE_FRAME_LIMIT = 4 * 1024;
/** The largest frame a connected peer may send (64 MiB). */
export const MAX_FRAME = 64 * 1024 * 1024;

/** A value that cannot be encoded or a byte stream that cannot be decoded. */
export class CodecError extends CodedError<'ERR_NOT_A_TERM' | 'ERR_BAD_FRAME' | 'ERR_FRAME_TOO_LARGE'> {}

// Extensions: registered once when this module loads.

const PID_TYPE = 1;
const REF_TYPE = 2;
const ERROR_TYPE = 3;
const LIST_TYPE = 4;
const BINARY_TYPE = 5;
const OPAQUE_TYPE = 6;

function idTriple(kind: string, datum: unknown): [string, number, number] {
  if (
    Array.isArray(datum) &&
    (datum.length === 3 || datum.length === 4) &&
    typeof datum[0] === 'string' &&
    Number.isInteger(datum[1]) &&
    Number.isInteger(datum[2])
  ) {
    return [datum[0], datum[1], datum[2]];
  }
  throw new CodecError('ERR_BAD_FRAME', `malformed ${kind} on the wire`);
}

addExtension({
  Class: Pid,
  type: PID_TYPE,
  write: (pid: Pid) => (pid.serial === 0 ? [pid.node, pid.id, pid.creation] : [pid.node, pid.id, pid.creation, pid.serial]),
  read: (datum: unknown) => {
    const serial = (datum as unknown[])[3] ?? 0;
    if (!Number.isInteger(serial)) throw new CodecError('ERR_BAD_FRAME', 'malformed pid on the wire');
    return new Pid(...idTriple('pid', datum), serial as number);
  },
});

addExtension({
  Class: Ref,
  type: REF_TYPE,
  write: (ref: Ref) => (ref.words === undefined ? [ref.node, ref.id, ref.creation] : [ref.node, ref.id, ref.creation, ref.words]),
  read: (datum: unknown) => {
    const words = (datum as unknown[])[3];
    if (words !== undefined && !(Array.isArray(words) && words.every(Number.isInteger))) {
      throw new CodecError('ERR_BAD_FRAME', 'malformed reference on the wire');
    }
    return new Ref(...idTriple('reference', datum), words as number[] | undefined);
  },
});

addExtension({
  Class: List,
  type: LIST_TYPE,
  write: (list: List) => [Array.from(list), list.tail],
  read: (datum: unknown) => {
    if (!Array.isArray(datum) || !Array.isArray(datum[0])) throw new CodecError('ERR_BAD_FRAME', 'malformed list on the wire');
    return datum[1] === undefined ? List.from(datum[0]) : List.improper(datum[0], datum[1]);
  },
});

addExtension({
  Class: Binary,
  type: BINARY_TYPE,
  write: (bin: Binary) => [bin.bytes, bin.bits],
  read: (datum: unknown) => {
    if (!Array.isArray(datum) || !(datum[0] instanceof Uint8Array) || !isBits(datum[1])) {
      throw new CodecError('ERR_BAD_FRAME', 'malformed binary on the wire');
    }
    return new Binary(datum[0], datum[1]);
  },
});

addExtension({
  Class: Opaque,
  type: OPAQUE_TYPE,
  write: (o: Opaque) => [o.kind, o.label, o.bytes],
  read: (datum: unknown) => {
    if (!Array.isArray(datum) || (datum[0] !== 'fun' && datum[0] !== 'port') || typeof datum[1] !== 'string' || !(datum[2] instanceof Uint8Array)) {
      throw new CodecError('ERR_BAD_FRAME', 'malformed fun or port on the wire');
    }
    return new Opaque(datum[0], datum[1], datum[2]);
  },
});

function isBits(x: unknown): x is number {
  return Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 8;
}

addExtension({
  Class: Error,
  type: ERROR_TYPE,
  write: (err: Error) => [err.name, err.message, err.stack ?? null, (err as { code?: unknown }).code ?? null],
  read: (datum: unknown) => {
    if (!Array.isArray(datum) || typeof datum[0] !== 'string' || typeof datum[1] !== 'string') {
      throw new CodecError('ERR_BAD_FRAME', 'malformed error on the wire');
    }
    const err = new Error(datum[1]);
    err.name = datum[0];
    if (typeof datum[2] === 'string') err.stack = datum[2];
    if (datum[3] !== null && datum[3] !== undefined) (err as { code?: unknown }).code = datum[3];
    return err;
  },
});

const OPTIONS = {
  useRecords: false,
  writeFunction: () => {
    throw new CodecError('ERR_NOT_A_TERM', 'a function cannot be sent to another node');
  },
};
const packr = new Packr(OPTIONS);
/** The frame writers' own packer, pointed at whichever batch buffer `framesInto` is. */
const framePackr = new Packr(OPTIONS);
let framesInto: Buffer | null = null;
/** msgpackr moves to a buffer of its own when fewer than 2 KiB are left: never let it start that close. */
const ROOM = 2048 + 32;

// Client API

/**
 * Encodes a term as a msgpack body (no length prefix). The result is a fresh copy.
 *
 * @example
 * decode(encode(['hello', pid])) //=> ['hello', #PID<0.110.0>]
 */
export function encode(term: unknown): Buffer {
  return Buffer.from(packBody(term));
}

/** Reused for every decode (unpack reads it before anything can re-enter). */
const range = { start: 0, end: 0 };

/** Decodes a msgpack body produced by `encode`; throws `CodecError` on bad bytes. */
export function decode(body: Uint8Array, start = 0, end = body.length): unknown {
  range.start = start;
  range.end = end;
  try {
    return packr.unpack(body, range);
  } catch (err) {
    if (err instanceof CodecError) throw err;
    throw new CodecError('ERR_BAD_FRAME', `undecodable frame: ${(err as Error).message}`);
  }
}

/** Encodes a term as one complete frame: length prefix and body. */
export function frame(term: unknown): Buffer {
  const body = packBody(term);
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}

/**
 * Splits a byte stream into frame bodies. `push` calls `onFrame(buf, start, end)` for each
 * complete frame, in order, and throws `CodecError` when a frame announces more than
 * `limit` bytes; the caller then closes that connection.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(public limit: number = HANDSHAKE_FRAME_LIMIT) {}

  push(chunk: Buffer, onFrame: (buf: Buffer, start: number, end: number) => void): void {
    let pos = 0;
    // A frame begun in earlier chunks: take from this chunk only the bytes it lacks, so
    // the join copies that one frame, not the whole chunk behind it.
    while (this.buffered > 0) {
      const need = this.needed();
      if (this.buffered < need) {
        const take = Math.min(need - this.buffered, chunk.length - pos);
        if (take === 0) return;
        this.chunks.push(chunk.subarray(pos, pos + take));
        this.buffered += take;
        pos += take;
        continue;
      }
      const frame = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      this.chunks = [];
      this.buffered = 0;
      onFrame(frame, 4, need);
    }
    const len = chunk.length;
    while (len - pos >= 4) {
      const size = chunk.readUInt32BE(pos);
      this.check(size);
      if (len - pos - 4 < size) break;
      onFrame(chunk, pos + 4, pos + 4 + size);
      pos += 4 + size;
    }
    if (pos < len) {
      this.chunks.push(chunk.subarray(pos));
      this.buffered = len - pos;
    }
  }

  /** Bytes still held back, waiting for the rest of a frame. */
  get pending(): number {
    return this.buffered;
  }

  // Internals

  /** Bytes needed before the buffered data holds a header, or a header and its frame. */
  private needed(): number {
    const first = this.chunks[0]!;
    if (this.buffered < 4) return 4;
    const size = first.length >= 4 ? first.readUInt32BE(0) : Buffer.concat(this.chunks, 4).readUInt32BE(0);
    this.check(size);
    return 4 + size;
  }

  private check(size: number): void {
    if (size > this.limit) {
      throw new CodecError('ERR_FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the limit of ${this.limit}`);
    }
  }
}

/**
 * Collects frames and hands them to `sink` as one chunk per tick (or as soon as
 * `highWater` bytes are waiting). `write` throws `CodecError` for a value that is
 * not a term; nothing of it is queued then.
 *
 * Each term is packed straight into the batch buffer, right after the previous frame
 * and its 4-byte length (msgpackr is pointed at the buffer and told where to start), so
 * a message costs no copy. The sink calls `done` once the chunk has been written out,
 * and its buffer is used again.
 */
export class FrameWriter {
  private buf: Buffer;
  private pos = 0;
  private scheduled = false;
  /** Buffers of the standard size that the socket has finished with. */
  private readonly spare: Buffer[] = [];
  private readonly flushBound = () => this.flush();

  constructor(
    private readonly sink: (chunk: Buffer, done: () => void) => void,
    private readonly highWater = 256 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(highWater, 2 * ROOM));
  }

  write(term: unknown): void {
    if (this.buf.length - this.pos < ROOM) this.flush();
    let buf = this.buf;
    let pos = this.pos;
    if (framesInto !== buf) {
      framePackr.useBuffer(buf);
      framesInto = buf;
    }
    // msgpackr starts each pack at a multiple of 8: start there, and reserve the bytes
    // up to the end of this frame's length field.
    const base = pos & ~7;
    const reserve = pos + 4 - base;
    framePackr.position = base;
    const out = pack(framePackr, term, RESERVE_START_SPACE | reserve);
    let size = out.length - reserve;
    if (out.buffer !== buf.buffer || out.byteOffset !== buf.byteOffset + base) {
      // The term outgrew the room left, and msgpackr moved it to a buffer of its own.
      framesInto = null;
      this.flush();
      if (this.buf.length < size + 4) this.buf = Buffer.allocUnsafe(size + 4);
      buf = this.buf;
      pos = 0;
      buf.set(out.subarray(reserve), 4);
    }
    buf[pos] = size >>> 24;
    buf[pos + 1] = (size >>> 16) & 0xff;
    buf[pos + 2] = (size >>> 8) & 0xff;
    buf[pos + 3] = size & 0xff;
    this.pos = pos + 4 + size;
    if (this.pos >= this.highWater) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushBound);
    }
  }

  /** Hands everything queued so far to the sink now. */
  flush(): void {
    this.scheduled = false;
    if (this.pos === 0) return;
    const full = this.buf;
    const chunk = full.subarray(0, this.pos);
    // The sink keeps `chunk` until the socket has sent it: never write into it before `done`
    // (msgpackr is pointed at the next buffer before its next pack).
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(this.standard);
    this.pos = 0;
    this.sink(chunk, () => {
      if (full.length === this.standard && this.spare.length < 4) this.spare.push(full);
    });
  }

  /** Drops whatever is queued (the connection is gone). */
  discard(): void {
    this.pos = 0;
  }

  // Internals

  private get standard(): number {
    return Math.max(this.highWater, 2 * ROOM);
  }
}

// Internals

/** Packs into msgpackr's scratch buffer: valid only until the next pack. */
function packBody(term: unknown): Uint8Array {
  return pack(packr, term, RESET_BUFFER_MODE);
}

function pack(p: Packr, term: unknown, flags: number): Buffer {
  try {
    return p.pack(term, flags);
  } catch (err) {
    if (err instanceof CodecError) throw err;
    throw new CodecError('ERR_NOT_A_TERM', `cannot send ${describe(term)}: ${(err as Error).message}`);
  }
}

function describe(term: unknown): string {
  if (typeof term === 'symbol') return term.toString();
  if (typeof term === 'function') return 'a function';
  return 'this value';
}
