/**
 * @module process/runtime
 * One node's process table and its entries: the object behind spawn, send, links,
 * monitors and names, and the `Process` each live process is (a mailbox plus the
 * bookkeeping of its links, monitors and name). A runtime is a value, not a global, so
 * a test can run several nodes in one OS process.
 *
 * Invariants:
 * - A process is in `procs` exactly while it is alive. Ending removes it first, then
 *   frees its name, then signals its links and monitors, so that whoever is told of
 *   the death finds the name free and the pid dead (as in Erlang).
 * - Links are symmetric: both ends hold each other. Monitors are one-way: the watcher
 *   holds `monitors` (ref to target), the target holds `watchers` (ref to watcher).
 * - Anything addressed to another node goes to the `RemoteRouter` that the
 *   distribution layer installs; the runtime itself knows nothing of the network.
 *   A pid of this node with another `creation` names a process of an earlier run: dead.
 * - Tracing hooks in at `send`, `spawn` and `terminate` (and in the mailbox), each
 *   behind a single `trace !== null` check; everything else about it is in `trace.ts`.
 */
import { Pid, Ref, NO_NODE, isNameAtNode, type NodeName } from '../term.ts';
import { start, type Owner } from './context.ts';
import { Mailbox } from './mailbox.ts';
import { ProcessError, ExitSignal, type Logger, type LogLevel, type RemoteRouter, type SpawnOptions, type TraceRequest } from './process.ts';
import { crashReport } from './report.ts';
import { carry, dropped, type ProcessTrace, type SeqToken } from './trace.ts';

/** A live process: its mailbox plus the bookkeeping that links, monitors and names need. */
export class Process extends Mailbox implements Owner {
  /** The promise the process function returned: undefined while it starts, null once done. */
  body: Promise<unknown> | undefined | null = undefined;
  links: Map<string, Pid> | null = null;
  /** Monitors this process holds: ref key (see `refKey`) to [ref, target]. */
  monitors: Map<RefKey, [Ref, Pid | [string, NodeName]]> | null = null;
  /** Monitors on this process: ref key to [ref, watcher], plus the name a remote watcher monitored it by. */
  watchers: Map<RefKey, [Ref, Pid, string?]> | null = null;
  trap = false;
  name: string | undefined = undefined;
  declare trace: ProcessTrace | null;
  /** What the process is, as its behaviour says (`setBehaviour`): `[kind, module]`. */
  declare behaviour: readonly [string, string | undefined] | undefined;

  constructor(
    readonly rt: Runtime,
    readonly pid: Pid,
    readonly fn: Function,
  ) {
    super();
  }

  bodySettled(body: Promise<unknown>): void {
    this.body = null;
    body.then(
      () => this.rt.terminate(this, 'normal'),
      (err) => this.rt.ended(this, err),
    );
  }
}

export class Runtime {
  readonly node: NodeName;
  readonly creation: number;
  /** The process that plain code outside any process acts as (the REPL's shell). */
  defaultProcess: Process | null = null;
  private readonly procs = new Map<number, Process>();
  private readonly names = new Map<string, Process>();
  /** Processes holding links or monitors that cross to another node. */
  private readonly remoteTouched = new Set<Process>();
  private nextId = 1;
  private nextRef = 1;
  private remote: RemoteRouter | null = null;
  private logger: Logger;

  constructor(opts: { node?: NodeName; creation?: number; log?: Logger } = {}) {
    this.node = opts.node ?? NO_NODE;
    this.creation = opts.creation ?? 0;
    this.logger = opts.log ?? defaultLogger;
  }

  // Client API

