/**
 * @module discovery/gossip
 * Finding nodes by UDP broadcast, in the spirit of libcluster's Gossip strategy: every
 * node announces itself on one well-known port at start and then every heartbeat, and
 * connects to the nodes it hears. `gossip` broadcasts to 127.255.255.255 and only
 * listens to loopback senders, so nothing leaves the machine; `lan` broadcasts to
 * 255.255.255.255 for workshops on one network.
 *
 * Protocol: one datagram per announcement.
 * ```
 * "PLGD" | version u8 (1) | tag (8 bytes) | port u16be | name length u8 | name (utf8)
 * ```
 * The tag is derived from the cookie (`cookieTag`), so clusters with other cookies
 * ignore each other without learning anything about the cookie; since a node started
 * with the wrong cookie is the commonest mistake of a workshop, each node says once,
 * per node it hears, that it heard one with another cookie. Every socket binds with
 * address reuse so all nodes on a machine share the port, and each hears its own
 * announcements too: those are skipped. Anything that does not parse is ignored, never
 * fatal (`echo Test | nc -u 127.0.0.1 <port>` changes nothing; the first such packet is
 * logged).
 */
import { createSocket, type Socket } from 'node:dgram';
import { receive, self, trapExit, exit, TIMEOUT } from '../process/index.ts';
import type { Node } from '../node/index.ts';
import { cookieTag, isNodeName } from '../node/handshake.ts';

const MAGIC = Buffer.from('PLGD');
const VERSION = 1;

export interface GossipConfig {
  /** Where announcements go: '127.255.255.255' (gossip) or '255.255.255.255' (lan). */
  broadcast: string;
  port: number;
  heartbeat: number;
  cookie: string;
}

// Client API

/** The gossip service: a process body (it traps exits so a supervisor's shutdown closes the socket). */
export async function gossip(node: Node, cfg: GossipConfig): Promise<void> {
  const me = self();
  const rt = node.runtime;
  const tag = cookieTag(cfg.cookie);
  const loopbackOnly = cfg.broadcast.startsWith('127.');
  let warned = false;
  /** The nodes with another cookie that this node has said it heard. */
  const foreign = new Set<string>();
  trapExit(true);
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('message', (buf, rinfo) => rt.deliver(me, ['udp', buf, rinfo.address]));
  socket.on('error', (err) => rt.deliver(me, ['udp_error', err]));
  try {
    await new Promise<void>((resolve) => socket.bind(cfg.port, resolve));
    socket.setBroadcast(true);
    const packet = announcement(node.name, node.port, tag);
    for (;;) {
      socket.send(packet, cfg.port, cfg.broadcast);
      const deadline = Date.now() + cfg.heartbeat;
      for (let left = cfg.heartbeat; left > 0; left = deadline - Date.now()) {
        const msg: unknown = await receive(undefined, { after: left });
        if (msg === TIMEOUT) break;
        if (!Array.isArray(msg)) continue;
        if (msg[0] === 'EXIT') exit(msg[2]);
        if (msg[0] === 'udp_error') throw msg[1];
        if (msg[0] !== 'udp') continue;
        const host = msg[2] as string;
        if (!heard(node, msg[1] as Buffer, host, tag, loopbackOnly, foreign) && !warned) {
          warned = true;
          rt.log('warning', `ignored a packet on the discovery port that is not an announcement (from ${host}); such packets are never acted on`);
        }
      }
    }
  } finally {
    closeQuietly(socket);
  }
}

/** Builds an announcement datagram. */
export function announcement(name: string, port: number, tag: Buffer): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const out = Buffer.alloc(MAGIC.length + 1 + tag.length + 2 + 1 + nameBytes.length);
  let i = MAGIC.copy(out, 0);
  out[i++] = VERSION;
  i += tag.copy(out, i);
  out.writeUInt16BE(port, i);
  i += 2;
  out[i++] = nameBytes.length;
  nameBytes.copy(out, i);
  return out;
}

/** Parses an announcement; null for anything else. */
export function parseAnnouncement(buf: Buffer): { tag: Buffer; port: number; name: string } | null {
  const head = MAGIC.length + 1 + 8 + 2 + 1;
  if (buf.length < head || !buf.subarray(0, MAGIC.length).equals(MAGIC) || buf[MAGIC.length] !== VERSION) return null;
  const tag = buf.subarray(MAGIC.length + 1, MAGIC.length + 9);
  const port = buf.readUInt16BE(MAGIC.length + 9);
  const len = buf[head - 1]!;
  if (buf.length !== head + len || port === 0) return null;
  const name = buf.toString('utf8', head);
  return isNodeName(name) ? { tag, port, name } : null;
}

// Internals

/** How many nodes with another cookie are named in a warning; any more are ignored in silence. */
const FOREIGN_NAMED = 32;

/**
 * Acts on a datagram: connects to a new node of this cluster, and says once per node
 * that one with another cookie was heard. False when it is not an announcement.
 */
function heard(node: Node, buf: Buffer, host: string, tag: Buffer, loopbackOnly: boolean, foreign: Set<string>): boolean {
  const a = parseAnnouncement(buf);
  if (a === null || (loopbackOnly && !host.startsWith('127.'))) return false;
  if (a.name === node.name) return true;
  if (!a.tag.equals(tag)) {
    if (!foreign.has(a.name) && foreign.size < FOREIGN_NAMED) {
      foreign.add(a.name);
      node.runtime.log(
        'warning',
        `${a.name} announces itself with another cookie: the two nodes will not connect. Start both with the same --cookie (or PLAYGROUND_COOKIE).`,
      );
    }
    return true;
  }
  if (!node.list().includes(a.name)) void node.connect(a.name, { host, port: a.port });
  return true;
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}
