/**
 * @module web/model
 * From the views the agents sent (and what the viewing node knows of each node's
 * status) to the page's `Model`: every term printed as this node's prompt prints it,
 * groups, global names and topics merged across the nodes that are up, each link once
 * with its rate, the partitions, and the latest sequence diagrams.
 *
 * A node that is down (or cut off by a partition) keeps its last view in the node
 * list, marked so; its members, names and links leave the merged panels at once, as
 * pg and global drop them.
 *
 * A workshop's roster, when one is open on the viewing node, comes as the roster tells
 * it (`Workshop.watch`), in its order (`Workshop.byAttention`).
 */
import { Pid, format, short, type NodeName } from '../term.ts';
import type { ProcessInfo } from '../process/index.ts';
import * as Workshop from '../workshop/index.ts';
import type {
  LinkModel, MemberModel, Model, NodeModel, NodeStatus, NodeView, ProcessDetails, ProcessEntry, RosterRow, TreeEntry, TreeRow,
} from './view.ts';

/** How many sequence diagrams the page shows. */
const DIAGRAMS = 3;

export interface NodeState {
  status: NodeStatus;
  since: number;
}

// Client API

/**
 * The page's model, as seen from `self`.
 *
 * @example
 * // On alice, with bob's view and bob up (narrative: the hub calls it):
 * buildModel('alice@vm', views, states).nodes.map((n) => [n.name, n.status]) //=> [ [ 'alice@vm', 'self' ], [ 'bob@vm', 'up' ] ]
 */
