/**
 * @module erlang/etf/decode
 * Erlang terms (external term format) to playground values, by the mapping in
 * `etf/index.ts`. Every length is checked against the bytes that are really there
 * before anything is allocated, so a hostile length cannot make the node allocate
 * gigabytes; anything malformed or unknown throws `EtfError` ('ERR_BAD_TERM'), which
 * the connection turns into one log line and a dropped message (or, for a bad control
 * message, a closed connection), never a crash.
 */
import { inflateSync } from 'node:zlib';
import { Binary, List, Opaque, Pid, Ref, printedNodeNumber } from '../../term.ts';
import * as T from './tags.ts';
import { EtfError, atomValue, moduleText } from './types.ts';

/**
 * The value of the whole term in `buf[start, end)` (which begins with the version byte 131).
 *
 * @example
 * decode(Buffer.from([131, 104, 2, 119, 2, 111, 107, 97, 1])) //=> [ 'ok', 1 ]   ({:ok, 1})
 */
export function decode(buf: Buffer, start = 0, end = buf.length): unknown {
  const d = new Decoder(buf, start, end);
  const value = d.term();
  if (d.pos !== end) throw new EtfError('ERR_BAD_TERM', `${end - d.pos} bytes left over after the term`);
  return value;
}

/**
 * Reads whole terms one after the other from `buf[start, end)`, each with its version
 * byte: how a distribution frame's control message and its payload are read.
 *
 * @example
 * const d = new Decoder(frame, 1, frame.length) // past the 112 of a distribution frame
 * const control = d.term()                        //=> [ 6, #PID<12.85.0>, '', 'echo' ]
 * const payload = d.done ? undefined : d.term()
 */
export class Decoder {
  pos: number;

