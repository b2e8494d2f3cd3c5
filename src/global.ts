/**
 * @module global
 * Names that hold across the whole cluster, with the semantics of Erlang's `global`:
 * `register(name, pid)` gives 'yes', or 'no' when the name is taken anywhere in the
 * connected cluster; every node answers `whereis` from its own table; a name goes when
 * its process ends or its node goes down. `['global', name]` names a GenServer or a
 * Supervisor at start and in `GenServer.call`.
 *
 * A name server runs on every node, registered as `global_name_server`. Reads are
 * local; every change goes through the servers.
 *
 * Protocol (messages between the servers, small tagged arrays; `req` is a unique id,
 * `entry` is `[name, pid, resolve]`, `resolve` the source of a resolve function or null):
 * - `['lock', req, name, from]` asks for the name's lock; answered
 *   `['locked', req, name, granted, holder]`, `holder` the pid registered under the
 *   name there, if any. A lock is held by one request at a time; a busy lock is denied,
 *   never waited for.
 * - A register takes the lock on every node it knows (itself included). With every
 *   lock and no holder it sends `['commit', req, entry, from]`, answered
 *   `['committed', req]`, and says 'yes' once all answered; a holder means 'no'; a
 *   denied lock means another register is racing: it sends `['unlock', req, name]`
 *   and tries again after a random pause. Two nodes racing for a name: each needs the
 *   other's lock, a lock is granted once, so exactly one commits.
 * - `['unregister', name, pid]`: the name goes, if it still names `pid`. Sent by the
 *   process's node when it ends, and by `unregister`.
 * - `['sync', entries, from]` is sent to a node on its nodeup: every name the sender knows.
 *   A name the receiver lacks is added; one naming another pid is a conflict (two
 *   sides of a healed partition each registered it). The node of the smaller-named of
 *   the two pids' nodes resolves it, with the resolve function of its own entry
 *   (default: keep one at random and kill the other, with a log line saying why), and
 *   sends `['resolved', name, entry | null]` to every node; a node that was not
 *   connected yet learns it when its own sync brings the losing entry back.
 * - A nodedown drops the names of that node's processes and the locks it held.
 *
 * @example
 * iex(bob)> global.register('leader', self())
 * 'yes'
 * iex(bob)> global.register('leader', self())
 * 'no'
 * iex(bob)> global.whereis('leader') === self()
 * true
 * iex(bob)> global.registered()
 * [ 'leader' ]
 * iex(bob)> global.unregister('leader')
 * 'ok'
 */
import { Pid, type NodeName, type Ref } from './term.ts';
import { CodedError } from './errors.ts';
import {
  currentRuntime, exit, inProcess, monitor, demonitor, receive, send as sendTo, self, setNameService, type Runtime,
} from './process/index.ts';
import { list, monitorNodes, playgroundNodes } from './node/index.ts';
import { checkTravel, compile } from './code.ts';

export const SERVER = 'global_name_server';

/** Resolves a conflict after a heal: gives the pid to keep, or null for neither. */
export type Resolve = (name: string, pid1: Pid, pid2: Pid) => Pid | null | Promise<Pid | null>;

/** A bad global name or pid, a send to a name nobody holds, or no name server here. */
export class GlobalError extends CodedError<'ERR_BAD_ARG' | 'ERR_NOT_REGISTERED' | 'ERR_NOT_ALIVE'> {}

type Entry = [name: string, pid: Pid, resolve: string | null];

/** One node's name table: what reads see, and the server's state. */
interface Table {
  /** Every name this node knows, cluster-wide. */
  readonly names: Map<string, Entry>;
  /** The monitor of each local registered process: ref key to [ref, name]. */
  readonly watched: Map<string, [Ref, string]>;
  /** Locks held here: name to the request holding it and its node. */
  readonly locks: Map<string, [string, NodeName]>;
  /** Registers in flight from this node: req to what it waits for. */
  readonly pending: Map<string, Pending>;
  /** Registrations this node resolved a conflict against (`name`, NUL, pid key). */
  readonly lost: Set<string>;
}

interface Pending {
  entry: Entry;
  waiting: Set<NodeName>;
  phase: 'lock' | 'commit';
  granted: NodeName[];
  denied: boolean;
  taken: boolean;
  attempt: number;
  done(answer: 'yes' | 'no'): void;
}

