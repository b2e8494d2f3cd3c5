/**
 * @module node/cut
 * One node's share of a network that is broken on purpose: the nodes it must not reach
 * (a partition's other side), the partitions it knows of, and the links it slows down
 * or thins out. `Node` asks it before every dial, admission and frame.
 *
 * A cut holds until a heal, whatever tries to cross it: discovery, the full mesh, a
 * send that would connect, `connect()` at the prompt. A node on the far side that
 * dials in anyway gets through the handshake but is held aside: its connection carries
 * nothing, no nodeup is told, and it is closed unless its first frame is a heal.
 *
 * Protocol (frames of `dist.ts`):
 * - `[PARTITION, id, a, b, by]`: sent by the node where `partition()` was called to
 *   every node it is connected to, then applied there too. A node in `a` cuts every
 *   node of `b` and the other way round; any other node only notes the partition.
 * - `[HEAL, id, by]`: floods the cluster once (a node forwards an id it has not seen
 *   to every node it is connected to), and every node that held a cut lifts it and
 *   dials the nodes it had cut with the heal as the first frame: that is how a heal
 *   crosses the cut it ends.
 * - `[SHAPE, delayMs, dropFraction]`: the peer shapes its half of the link as we do
 *   ours. A delay holds every frame back (order is kept); a drop loses that share of
 *   the messages (links, monitors and the node's own bookkeeping still get through).
 */
import type { NodeName } from '../term.ts';
import type { LogLevel } from '../process/index.ts';
import { HEAL, PARTITION, SEND, REG_SEND, SHAPE, type Address } from './dist.ts';

/** A partition as every node reports it: the two sides and the node that made it. */
export interface Partition {
  id: string;
  a: NodeName[];
  b: NodeName[];
  by: NodeName;
}

/** What the cuts need from their node. */
export interface CutHost {
  readonly name: NodeName;
  log(level: LogLevel, text: string): void;
  list(): NodeName[];
  addressOf(node: NodeName): Address | undefined;
  /** Closes the connection to `node` and abandons any attempt under way to make one. */
  cutOff(node: NodeName): void;
  connect(node: NodeName, addr?: Address): Promise<boolean>;
  /** Sends a frame, connecting first if needed. */
  out(node: NodeName, frame: unknown[]): void;
}

interface Shape {
  delay: number;
  drop: number;
  /** Frames held back by the delay, with the time each may go. */
  queue: Array<[number, unknown[]]>;
  timer: NodeJS.Timeout | null;
}

/** How many heal ids a node remembers, to forward each one once. */
const SEEN_HEALS = 64;

export class Cuts {
  /** Nodes on the other side of a cut, with the address they had. */
  private readonly blocked = new Map<NodeName, Address | undefined>();
  private readonly known = new Map<string, Partition>();
  private readonly seen: string[] = [];
  private readonly shapes = new Map<NodeName, Shape>();
  private counter = 0;

  constructor(private readonly host: CutHost) {}

  // Client API

  /** True while some link is shaped (the node then writes through `write`). */
  get shaping(): boolean {
    return this.shapes.size > 0;
  }

  /** True when `node` is across a cut from this node. */
  isCut(node: NodeName): boolean {
    return this.blocked.has(node);
  }

  /** Every partition this node knows of, oldest first. */
  partitions(): Partition[] {
    return [...this.known.values()];
  }

  /** Cuts `a` from `b` cluster-wide (the sides are checked by the caller). */
  partition(a: NodeName[], b: NodeName[]): Partition {
    const p: Partition = { id: this.newId(), a, b, by: this.host.name };
    for (const n of this.host.list()) this.host.out(n, [PARTITION, p.id, a, b, p.by]);
    this.apply(p);
    return p;
  }

  /** Lifts every cut and shape, cluster-wide. */
  heal(): void {
    this.healed(this.newId(), this.host.name);
  }

  /** Shapes the link to `node` (both ways: the peer is told). */
  shape(node: NodeName, delay: number, drop: number): void {
    this.setShape(node, delay, drop);
    this.host.out(node, [SHAPE, delay, drop]);
  }