export function buildModel(
  self: NodeName,
  views: ReadonlyMap<NodeName, NodeView>,
  states: ReadonlyMap<NodeName, NodeState>,
  roster: readonly Workshop.Attendee[] | null = null,
): Model {
  const names = [...new Set([self, ...states.keys(), ...views.keys()])].sort((a, b) => (a === self ? -1 : b === self ? 1 : a < b ? -1 : 1));
  const statusOf = (n: NodeName): NodeStatus => (n === self ? 'self' : (states.get(n)?.status ?? 'up'));
  const live = names.filter((n) => statusOf(n) === 'self' || statusOf(n) === 'up').flatMap((n) => views.get(n) ?? []);
  const partitions = uniqueBy(live.flatMap((v) => v.partitions), (p) => p.id);
  return {
    self,
    nodes: names.map((n) => nodeModel(n, statusOf(n), states.get(n)?.since ?? 0, views.get(n))),
    links: links(live, new Set(live.map((v) => v.node)), partitions),
    groups: merged(live.flatMap((v) => v.groups.map(([g, pids]) => [format(g), pids] as const)))
      .map(([group, pids]) => ({ group, members: pids.map(member) })),
    globals: live.flatMap((v) => v.globals).map(([name, pid]) => ({ name, ...member(pid) })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    topics: topics(live),
    partitions,
    diagrams: live.flatMap((v) => v.diagrams).sort((a, b) => b.at - a.at).slice(0, DIAGRAMS),
    roster: roster && [...roster].sort(Workshop.byAttention).map(rosterRow),
  };
}

/**
 * `processInfo` as rows of text, for the page's process panel.
 *
 * @example
 * details(processInfo(self())).rows[0] //=> [ 'Registered name', '-' ]
 */
export function details(info: ProcessInfo): ProcessDetails {
  const pids = (xs: ReadonlyArray<Pid | readonly [string, string]>) => (xs.length === 0 ? '[]' : xs.map((x) => format(x)).join(', '));
  return {
    pid: format(info.pid),
    node: info.pid.node,
    rows: [
      ['Registered name', info.registeredName ?? '-'],
      ['Kind', info.module ? `${info.kind} ${info.module}` : info.kind],
      ['Initial call', String(info.initialCall)],
      ['Status', String(info.status)],
      ['Message queue length', String(info.messageQueueLen)],
      ['Messages', info.messages.length === 0 ? '[]' : info.messages.map((m) => short(m)).join('\n')],
      ['Links', pids(info.links)],
      ['Monitors', pids(info.monitors)],
      ['Monitored by', pids(info.monitoredBy)],
      ['Trap exit', String(info.trapExit)],
    ],
  };
}

// Internals

function nodeModel(name: NodeName, status: NodeStatus, since: number, view: NodeView | undefined): NodeModel {
  return {
    name,
    status,
    since,
    seen: view !== undefined,
    processes: view?.processes.map(row) ?? [],
    more: view?.more ?? 0,
    trees: view?.trees.map((t) => tree(t, registeredNames(view))) ?? [],
  };
}

function row(p: ProcessEntry) {
  return { pid: format(p.pid), key: p.pid.key, name: p.name ?? '', kind: p.kind, module: p.module ?? '', queue: p.queue, status: p.status };
}

function tree(t: TreeEntry, names: ReadonlyMap<string, string>): TreeRow {
  const running = t.pid instanceof Pid;
  const name = t.pid instanceof Pid ? (names.get(t.pid.key) ?? format(t.pid)) : String(t.pid);
  const id = t.id === undefined ? '' : short(t.id);
  return {
    label: id === '' || id === `'${name}'` ? name : `${name}  (${id})`,
    key: t.pid instanceof Pid ? t.pid.key : null,
    kind: !running ? 'stopped' : t.type,
    children: t.children === 'busy'
      ? [{ label: '(busy: did not answer)', key: null, kind: 'stopped', children: [] }]
      : t.children.map((c) => tree(c, names)),
  };
}

/** Registered names by pid key, to label the trees. */
function registeredNames(view: NodeView): Map<string, string> {
  return new Map(view.processes.flatMap((p) => (p.name === undefined ? [] : [[p.pid.key, p.name] as [string, string]])));
}

function rosterRow(r: Workshop.Attendee): RosterRow {
  const s = r.standing;
  const done = s?.lesson != null && s.step >= s.steps;
  return {
    node: r.node,
    status: r.status,
    since: r.since,
    lesson: s?.lesson ?? null,
    step: !s?.lesson ? '' : done ? 'done' : `${s.step + 1}/${s.steps}`,
    title: s?.lesson && !done ? s.title : '',
    stepSince: s?.lesson && !done && r.status === 'here' ? r.stepSince : null,
    hints: s?.hints ?? 0,
    error: s?.error ?? null,
    hand: r.status === 'here' ? (s?.hand ?? null) : null,
    handSince: r.handSince,
    reason: r.reason,
  };
}

function member(pid: Pid): MemberModel {
  return { pid: format(pid), key: pid.key, node: pid.node };
}

/** Each link once, between nodes that are up; its rate is the larger of the two ends' counts. */
function links(live: NodeView[], up: Set<NodeName>, partitions: Model['partitions']): LinkModel[] {
  const out = new Map<string, LinkModel>();
  for (const v of live) {
    for (const l of v.links) {
      if (!up.has(l.peer)) continue;
      const [a, b] = v.node < l.peer ? [v.node, l.peer] : [l.peer, v.node];
      const rate = l.sent + l.received;
      const known = out.get(`${a} ${b}`);
      if (!known || known.rate < rate) out.set(`${a} ${b}`, { a, b, rate, cut: false });
    }
  }
  for (const p of partitions) {
    for (const a of p.a) for (const b of p.b) {
      const [x, y] = a < b ? [a, b] : [b, a];
      out.set(`${x} ${y}`, { a: x, b: y, rate: 0, cut: true });
    }
  }
  return [...out.values()];
}

function topics(live: NodeView[]): Model['topics'] {
  const byTopic = new Map<string, Array<{ node: NodeName; count: number }>>();
  for (const v of live) {
    for (const [topic, count] of v.topics) {
      const list = byTopic.get(topic) ?? [];
      list.push({ node: v.node, count });
      byTopic.set(topic, list);
    }
  }
  return [...byTopic].sort(([a], [b]) => (a < b ? -1 : 1)).map(([topic, nodes]) => ({ topic, total: nodes.reduce((n, x) => n + x.count, 0), nodes }));
}

/** Members of equal groups (by their printed form) together, groups sorted by it. */
function merged(entries: ReadonlyArray<readonly [string, Pid[]]>): Array<[string, Pid[]]> {
  const out = new Map<string, Pid[]>();
  for (const [g, pids] of entries) out.set(g, [...(out.get(g) ?? []), ...pids]);
  return [...out].sort(([a], [b]) => (a < b ? -1 : 1));
}

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  return [...new Map(xs.map((x) => [key(x), x])).values()];
}
