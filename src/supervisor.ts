/**
 * @module supervisor
 * OTP's supervisor: a process that starts children, watches them, and restarts them
 * by a strategy when they end, so that a crash costs a fresh start instead of the node.
 *
 * - Children start in the order given and stop in the reverse order, each with its
 *   `shutdown` time: an exit signal 'shutdown', then 'kill' when the time is up
 *   ('brutal_kill' kills at once; a supervisor child gets Infinity by default).
 * - `restart`: 'permanent' children are always restarted, 'transient' ones only
 *   after an abnormal exit (not 'normal', 'shutdown' or ['shutdown', x]), and
 *   'temporary' ones never (and then forgotten).
 * - `strategy`: 'one_for_one' restarts the child that ended; 'one_for_all' stops the
 *   others and restarts them all; 'rest_for_one' stops and restarts the children
 *   started after it, then it.
 * - More than `intensity` restarts within `period` ms (3 in 5000 by default) and the
 *   supervisor gives up: it logs a report, stops every child and exits with 'shutdown',
 *   so that its own supervisor can try a fresh start one level up.
 *
 * A child spec is `{ id, start, restart?, shutdown?, type? }`, where `start` is
 * `[fn, ...args]` or a function, called in the supervisor's process, that returns
 * (or resolves with) the pid of a process it linked to the caller: `GenServer.startLink`,
 * `Supervisor.startLink`, `spawnLink`. A GenServer callback module stands for
 * `{ id: its name, start: [GenServer.startLink, module, undefined] }`, `[module, arg]`
 * for the same with `arg`; a module with `childSpec(arg)` gives its own spec.
 *
 * The supervisor is itself a GenServer that traps exits (its callbacks are in
 * supervisor/server.ts); children's exits reach it as `['EXIT', pid, reason]`.
 *
 * @example
 * iex(bob)> const Stack = { init: (items) => ['ok', items], handleCall: (_req, _from, [top, ...rest]) => ['reply', top, rest] }
 * iex(bob)> const sup = await Supervisor.start([
 * ...   { id: 'stack', start: [GenServer.startLink, Stack, ['hello'], { name: 'stack' }] },
 * ... ], { strategy: 'one_for_one' })
 * iex(bob)> await Supervisor.whichChildren(sup)
 * [ [ 'stack', #PID<0.121.0>, 'worker' ] ]
 */
import { Pid, equal, moduleName, short } from './term.ts';
import * as GenServer from './genserver.ts';
import { unknownKey } from './keys.ts';
import { SupervisorServer, type Spec, type Strategy, type SupFlags } from './supervisor/server.ts';
import { CodedError } from './errors.ts';

export type { Strategy } from './supervisor/server.ts';

/** What `start` of a child spec may be: `[fn, ...args]`, or a function of no arguments. */
export type StartFn = (() => Pid | Promise<Pid>) | readonly [(...args: any[]) => Pid | Promise<Pid>, ...unknown[]];

export interface ChildSpec {
  /** Names the child within its supervisor; any term. */
  id: unknown;
  start: StartFn;
  /** Default 'permanent'. */
  restart?: 'permanent' | 'transient' | 'temporary';
  /** ms to wait after 'shutdown' before 'kill', Infinity, or 'brutal_kill'. Default 5000 (Infinity for supervisors). */
  shutdown?: number | 'brutal_kill';
  /** Default 'worker'. */
  type?: 'worker' | 'supervisor';
}

/** A child as `start` takes it: a spec, a GenServer module, or `[module, arg]`. */
export type Child = ChildSpec | GenServer.GenServerModule | readonly [GenServer.GenServerModule, unknown];

export interface SupervisorOptions {
  strategy: Strategy;
  /** Restarts allowed within `period` before the supervisor gives up (default 3). */
  intensity?: number;
  /** ms (default 5000). */
  period?: number;
  /** A name to register the supervisor under (`['global', name]`: cluster-wide). */
  name?: GenServer.StartOptions['name'];
}

export type SupervisorErrorCode =
  | 'ERR_NOT_FOUND' | 'ERR_RUNNING' | 'ERR_RESTARTING' | 'ERR_ALREADY_PRESENT' | 'ERR_ALREADY_STARTED'
  | 'ERR_START_CHILD' | 'ERR_BAD_ARG';

/** `reason` as data: 'not_found', `['already_started', pid]`, the child's start error, ... */
export class SupervisorError extends CodedError<SupervisorErrorCode> {}

// Client API

/**
 * Starts a supervisor with `children` and resolves with its pid once every child has
 * started. If a child fails to start, the ones already started are stopped and start
 * rejects (a GenServerError, code 'ERR_INIT', with reason
 * `['shutdown', ['failed_to_start_child', id, why]]`).
 *
 * @example
 * iex(bob)> const Counter = { name: 'Counter', init: (n) => ['ok', n] }
 * iex(bob)> await Supervisor.start([[Counter, 0]], { strategy: 'one_for_one', name: 'sup' })
 * iex(bob)> await Supervisor.whichChildren('sup')
 * [ [ 'Counter', #PID<0.125.0>, 'worker' ] ]
 */