  spawn(fn: Function, args: readonly unknown[], parent: Process | null, opts: SpawnOptions = {}): [Pid, Ref | undefined] {
    if (typeof fn !== 'function') {
      throw new ProcessError('ERR_BAD_SPAWN', `spawn expects a function, got: ${describe(fn)}`);
    }
    if (opts.name !== undefined) this.checkName(opts.name);
    const p = new Process(this, new Pid(this.node, this.nextId++, this.creation), fn);
    this.procs.set(p.pid.id, p);
    if (opts.name !== undefined) this.setName(opts.name, p);
    if (parent !== null && parent.trace !== null) parent.trace.spawned(p);
    if (opts.link && parent) this.linkLocal(parent, p);
    const ref = opts.monitor && parent ? this.monitor(parent, p.pid) : undefined;
    if (opts.remote) this.adoptRemoteParent(p, opts.remote);
    try {
      start(p, fn, args);
    } catch (err) {
      this.ended(p, err);
      return [p.pid, ref];
    }
    if (p.body === undefined) this.terminate(p, 'normal');
    return [p.pid, ref];
  }

  /** Sends `msg` to a pid, a registered name or `[name, node]`; returns `msg`. */
  send(dest: unknown, msg: unknown, from: Process | null): unknown {
    if (from !== null && from.trace !== null) return from.trace.send(dest, msg);
    return this.route(dest, msg, from);
  }

  /** `send` without the trace hook: how a traced send delivers once it has reported. */
  route(dest: unknown, msg: unknown, from: Process | null): unknown {
    if (dest instanceof Pid) {
      if (dest.node === this.node) {
        if (dest.creation === this.creation) this.procs.get(dest.id)?.push(msg);
      } else {
        this.remote?.send(dest, msg, from?.pid ?? null);
      }
      return msg;
    }
    if (typeof dest === 'string') {
      const p = this.names.get(dest);
      if (!p) throw new ProcessError('ERR_NOT_REGISTERED', `no process is registered as ${JSON.stringify(dest)}`);
      p.push(msg);
      return msg;
    }
    if (isNameAtNode(dest)) {
      if (dest[1] === this.node) this.names.get(dest[0])?.push(msg);
      else this.requireRemote('send').send(dest, msg, from?.pid ?? null);
      return msg;
    }
    throw new ProcessError(
      'ERR_BAD_DEST',
      `send expects a pid, a registered name or [name, node], got: ${describe(dest)}`,
    );
  }

  link(self: Process, pid: Pid): void {
    const other = this.local(pid);
    if (other) return this.linkLocal(self, other);
    if (this.isLocalNode(pid)) {
      // Linking to a dead local process: the caller gets the exit signal at once.
      return this.exitSignal(pid, self.pid, 'noproc', false);
    }
    self.links ??= new Map();
    self.links.set(pid.key, pid);
    this.remoteTouched.add(self);
    this.requireRemote('link').link(self.pid, pid);
  }

  unlink(self: Process, pid: Pid): void {
    self.links?.delete(pid.key);
    const other = this.local(pid);
    if (other) other.links?.delete(self.pid.key);
    else if (!this.isLocalNode(pid)) this.remote?.unlink(self.pid, pid);
  }

  monitor(self: Process, target: Pid | string | [string, NodeName]): Ref {
    const ref = this.makeRef();
    const remoteTarget = this.remoteTarget(target);
    if (remoteTarget) {
      self.monitors ??= new Map();
      self.monitors.set(this.refKey(ref), [ref, remoteTarget]);
      this.remoteTouched.add(self);
      this.requireRemote('monitor').monitor(self.pid, remoteTarget, ref);
      return ref;
    }
    const p = target instanceof Pid ? this.local(target) : this.names.get(localName(target));
    const targetPid = target instanceof Pid ? target : (p?.pid ?? localName(target));
    if (!p) {
      self.push(['DOWN', ref, 'process', targetPid, 'noproc']);
      return ref;
    }
    self.monitors ??= new Map();
    self.monitors.set(this.refKey(ref), [ref, p.pid]);
    p.watchers ??= new Map();
    p.watchers.set(this.refKey(ref), [ref, self.pid]);
    return ref;
  }

  demonitor(self: Process, ref: Ref, flush = false): boolean {
    const entry = self.monitors?.get(this.refKey(ref));
    if (flush) self.remove(['DOWN', ref, 'process', () => true, () => true]);
    if (!entry) return false;
    self.monitors!.delete(this.refKey(ref));
    const target = entry[1];
    if (target instanceof Pid && this.isLocalNode(target)) this.local(target)?.watchers?.delete(this.refKey(ref));
    else this.remote?.demonitor(self.pid, target, ref);
    return true;
  }

