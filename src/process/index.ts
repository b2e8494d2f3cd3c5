/**
 * @module process
 * Erlang's processes for JavaScript: spawn, self, send, selective receive, links,
 * monitors, exit signals, trapped exits and registered names.
 *
 * Every function acts on the runtime of the calling process, or, outside any process,
 * on the default runtime (the node the REPL runs). A process is an async function:
 * it lives until the function returns (reason 'normal'), throws (a crash, reported
 * once), calls `exit(reason)`, or is killed by an exit signal.
 *
 * @example
 * iex(bob)> const pid = spawn(async () => { const [from, x] = await receive(); send(from, x * 2) })
 * iex(bob)> send(pid, [self(), 21])
 * iex(bob)> await receive()
 * 42
 */
import { unknownKey } from '../keys.ts';
import { Pid, Ref, isNameAtNode, type NodeName, type Pattern } from '../term.ts';
import { running } from './context.ts';
import { TIMEOUT } from './mailbox.ts';
import { ExitSignal, ProcessError } from './process.ts';
import { Process, Runtime } from './runtime.ts';

export { TIMEOUT, ReceiveError } from './mailbox.ts';
export { ExitSignal, ProcessError, isQuietReason, isThenable } from './process.ts';
export { Process, Runtime } from './runtime.ts';
export type { Logger, LogLevel, RemoteRouter, SpawnOptions, TraceRequest } from './process.ts';
export { startTraceAgent, type AgentStart } from './trace-agent.ts';
export {
  SEND, RECEIVE, PROCS, carry, isToken, isTracer, markTracer, sendEvent, setToken, setMessageTrace, clearMessageTrace,
  type ProcessEvent, type SeqEvent, type SeqToken,
} from './trace.ts';
export { formatReason, userFrames } from './report.ts';
export { setNameService, isServiceName, nameService, type NameService } from './name-services.ts';

/** A message destination: a pid, a locally registered name, or `[name, node]`. */
export type Dest = Pid | string | readonly [string, NodeName];

let defaultRuntime: Runtime | null = null;

/** The runtime of the calling process, else the default one (created on first use). */
export function currentRuntime(): Runtime {
  const p = running() as Process | null;
  if (p !== null) return p.rt;
  return (defaultRuntime ??= new Runtime());
}

/** Makes `rt` the runtime that code outside any process acts on. */
export function setDefaultRuntime(rt: Runtime | null): void {
  defaultRuntime = rt;
}

/** The calling process, or the runtime's default process, or null. */
export function currentProcess(): Process | null {
  const p = running() as Process | null;
  if (p !== null) return p;
  return defaultRuntime?.defaultProcess ?? null;
}

function requireProcess(what: string): Process {
  const p = currentProcess();
  if (p) return p;
  throw new ProcessError('ERR_NO_PROCESS', `${what} must be called inside a process (spawn one first)`);
}

// Client API

/** Starts a process running `fn(...args)` and returns its pid. */
export function spawn(fn: Function, ...args: unknown[]): Pid {
  return currentRuntime().spawn(fn, args, currentProcess())[0];
}

/** Like `spawn`, and links the new process to the caller. */
export function spawnLink(fn: Function, ...args: unknown[]): Pid {
  return currentRuntime().spawn(fn, args, requireProcess('spawnLink'), { link: true })[0];
}

/** Like `spawn`, and monitors the new process: returns `[pid, ref]`. */
export function spawnMonitor(fn: Function, ...args: unknown[]): [Pid, Ref] {
  const [pid, ref] = currentRuntime().spawn(fn, args, requireProcess('spawnMonitor'), { monitor: true });
  return [pid, ref!];
}

/** The pid of the calling process. */
export function self(): Pid {
  return requireProcess('self()').pid;
}

