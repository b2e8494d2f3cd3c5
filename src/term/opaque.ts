/**
 * @module term/opaque
 * The Erlang values a playground node can hold but not use: funs and ports. An Elixir
 * node may send `fn -> 42 end` or a port inside a message; the playground keeps the
 * value's exact bytes, prints it the way iex does (`#Function<...>`, `&Enum.map/2`,
 * `#Port<...>`) and sends the same bytes back, so the BEAM gets its own fun again and
 * can call it. Calling one here is not possible: it is data, not a JavaScript function.
 */
import { inspect, type InspectOptionsStylized } from 'node:util';

export type OpaqueKind = 'fun' | 'port';

/** A fun or a port from the BEAM, kept as its external-format bytes. */
export class Opaque {
  constructor(
    readonly kind: OpaqueKind,
    /** How iex prints it. */
    readonly label: string,
    /** The term's bytes in Erlang's external term format (without the version byte). */
    readonly bytes: Uint8Array,
  ) {}

  /** True when `other` holds the same bytes. */
  equals(other: unknown): boolean {
    if (!(other instanceof Opaque) || other.bytes.length !== this.bytes.length) return false;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length).equals(other.bytes);
  }

  /** A string that identifies it, for use as a Map key. */
  get key(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length).toString('base64');
  }

  toString(): string {
    return this.label;
  }

  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return options.stylize(this.label, 'special');
  }
}
