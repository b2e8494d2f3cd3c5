/**
 * @module erlang/epmd/protocol
 * The port mapper's wire format, Erlang's epmd protocol (erts/doc/guides/erl_dist_protocol.md
 * in erlang/otp, "EPMD Protocol"), so that `epmd -names`, `erl`, `iex` and playground
 * nodes share one name service whichever of them started it.
 *
 * Protocol (each request on its own TCP connection: `u16 length, request`):
 * ```
 * ALIVE2_REQ        120 port:u16 type:u8 proto:u8 high:u16 low:u16 nlen:u16 name elen:u16 extra
 *   -> ALIVE2_X_RESP 118 result:u8 creation:u32   (the connection stays open: closing it
 *                                                   frees the name; result 1: name taken)
 * PORT_PLEASE2_REQ  122 name
 *   -> PORT2_RESP    119 0 port:u16 type:u8 proto:u8 high:u16 low:u16 nlen:u16 name elen:u16 extra
 *                  | 119 1                        (unknown name)
 * NAMES_REQ         110
 *   -> epmdPort:u32, then one line per name: "name bob at port 41237\n"
 * KILL_REQ          107
 *   -> "OK" (and the mapper stops) | "NO" (names are registered)
 * ```
 * Replies carry no length prefix; the mapper closes the connection after each one but
 * ALIVE2's. Names are unique by the part before `@`. A node marks itself as a
 * playground node in `extra` (`PLAYGROUND_EXTRA`), which comes back byte for byte in
 * PORT2_RESP: that is how a node knows which wire a peer speaks before dialling it. A
 * long-named playground node adds the address its name stands for
 * (`otp-playground@10.0.0.7`): the playground's mapper then answers look-ups there too
 * (Erlang's epmd, which listens everywhere, only stores it).
 */

export const ALIVE2_REQ = 120;
export const ALIVE2_RESP = 121; // the reply to a node that announces version 5 at most
export const ALIVE2_X_RESP = 118;
export const PORT_PLEASE2_REQ = 122;
export const PORT2_RESP = 119;
export const NAMES_REQ = 110;
export const KILL_REQ = 107;

/** Node types: a normal (visible) node, or a hidden one; epmd only stores it. */
export const NODE_TYPE_NORMAL = 77;
/** The distribution protocol version this node speaks (OTP 23 and later speak 6). */
export const DIST_VERSION = 6;
/** `extra` of a playground node's registration. */
export const PLAYGROUND_EXTRA = 'otp-playground';

/**
 * The `extra` of a playground node's registration, with the address to answer its
 * look-ups on, if any.
 *
 * @example
 * playgroundExtra('10.0.0.7').toString() //=> 'otp-playground@10.0.0.7'
 */
export function playgroundExtra(listen?: string): Buffer {
  return Buffer.from(listen === undefined ? PLAYGROUND_EXTRA : `${PLAYGROUND_EXTRA}@${listen}`);
}

/** Whether a registration's `extra` is a playground node's. */
export function isPlaygroundExtra(extra: Buffer): boolean {
  const text = extra.toString();
  return text === PLAYGROUND_EXTRA || text.startsWith(`${PLAYGROUND_EXTRA}@`);
}

/** The address a playground node's registration asks look-ups to be answered on, or null. */
export function listenOf(extra: Buffer): string | null {
  const text = extra.toString();
  return text.startsWith(`${PLAYGROUND_EXTRA}@`) ? text.slice(PLAYGROUND_EXTRA.length + 1) : null;
}

/**
 * epmd's own port, the port mapper's default: a playground and an `iex` on one machine
 * share one name service, whichever starts first.
 */
export const EPMD_PORT = 4369;

/** What the port mapper knows about one node. */
export interface NodeEntry {
  /** The part of the node name before `@`. */
  name: string;
  port: number;
  nodeType: number;
  protocol: number;
  highVersion: number;
  lowVersion: number;
  extra: Buffer;
}

/** A request with its u16 length prefix. */
export function request(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  body.copy(out, 2);
  return out;
}

/** The body of ALIVE2_REQ (and of PORT2_RESP after its first two bytes): a node entry. */
export function entryBytes(e: NodeEntry): Buffer {
  const name = Buffer.from(e.name, 'utf8');
  const out = Buffer.allocUnsafe(12 + name.length + e.extra.length);
  let at = out.writeUInt16BE(e.port, 0);
  at = out.writeUInt8(e.nodeType, at);
  at = out.writeUInt8(e.protocol, at);
  at = out.writeUInt16BE(e.highVersion, at);
  at = out.writeUInt16BE(e.lowVersion, at);
  at = out.writeUInt16BE(name.length, at);
  at += name.copy(out, at);
  at = out.writeUInt16BE(e.extra.length, at);
  e.extra.copy(out, at);
  return out;
}

/** Reads a node entry from `buf` at `at`; null when it is malformed or cut short. */
export function parseEntry(buf: Buffer, at: number): NodeEntry | null {
  if (buf.length < at + 10) return null;
  const nlen = buf.readUInt16BE(at + 8);
  if (nlen === 0 || buf.length < at + 12 + nlen) return null;
  const elen = buf.readUInt16BE(at + 10 + nlen);
  if (buf.length < at + 12 + nlen + elen) return null;
  return {
    port: buf.readUInt16BE(at),
    nodeType: buf[at + 2]!,
    protocol: buf[at + 3]!,
    highVersion: buf.readUInt16BE(at + 4),
    lowVersion: buf.readUInt16BE(at + 6),
    name: buf.toString('utf8', at + 10, at + 10 + nlen),
    extra: Buffer.from(buf.subarray(at + 12 + nlen, at + 12 + nlen + elen)),
  };
}

/** `alive` of `alive@host`. */
export function aliveOf(node: string): string {
  const at = node.indexOf('@');
  return at < 0 ? node : node.slice(0, at);
}

/**
 * The names a port mapper lists, as `epmd -names` prints them.
 *
 * @example
 * formatNames(4369, [['bob', 41237]]) //=> 'epmd: up and running on port 4369 with data:\nname bob at port 41237'
 */
export function formatNames(port: number, names: [string, number][]): string {
  const lines = [`epmd: up and running on port ${port} with data:`];
  for (const [name, p] of names) lines.push(`name ${name} at port ${p}`);
  return lines.join('\n');
}
