/**
 * @module web/hub
 * The viewing node's side: while at least one page is open, a process (`webHub`)
 * watches the web agent of this node and of every node it is connected to (and of each
 * node that comes up), keeps the latest view of each, and tracks which nodes are up,
 * down, or cut off by a partition. When a workshop's roster is open on this node (or
 * opens later: `Workshop.monitorRosters`), the hub watches it too (`Workshop.watch`)
 * and keeps its rows. After each change it calls `changed`; the server then sends the
 * page a new model. Closing the last page stops the hub: its exit reaches the agents'
 * and the roster's monitors, and they stop telling it.
 *
 * @example
 * // Narrative (the web server does this when a page connects):
 * const hub = new Hub(() => push(hub.model()))
 * hub.start(); ... hub.stop()
 */
import { Pid, Ref, _, type NodeName } from '../term.ts';
import { currentRuntime, exit, inProcess, makeRef, receive, self, send, type ProcessInfo } from '../process/index.ts';
import { list, monitorNodes, node } from '../node/index.ts';
import { partitions } from '../node/partition.ts';
import * as Workshop from '../workshop/index.ts';
import { AGENT } from './agent.ts';
import { buildModel, type NodeState } from './model.ts';
import type { Model, NodeView } from './view.ts';

/** How long a node's agent may take to answer a process-info request. */
const INFO_TIMEOUT_MS = 2000;

export class Hub {
  private readonly views = new Map<NodeName, NodeView>();
  private readonly states = new Map<NodeName, NodeState>();
  /** The roster open on this node, followed, and its rows. */
  private roster: { pid: Pid; rows: Workshop.Attendee[] } | null = null;
  private pid: Pid | null = null;

  constructor(private readonly changed: () => void) {}

  // Client API

  /** Starts the hub's process on the current runtime. */
  start(): void {
    const hub = this;
    [this.pid] = currentRuntime().spawn(function webHub() {
      return hub.loop();
    }, [], null);
  }

  stop(): void {
    if (this.pid) exit(this.pid, 'kill');
    this.pid = null;
    this.roster = null;
  }

  model(): Model {
    return buildModel(node(), this.views, this.states, this.roster?.rows ?? null);
  }

  /** `processInfo` of a process on any node, asked of its node's agent; undefined when it is gone. */
  info(pid: Pid): Promise<ProcessInfo | undefined> {
    return inProcess(async function askAgent() {
      const ref = makeRef();
      send([AGENT, pid.node], ['web_info', self(), ref, pid]);
      const reply = await receive(['web_info', ref, _], { after: INFO_TIMEOUT_MS });
      return Array.isArray(reply) ? (reply[2] as ProcessInfo | undefined) : undefined;
    });
  }

  // Internals: the process

  private async loop(): Promise<void> {
    monitorNodes(true);
    // Nodes seen by an earlier page keep their history; those gone meanwhile are down.
    const up = list();
    const cut = cutOff();
    for (const n of this.states.keys()) if (n !== node() && !up.includes(n)) this.setState(n, 'down');
    this.setState(node(), 'self');
    for (const n of up) this.setState(n, 'up');
    for (const n of cut) this.setState(n, 'cut');
    for (const n of [node(), ...up]) this.watch(n);
    const rosters = rosterEvents();
    await this.follow(rosters?.open ?? []);
    for (;;) {
      const msg = (await receive()) as unknown[];
      if (msg[0] === 'web_view' && isView(msg[1])) this.viewed(msg[1]);
      else if (msg[0] === 'nodeup') this.up(msg[1] as NodeName);
      else if (msg[0] === 'nodedown') this.down(msg[1] as NodeName);
      else if (msg[0] === 'roster' && this.roster && isRows(msg[1])) this.roster.rows = msg[1];
      else if (rosters && msg[0] instanceof Ref && msg[0].equals(rosters.ref)) {
        if (!(await this.rosterMoved(msg[1], msg[3]))) continue;
      } else continue;
      this.changed();
    }
  }

  /** Follows the roster among `pids` that runs on this node, if any and not followed yet. */
  private async follow(pids: readonly Pid[]): Promise<boolean> {
    const pid = pids.find((p) => p.node === node());
    if (!pid || this.roster?.pid.equals(pid)) return false;
    try {
      this.roster = { pid, rows: await Workshop.watch(self()) };
      return true;
    } catch {
      return false; // it closed before it answered: nothing to follow
    }
  }

  /** A roster opened or closed somewhere in the cluster: true when this node's page changes. */
  private async rosterMoved(event: unknown, pids: unknown): Promise<boolean> {
    const list = Array.isArray(pids) ? pids.filter((p): p is Pid => p instanceof Pid) : [];
    if (event === 'join') return this.follow(list);
    if (event !== 'leave' || !this.roster || !list.some((p) => p.equals(this.roster!.pid))) return false;
    this.roster = null;
    return true;
  }

  private watch(n: NodeName): void {
    send([AGENT, n], ['web_watch', self()]);
  }

  private viewed(view: NodeView): void {
    this.views.set(view.node, view);
  }

  private up(n: NodeName): void {
    this.setState(n, 'up');
    this.watch(n);
  }

  private down(n: NodeName): void {
    this.setState(n, cutOff().includes(n) ? 'cut' : 'down');
  }

  private setState(n: NodeName, status: NodeState['status']): void {
    if (this.states.get(n)?.status !== status) this.states.set(n, { status, since: Date.now() });
  }
}

/** The nodes a partition puts on the other side from this one. */
function cutOff(): NodeName[] {
  const me = node();
  return partitions().flatMap((p) => (p.a.includes(me) ? p.b : p.b.includes(me) ? p.a : []));
}

/** Roster events for the calling process, or null where no pg runs (a node without a name). */
function rosterEvents(): { ref: Ref; open: Pid[] } | null {
  try {
    const [ref, open] = Workshop.monitorRosters();
    return { ref, open };
  } catch {
    return null;
  }
}

/** Rows as the roster sends them (anything else that reaches the hub is ignored). */
function isRows(rows: unknown): rows is Workshop.Attendee[] {
  return Array.isArray(rows) && rows.every((r: Workshop.Attendee) =>
    typeof r === 'object' && r !== null && typeof r.node === 'string' && ['here', 'gone', 'refused'].includes(r.status) &&
    Number.isFinite(r.since) && Number.isFinite(r.stepSince) && Number.isFinite(r.handSince) &&
    (r.standing === null || (typeof r.standing === 'object' && Number.isFinite(r.standing.step) && Number.isFinite(r.standing.steps))));
}

/** A view as agents send it (anything else that reaches the hub is ignored). */
function isView(v: unknown): v is NodeView {
  const view = v as NodeView;
  return typeof view === 'object' && view !== null && typeof view.node === 'string' &&
    ['links', 'partitions', 'processes', 'trees', 'groups', 'globals', 'topics', 'diagrams'].every((k) => Array.isArray(view[k as keyof NodeView]));
}
