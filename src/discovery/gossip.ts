/**
 * @module discovery/gossip
 * Finding nodes by UDP broadcast, in the spirit of libcluster's Gossip strategy: every
 * node announces itself on one well-known port at start and then every heartbeat, and
 * connects to the nodes it hears. `gossip` broadcasts to 127.255.255.255 and only
 * listens to loopback senders, so nothing leaves the machine; `lan` broadcasts to
 * 255.255.255.255 and to the broadcast address of every network this machine is on
 * (where the first is not delivered, the second often is), for workshops on one network.
 *
 * Protocol: one datagram per announcement.
 * ```
 * "PLGD" | version u8 (2) | tag (8 bytes) | port u16be | name length u8 | name (utf8)
 *        | address count u8 | addresses (4 bytes each, IPv4)
 * ```
 * The tag is derived from the cookie (`cookieTag`), so clusters with other cookies
 * ignore each other without learning anything about the cookie; since a node started
 * with the wrong cookie is the commonest mistake of a workshop, each node says once,
 * per node it hears, that it heard one with another cookie. A `lan` announcement
 * carries the sender's addresses, and a node connects to one of those (one on its own
 * network if there is one), not to the datagram's source: address translation may
 * rewrite the source (Podman's bridge gives its gateway's address to broadcasts); a
 * `gossip` announcement carries none, and its source is the address. Every socket
 * binds with address reuse so all nodes on a machine share the port, and each hears its
 * own announcements too: those are skipped. Anything that does not parse is ignored,
 * never fatal (`echo Test | nc -u 127.0.0.1 <port>` changes nothing; the first such
 * packet is logged).
 */
import { createSocket, type Socket } from 'node:dgram';
import { receive, self, trapExit, exit, TIMEOUT } from '../process/index.ts';
import type { Node } from '../node/index.ts';
import { cookieTag, isNodeName } from '../node/handshake.ts';
import { localAddresses, localNetworks, onLocalNetwork } from '../erlang/address.ts';

const MAGIC = Buffer.from('PLGD');
const VERSION = 2;
const LIMITED_BROADCAST = '255.255.255.255';
/** Announcements heard from a node with the lesser name before this node dials it anyway. */
const PATIENCE = 2;
/**
 * The shortest time between two answers (ms): a crowd arriving at once is answered with
 * one datagram a second per node, not one per newcomer (fifty nodes started together
 * met as fast as without answers: 3.3 to 3.7 s either way on a busy host).
 */
const ANSWER_GAP = 1000;

export interface GossipConfig {
  /** Where announcements go: '127.255.255.255' (gossip) or '255.255.255.255' (lan, with each network's own). */
  broadcast: string;
  port: number;
  heartbeat: number;
  cookie: string;
}

/** An announcement, parsed. */
export interface Announcement {
  tag: Buffer;
  port: number;
  name: string;
  /** Where the sender can be reached; empty: at the datagram's source. */
  addresses: string[];
}

// Client API

/** The gossip service: a process body (it traps exits so a supervisor's shutdown closes the socket). */
export async function gossip(node: Node, cfg: GossipConfig): Promise<void> {
  const me = self();
  const rt = node.runtime;
  const tag = cookieTag(cfg.cookie);
  const loopbackOnly = cfg.broadcast.startsWith('127.');
  let warned = false;
  const memory: Memory = { heardFrom: new Map(), foreign: new Set() };
  trapExit(true);
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('message', (buf, rinfo) => rt.deliver(me, ['udp', buf, rinfo.address]));
  socket.on('error', (err) => rt.deliver(me, ['udp_error', err]));
  let unsent = false;
  let answering: NodeJS.Timeout | undefined;
  let answered = -Infinity;
  const announce = () => {
    const packet = announcement(node.name, node.port, tag, loopbackOnly ? [] : addressesOf(node));
    for (const to of destinations(cfg.broadcast)) {
      // A network without a route for one destination (ENETUNREACH) must not stop the others.
      socket.send(packet, cfg.port, to, (err) => {
        if (err && !unsent) rt.log('debug', `discovery: cannot send to ${to} (${(err as NodeJS.ErrnoException).code})`);
        unsent ||= Boolean(err);
      });
    }
  };
  /** Announces this node soon, at most once per `ANSWER_GAP`: to a node heard for the first time. */
  const answer = () => {
    if (answering !== undefined) return;
    const wait = Math.max(0, answered + ANSWER_GAP - Date.now());
    answering = setTimeout(() => {
      answering = undefined;
      answered = Date.now();
      announce();
    }, wait);
  };
  try {
    await new Promise<void>((resolve) => socket.bind(cfg.port, resolve));
    socket.setBroadcast(true);
    for (;;) {
      announce();
      const deadline = Date.now() + cfg.heartbeat;
      for (let left = cfg.heartbeat; left > 0; left = deadline - Date.now()) {
        const msg: unknown = await receive(undefined, { after: left });
        if (msg === TIMEOUT) break;
        if (!Array.isArray(msg)) continue;
        if (msg[0] === 'EXIT') exit(msg[2]);
        if (msg[0] === 'udp_error') throw msg[1];
        if (msg[0] !== 'udp') continue;
        const host = msg[2] as string;
        if (!heard(node, msg[1] as Buffer, host, tag, loopbackOnly, memory, answer) && !warned) {
          warned = true;
          rt.log('warning', `ignored a packet on the discovery port that is not an announcement (from ${host}); such packets are never acted on`);
        }
      }
    }
  } finally {
    clearTimeout(answering);
    closeQuietly(socket);
  }
}