  /** The delay and drop of the link to `node`. */
  shapeOf(node: NodeName): { delay: number; drop: number } {
    const s = this.shapes.get(node);
    return { delay: s?.delay ?? 0, drop: s?.drop ?? 0 };
  }

  /** Writes `frame` to `node` through the link's shape; `send` does the writing. */
  write(node: NodeName, frame: unknown[], send: (frame: unknown[]) => void): void {
    const s = this.shapes.get(node);
    if (s === undefined) return send(frame);
    if (s.drop > 0 && (frame[0] === SEND || frame[0] === REG_SEND) && Math.random() < s.drop) return;
    if (s.delay === 0 && s.queue.length === 0) return send(frame);
    const last = s.queue.at(-1)?.[0] ?? 0;
    s.queue.push([Math.max(performance.now() + s.delay, last), frame]);
    if (s.timer === null) this.drain(s, send);
  }

  // Callbacks: frames

  /** A partition made elsewhere. */
  apply(p: Partition): void {
    if (this.known.has(p.id)) return;
    this.known.set(p.id, p);
    const me = this.host.name;
    const far = p.a.includes(me) ? p.b : p.b.includes(me) ? p.a : [];
    const sides = `${p.a.join(', ')} | ${p.b.join(', ')}`;
    if (far.length === 0) {
      this.host.log('warning', `netsplit by ${p.by}: ${sides} (this node is on neither side)`);
      return;
    }
    for (const n of far) {
      if (n === me) continue;
      this.blocked.set(n, this.host.addressOf(n) ?? this.blocked.get(n));
      this.host.cutOff(n);
    }
    this.host.log('warning', `netsplit by ${p.by}: ${sides}; this node is cut off from ${far.join(', ')} until heal()`);
  }

  /** A heal (made here, or arriving on `from`'s link). */
  healed(id: string, by: NodeName, from?: NodeName): void {
    if (this.seen.includes(id)) return;
    this.seen.push(id);
    if (this.seen.length > SEEN_HEALS) this.seen.shift();
    const far = [...this.blocked];
    const hadAny = this.known.size > 0 || this.shapes.size > 0;
    this.blocked.clear();
    this.known.clear();
    for (const s of this.shapes.values()) if (s.timer) clearTimeout(s.timer);
    this.shapes.clear();
    for (const n of this.host.list()) if (n !== from) this.host.out(n, [HEAL, id, by]);
    for (const [n, addr] of far) {
      void this.host.connect(n, addr);
      this.host.out(n, [HEAL, id, by]);
    }
    if (hadAny) this.host.log('info', `network healed by ${by}${far.length > 0 ? `: reconnecting to ${far.map(([n]) => n).join(', ')}` : ''}`);
  }

  /** The peer shaped its half of our link: shape ours the same. */
  setShape(node: NodeName, delay: number, drop: number): void {
    const old = this.shapes.get(node);
    if (delay === 0 && drop === 0 && (old === undefined || old.queue.length === 0)) {
      this.shapes.delete(node);
      return;
    }
    if (old) Object.assign(old, { delay, drop });
    else this.shapes.set(node, { delay, drop, queue: [], timer: null });
  }

  /** The link to `node` is gone: frames held back for it go nowhere. */
  lost(node: NodeName): void {
    const s = this.shapes.get(node);
    if (s?.timer) clearTimeout(s.timer);
    this.shapes.delete(node);
  }

  // Internals

  private drain(s: Shape, send: (frame: unknown[]) => void): void {
    s.timer = null;
    const now = performance.now();
    while (s.queue.length > 0 && s.queue[0]![0] <= now) send(s.queue.shift()![1]);
    if (s.queue.length > 0) s.timer = setTimeout(() => this.drain(s, send), Math.max(1, s.queue[0]![0] - now));
  }

  private newId(): string {
    return `${this.host.name}/${Date.now().toString(36)}/${++this.counter}`;
  }
}