  /** `exit(pid, reason)`: sends an exit signal from `from`. */
  exit(from: Pid, to: Pid, reason: unknown): void {
    if (this.isLocalNode(to)) this.exitSignal(from, to, reason, false);
    else this.requireRemote('exit').exit(from, to, reason);
  }

  register(name: string, pid: Pid): void {
    this.checkName(name);
    const p = this.local(pid);
    if (!p) {
      throw new ProcessError('ERR_NOPROC', `cannot register ${JSON.stringify(name)}: ${pid} is not a live local process`);
    }
    if (p.name !== undefined) {
      throw new ProcessError('ERR_ALREADY_NAMED', `${pid} is already registered as ${JSON.stringify(p.name)}`);
    }
    this.setName(name, p);
  }

  unregister(name: string): boolean {
    const p = this.names.get(name);
    if (!p) return false;
    this.names.delete(name);
    p.name = undefined;
    return true;
  }

  whereis(name: string): Pid | undefined {
    return this.names.get(name)?.pid;
  }

  registered(): string[] {
    return [...this.names.keys()];
  }

  processes(): Pid[] {
    return [...this.procs.values()].map((p) => p.pid);
  }

  /** The live local process a destination names (a pid, a name, or `[name, this node]`), if any. */
  localTarget(dest: unknown): Process | undefined {
    if (dest instanceof Pid) return this.local(dest);
    if (typeof dest === 'string') return this.names.get(dest);
    return isNameAtNode(dest) && dest[1] === this.node ? this.names.get(dest[0]) : undefined;
  }

  /** Sends a message with a sequential-trace token to another node. */
  sendTokened(dest: Pid | [string, NodeName], msg: unknown, from: Process, token: SeqToken): void {
    this.requireRemote('send').sendTokened(dest, msg, from.pid, token);
  }

  /** Asks another node to trace its process `target` (a pid or `[name, node]`). */
  traceRemote(target: Pid | [string, NodeName], request: TraceRequest): void {
    this.requireRemote('trace a process').trace(target, request);
  }

  /** The live local process of `pid`, if any. */
  local(pid: Pid): Process | undefined {
    if (pid.node !== this.node || pid.creation !== this.creation) return undefined;
    return this.procs.get(pid.id);
  }

  isLocalNode(pid: Pid | Ref): boolean {
    return pid.node === this.node;
  }

  makeRef(): Ref {
    return new Ref(this.node, this.nextRef++, this.creation);
  }

  log(level: LogLevel, text: string): void {
    try {
      this.logger(level, text);
    } catch {
      defaultLogger(level, text);
    }
  }

  /** Sends log lines to `logger`; returns the one used until now. */
  setLogger(logger: Logger): Logger {
    const old = this.logger;
    this.logger = logger;
    return old;
  }

  setRemote(router: RemoteRouter | null): void {
    this.remote = router;
  }

  /** Kills every process (a node stopping). */
  shutdown(): void {
    for (const p of [...this.procs.values()]) this.terminate(p, 'killed');
    this.defaultProcess = null;
  }

  // Entry points for the distribution layer

  /** Delivers a message that arrived from another node; unknown targets drop it. */
  deliver(to: Pid | string, msg: unknown): void {
    if (typeof to === 'string') this.names.get(to)?.push(msg);
    else this.local(to)?.push(msg);
  }

  /** Delivers a message that arrived from another node with a sequential-trace token. */
  deliverTokened(to: Pid | string, msg: unknown, token: SeqToken): void {
    const p = typeof to === 'string' ? this.names.get(to) : this.local(to);
    if (p !== undefined) carry(p, msg, token);
    else dropped(this, token);
  }