const tables = new WeakMap<Runtime, Table>();
let reqCounter = 0;

// Client API

/**
 * Registers `pid` under `name` in the whole connected cluster: 'yes', or 'no' when the
 * name is taken there. `resolve(name, pid1, pid2)` decides a conflict after a heal.
 */
export function register(name: string, pid: Pid, resolve?: Resolve): Promise<'yes' | 'no'> {
  checkName(name, 'register');
  if (!(pid instanceof Pid)) throw new GlobalError('ERR_BAD_ARG', `global.register expects a pid. Got: ${String(pid)}`);
  const method = resolve === undefined ? null : checkTravel(resolve, 'global.register resolve');
  const rt = currentRuntime();
  tableOf(rt);
  return inProcess(async () => {
    sendTo(SERVER, ['register', self(), [name, pid, method]]);
    const [, answer] = (await receive(['register_done', isAnswer])) as [string, 'yes' | 'no'];
    return answer;
  });
}

/** Removes `name` everywhere; 'ok' also when it was not registered. */
export function unregister(name: string): 'ok' {
  checkName(name, 'unregister');
  if (tableOf(currentRuntime()).names.has(name)) sendTo(SERVER, ['unregister_everywhere', name]);
  return 'ok';
}

/** The pid registered under `name` in the cluster, or undefined. */
export function whereis(name: string): Pid | undefined {
  return tableOf(currentRuntime()).names.get(name)?.[1];
}

/** Sends `msg` to the process registered under `name`; throws when there is none. */
export function send<T>(name: string, msg: T): T {
  const pid = whereis(name);
  if (pid === undefined) throw new GlobalError('ERR_NOT_REGISTERED', `no process is registered globally as ${JSON.stringify(name)}`);
  return sendTo(pid, msg);
}

/** Every name registered in the cluster, as this node knows them. */
export function registered(): string[] {
  return [...tableOf(currentRuntime()).names.keys()];
}

setNameService('global', { whereis, register });

/** The name server's body; every node starts one at boot (see `dist-services.ts`). */
export async function server(): Promise<void> {
  const rt = currentRuntime();
  const t: Table = { names: new Map(), watched: new Map(), locks: new Map(), pending: new Map(), lost: new Set() };
  tables.set(rt, t);
  monitorNodes(true);
  for (const n of playgroundNodes()) sendTo([SERVER, n], ['sync', entriesOf(t), rt.node]);
  for (;;) await handle(t, rt, (await receive()) as unknown[]);
}

// Callbacks: the server

async function handle(t: Table, rt: Runtime, msg: unknown[]): Promise<void> {
  switch (msg[0]) {
    case 'register':
      return startRegister(t, rt, msg[1] as Pid, msg[2] as Entry);
    case 'lock': {
      const [, req, name, from] = msg as [string, string, string, NodeName];
      const held = t.locks.get(name);
      const granted = held === undefined || held[0] === req;
      if (granted) t.locks.set(name, [req, from]);
      return reply(from, ['locked', req, name, granted, t.names.get(name)?.[1] ?? null, rt.node]);
    }
    case 'locked':
      return onLocked(t, rt, msg[1] as string, msg[5] as NodeName, msg[3] as boolean, msg[4] as Pid | null);
    case 'unlock':
      if (t.locks.get(msg[2] as string)?.[0] === msg[1]) t.locks.delete(msg[2] as string);
      return;
    case 'commit': {
      const [, req, entry, from] = msg as [string, string, Entry, NodeName];
      put(t, rt, entry);
      if (t.locks.get(entry[0])?.[0] === req) t.locks.delete(entry[0]);
      return reply(from, ['committed', req, rt.node]);
    }
    case 'committed':
      return onCommitted(t, msg[1] as string, msg[2] as NodeName);
    case 'unregister': {
      const [, name, pid] = msg as [string, string, Pid];
      if (t.names.get(name)?.[1].equals(pid)) drop(t, rt, name);
      return;
    }
    case 'unregister_everywhere': {
      const entry = t.names.get(msg[1] as string);
      if (!entry) return;
      drop(t, rt, entry[0]);
      for (const n of playgroundNodes()) sendTo([SERVER, n], ['unregister', entry[0], entry[1]]);
      return;
    }
    case 'sync':
      for (const entry of msg[1] as Entry[]) await onSynced(t, rt, entry, msg[2] as NodeName);
      return;
    case 'resolved': {
      const [, name, entry] = msg as [string, string, Entry | null];
      if (entry) put(t, rt, entry);
      else drop(t, rt, name);
      return;
    }
    case 'nodeup':
      // A BEAM node has a global of its own, in another protocol (see erlang/kernel).
      if (!playgroundNodes().includes(msg[1] as NodeName)) return;
      return void sendTo([SERVER, msg[1] as NodeName], ['sync', entriesOf(t), rt.node]);
    case 'nodedown':
      return onNodeDown(t, rt, msg[1] as NodeName);
    case 'DOWN': {
      const watched = t.watched.get((msg[1] as Ref).key);
      if (watched === undefined) return;
      t.watched.delete((msg[1] as Ref).key);
      const [, name] = watched;
      const pid = msg[3] as Pid;
      if (!t.names.get(name)?.[1].equals(pid)) return;
      t.names.delete(name);
      for (const n of playgroundNodes()) sendTo([SERVER, n], ['unregister', name, pid]);
      return;
    }
    case 'retry':
      return lockRound(t, rt, msg[1] as string);
  }
}