export async function start(children: readonly Child[], opts: SupervisorOptions): Promise<Pid> {
  return GenServer.start(SupervisorServer, init(children, opts), { name: opts.name });
}

/**
 * Like `start`, and links the supervisor to the caller: how a supervisor becomes the
 * child of another.
 *
 * @example
 * iex(bob)> const sub = { id: 'sub', start: [Supervisor.startLink, [], { strategy: 'one_for_all' }], type: 'supervisor' }
 * iex(bob)> const top = await Supervisor.start([sub], { strategy: 'one_for_one' })
 * iex(bob)> await Supervisor.countChildren(top)
 * { specs: 1, active: 1, supervisors: 1, workers: 0 }
 */
export async function startLink(children: readonly Child[], opts: SupervisorOptions): Promise<Pid> {
  return GenServer.startLink(SupervisorServer, init(children, opts), { name: opts.name });
}

/**
 * Stops the supervisor and, before it, its children in reverse start order.
 *
 * @example
 * iex(bob)> await Supervisor.stop(top)
 * 'ok'
 */
export function stop(sup: GenServer.ServerRef, reason: unknown = 'normal', timeout = Infinity): Promise<'ok'> {
  return GenServer.stop(sup, reason, timeout);
}

/**
 * Each child as `[id, pid, type]`, in start order; the pid is 'undefined' for a child
 * that is not running and 'restarting' while a restart is being retried. `timeout`
 * (ms, default none, as OTP's) bounds the wait for a busy supervisor.
 *
 * @example
 * iex(bob)> await Supervisor.whichChildren(sup)
 * [ [ 'stack', #PID<0.121.0>, 'worker' ] ]
 */
export function whichChildren(sup: GenServer.ServerRef, timeout = Infinity): Promise<Array<[unknown, Pid | 'undefined' | 'restarting', string]>> {
  return GenServer.call(sup, ['which_children'], timeout);
}

/**
 * How many children there are: specs, running (active), supervisors and workers.
 *
 * @example
 * iex(bob)> await Supervisor.countChildren(sup)
 * { specs: 1, active: 1, supervisors: 0, workers: 1 }
 */
export function countChildren(sup: GenServer.ServerRef): Promise<{ specs: number; active: number; supervisors: number; workers: number }> {
  return GenServer.call(sup, ['count_children'], Infinity);
}

/**
 * Stops child `id` (keeping its spec, unless it is temporary) and gives 'ok'.
 *
 * @example
 * iex(bob)> await Supervisor.terminateChild(sup, 'stack')
 * 'ok'
 */
export function terminateChild(sup: GenServer.ServerRef, id: unknown): Promise<'ok'> {
  return request(sup, ['terminate_child', id], id) as Promise<'ok'>;
}

/**
 * Starts again a child that was stopped with `terminateChild` and gives its new pid.
 *
 * @example
 * iex(bob)> await Supervisor.restartChild(sup, 'stack')
 * #PID<0.130.0>
 */
export function restartChild(sup: GenServer.ServerRef, id: unknown): Promise<Pid> {
  return request(sup, ['restart_child', id], id) as Promise<Pid>;
}

/**
 * Forgets the spec of a stopped child.
 *
 * @example
 * iex(bob)> await Supervisor.terminateChild(sup, 'stack'); await Supervisor.deleteChild(sup, 'stack')
 * 'ok'
 */
export function deleteChild(sup: GenServer.ServerRef, id: unknown): Promise<'ok'> {
  return request(sup, ['delete_child', id], id) as Promise<'ok'>;
}

/**
 * Adds a child to a running supervisor, starts it, and gives its pid.
 *
 * @example
 * iex(bob)> await Supervisor.startChild(sup, { id: 'later', start: [GenServer.startLink, Stack, []] })
 * #PID<0.133.0>
 */
export async function startChild(sup: GenServer.ServerRef, child: Child): Promise<Pid> {
  const spec = toSpec(child);
  return request(sup, ['start_child', spec], spec.id) as Promise<Pid>;
}

// Internals

/** Makes a request whose answer is 'ok', ['ok', value] or ['error', reason] (thrown). */
async function request(sup: GenServer.ServerRef, req: unknown[], childId: unknown): Promise<unknown> {
  const answer = await GenServer.call(sup, req, Infinity);
  if (answer === 'ok') return 'ok';
  if (answer[0] === 'ok') return answer[1];
  throw failure(answer[1], short(childId));
}

