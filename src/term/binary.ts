/**
 * @module term/binary
 * Erlang's binaries (and bitstrings): bytes, printed the way iex prints them. In the
 * playground a JavaScript string is an atom (`'ok'`), so the text an Elixir node sends
 * as `"hello"` needs a type of its own to come back as text and not as `:hello`. That
 * type is `Binary`: a value holding bytes, equal to any other Binary with the same
 * bytes, printed `"hello"` when the bytes are printable UTF-8 and `<<0, 255>>` when not.
 *
 * A bitstring (a binary whose length is not a whole number of bytes, `<<1::3>>`) is a
 * Binary whose last byte uses only `bits` of its bits, the high ones, as on the BEAM.
 */
import { inspect, type InspectOptionsStylized } from 'node:util';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes, as Erlang's binary: `"hello"` in Elixir is `Binary.from('hello')` here. */
export class Binary {
  /**
   * @param bytes the content (not copied: do not change it afterwards)
   * @param bits how many bits of the last byte belong to it (1 to 8; 8 for a binary)
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly bits: number = 8,
  ) {}

  /**
   * A binary of the UTF-8 bytes of `text`, or of the given bytes.
   *
   * @example
   * iex(bob)> Binary.from('héllo')
   * "héllo"
   * iex(bob)> Binary.from([0, 255])
   * <<0, 255>>
   */
  static from(content: string | Uint8Array | readonly number[]): Binary {
    if (typeof content === 'string') return new Binary(Buffer.from(content, 'utf8'));
    if (content instanceof Uint8Array) return new Binary(Uint8Array.from(content));
    return new Binary(Uint8Array.from(content));
  }

  /** The byte count, as `byte_size/1` gives it. */
  get length(): number {
    return this.bytes.length;
  }

  /** The bytes read as UTF-8 (what `IO.puts` would show). */
  toString(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length).toString('utf8');
  }

  /** True when `other` is a Binary with the same bits. */
  equals(other: unknown): boolean {
    if (!(other instanceof Binary) || other.bits !== this.bits || other.length !== this.length) return false;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length).equals(other.bytes);
  }

  /** A string that identifies it, for use as a Map key. */
  get key(): string {
    return `${Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length).toString('base64')}/${this.bits}`;
  }

  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    const text = this.bits === 8 ? printable(this.bytes) : null;
    if (text !== null) return options.stylize(`"${escape(text)}"`, 'string');
    return options.stylize(`<<${bitsText(this)}>>`, 'special');
  }
}

// Internals

/** The text of `bytes` when iex would print them as a string, else null. */
function printable(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return null;
  }
  // Control characters other than the usual escapes make iex print the bytes instead.
  return /[\u0000-\u0006\u000e-\u001a\u001c-\u001f\u007f-\u009f]/.test(text) ? null : text;
}

const ESCAPES: Record<string, string> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r',
  '\u0007': '\\a', '\b': '\\b', '\u000b': '\\v', '\f': '\\f', '\u001b': '\\e',
};

/**
 * `text` as it stands between the double quotes of an Elixir string: quotes,
 * backslashes and control characters escaped the way iex prints them.
 *
 * @example
 * escape('say "hi"\n') //=> 'say \\"hi\\"\\n'
 */
export function escape(text: string): string {
  return text.replace(/["\\\n\t\r\u0007\b\u000b\f\u001b]/g, (c) => ESCAPES[c]!).replace(/#\{/g, '\\#{');
}

function bitsText(b: Binary): string {
  const parts = Array.from(b.bytes, String);
  if (b.bits !== 8 && parts.length > 0) {
    const last = b.bytes[b.length - 1]! >> (8 - b.bits);
    parts[parts.length - 1] = `${last}::size(${b.bits})`;
  }
  return parts.join(', ');
}
