/**
 * @module pg
 * Process groups across the cluster, with the semantics of Erlang's `pg`.
 *
 * A scope is a process running on every node under the scope's name (`'pg'` by
 * default). Any term names a group and groups compare by value, so
 * `['hermes', 'PubSub']` is a group. A process joins only on its own node; it may
 * join a group more than once and is then listed that many times. Members leave when
 * they exit, and a node's members vanish everywhere when it goes down. Groups that
 * become empty disappear: there are no empty groups.
 *
 * Reads are fast and writes are ordered: `getMembers` reads this node's table
 * directly, while joins and leaves change the table at once and are sent to the peer
 * scopes in the order they happen.
 *
 * Protocol (between the scope processes of one scope, one per node; messages are
 * small tagged arrays, `scope` is the sender's scope pid). They are OTP 25's own, so a
 * scope on a BEAM node (`:pg.start_link()`) is a peer like any other; lists are Lists,
 * since Erlang's pg reads them as lists:
 * - `['discover', scope]`: sent to `[name, node]` when this scope starts and on each
 *   nodeup. The receiver monitors the sender, answers with a sync of all its local
 *   memberships, and, if the sender was new to it, discovers it back.
 * - `['$gen_cast', ['sync', scope, groups]]`: the sender's complete local memberships,
 *   which replace whatever the receiver knew of them (`groups` is a List of
 *   `[group, List of pids]`).
 * - `['join', scope, group, pids]` and `['leave', scope, pids, groups]`: changes to the
 *   sender's local memberships (`pids` one pid or a List of them; `groups` a List, each
 *   group losing each pid once). Ignored from a scope not yet discovered: its sync will
 *   carry them.
 * - A 'DOWN' of a peer scope (its node went away or the scope stopped) drops all of
 *   that peer's members. Visibility is per direct connection.
 * - Anything else a scope receives (another shape, a pid that is not a pid) is logged
 *   as a warning and dropped: a stray or hostile message never costs the table.
 *
 * Subscribers (`monitor(group)`, `monitorScope()`) receive `[ref, 'join', group, pids]`
 * and `[ref, 'leave', group, pids]` for every change they can see.
 */
import { List, Pid, Ref, short, termKey, type NodeName } from './term.ts';
import {
  Process, ProcessError, Runtime, currentProcess, currentRuntime, receive, self,
} from './process/index.ts';
import { list, monitorNodes } from './node/index.ts';

export const DEFAULT_SCOPE = 'pg';

type Group = unknown;

/** One node's view of one scope: the table reads go to, and the scope process's state. */
class Scope {
  /** Every visible member per group (local and remote), by group key. */
  readonly members = new Map<string, Pid[]>();
  /** Local members per group, by group key. */
  readonly local = new Map<string, Pid[]>();
  /** The group term of each key, for `whichGroups`. */
  readonly groups = new Map<string, Group>();
  /** Local member pid key to its monitor and the group keys it joined (with repeats). */
  readonly joined = new Map<string, { ref: Ref; keys: string[] }>();
  /** Peer scope pid key to its pid, monitor and memberships (group key to pids). */
  readonly peers = new Map<string, { pid: Pid; ref: Ref; groups: Map<string, Pid[]> }>();
  /** Subscriptions by ref key: the subscriber, its group (key, or null for the whole scope) and the scope's monitor on it. */
  readonly watchers = new Map<string, { ref: Ref; pid: Pid; key: string | null; monitor: Ref }>();
  /** The scope's monitor on each subscriber (its ref key) to the subscription's ref key. */
  readonly watcherMonitors = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly proc: Process,
  ) {}

  get rt(): Runtime {
    return this.proc.rt;
  }
}

const scopes = new WeakMap<Runtime, Map<string, Scope>>();

// Client API: the default scope

/**
 * Joins `pids` (one pid or an array, all local) to `group` in the default scope.
 *
 * @example
 * iex(bob)> pg.join('workers', self())
 * 'ok'
 * iex(bob)> pg.getMembers('workers')
 * [ #PID<0.90.0> ]
 */
export function join(group: Group, pids: Pid | Pid[], scope = DEFAULT_SCOPE): 'ok' {
  const s = scopeFor(scope);
  const list = checkLocal(s, pids, 'join');
  const key = termKey(group);
  s.groups.set(key, group);
  for (const pid of list) {
    let entry = s.joined.get(pid.key);
    if (!entry) s.joined.set(pid.key, (entry = { ref: s.rt.monitor(s.proc, pid), keys: [] }));
    entry.keys.push(key);
  }
  add(s.local, key, list);
  add(s.members, key, list);
  broadcast(s, ['join', s.proc.pid, group, onWire(list)]);
  notify(s, key, group, 'join', list);
  return 'ok';
}