function failure(reason: unknown, id: string): SupervisorError {
  if (reason === 'not_found') return new SupervisorError('ERR_NOT_FOUND', `no child with id ${id}`, reason);
  if (reason === 'running') return new SupervisorError('ERR_RUNNING', `child ${id} is running; terminateChild it first`, reason);
  if (reason === 'restarting') return new SupervisorError('ERR_RESTARTING', `child ${id} is being restarted`, reason);
  if (reason === 'already_present') {
    return new SupervisorError('ERR_ALREADY_PRESENT', `a child with id ${id} exists (not running); use restartChild or deleteChild`, reason);
  }
  if (Array.isArray(reason) && reason[0] === 'already_started') {
    return new SupervisorError('ERR_ALREADY_STARTED', `child ${id} is already running as ${reason[1]}`, reason);
  }
  return new SupervisorError('ERR_START_CHILD', `child ${id} failed to start: ${short(reason)}`, reason);
}

/** Checks the options and every child spec in the caller, before any process starts. */
function init(children: readonly Child[], opts: SupervisorOptions): [Spec[], SupFlags] {
  const flags = toFlags(opts);
  if (!Array.isArray(children)) throw new SupervisorError('ERR_BAD_ARG', `expected a list of children. Got: ${short(children)}`);
  const specs = children.map(toSpec);
  specs.forEach((spec, i) => {
    if (specs.findIndex((other) => equal(other.id, spec.id)) !== i) {
      throw new SupervisorError('ERR_BAD_ARG', `two children have the id ${short(spec.id)}; ids must be unique`);
    }
  });
  return [specs, flags];
}

const STRATEGIES: readonly Strategy[] = ['one_for_one', 'one_for_all', 'rest_for_one'];

function toFlags(opts: SupervisorOptions): SupFlags {
  if (typeof opts !== 'object' || opts === null || !STRATEGIES.includes(opts.strategy)) {
    throw new SupervisorError('ERR_BAD_ARG', `expected options with strategy 'one_for_one', 'one_for_all' or 'rest_for_one'. Got: ${short(opts)}`);
  }
  const unknown = unknownKey(opts, ['strategy', 'intensity', 'period', 'name']);
  if (unknown) throw new SupervisorError('ERR_BAD_ARG', `bad supervisor options: ${unknown}`);
  const { intensity = 3, period = 5000 } = opts;
  if (!Number.isInteger(intensity) || intensity < 0 || typeof period !== 'number' || !(period > 0)) {
    throw new SupervisorError('ERR_BAD_ARG', `expected intensity: integer >= 0 and period: ms > 0. Got: intensity ${short(intensity)}, period ${short(period)}`);
  }
  return { strategy: opts.strategy, intensity, period };
}

const RESTARTS = ['permanent', 'transient', 'temporary'];
const TYPES = ['worker', 'supervisor'];

function toSpec(child: Child): Spec {
  if (Array.isArray(child) || isModule(child)) return moduleSpec(child as GenServer.GenServerModule | [GenServer.GenServerModule, unknown]);
  const c = child as ChildSpec;
  const bad = (what: string) =>
    new SupervisorError('ERR_BAD_ARG', `bad child spec: ${what}. Expected { id, start: [fn, ...args] or () => pid, restart?, shutdown?, type? }. Got: ${short(child)}`);
  if (typeof c !== 'object' || c === null || c.id === undefined) throw bad('it needs an id');
  const unknown = unknownKey(c, ['id', 'start', 'restart', 'shutdown', 'type']);
  if (unknown) throw bad(unknown);
  const start = c.start;
  let run: () => unknown;
  if (typeof start === 'function') run = start;
  else if (Array.isArray(start) && typeof start[0] === 'function') run = () => start[0](...start.slice(1));
  else throw bad('start must be [fn, ...args] or a function');
  const restart = c.restart ?? 'permanent';
  if (!RESTARTS.includes(restart)) throw bad(`restart must be 'permanent', 'transient' or 'temporary'`);
  const type = c.type ?? 'worker';
  if (!TYPES.includes(type)) throw bad(`type must be 'worker' or 'supervisor'`);
  const shutdown = c.shutdown ?? (type === 'supervisor' ? Infinity : 5000);
  if (shutdown !== 'brutal_kill' && !(typeof shutdown === 'number' && shutdown >= 0)) throw bad(`shutdown must be ms >= 0, Infinity or 'brutal_kill'`);
  return { id: c.id, start: run, restart, shutdown, type };
}

function isModule(x: unknown): x is GenServer.GenServerModule {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as GenServer.GenServerModule).init === 'function';
}

function moduleSpec(child: GenServer.GenServerModule | readonly [GenServer.GenServerModule, unknown]): Spec {
  const [module, arg] = Array.isArray(child) ? child : [child, undefined];
  if (!isModule(module) || (Array.isArray(child) && child.length !== 2)) {
    throw new SupervisorError('ERR_BAD_ARG', `a child given as [module, arg] needs a GenServer module with init. Got: ${short(child)}`);
  }
  const own = (module as { childSpec?: (arg: unknown) => ChildSpec }).childSpec;
  if (typeof own === 'function') return toSpec(own.call(module, arg));
  const id = moduleName(module);
  if (id === 'module') {
    throw new SupervisorError('ERR_BAD_ARG', `a module without a name needs a full child spec with an id. Got: ${short(module)}`);
  }
  return toSpec({ id, start: () => GenServer.startLink(module, arg) });
}