/**
 * Sends `msg` to `dest` and returns `msg`. A dead pid drops it silently; an
 * unregistered name throws.
 *
 * @example
 * iex(bob)> send(self(), ['hello', 'world'])
 * [ 'hello', 'world' ]
 * iex(bob)> await receive()
 * [ 'hello', 'world' ]
 */
export function send<T>(dest: Dest, msg: T): T {
  if ((msg as unknown) === TIMEOUT) throw new ProcessError('ERR_BAD_MESSAGE', 'TIMEOUT cannot be sent as a message');
  const p = running() as Process | null;
  if (p !== null) return p.rt.send(dest, msg, p) as T;
  return currentRuntime().send(dest, msg, currentProcess()) as T;
}

/**
 * Takes the first queued message that matches `pattern` (any message when omitted),
 * waiting for one if none is queued. With `{ after: ms }` (or just `ms`) it gives
 * `TIMEOUT` when the time runs out; `receive({ after: ms })` alone waits for any
 * message, as Erlang's `receive ... after`.
 *
 * @example
 * iex(bob)> send(self(), ['b', 2]); send(self(), ['a', 1])
 * iex(bob)> await receive(['a', _])
 * [ 'a', 1 ]
 * iex(bob)> await receive(_, { after: 10 })
 * [ 'b', 2 ]
 * iex(bob)> await receive('never', 10)
 * TIMEOUT
 * iex(bob)> await receive({ after: 10 })
 * TIMEOUT
 */
export function receive(pattern?: Pattern, opts?: { after?: number } | number): Promise<any> {
  const p = (running() as Process | null) ?? requireProcess('receive()');
  if (opts === undefined && isAfterOnly(pattern)) return receive(undefined, pattern);
  let after = Infinity;
  if (typeof opts === 'number') after = opts;
  else if (typeof opts === 'object' && opts !== null) {
    const unknown = unknownKey(opts, ['after']);
    if (unknown) return Promise.reject(new ProcessError('ERR_BAD_ARG', `receive's options are { after: ms }: ${unknown}`));
    after = opts.after ?? Infinity;
  } else if (opts !== undefined) {
    return Promise.reject(new ProcessError('ERR_BAD_ARG', `receive(pattern, { after: ms }) takes ms or { after: ms } second, got: ${String(opts)}`));
  }
  if (typeof after !== 'number' || Number.isNaN(after) || after < 0) {
    return Promise.reject(new ProcessError('ERR_BAD_TIMEOUT', `after must be a number of milliseconds >= 0 (or Infinity), got: ${String(after)}`));
  }
  return p.receive(pattern, after);
}

/** Takes and returns every message waiting in the caller's mailbox. */
export function flush(): unknown[] {
  return requireProcess('flush()').drain();
}

/**
 * Runs `fn` in a new process and settles with what it returns or throws: how code
 * outside any process (a test, a lesson's check, a call made from the prompt) does
 * what only a process can, such as wait in `receive`. With `timeout` (ms), a process
 * still running by then is killed and the promise rejects with `ERR_TIMEOUT`.
 *
 * @example
 * await inProcess(async () => { send(self(), 'hi'); return await receive() }) //=> 'hi'
 * await inProcess(() => receive(), { timeout: 10 }).catch((e) => e.code) //=> 'ERR_TIMEOUT'
 */
export function inProcess<T>(fn: () => T | Promise<T>, opts: { timeout?: number; runtime?: Runtime } = {}): Promise<T> {
  const rt = opts.runtime ?? currentRuntime();
  const timeout = opts.timeout ?? Infinity;
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const [pid] = rt.spawn(
      async function inProcessBody() {
        try {
          resolve(await fn());
        } catch (err) {
          reject(err);
        } finally {
          clearTimeout(timer);
        }
      },
      [],
      null,
    );
    if (timeout === Infinity) return;
    timer = setTimeout(() => {
      reject(new ProcessError('ERR_TIMEOUT', `the process ${pid} did not finish within ${timeout} ms`));
      rt.exit(pid, pid, 'kill');
    }, timeout);
  });
}