/** Makes `pids` leave `group` once each; 'not_joined' when none of them was in it. */
export function leave(group: Group, pids: Pid | Pid[], scope = DEFAULT_SCOPE): 'ok' | 'not_joined' {
  const s = scopeFor(scope);
  const list = checkLocal(s, pids, 'leave');
  const key = termKey(group);
  const left: Pid[] = [];
  for (const pid of list) {
    const entry = s.joined.get(pid.key);
    const i = entry?.keys.indexOf(key) ?? -1;
    if (!entry || i < 0) continue;
    entry.keys.splice(i, 1);
    if (entry.keys.length === 0) {
      s.rt.demonitor(s.proc, entry.ref, true);
      s.joined.delete(pid.key);
    }
    left.push(pid);
  }
  if (left.length === 0) return 'not_joined';
  removeLocal(s, key, group, left);
  return 'ok';
}

/**
 * Every member of `group` this node can see, local and remote. A join on another node
 * shows here once its message has arrived (`monitor` tells when).
 *
 * @example
 * iex(alice)> const [ref] = pg.monitor('crew')
 * iex(bob)> pg.join('crew', self())
 * 'ok'
 * iex(alice)> await receive([ref, 'join', 'crew', _])
 * [ #Reference<0.0.0.130>, 'join', 'crew', [ #PID<12.110.0> ] ]
 * iex(alice)> pg.getMembers('crew')
 * [ #PID<12.110.0> ]
 */
export function getMembers(group: Group, scope = DEFAULT_SCOPE): Pid[] {
  return [...(scopeFor(scope).members.get(termKey(group)) ?? [])];
}

/** The members of `group` that run on this node. */
export function getLocalMembers(group: Group, scope = DEFAULT_SCOPE): Pid[] {
  return [...(scopeFor(scope).local.get(termKey(group)) ?? [])];
}

/** Every group with at least one visible member. */
export function whichGroups(scope = DEFAULT_SCOPE): Group[] {
  const s = scopeFor(scope);
  return [...s.members.keys()].map((k) => s.groups.get(k));
}

/** Every group with at least one member on this node. */
export function whichLocalGroups(scope = DEFAULT_SCOPE): Group[] {
  const s = scopeFor(scope);
  return [...s.local.keys()].map((k) => s.groups.get(k));
}

/**
 * Subscribes the caller to joins and leaves of `group`: returns `[ref, members]`;
 * then `[ref, 'join' | 'leave', group, pids]` messages arrive. `demonitor(ref)` stops.
 */
export function monitor(group: Group, scope = DEFAULT_SCOPE): [Ref, Pid[]] {
  const s = scopeFor(scope);
  return [subscribe(s, termKey(group)), getMembers(group, scope)];
}

/** Subscribes the caller to every join and leave in the scope: returns `[ref, groups]`. */
export function monitorScope(scope = DEFAULT_SCOPE): [Ref, Array<[Group, Pid[]]>] {
  const s = scopeFor(scope);
  return [subscribe(s, null), [...s.members].map(([k, pids]) => [s.groups.get(k), [...pids]])];
}

/** Stops a `monitor` or `monitorScope` subscription; false when there is none under `ref`. */
export function demonitor(ref: Ref, scope = DEFAULT_SCOPE): boolean {
  const s = scopeFor(scope);
  const w = ref instanceof Ref ? s.watchers.get(ref.key) : undefined;
  if (!w) return false;
  s.watchers.delete(ref.key);
  s.watcherMonitors.delete(w.monitor.key);
  s.rt.demonitor(s.proc, w.monitor, true);
  return true;
}

/**
 * Starts the scope `name` on this node (a node starts `'pg'` at boot). Starting a
 * scope that runs already returns its pid.
 */
export function startScope(name = DEFAULT_SCOPE): Pid {
  const rt = currentRuntime();
  const existing = scopes.get(rt)?.get(name);
  if (existing?.proc.alive) return existing.proc.pid;
  const pid = rt.spawn(scopeLoop, [name], null, { name })[0];
  return pid;
}

// Callbacks: the scope process

async function scopeLoop(name: string): Promise<void> {
  const proc = currentProcess()!;
  const s = new Scope(name, proc);
  let table = scopes.get(proc.rt);
  if (!table) scopes.set(proc.rt, (table = new Map()));
  table.set(name, s);
  monitorNodes(true);
  for (const node of list()) discover(s, node);
  for (;;) handleInfo(s, await receive());
}