function startRegister(t: Table, rt: Runtime, client: Pid, entry: Entry): void {
  const pid = entry[1];
  if (t.names.has(entry[0]) || (pid.node === rt.node && rt.local(pid) === undefined)) {
    return void sendTo(client, ['register_done', 'no']);
  }
  const req = `${rt.node}/${++reqCounter}`;
  t.pending.set(req, {
    entry, waiting: new Set(), phase: 'lock', granted: [], denied: false, taken: false, attempt: 0,
    done: (answer) => void sendTo(client, ['register_done', answer]),
  });
  lockRound(t, rt, req);
}

function lockRound(t: Table, rt: Runtime, req: string): void {
  const p = t.pending.get(req);
  if (!p) return;
  Object.assign(p, { phase: 'lock', granted: [], denied: false, taken: false, waiting: new Set([rt.node, ...playgroundNodes()]) });
  for (const n of p.waiting) reply(n, ['lock', req, p.entry[0], rt.node]);
}

function onLocked(t: Table, rt: Runtime, req: string, from: NodeName, granted: boolean, holder: Pid | null): void {
  const p = t.pending.get(req);
  if (!p || p.phase !== 'lock' || !p.waiting.delete(from)) return;
  if (granted) p.granted.push(from);
  else p.denied = true;
  if (holder !== null) p.taken = true;
  if (p.waiting.size > 0) return;
  settleLocks(t, rt, req, p);
}

/** Every lock answered (or its node went away): commit, give up, or try again. */
function settleLocks(t: Table, rt: Runtime, req: string, p: Pending): void {
  const name = p.entry[0];
  if (!p.denied && !p.taken) {
    p.phase = 'commit';
    p.waiting = new Set(p.granted);
    for (const n of p.granted) reply(n, ['commit', req, p.entry, rt.node]);
    return;
  }
  for (const n of p.granted) reply(n, ['unlock', req, name]);
  if (p.taken) {
    t.pending.delete(req);
    return p.done('no');
  }
  // Another register holds a lock: let it finish, then try again.
  const pause = Math.random() * Math.min(50, 2 ** ++p.attempt);
  setTimeout(() => rt.deliver(SERVER, ['retry', req]), pause);
}

function onCommitted(t: Table, req: string, from: NodeName): void {
  const p = t.pending.get(req);
  if (!p || p.phase !== 'commit' || !p.waiting.delete(from) || p.waiting.size > 0) return;
  t.pending.delete(req);
  p.done('yes');
}