/** Builds an announcement datagram. */
export function announcement(name: string, port: number, tag: Buffer, addresses: readonly string[] = []): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const carried = addresses.slice(0, 255);
  const out = Buffer.alloc(MAGIC.length + 1 + tag.length + 2 + 1 + nameBytes.length + 1 + 4 * carried.length);
  let i = MAGIC.copy(out, 0);
  out[i++] = VERSION;
  i += tag.copy(out, i);
  out.writeUInt16BE(port, i);
  i += 2;
  out[i++] = nameBytes.length;
  i += nameBytes.copy(out, i);
  out[i++] = carried.length;
  for (const a of carried) for (const part of a.split('.')) out[i++] = Number(part);
  return out;
}

/** Parses an announcement; null for anything else. */
export function parseAnnouncement(buf: Buffer): Announcement | null {
  const head = MAGIC.length + 1 + 8 + 2 + 1;
  if (buf.length < head || !buf.subarray(0, MAGIC.length).equals(MAGIC) || buf[MAGIC.length] !== VERSION) return null;
  const tag = buf.subarray(MAGIC.length + 1, MAGIC.length + 9);
  const port = buf.readUInt16BE(MAGIC.length + 9);
  const len = buf[head - 1]!;
  const count = buf[head + len];
  if (count === undefined || buf.length !== head + len + 1 + 4 * count || port === 0) return null;
  const name = buf.toString('utf8', head, head + len);
  const addresses: string[] = [];
  for (let at = head + len + 1; at < buf.length; at += 4) addresses.push([...buf.subarray(at, at + 4)].join('.'));
  return isNodeName(name) ? { tag, port, name, addresses } : null;
}

// Internals

/** How many nodes with another cookie are named in a warning; any more are ignored in silence. */
const FOREIGN_NAMED = 32;

/** What discovery remembers of the nodes it hears. */
interface Memory {
  /** Announcements heard from each node not yet connected. */
  heardFrom: Map<string, number>;
  /** The nodes with another cookie that this node has said it heard. */
  foreign: Set<string>;
}

/**
 * Acts on a datagram: connects to a new node of this cluster, and says once per node
 * that one with another cookie was heard. False when it is not an announcement. Both
 * nodes of a pair hear each other, so only the one with the greater name dials (one
 * connection attempt per pair, not two racing); the other dials too once it has heard
 * a node `PATIENCE` times with no connection, should its own announcements not be
 * getting through. A node with the greater name heard for the first time is answered
 * with an announcement at once, so a newcomer meets the cluster when it starts, not a
 * heartbeat or two later (its first greeting came 2 s after launch, 0.35 s answered).
 */
function heard(
  node: Node, buf: Buffer, source: string, tag: Buffer, loopbackOnly: boolean, memory: Memory, answer: () => void,
): boolean {
  const a = parseAnnouncement(buf);
  if (a === null || (loopbackOnly && !source.startsWith('127.'))) return false;
  if (a.name === node.name) return true;
  if (!a.tag.equals(tag)) {
    if (!memory.foreign.has(a.name) && memory.foreign.size < FOREIGN_NAMED) {
      memory.foreign.add(a.name);
      node.runtime.log(
        'warning',
        `${a.name} announces itself with another cookie: the two nodes will not connect. Start both with the same --cookie (or PLAYGROUND_COOKIE).`,
      );
    }
    return true;
  }
  if (node.isConnected(a.name)) {
    memory.heardFrom.delete(a.name);
    return true;
  }
  const times = (memory.heardFrom.get(a.name) ?? 0) + 1;
  memory.heardFrom.set(a.name, times);
  if (node.name > a.name || times > PATIENCE) {
    void node.connect(a.name, { host: reachAt(a.addresses, source), port: a.port, wire: 'playground' });
  } else if (times === 1) {
    answer();
  }
  return true;
}

/** Of the addresses an announcement carries, one on a network this machine is on; else the first; else the source. */
function reachAt(carried: string[], source: string): string {
  if (carried.length === 0) return source;
  return carried.find(onLocalNetwork) ?? carried[0]!;
}

/** This node's addresses for a `lan` announcement: its name's address first. */
function addressesOf(node: Node): string[] {
  const all = localAddresses();
  return node.address === null ? all : [node.address, ...all.filter((a) => a !== node.address)];
}

/** Where a heartbeat's announcements go: loopback's broadcast, or the limited one and each network's own. */
function destinations(broadcast: string): string[] {
  if (broadcast !== LIMITED_BROADCAST) return [broadcast];
  return [...new Set([LIMITED_BROADCAST, ...localNetworks().map((n) => n.broadcast)])];
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}