function handleInfo(s: Scope, msg: unknown): void {
  if (!wellFormed(msg)) {
    s.rt.log('warning', `pg scope ${JSON.stringify(s.name)} ignored a malformed message: ${short(msg)}`);
    return;
  }
  switch (msg[0]) {
    case 'discover':
      return onDiscover(s, msg[1] as Pid);
    case '$gen_cast': {
      const [, peer, groups] = msg[1] as [string, Pid, Array<[Group, Pid[]]>];
      return onSync(s, peer, groups);
    }
    case 'join': {
      // A join from a peer not yet discovered: its sync will carry the membership.
      const peer = s.peers.get((msg[1] as Pid).key);
      if (!peer) return;
      const key = termKey(msg[2]);
      const pids = pidList(msg[3]);
      s.groups.set(key, msg[2]);
      add(peer.groups, key, pids);
      add(s.members, key, pids);
      return notify(s, key, msg[2], 'join', pids);
    }
    case 'leave': {
      const peer = s.peers.get((msg[1] as Pid).key);
      if (!peer) return;
      const pids = pidList(msg[2]);
      for (const group of msg[3] as Group[]) {
        const key = termKey(group);
        remove(peer.groups, key, pids);
        remove(s.members, key, pids);
        notify(s, key, group, 'leave', pids);
      }
      return;
    }
    case 'nodeup':
      return discover(s, msg[1] as NodeName);
    case 'DOWN':
      return onDown(s, msg[1] as Ref, msg[3] as Pid);
  }
}

/**
 * True for the messages a scope understands, in their exact shapes: anything else (from
 * a buggy or hostile peer, or a stray send) is logged and dropped, never a crash that
 * would lose the scope's table.
 */
function wellFormed(msg: unknown): msg is unknown[] {
  if (!Array.isArray(msg)) return false;
  switch (msg[0]) {
    case 'discover':
      return msg.length === 2 && msg[1] instanceof Pid;
    case '$gen_cast': {
      const sync = msg[1];
      return (
        msg.length === 2 && Array.isArray(sync) && sync.length === 3 && sync[0] === 'sync' && sync[1] instanceof Pid &&
        Array.isArray(sync[2]) && sync[2].every((g) => Array.isArray(g) && g.length === 2 && isPids(g[1]))
      );
    }
    case 'join':
      return msg.length === 4 && msg[1] instanceof Pid && (msg[3] instanceof Pid || isPids(msg[3]));
    case 'leave':
      return msg.length === 4 && msg[1] instanceof Pid && (msg[2] instanceof Pid || isPids(msg[2])) && Array.isArray(msg[3]);
    case 'nodeup':
    case 'nodedown':
      return msg.length === 2 && typeof msg[1] === 'string';
    case 'DOWN':
      return msg.length === 5 && msg[1] instanceof Ref && msg[3] instanceof Pid;
    default:
      return false;
  }
}

function isPids(value: unknown): value is Pid[] {
  return Array.isArray(value) && value.every((p) => p instanceof Pid);
}

function onDiscover(s: Scope, peer: Pid): void {
  s.rt.send(peer, ['$gen_cast', ['sync', s.proc.pid, localGroups(s)]], s.proc);
  if (s.peers.has(peer.key)) return;
  s.peers.set(peer.key, { pid: peer, ref: s.rt.monitor(s.proc, peer), groups: new Map() });
  s.rt.send(peer, ['discover', s.proc.pid], s.proc);
}

function onSync(s: Scope, peerPid: Pid, groups: Array<[Group, Pid[]]>): void {
  let peer = s.peers.get(peerPid.key);
  // Handles the race where a sync overtakes our own discover: monitor the peer now.
  if (!peer) s.peers.set(peerPid.key, (peer = { pid: peerPid, ref: s.rt.monitor(s.proc, peerPid), groups: new Map() }));
  const old = peer.groups;
  peer.groups = new Map();
  for (const [group, pids] of groups) {
    const key = termKey(group);
    s.groups.set(key, group);
    peer.groups.set(key, [...pids]);
  }
  for (const [key, pids] of old) {
    remove(s.members, key, pids);
    notify(s, key, s.groups.get(key), 'leave', pids);
  }
  for (const [key, pids] of peer.groups) {
    add(s.members, key, pids);
    notify(s, key, s.groups.get(key), 'join', pids);
  }
}

