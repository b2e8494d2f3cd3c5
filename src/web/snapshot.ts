/**
 * @module web/snapshot
 * One node's view of itself (`NodeView`), read through the public functions of each
 * part: `processes`/`processInfo`, the node's frame counters, `partitions`, pg's local
 * groups, global names, PubSub's topics, `Supervisor.whichChildren` and the latest
 * `seqTrace` diagrams. It runs in the
 * node's web agent, and only while some page watches.
 *
 * Costs: a walk over the process table, one `whichChildren` call per supervisor (each
 * bounded by `TREE_CALL_MS`, so a busy supervisor shows as busy instead of stalling
 * the view), and a look at a few tables.
 */
import { Pid, type NodeName } from '../term.ts';
import { processInfo, processes, type ProcessInfo } from '../process/index.ts';
import { currentNode } from '../node/index.ts';
import { partitions } from '../node/partition.ts';
import * as pg from '../pg.ts';
import * as global from '../global.ts';
import * as PubSub from '../pubsub/index.ts';
import * as Supervisor from '../supervisor.ts';
import { recentDiagrams } from '../trace/seq.ts';
import type { LinkEntry, NodeView, ProcessEntry, TreeEntry } from './view.ts';

/** The most processes a view lists per node; the rest are counted. */
const MAX_PROCESSES = 300;
/** How long a supervisor may take to list its children. */
const TREE_CALL_MS = 500;
/** What the view lists of each process (its messages stay where they are). */
const ITEMS = ['pid', 'registeredName', 'kind', 'module', 'initialCall', 'messageQueueLen', 'status'] as const;
type Listed = Pick<ProcessInfo, (typeof ITEMS)[number]>;

/** Frame counters at the last sample, to turn them into rates. */
export class Rates {
  private at = 0;
  private prev: Record<NodeName, { sent: number; received: number }> = {};
  private rates: Record<NodeName, [sent: number, received: number]> = {};

  /**
   * Each peer's frames per second, over the last `windowMs` or more (0 until two
   * samples are that far apart).
   *
   * @example
   * rates.sample(1000) //=> [ { peer: 'alice@vm', sent: 4, received: 5 } ]
   */
  sample(windowMs: number): LinkEntry[] {
    const stats = currentNode()?.stats() ?? {};
    const now = performance.now();
    if (now - this.at >= windowMs) {
      const seconds = (now - this.at) / 1000;
      for (const [peer, s] of Object.entries(stats)) {
        const before = this.prev[peer];
        this.rates[peer] = before === undefined
          ? [0, 0]
          : [Math.round((s.sent - before.sent) / seconds), Math.round((s.received - before.received) / seconds)];
      }
      this.prev = stats;
      this.at = now;
    }
    return Object.keys(stats).sort().map((peer) => {
      const [sent, received] = this.rates[peer] ?? [0, 0];
      return { peer, sent, received };
    });
  }
}

// Client API

/**
 * The calling node's view of itself.
 *
 * @example
 * // In a process of bob (narrative: the web agent calls it):
 * const view = await snapshot(new Rates(), 1000)
 * view.processes.find((p) => p.name === 'node_sup').kind //=> 'Supervisor'
 */
export async function snapshot(rates: Rates, rateWindowMs: number): Promise<NodeView> {
  const infos = processes().flatMap((pid) => processInfo(pid, ITEMS) ?? []);
  const listed = [...infos].sort(byNameThenId).slice(0, MAX_PROCESSES);
  const node = currentNode()?.name ?? infos[0]?.pid.node ?? 'nonode@nohost';
  return {
    node,
    links: rates.sample(rateWindowMs),
    partitions: partitions(),
    processes: listed.map(entry),
    more: infos.length - listed.length,
    trees: await trees(infos),
    groups: safely(() => pg.whichLocalGroups().map((g) => [g, pg.getLocalMembers(g)] as [unknown, Pid[]])),
    globals: safely(() => global.registered().flatMap((name) => {
      const pid = global.whereis(name);
      return pid && processInfo(pid, ['pid']) ? [[name, pid] as [string, Pid]] : [];
    })),
    topics: safely(() => PubSub.topics()),
    diagrams: recentDiagrams().map(({ at, diagram }) => ({
      node,
      at,
      lanes: diagram.lanes.map(({ label, node }) => ({ label, node })),
      arrows: diagram.arrows.map(({ from, to, label, kind, taken }) => ({ from, to, label, kind, taken })),
    })),
  };
}

// Internals

function entry(info: Listed): ProcessEntry {
  return {
    pid: info.pid,
    name: info.registeredName,
    kind: info.kind,
    // A plain process is known by its function, as observer shows its initial call.
    module: info.module ?? (info.kind === 'process' ? info.initialCall : undefined),
    queue: info.messageQueueLen,
    status: info.status,
  };
}

/** Registered processes first, by name; then the others by age. */
function byNameThenId(a: Listed, b: Listed): number {
  if (a.registeredName !== undefined && b.registeredName !== undefined) return a.registeredName < b.registeredName ? -1 : 1;
  if (a.registeredName !== undefined) return -1;
  if (b.registeredName !== undefined) return 1;
  return a.pid.id - b.pid.id;
}

/** The supervision trees: every supervisor that is no other local supervisor's child is a root. */
async function trees(infos: Listed[]): Promise<TreeEntry[]> {
  const children = new Map<string, Awaited<ReturnType<typeof Supervisor.whichChildren>> | 'busy'>();
  for (const info of infos) {
    if (info.kind !== 'Supervisor') continue;
    children.set(info.pid.key, await Supervisor.whichChildren(info.pid, TREE_CALL_MS).catch(() => 'busy' as const));
  }
  const isChild = new Set<string>();
  for (const list of children.values()) {
    if (list !== 'busy') for (const [, pid] of list) if (pid instanceof Pid) isChild.add(pid.key);
  }
  const build = (pid: TreeEntry['pid'], id: unknown, type: string): TreeEntry => {
    const list = pid instanceof Pid ? children.get(pid.key) : undefined;
    if (list === undefined) return { pid, id, type: type === 'supervisor' ? 'supervisor' : 'worker', children: [] };
    if (list === 'busy') return { pid, id, type: 'supervisor', children: 'busy' };
    return { pid, id, type: 'supervisor', children: list.map(([childId, child, childType]) => build(child, childId, childType)) };
  };
  return infos.filter((i) => children.has(i.pid.key) && !isChild.has(i.pid.key)).map((i) => build(i.pid, undefined, 'supervisor'));
}

/** A part that does not run on this node (pg or PubSub on a node without a name) shows as empty. */
function safely<T>(read: () => T[]): T[] {
  try {
    return read();
  } catch {
    return [];
  }
}