  constructor(
    private readonly buf: Buffer,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  /** True when every byte has been read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The next whole term (version byte, then the term, possibly compressed). */
  term(): unknown {
    if (this.u8() !== T.VERSION) throw new EtfError('ERR_BAD_TERM', 'a term must start with the version byte 131');
    try {
      if (this.buf[this.pos] === T.COMPRESSED) return this.compressed();
      return this.value();
    } catch (err) {
      if (err instanceof RangeError && !(err instanceof EtfError)) {
        throw new EtfError('ERR_BAD_TERM', 'the term is nested too deeply or cut short');
      }
      throw err;
    }
  }

  // Internals

  private value(): unknown {
    const tag = this.u8();
    switch (tag) {
      case T.SMALL_INTEGER_EXT:
        return this.u8();
      case T.INTEGER_EXT:
        return this.take(4).readInt32BE(this.pos - 4);
      case T.NEW_FLOAT_EXT:
        return this.take(8).readDoubleBE(this.pos - 8);
      case T.FLOAT_EXT:
        return Number.parseFloat(this.text(31, 'latin1').replace(/\0+$/, ''));
      case T.SMALL_ATOM_UTF8_EXT:
        return atomValue(this.text(this.u8(), 'utf8'));
      case T.ATOM_UTF8_EXT:
        return atomValue(this.text(this.u16(), 'utf8'));
      case T.ATOM_EXT:
        return atomValue(this.text(this.u16(), 'latin1'));
      case T.SMALL_ATOM_EXT:
        return atomValue(this.text(this.u8(), 'latin1'));
      case T.SMALL_TUPLE_EXT:
        return this.tuple(this.u8());
      case T.LARGE_TUPLE_EXT:
        return this.tuple(this.count(this.u32(), 1));
      case T.NIL_EXT:
        return new List();
      case T.STRING_EXT:
        return this.chars(this.u16());
      case T.LIST_EXT:
        return this.list(this.count(this.u32(), 1));
      case T.BINARY_EXT: {
        const n = this.u32();
        return new Binary(this.copy(n));
      }
      case T.BIT_BINARY_EXT: {
        const n = this.u32();
        const bits = this.u8();
        if (bits < 1 || bits > 8 || n === 0) throw new EtfError('ERR_BAD_TERM', `a bitstring cannot end in ${bits} bits`);
        return new Binary(this.copy(n), bits);
      }
      case T.SMALL_BIG_EXT:
        return this.big(this.u8());
      case T.LARGE_BIG_EXT:
        return this.big(this.u32());
      case T.MAP_EXT:
        return this.map(this.count(this.u32(), 2));
      case T.NEW_PID_EXT:
        return this.pid(4);
      case T.PID_EXT:
        return this.pid(1);
      case T.NEWER_REFERENCE_EXT:
        return this.ref(this.u16(), 4);
      case T.NEW_REFERENCE_EXT:
        return this.ref(this.u16(), 1);
      case T.REFERENCE_EXT:
        return this.ref(1, 1, true);
      case T.NEW_PORT_EXT:
      case T.V4_PORT_EXT:
      case T.PORT_EXT:
        return this.port(tag);
      case T.NEW_FUN_EXT:
        return this.fun();
      case T.EXPORT_EXT:
        return this.exportFun();
      case T.ATOM_CACHE_REF:
        throw new EtfError('ERR_BAD_TERM', 'an atom cache reference, though no atom cache was agreed on');
      default:
        throw new EtfError('ERR_BAD_TERM', `unknown term tag ${tag}`);
    }
  }

  private tuple(arity: number): unknown[] {
    const out = new Array<unknown>(arity);
    for (let i = 0; i < arity; i++) out[i] = this.value();
    return out;
  }

  /** A string of bytes (what the BEAM sends for a list of small integers): a List of numbers. */
  private chars(n: number): List<number> {
    this.take(n);
    const out = new List<number>();
    for (let i = this.pos - n; i < this.pos; i++) out.push(this.buf[i]!);
    return out;
  }

  private list(length: number): List {
    const out = new List();
    for (let i = 0; i < length; i++) out.push(this.value());
    if (this.buf[this.pos] === T.NIL_EXT) {
      this.pos++;
      return out;
    }
    return List.improper(out, this.value());
  }

  /** A map with only atom keys is a plain object; any other key makes it a Map. */
  private map(arity: number): Record<string, unknown> | Map<unknown, unknown> {
    let obj: Record<string, unknown> | null = {};
    let map: Map<unknown, unknown> | null = null;
    for (let i = 0; i < arity; i++) {
      const name = this.atomName();
      if (name !== null && obj !== null) {
        const value = this.value();
        // A key named __proto__ is data here, not the object's prototype.
        if (name === '__proto__') Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
        else obj[name] = value;
        continue;
      }
      if (map === null) {
        map = new Map(Object.keys(obj!).map((k) => [atomValue(k), obj![k]]));
        obj = null;
      }
      const key = name !== null ? atomValue(name) : this.value();
      map.set(key, this.value());
    }
    return obj ?? map!;
  }

  /** When the next term is an atom: reads it and gives its name; else reads nothing and gives null. */
  private atomName(): string | null {
    switch (this.buf[this.pos]) {
      case T.SMALL_ATOM_UTF8_EXT:
        this.pos++;
        return this.text(this.u8(), 'utf8');
      case T.ATOM_UTF8_EXT:
        this.pos++;
        return this.text(this.u16(), 'utf8');
      case T.ATOM_EXT:
        this.pos++;
        return this.text(this.u16(), 'latin1');
      case T.SMALL_ATOM_EXT:
        this.pos++;
        return this.text(this.u8(), 'latin1');
      default:
        return null;
    }
  }

  /** A node name inside a pid, reference or port. */
  private node(): string {
    const name = this.atomName();
    if (name === null) throw new EtfError('ERR_BAD_TERM', 'a pid, reference or port without a node name');
    return name;
  }

  private big(n: number): number | bigint {
    const sign = this.u8();
    const digits = this.take(n);
    const start = this.pos - n;
    if (n <= 6) {
      let x = 0;
      for (let i = n - 1; i >= 0; i--) x = x * 256 + digits[start + i]!;
      return sign === 0 ? x : -x;
    }
    let x = 0n;
    for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(digits[start + i]!);
    if (sign !== 0) x = -x;
    return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
  }

  private pid(creationBytes: 1 | 4): Pid {
    const node = this.node();
    const id = this.u32();
    const serial = this.u32();
    const creation = creationBytes === 4 ? this.u32() : this.u8();
    return new Pid(node, id, creation, serial);
  }

  /** A reference: the first word is its `id`; the others stay in `words` unless they are the zeros this node sends. */
  private ref(count: number, creationBytes: 1 | 4, old = false): Ref {
    const node = this.node();
    if (old) {
      const id = this.u32();
      return new Ref(node, id, this.u8());
    }
    const creation = creationBytes === 4 ? this.u32() : this.u8();
    if (count < 1 || count > 5) throw new EtfError('ERR_BAD_TERM', `a reference of ${count} words`);
    const words: number[] = [];
    for (let i = 0; i < count; i++) words.push(this.u32());
    const [id, ...rest] = words as [number, ...number[]];
    if (rest.length === 2 && rest[0] === 0 && rest[1] === 0) return new Ref(node, id, creation);
    return new Ref(node, id, creation, rest);
  }

  private port(tag: number): Opaque {
    const start = this.pos - 1;
    const node = this.node();
    let id: number;
    if (tag === T.V4_PORT_EXT) {
      const hi = this.u32();
      id = hi * 2 ** 32 + this.u32();
    } else {
      id = this.u32();
    }
    this.take(tag === T.PORT_EXT ? 1 : 4);
    return new Opaque('port', `#Port<${printedNodeNumber(node)}.${id}>`, this.bytesFrom(start));
  }

  /** `fn -> ... end`: kept whole; its label names what iex's does. */
  private fun(): Opaque {
    const start = this.pos - 1;
    const size = this.u32();
    if (size < 4 + 1 + 16 + 4 + 4) throw new EtfError('ERR_BAD_TERM', `a fun of ${size} bytes`);
    const end = start + 1 + size;
    if (end > this.end) throw new EtfError('ERR_BAD_TERM', 'a fun cut short');
    const arity = this.u8();
    this.take(16 + 4 + 4); // uniq, index, number of free variables
    const mod = this.node();
    const oldIndex = this.value();
    const oldUniq = this.value();
    this.pos = end;
    return new Opaque('fun', `#Function<${String(oldIndex)}.${String(oldUniq)}/${arity} in ${moduleText(mod)}>`, this.bytesFrom(start));
  }

  /** `&Mod.fun/arity`. */
  private exportFun(): Opaque {
    const start = this.pos - 1;
    const mod = this.node();
    const fun = this.node();
    const arity = this.value();
    return new Opaque('fun', `&${moduleText(mod)}.${fun}/${String(arity)}`, this.bytesFrom(start));
  }

  private compressed(): unknown {
    this.pos++;
    const size = this.u32();
    let inflated: Buffer;
    try {
      inflated = inflateSync(this.buf.subarray(this.pos, this.end), { maxOutputLength: size });
    } catch (err) {
      throw new EtfError('ERR_BAD_TERM', `a compressed term that does not inflate: ${(err as Error).message}`);
    }
    if (inflated.length !== size) throw new EtfError('ERR_BAD_TERM', 'a compressed term of the wrong size');
    this.pos = this.end;
    const inner = new Decoder(inflated, 0, size);
    const value = inner.value();
    if (!inner.done) throw new EtfError('ERR_BAD_TERM', 'bytes left over in a compressed term');
    return value;
  }

  // Internals: bytes

  private u8(): number {
    if (this.pos >= this.end) throw this.short();
    return this.buf[this.pos++]!;
  }

  private u16(): number {
    this.take(2);
    return this.buf.readUInt16BE(this.pos - 2);
  }

  private u32(): number {
    this.take(4);
    return this.buf.readUInt32BE(this.pos - 4);
  }

  /** Moves past `n` bytes, which must be there; gives the buffer (the bytes end at `pos`). */
  private take(n: number): Buffer {
    if (this.pos + n > this.end) throw this.short();
    this.pos += n;
    return this.buf;
  }

  private text(n: number, encoding: 'utf8' | 'latin1'): string {
    this.take(n);
    return this.buf.toString(encoding, this.pos - n, this.pos);
  }

  /** A count of items, each at least `minBytes` long: more than the bytes left is a lie. */
  private count(n: number, minBytes: number): number {
    if (n * minBytes > this.end - this.pos) throw this.short();
    return n;
  }

  /** A copy of the `n` bytes at the current position (the frame's buffer is not ours to keep). */
  private copy(n: number): Uint8Array {
    this.take(n);
    return new Uint8Array(this.buf.subarray(this.pos - n, this.pos));
  }

  private bytesFrom(start: number): Uint8Array {
    return new Uint8Array(this.buf.subarray(start, this.pos));
  }

  private short(): EtfError {
    return new EtfError('ERR_BAD_TERM', 'the term is cut short');
  }
}