  /** Applies an exit signal from `from` to the local `to`; `linked` when it comes from a link. */
  exitSignal(from: Pid, to: Pid, reason: unknown, linked: boolean): void {
    const p = this.local(to);
    if (!p) return;
    if (linked) {
      // A link gone before its signal came (unlinked while it was on the wire) is no link.
      if (!p.links?.delete(from.key)) return;
      if (p.trap) return p.push(['EXIT', from, reason]);
      if (reason !== 'normal') this.terminate(p, reason);
      return;
    }
    if (reason === 'kill') return this.terminate(p, 'killed');
    if (p.trap) return p.push(['EXIT', from, reason]);
    if (reason !== 'normal') this.terminate(p, reason);
  }

  /** A remote process linked to local `local`; false when `local` is not alive. */
  remoteLinked(local: Pid, remote: Pid): boolean {
    const p = this.local(local);
    if (!p) return false;
    p.links ??= new Map();
    p.links.set(remote.key, remote);
    this.remoteTouched.add(p);
    return true;
  }

  remoteUnlinked(local: Pid, remote: Pid): void {
    this.local(local)?.links?.delete(remote.key);
  }

  /** A remote `watcher` monitors local `target`; false when there is no such process. */
  remoteMonitor(target: Pid | string, watcher: Pid, ref: Ref): boolean {
    const p = typeof target === 'string' ? this.names.get(target) : this.local(target);
    if (!p) return false;
    p.watchers ??= new Map();
    // Monitored by name, its DOWN names it as Erlang's does: [name, node].
    p.watchers.set(this.refKey(ref), typeof target === 'string' ? [ref, watcher, target] : [ref, watcher]);
    this.remoteTouched.add(p);
    return true;
  }

  remoteDemonitor(ref: Ref): void {
    const key = this.refKey(ref);
    for (const p of this.remoteTouched) if (p.watchers?.delete(key)) return;
  }

  /** A remote process that local `watcher` monitored under `ref` has ended (or never was: 'noproc'). */
  remoteDown(watcher: Pid, ref: Ref, target: Pid | [string, NodeName], reason: unknown): void {
    this.down(this.local(watcher), ref, target, reason);
  }

  /**
   * The local `caller` asked another node to spawn `pid` linked to it and/or monitored
   * under `monitor`; the peer has set up its half, this is ours. A caller that died
   * meanwhile unlinks (the new process gets 'noproc') and drops the monitor.
   */
  remoteSpawned(caller: Pid, pid: Pid, link: boolean, monitor: Ref | null): void {
    const p = this.local(caller);
    if (!p) {
      if (link) this.remote?.linkExit(caller, pid, 'noproc');
      if (monitor) this.remote?.demonitor(caller, pid, monitor);
      return;
    }
    if (link) this.remoteLinked(caller, pid);
    if (monitor) {
      p.monitors ??= new Map();
      p.monitors.set(this.refKey(monitor), [monitor, pid]);
      this.remoteTouched.add(p);
    }
  }

  /** Another node went away: every link and monitor that crossed to it fires with 'noconnection'. */
  nodeDown(node: NodeName): void {
    for (const p of [...this.remoteTouched]) {
      if (p.watchers) for (const [k, [, w]] of p.watchers) if (w.node === node) p.watchers.delete(k);
      if (p.monitors) {
        for (const [ref, target] of [...p.monitors.values()]) {
          const targetNode = target instanceof Pid ? target.node : target[1];
          if (targetNode === node) this.down(p, ref, target, 'noconnection');
        }
      }
      if (p.links) for (const pid of [...p.links.values()]) if (pid.node === node) this.exitSignal(pid, p.pid, 'noconnection', true);
    }
  }

  // Internals

  /** A process body returned a rejection or threw: an exit() call, or a crash. */
  ended(p: Process, err: unknown): void {
    if (err instanceof ExitSignal) return this.terminate(p, err.reason);
    if (!p.alive) return;
    this.log('error', crashReport(p.pid, p.name, err));
    this.terminate(p, err);
  }