async function onSynced(t: Table, rt: Runtime, entry: Entry, from: NodeName): Promise<void> {
  const [name, pid] = entry;
  if (pid.node !== rt.node && !list().includes(pid.node)) return;
  // Handles the race where a node's sync, sent before our resolution reached it (or
  // from a node that connected after it), still carries the registration we resolved
  // against: it lost once, it stays lost, and that node is told the outcome.
  if (t.lost.has(`${name}\0${pid.key}`)) return void sendTo([SERVER, from], ['resolved', name, t.names.get(name) ?? null]);
  const mine = t.names.get(name);
  if (mine === undefined) return put(t, rt, entry);
  if (mine[1].equals(pid)) return;
  // A conflict: one node resolves it, the node of the smaller of the two pids' nodes.
  const resolver = mine[1].node < pid.node ? mine[1].node : pid.node;
  if (resolver !== rt.node) return;
  const [ours, theirs] = mine[1].node === rt.node ? [mine, entry] : [entry, mine];
  const keep = await resolveConflict(rt, name, ours, theirs);
  const kept = keep === null ? null : keep.equals(ours[1]) ? ours : keep.equals(theirs[1]) ? theirs : null;
  if (t.lost.size > 1000) t.lost.clear();
  for (const e of [ours, theirs]) if (e !== kept) t.lost.add(`${name}\0${e[1].key}`);
  if (kept) put(t, rt, kept);
  else drop(t, rt, name);
  for (const n of playgroundNodes()) sendTo([SERVER, n], ['resolved', name, kept]);
}

async function resolveConflict(rt: Runtime, name: string, ours: Entry, theirs: Entry): Promise<Pid | null> {
  const [a, b] = [ours[1], theirs[1]];
  const what = `global: name conflict for ${JSON.stringify(name)} after a netsplit, ${a} on ${a.node} and ${b} on ${b.node}`;
  if (ours[2] === null) {
    const [keep, kill] = Math.random() < 0.5 ? [a, b] : [b, a];
    rt.log('warning', `${what}: keeping ${keep}, killing ${kill} (the default resolve; pass a resolve function to global.register to choose)`);
    exit(kill, 'kill');
    return keep;
  }
  try {
    const keep = (await (compile(ours[2]) as Resolve)(name, a, b)) ?? null;
    rt.log('warning', `${what}: the resolve function kept ${keep ?? 'neither'}`);
    return keep instanceof Pid ? keep : null;
  } catch (err) {
    rt.log('error', `${what}: the resolve function failed (${(err as Error).message}); unregistering both`);
    return null;
  }
}

function onNodeDown(t: Table, rt: Runtime, node: NodeName): void {
  for (const [name, [, pid]] of [...t.names]) if (pid.node === node) drop(t, rt, name);
  for (const [name, [, holder]] of [...t.locks]) if (holder === node) t.locks.delete(name);
  for (const [req, p] of t.pending) {
    if (p.phase === 'lock' && p.waiting.delete(node) && p.waiting.size === 0) settleLocks(t, rt, req, p);
    else if (p.phase === 'commit' && p.waiting.delete(node) && p.waiting.size === 0) onCommitted(t, req, node);
  }
}

// Internals

function put(t: Table, rt: Runtime, entry: Entry): void {
  const old = t.names.get(entry[0]);
  if (old?.[1].equals(entry[1])) return;
  if (old) drop(t, rt, entry[0]);
  t.names.set(entry[0], entry);
  if (entry[1].node === rt.node) {
    const ref = monitor(entry[1]);
    t.watched.set(ref.key, [ref, entry[0]]);
  }
}

function drop(t: Table, rt: Runtime, name: string): void {
  const old = t.names.get(name);
  if (!old) return;
  t.names.delete(name);
  if (old[1].node !== rt.node) return;
  for (const [key, [ref, n]] of t.watched) {
    if (n !== name) continue;
    t.watched.delete(key);
    demonitor(ref, { flush: true });
  }
}

function entriesOf(t: Table): Entry[] {
  return [...t.names.values()];
}

function reply(node: NodeName, msg: unknown[]): void {
  sendTo([SERVER, node], msg);
}

function tableOf(rt: Runtime): Table {
  const t = tables.get(rt);
  if (t) return t;
  throw new GlobalError('ERR_NOT_ALIVE', 'global names need the global name server, which every playground node starts at boot');
}

function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name === 'string' && name !== '') return;
  throw new GlobalError('ERR_BAD_ARG', `global.${what} expects a non-empty string name. Got: ${String(name)}`);
}

function isAnswer(v: unknown): boolean {
  return v === 'yes' || v === 'no';
}