function onDown(s: Scope, ref: Ref, pid: Pid): void {
  const subscription = s.watcherMonitors.get(ref.key);
  if (subscription !== undefined) {
    s.watcherMonitors.delete(ref.key);
    s.watchers.delete(subscription);
    return;
  }
  const member = s.joined.get(pid.key);
  if (member && member.ref.equals(ref)) {
    s.joined.delete(pid.key);
    const byGroup = new Map<string, number>();
    for (const key of member.keys) byGroup.set(key, (byGroup.get(key) ?? 0) + 1);
    for (const [key, n] of byGroup) removeLocal(s, key, s.groups.get(key), new Array<Pid>(n).fill(pid));
    return;
  }
  const peer = s.peers.get(pid.key);
  if (!peer || !peer.ref.equals(ref)) return;
  s.peers.delete(pid.key);
  for (const [key, pids] of peer.groups) {
    remove(s.members, key, pids);
    notify(s, key, s.groups.get(key), 'leave', pids);
  }
}

// Internals

function scopeFor(name: string): Scope {
  if (typeof name !== 'string') {
    throw new ProcessError('ERR_BAD_SCOPE', `a pg scope is named by a string, got: ${String(name)}`);
  }
  const rt = currentRuntime();
  const s = scopes.get(rt)?.get(name);
  if (s?.proc.alive) return s;
  startScope(name);
  return scopes.get(rt)!.get(name)!;
}

function checkLocal(s: Scope, pids: Pid | Pid[], what: string): Pid[] {
  const list = Array.isArray(pids) ? pids : [pids];
  for (const pid of list) {
    if (!(pid instanceof Pid)) throw new ProcessError('ERR_BAD_ARG', `pg.${what} expects pids, got: ${String(pid)}`);
    if (!s.rt.isLocalNode(pid)) {
      throw new ProcessError('ERR_NOT_LOCAL', `pg.${what}: ${pid} runs on ${pid.node}; only local processes can ${what} here`);
    }
  }
  return list;
}

/** Subscribes the caller to changes of one group (a key) or of the whole scope (null). */
function subscribe(s: Scope, key: string | null): Ref {
  const ref = s.rt.makeRef();
  const pid = self();
  // The scope watches the subscriber, so a subscription ends with its process.
  const monitor = s.rt.monitor(s.proc, pid);
  s.watchers.set(ref.key, { ref, pid, key, monitor });
  s.watcherMonitors.set(monitor.key, ref.key);
  return ref;
}

function discover(s: Scope, node: NodeName): void {
  s.rt.send([s.name, node], ['discover', s.proc.pid], s.proc);
}

function broadcast(s: Scope, msg: unknown): void {
  for (const peer of s.peers.values()) s.rt.send(peer.pid, msg, s.proc);
}

function removeLocal(s: Scope, key: string, group: Group, pids: Pid[]): void {
  remove(s.local, key, pids);
  remove(s.members, key, pids);
  broadcast(s, ['leave', s.proc.pid, onWire(pids), List.of(group)]);
  notify(s, key, group, 'leave', pids);
}

function localGroups(s: Scope): List<[Group, List<Pid>]> {
  return List.from([...s.local].map(([key, pids]): [Group, List<Pid>] => [s.groups.get(key), List.from(pids)]));
}

/** Pids as a peer reads them: one pid alone, more as a List. */
function onWire(pids: Pid[]): Pid | List<Pid> {
  return pids.length === 1 ? pids[0]! : List.from(pids);
}

/** One pid or a list of them, from a peer, as an array. */
function pidList(x: unknown): Pid[] {
  return x instanceof Pid ? [x] : (x as Pid[]);
}

function notify(s: Scope, key: string, group: Group, event: 'join' | 'leave', pids: Pid[]): void {
  if (s.watchers.size === 0 || pids.length === 0) return;
  for (const w of s.watchers.values()) {
    if (w.key === null || w.key === key) s.rt.send(w.pid, [w.ref, event, group, pids], s.proc);
  }
}

function add(table: Map<string, Pid[]>, key: string, pids: Pid[]): void {
  const list = table.get(key);
  if (list) list.push(...pids);
  else table.set(key, [...pids]);
}

/** Removes one occurrence of each pid; a group left empty is dropped. */
function remove(table: Map<string, Pid[]>, key: string, pids: Pid[]): void {
  const list = table.get(key);
  if (!list) return;
  for (const pid of pids) {
    const i = list.findIndex((p) => p.equals(pid));
    if (i >= 0) list.splice(i, 1);
  }
  if (list.length === 0) table.delete(key);
}