/** Links the caller and `pid`: when one ends abnormally, the other gets its exit signal. */
export function link(pid: Pid): true {
  checkPid(pid, 'link');
  const p = requireProcess('link');
  p.rt.link(p, pid);
  return true;
}

export function unlink(pid: Pid): true {
  checkPid(pid, 'unlink');
  const p = requireProcess('unlink');
  p.rt.unlink(p, pid);
  return true;
}

/**
 * Monitors `target`: when it ends (or is already gone), the caller receives
 * `['DOWN', ref, 'process', pid, reason]`.
 */
export function monitor(target: Dest): Ref {
  const p = requireProcess('monitor');
  if (!(target instanceof Pid) && typeof target !== 'string' && !isNameAtNode(target)) {
    throw new ProcessError('ERR_BAD_ARG', `monitor expects a pid, a name or [name, node], got: ${String(target)}`);
  }
  return p.rt.monitor(p, target as Pid | string | [string, NodeName]);
}

/** Stops monitoring; with `{ flush: true }` also drops a 'DOWN' for `ref` already queued. */
export function demonitor(ref: Ref, opts?: { flush?: boolean }): boolean {
  const p = requireProcess('demonitor');
  return p.rt.demonitor(p, ref, opts?.flush ?? false);
}

/**
 * `exit(reason)` ends the calling process with `reason`; `exit(pid, reason)` sends
 * it an exit signal ('kill' cannot be trapped).
 */
export function exit(reason: unknown): never;
export function exit(pid: Pid, reason: unknown): true;
export function exit(a: unknown, b?: unknown): true {
  if (arguments.length < 2) throw new ExitSignal(a);
  checkPid(a, 'exit');
  const p = currentProcess();
  const rt = p?.rt ?? currentRuntime();
  rt.exit(p?.pid ?? new Pid(rt.node, 0, rt.creation), a as Pid, b);
  return true;
}

/** With `true`, exit signals arrive as `['EXIT', pid, reason]` messages. Returns the old flag. */
export function trapExit(flag: boolean): boolean {
  const p = requireProcess('trapExit');
  const old = p.trap;
  p.trap = Boolean(flag);
  return old;
}

export function register(name: string, pid: Pid): true {
  currentRuntime().register(name, pid);
  return true;
}

export function unregister(name: string): boolean {
  return currentRuntime().unregister(name);
}

export function whereis(name: string): Pid | undefined {
  return currentRuntime().whereis(name);
}

export function registered(): string[] {
  return currentRuntime().registered();
}

export function processes(): Pid[] {
  return currentRuntime().processes();
}

/**
 * True when `pid`, a process of this node, is alive. A pid of another node is refused,
 * as Erlang's `is_process_alive/1` refuses one: only its node can tell (at the prompt,
 * `isAlive` asks it).
 *
 * @example
 * iex(bob)> isAlive(self())
 * true
 */
export function isAlive(pid: Pid): boolean {
  checkPid(pid, 'isAlive');
  const rt = currentRuntime();
  checkLocal(rt, pid, 'isAlive');
  return rt.local(pid) !== undefined;
}

export function makeRef(): Ref {
  return currentRuntime().makeRef();
}

export interface ProcessInfo {
  pid: Pid;
  registeredName: string | undefined;
  status: 'waiting' | 'runnable';
  messageQueueLen: number;
  messages: unknown[];
  links: Pid[];
  monitors: Array<Pid | [string, NodeName]>;
  monitoredBy: Pid[];
  trapExit: boolean;
  initialCall: string;
  /** What it is: 'GenServer', 'Supervisor', 'shell' (the prompt's process) or 'process'. */
  kind: string;
  /** A GenServer's callback module, by name. */
  module: string | undefined;
}

