/**
 * @module erlang/etf/encode
 * Playground values to Erlang terms (external term format), by the mapping in
 * `etf/index.ts`. An `Encoder` appends terms to one growing buffer, so a connection
 * can put many frames in it and hand the socket one chunk; a value that has no Erlang
 * form (a function, a symbol, NaN, an atom over 255 characters) throws `EtfError`
 * ('ERR_NOT_A_TERM') and leaves the buffer as it was.
 */
import { Binary, List, Opaque, Pid, Ref } from '../../term.ts';
import * as T from './tags.ts';
import { EtfError } from './types.ts';

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/**
 * The bytes of one whole term, version byte included.
 *
 * @example
 * encode(['ok', 1]) //=> <Buffer 83 68 02 77 02 6f 6b 61 01>   ({:ok, 1})
 */
export function encode(term: unknown): Buffer {
  const e = new Encoder(256);
  e.term(term);
  return Buffer.from(e.buf.subarray(0, e.pos));
}

/**
 * Appends terms to a buffer that grows as needed.
 *
 * @example
 * const e = new Encoder()
 * e.term(['ok', 1]); e.term(Binary.from('hi'))
 * e.buf.subarray(0, e.pos) //=> two whole terms, one after the other
 */
export class Encoder {
  buf: Buffer;
  pos = 0;

  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Appends one whole term (version byte, then the term). On a throw nothing is appended. */
  term(x: unknown): void {
    const start = this.pos;
    try {
      this.room(1);
      this.buf[this.pos++] = T.VERSION;
      this.value(x);
    } catch (err) {
      this.pos = start;
      if (err instanceof EtfError) throw err;
      if (err instanceof RangeError) throw new EtfError('ERR_NOT_A_TERM', 'cannot send a value nested this deeply (does it contain itself?)');
      throw err;
    }
  }

  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  // Internals

  private value(x: unknown): void {
    switch (typeof x) {
      case 'string':
        return this.atom(x);
      case 'number':
        return Number.isInteger(x) ? this.integer(x) : this.float(x);
      case 'boolean':
        return this.atom(x ? 'true' : 'false');
      case 'undefined':
        return this.atom('undefined');
      case 'bigint':
        return x >= I32_MIN && x <= I32_MAX ? this.integer(Number(x)) : this.big(x);
      case 'object':
        return x === null ? this.atom('nil') : this.compound(x);
      default:
        throw new EtfError('ERR_NOT_A_TERM', `a ${typeof x} cannot be sent to an Erlang node`);
    }
  }

  private compound(x: object): void {
    if (x instanceof List) return this.list(x);
    if (Array.isArray(x)) return this.tuple(x);
    if (x instanceof Pid) return this.pid(x);
    if (x instanceof Ref) return this.ref(x);
    if (x instanceof Binary) return this.binary(x.bytes, x.bits);
    if (x instanceof Uint8Array) return this.binary(x, 8);
    if (x instanceof Opaque) return this.raw(x.bytes);
    if (x instanceof Map) return this.map(x);
    if (x instanceof Error) return this.error(x);
    return this.object(x as Record<string, unknown>);
  }

  /** An object: a map whose keys are atoms. */
  private object(x: Record<string, unknown>): void {
    const keys = Object.keys(x);
    this.mapHead(keys.length);
    for (const k of keys) {
      this.atom(k);
      this.value(x[k]);
    }
  }

  /** Atoms: SMALL_ATOM_UTF8_EXT, or ATOM_UTF8_EXT for names over 255 bytes (at most 255 characters). */
  private atom(name: string): void {
    if (name.length > 255 && [...name].length > 255) {
      throw new EtfError('ERR_NOT_A_TERM', `an atom has at most 255 characters, this one ${[...name].length}: send long text as a Binary`);
    }
    this.room(3 + name.length * 3);
    const at = this.pos;
    const n = this.buf.write(name, at + 2, 'utf8');
    if (n <= 255) {
      this.buf[at] = T.SMALL_ATOM_UTF8_EXT;
      this.buf[at + 1] = n;
      this.pos = at + 2 + n;
    } else {
      this.buf.copyWithin(at + 3, at + 2, at + 2 + n);
      this.buf[at] = T.ATOM_UTF8_EXT;
      this.buf.writeUInt16BE(n, at + 1);
      this.pos = at + 3 + n;
    }
  }

  private integer(n: number): void {
    if (n >= 0 && n <= 255) {
      this.room(2);
      this.buf[this.pos++] = T.SMALL_INTEGER_EXT;
      this.buf[this.pos++] = n;
    } else if (n >= I32_MIN && n <= I32_MAX) {
      this.room(5);
      this.buf[this.pos++] = T.INTEGER_EXT;
      this.buf.writeInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      this.big(BigInt(n));
    }
  }

