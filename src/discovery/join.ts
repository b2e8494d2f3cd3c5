/**
 * @module discovery/join
 * `--join teacher@10.0.0.5`: a rendezvous that needs no broadcast, for networks that
 * drop it (venue Wi-Fi often does). The node connects to one known node, and the mesh
 * does the rest: on every new connection each side tells the other its peers (`PEERS`
 * in `node/dist.ts`), so whoever joins one node of a cluster meets all of it, and whoever
 * joins later is met by everyone. Several rendezvous nodes may be given; each is kept.
 *
 * The connection is kept, with backoff: an attempt that fails waits 200 ms, then twice
 * as long each time up to the heartbeat (2 s by default), each wait shortened or
 * lengthened by up to a quarter so that a room full of nodes does not knock at once.
 * When the rendezvous node goes away (it restarted, the Wi-Fi dropped) the node tries
 * again at once and then backs off the same way; when another peer goes away, it is
 * tried a few times too, in case only the link between the two flapped.
 *
 * What the learner sees: `[info] joined the cluster through teacher@10.0.0.5` once
 * connected; while it cannot, one line per reason (`cannot join through
 * teacher@10.0.0.5 yet: the port mapper at 10.0.0.5:4369 does not know ...`), not one
 * per attempt. A refusal that is a mistake (a wrong cookie, a short name in a long-name
 * cluster) is said once by the node itself (`node/node.ts`), so not again here.
 */
import { receive, self, spawn, trapExit, exit, TIMEOUT } from '../process/index.ts';
import type { Node } from '../node/index.ts';
import type { NodeName } from '../term.ts';

/** The first wait after a failed attempt (ms). */
const FIRST_BACKOFF = 200;
/** How often a peer that went down is tried again, in case only the link flapped. */
const FLAP_RETRIES = 3;

// Client API

/** The rendezvous service: a process body keeping `node` connected to each of `targets`. */
export async function join(node: Node, targets: readonly NodeName[], maxBackoff: number): Promise<void> {
  const me = self();
  trapExit(true);
  node.monitorNodes(me, true);
  const rendezvous = new Map(targets.filter((t) => t !== node.name).map((t) => [t, new Attempts(maxBackoff)]));
  try {
    for (;;) {
      for (const [target, a] of rendezvous) if (a.due()) void attempt(node, target, a, me);
      const msg = (await receive(undefined, { after: nextWake(rendezvous) })) as unknown[] | typeof TIMEOUT;
      if (msg === TIMEOUT) continue;
      if (msg[0] === 'EXIT') exit(msg[2]);
      if (msg[0] !== 'nodedown') continue;
      const down = msg[1] as NodeName;
      const a = rendezvous.get(down);
      if (a) {
        node.runtime.log('info', `lost ${down}; joining again`);
        a.reset();
      } else {
        spawn(retryFlapped, node, down, maxBackoff);
      }
    }
  } finally {
    node.monitorNodes(me, false);
  }
}

// Internals

/** When to try one rendezvous node next, and what was last said about it. */
class Attempts {
  private wait = 0;
  private at = 0;
  inFlight = false;
  said = '';

  constructor(private readonly max: number) {}

  due(): boolean {
    return !this.inFlight && Date.now() >= this.at;
  }

  /** ms until due; Infinity while an attempt is out or the node is connected. */
  until(): number {
    return this.inFlight ? Infinity : Math.max(0, this.at - Date.now());
  }

  failed(): void {
    this.wait = this.wait === 0 ? FIRST_BACKOFF : Math.min(this.max, this.wait * 2);
    this.at = Date.now() + jitter(this.wait);
  }

  connected(): void {
    this.wait = 0;
    this.at = Infinity;
    this.said = '';
  }

  reset(): void {
    this.wait = 0;
    this.at = 0;
    this.said = '';
  }
}

async function attempt(node: Node, target: NodeName, a: Attempts, service: ReturnType<typeof self>): Promise<void> {
  a.inFlight = true;
  const ok = node.list().includes(target) || (await node.connect(target));
  a.inFlight = false;
  if (ok) {
    if (a.said !== 'joined') node.runtime.log('info', `joined the cluster through ${target}`);
    a.connected();
    a.said = 'joined';
  } else {
    a.failed();
    const failure = node.lastFailure(target);
    const why = failure?.reason ?? `${target} did not answer`;
    if (why !== a.said && !failure?.mistake) node.runtime.log('warning', `cannot join through ${target} yet: ${why}; trying again`);
    a.said = why;
  }
  node.runtime.deliver(service, ['attempted', target]); // wakes the service to plan the next one
}

/** ms until the next attempt is due (Infinity: none is, until a node goes down). */
function nextWake(rendezvous: Map<NodeName, Attempts>): number {
  let soonest = Infinity;
  for (const a of rendezvous.values()) soonest = Math.min(soonest, a.until());
  return soonest;
}

/** A peer that went down may only have lost its link to this node: try it a few times. */
async function retryFlapped(node: Node, peer: NodeName, maxBackoff: number): Promise<void> {
  for (let i = 0, wait = FIRST_BACKOFF; i < FLAP_RETRIES; i++, wait = Math.min(maxBackoff, wait * 2)) {
    await receive('never', { after: jitter(wait) });
    if (node.list().includes(peer) || (await node.connect(peer))) return;
  }
}

/** `ms`, give or take a quarter. */
function jitter(ms: number): number {
  return Math.round(ms * (0.75 + Math.random() * 0.5));
}