/** How each item of `processInfo` is read from a live process. */
const INFO: { [K in keyof ProcessInfo]: (p: Process) => ProcessInfo[K] } = {
  pid: (p) => p.pid,
  registeredName: (p) => p.name,
  status: (p) => (p.waiting ? 'waiting' : 'runnable'),
  messageQueueLen: (p) => p.size,
  messages: (p) => p.peek(),
  links: (p) => [...(p.links?.values() ?? [])],
  monitors: (p) => [...(p.monitors?.values() ?? [])].map(([, target]) => target),
  monitoredBy: (p) => [...(p.watchers?.values() ?? [])].map(([, watcher]) => watcher),
  trapExit: (p) => p.trap,
  initialCall: (p) => p.fn.name || '(anonymous)',
  kind: (p) => p.behaviour?.[0] ?? (p === p.rt.defaultProcess ? 'shell' : 'process'),
  module: (p) => p.behaviour?.[1],
};
const ITEMS = Object.keys(INFO) as Array<keyof ProcessInfo>;

/**
 * What a process of this node is doing, or undefined when it is not alive. With `items`,
 * only those (as Erlang's `process_info(Pid, ItemList)`): cheaper when the messages are
 * not needed. A pid of another node is refused, as by Erlang's `process_info` (at the
 * prompt, `processInfo` and `i` ask its node).
 *
 * @example
 * iex(bob)> processInfo(self(), ['trapExit'])
 * { trapExit: false }
 */
export function processInfo(pid: Pid): ProcessInfo | undefined;
export function processInfo<K extends keyof ProcessInfo>(pid: Pid, items: readonly K[]): Pick<ProcessInfo, K> | undefined;
export function processInfo(pid: Pid, items: ReadonlyArray<keyof ProcessInfo> = ITEMS): Partial<ProcessInfo> | undefined {
  checkPid(pid, 'processInfo');
  const unknown = Array.isArray(items) ? items.filter((k) => !Object.hasOwn(INFO, k)) : [items];
  if (unknown.length > 0) {
    throw new ProcessError('ERR_BAD_ARG', `processInfo items are among ${ITEMS.join(', ')}. Got: ${JSON.stringify(unknown)}`);
  }
  const rt = currentRuntime();
  checkLocal(rt, pid, 'processInfo');
  const p = rt.local(pid);
  if (!p) return undefined;
  const info: Record<string, unknown> = {};
  for (const k of items) info[k] = INFO[k](p);
  return info as Partial<ProcessInfo>;
}

/**
 * Says what the calling process is, for `processInfo` and the web view: its behaviour
 * and callback module, as OTP's proc_lib keeps `'$initial_call'` for observer.
 * GenServer and Supervisor call it for their processes.
 *
 * @example
 * // Inside a GenServer's process (internal: the prompt does not offer it):
 * setBehaviour('GenServer', 'Stack')
 * processInfo(self()).kind //=> 'GenServer'
 */
export function setBehaviour(kind: string, module?: string): 'ok' {
  if (typeof kind !== 'string' || kind === '') throw new ProcessError('ERR_BAD_ARG', `setBehaviour expects a kind such as 'GenServer', got: ${String(kind)}`);
  requireProcess('setBehaviour').behaviour = [kind, module];
  return 'ok';
}

// Internals

/** `{ after: ms }` and nothing else: options given without a pattern. */
function isAfterOnly(v: unknown): v is { after: number } {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === 'after' && typeof (v as { after: unknown }).after === 'number';
}

function checkLocal(rt: Runtime, pid: Pid, what: string): void {
  if (pid.node !== rt.node) {
    throw new ProcessError('ERR_NOT_LOCAL', `${what}(${pid}): that process is on ${pid.node}, and only its node can tell (as in Erlang); at the prompt, ${what} asks it`);
  }
}

function checkPid(v: unknown, what: string): asserts v is Pid {
  if (!(v instanceof Pid)) throw new ProcessError('ERR_BAD_ARG', `${what} expects a pid, got: ${String(v)}`);
}