  terminate(p: Process, reason: unknown): void {
    if (!p.alive) return;
    if (p.trace !== null) p.trace.exited(reason);
    p.close();
    this.procs.delete(p.pid.id);
    if (p.name !== undefined) this.names.delete(p.name);
    if (this.defaultProcess === p) this.defaultProcess = null;
    this.remoteTouched.delete(p);
    const signal = reason === 'kill' ? 'killed' : reason;
    if (p.monitors) {
      for (const [, [ref, target]] of p.monitors) {
        if (target instanceof Pid && this.isLocalNode(target)) this.local(target)?.watchers?.delete(this.refKey(ref));
        else this.remote?.demonitor(p.pid, target, ref);
      }
    }
    if (p.watchers) {
      for (const [, [ref, watcher, name]] of p.watchers) {
        if (this.isLocalNode(watcher)) this.down(this.local(watcher), ref, p.pid, signal);
        else this.remote?.monitorDown(watcher, ref, name === undefined ? p.pid : [name, this.node], signal);
      }
    }
    if (p.links) {
      for (const pid of p.links.values()) {
        if (this.isLocalNode(pid)) this.exitSignal(p.pid, pid, signal, true);
        else this.remote?.linkExit(p.pid, pid, signal);
      }
    }
  }

  /** Tells `watcher` that the process it monitored under `ref` has ended. */
  down(watcher: Process | undefined, ref: Ref, target: Pid | [string, NodeName], reason: unknown): void {
    if (!watcher?.monitors?.delete(this.refKey(ref))) return;
    watcher.push(['DOWN', ref, 'process', target, reason]);
  }

  private adoptRemoteParent(p: Process, r: NonNullable<SpawnOptions['remote']>): void {
    if (r.link && r.parent) {
      p.links = new Map([[r.parent.key, r.parent]]);
      this.remoteTouched.add(p);
    }
    if (r.monitor && r.parent) {
      p.watchers = new Map([[this.refKey(r.monitor), [r.monitor, r.parent]]]);
      this.remoteTouched.add(p);
    }
    r.created(p.pid);
  }

  /**
   * A ref's key in the monitor tables: its number when this runtime made it (the refs of
   * every monitor and every call), else its string key. A number needs no string built,
   * flattened and hashed per monitor: a local GenServer.call took 5% less CPU.
   */
  private refKey(ref: Ref): RefKey {
    return ref.node === this.node && ref.creation === this.creation && ref.words === undefined ? ref.id : ref.key;
  }

  private linkLocal(a: Process, b: Process): void {
    if (a === b) return;
    a.links ??= new Map();
    b.links ??= new Map();
    a.links.set(b.pid.key, b.pid);
    b.links.set(a.pid.key, a.pid);
  }

  private remoteTarget(target: Pid | string | [string, NodeName]): Pid | [string, NodeName] | null {
    if (target instanceof Pid) return this.isLocalNode(target) ? null : target;
    if (Array.isArray(target) && target[1] !== this.node) return target;
    return null;
  }

  private requireRemote(what: string): RemoteRouter {
    if (this.remote) return this.remote;
    throw new ProcessError(
      'ERR_NOT_DISTRIBUTED',
      `cannot ${what} to another node: this node is not distributed (start it with --sname or --name)`,
    );
  }

  private checkName(name: unknown): void {
    if (typeof name !== 'string' || name === '') {
      throw new ProcessError('ERR_BAD_NAME', `a registered name must be a non-empty string, got: ${describe(name)}`);
    }
    const holder = this.names.get(name);
    if (holder) {
      throw new ProcessError('ERR_NAME_TAKEN', `the name ${JSON.stringify(name)} is already registered to ${holder.pid}`);
    }
  }

  private setName(name: string, p: Process): void {
    this.names.set(name, p);
    p.name = name;
  }
}

/** See `Runtime.refKey`. */
type RefKey = number | string;

function localName(target: string | [string, NodeName]): string {
  return typeof target === 'string' ? target : target[0];
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return String(JSON.stringify(value) ?? value);
  } catch {
    return String(value);
  }
}

/** Log lines as `[info] text` on stdout (the REPL puts its own above the prompt); debug lines only with PLAYGROUND_DEBUG set. */
const defaultLogger: Logger = (level, text) => {
  if (level === 'debug' && !process.env.PLAYGROUND_DEBUG) return;
  process.stdout.write(`[${level}] ${text}\n`);
};