  private big(n: bigint): void {
    const digits: number[] = [];
    for (let m = n < 0n ? -n : n; m > 0n; m >>= 8n) digits.push(Number(m & 0xffn));
    const small = digits.length <= 255;
    this.room(6 + digits.length);
    if (small) {
      this.buf[this.pos++] = T.SMALL_BIG_EXT;
      this.buf[this.pos++] = digits.length;
    } else {
      this.buf[this.pos++] = T.LARGE_BIG_EXT;
      this.buf.writeUInt32BE(digits.length, this.pos);
      this.pos += 4;
    }
    this.buf[this.pos++] = n < 0n ? 1 : 0;
    for (const d of digits) this.buf[this.pos++] = d;
  }

  private float(x: number): void {
    if (!Number.isFinite(x)) throw new EtfError('ERR_NOT_A_TERM', `${x} is not a number an Erlang node can hold`);
    this.room(9);
    this.buf[this.pos++] = T.NEW_FLOAT_EXT;
    this.buf.writeDoubleBE(x, this.pos);
    this.pos += 8;
  }

  private tuple(items: readonly unknown[]): void {
    this.room(5);
    if (items.length <= 255) {
      this.buf[this.pos++] = T.SMALL_TUPLE_EXT;
      this.buf[this.pos++] = items.length;
    } else {
      this.buf[this.pos++] = T.LARGE_TUPLE_EXT;
      this.buf.writeUInt32BE(items.length, this.pos);
      this.pos += 4;
    }
    for (const item of items) this.value(item);
  }

  /** A list of bytes goes as STRING_EXT, as the BEAM sends one; any other as LIST_EXT. */
  private list(list: List): void {
    const n = list.length;
    if (n === 0 && list.tail === undefined) {
      this.room(1);
      this.buf[this.pos++] = T.NIL_EXT;
      return;
    }
    if (list.tail === undefined && n <= 65535 && list.every(isByte)) {
      this.room(3 + n);
      this.buf[this.pos++] = T.STRING_EXT;
      this.buf.writeUInt16BE(n, this.pos);
      this.pos += 2;
      for (let i = 0; i < n; i++) this.buf[this.pos++] = list[i] as number;
      return;
    }
    this.room(5);
    this.buf[this.pos++] = T.LIST_EXT;
    this.buf.writeUInt32BE(n, this.pos);
    this.pos += 4;
    for (let i = 0; i < n; i++) this.value(list[i]);
    if (list.tail === undefined) {
      this.room(1);
      this.buf[this.pos++] = T.NIL_EXT;
    } else {
      this.value(list.tail);
    }
  }

  private binary(bytes: Uint8Array, bits: number): void {
    this.room(6 + bytes.length);
    this.buf[this.pos++] = bits === 8 ? T.BINARY_EXT : T.BIT_BINARY_EXT;
    this.buf.writeUInt32BE(bytes.length, this.pos);
    this.pos += 4;
    if (bits !== 8) this.buf[this.pos++] = bits;
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A Map: a map whose keys are terms of their own. */
  private map(m: Map<unknown, unknown>): void {
    this.mapHead(m.size);
    for (const [k, v] of m) {
      this.value(k);
      this.value(v);
    }
  }

  private mapHead(arity: number): void {
    this.room(5);
    this.buf[this.pos++] = T.MAP_EXT;
    this.buf.writeUInt32BE(arity, this.pos);
    this.pos += 4;
  }

  /** A JavaScript error goes as the Elixir exception iex shows best: `%RuntimeError{message: "..."}`. */
  private error(err: Error): void {
    const message = err.name === 'Error' ? err.message : `${err.name}: ${err.message}`;
    this.object({ __struct__: 'Elixir.RuntimeError', __exception__: true, message: Binary.from(message) });
  }

  private pid(pid: Pid): void {
    this.room(1);
    this.buf[this.pos++] = T.NEW_PID_EXT;
    this.atom(pid.node);
    this.room(12);
    this.u32(pid.id);
    this.u32(pid.serial);
    this.u32(pid.creation);
  }

  /** A playground reference (one number) goes as the three words `[id, 0, 0]`. */
  private ref(ref: Ref): void {
    const words = ref.words ?? [0, 0];
    this.room(3);
    this.buf[this.pos++] = T.NEWER_REFERENCE_EXT;
    this.buf.writeUInt16BE(1 + words.length, this.pos);
    this.pos += 2;
    this.atom(ref.node);
    this.room(8 + 4 * words.length);
    this.u32(ref.creation);
    this.u32(ref.id);
    for (const w of words) this.u32(w);
  }

  private raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  private u32(n: number): void {
    if (!(n >= 0 && n <= 0xffffffff)) throw new EtfError('ERR_NOT_A_TERM', `${n} does not fit the 32 bits of a pid or reference`);
    this.buf.writeUInt32BE(n, this.pos);
    this.pos += 4;
  }
}

function isByte(x: unknown): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255;
}
