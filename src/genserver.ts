/**
 * @module genserver
 * OTP's generic server: a process that holds a state and answers requests one at a
 * time, with the callbacks of Erlang's `gen_server` and Elixir's `GenServer`.
 *
 *     User module                      Generic (this module)
 *     -----------                      ---------------------
 *                                      start / startLink  -> spawn, register name
 *     init(arg)                <-----  (in the new process; start waits for it)
 *                                      call / cast / send -> loop: one message at a time
 *     handleCall(req, from, s) <-----  ['$gen_call', [pid, ref], req]
 *     handleCast(req, s)       <-----  ['$gen_cast', req]
 *     handleInfo(msg, s)       <-----  any other message
 *     handleContinue(x, s)     <-----  after a result with { continue: x }
 *     terminate(reason, s)     <-----  stop, a crash, or the parent's exit when trapping
 *
 * Callbacks and what they may return (results are arrays, as OTP's tuples; any
 * callback may be async; every one but init is optional):
 * - `init(arg)`: `['ok', state]`, `['ok', state, action]` or `['stop', reason]`.
 * - `handleCall(request, from, state)`: `['reply', value, state]`, `['reply', value,
 *   state, action]`, `['noreply', state]` (answer later with `reply(from, value)`),
 *   `['noreply', state, action]`, `['stop', reason, value, state]` or
 *   `['stop', reason, state]`.
 * - `handleCast(request, state)`, `handleInfo(msg, state)`, `handleContinue(x, state)`:
 *   `['noreply', state]`, `['noreply', state, action]` or `['stop', reason, state]`.
 * - `terminate(reason, state)`: its result is ignored.
 * - An action is `{ continue: x }` (handleContinue runs before the next message),
 *   a number of ms (handleInfo gets `'timeout'` if no message comes in that time) or
 *   `'hibernate'` (accepted; nothing to do in JavaScript).
 *
 * Missing callbacks behave as OTP's defaults: an unexpected info message is logged as
 * a warning and dropped; a call or cast without its callback crashes the server
 * with "no handleCall clause ..."; terminate is skipped. Anything else returned is
 * a crash with reason `['bad_return_value', result]`.
 *
 * Protocol: a call is `['$gen_call', [callerPid, ref], request]`, answered with
 * `[ref, value]`; the caller monitors the server under `ref`, so a server that dies,
 * or whose node goes away, ends the call at once. A cast is `['$gen_cast', request]`.
 * `stop` sends `['$gen_stop', reason]`. Everything is plain data, so calls to a
 * `[name, node]` or a remote pid work through the runtime's send and monitor alone.
 *
 * @example
 * iex(bob)> const Stack = {
 * ...   init(items) { return ['ok', items] },
 * ...   handleCall(req, _from, items) { return req === 'pop' ? ['reply', items[0], items.slice(1)] : ['reply', items, items] },
 * ...   handleCast([op, item], items) { return ['noreply', [item, ...items]] },
 * ... }
 * iex(bob)> const pid = await GenServer.start(Stack, ['hello'], { name: 'stack' })
 * iex(bob)> GenServer.cast('stack', ['push', 'world'])
 * 'ok'
 * iex(bob)> await GenServer.call('stack', 'pop')
 * 'world'
 */
import { Pid, Ref, short, type NodeName } from './term.ts';
import { currentProcess, currentRuntime, inProcess, isServiceName, nameService, ProcessError } from './process/index.ts';
import { GenServerError } from './genserver/errors.ts';
import { doStart } from './genserver/start.ts';
import { CALL, CAST, WHEREIS, callFrom, checkServer, resolve, stopFrom } from './genserver/request.ts';
import type { From, GenServerModule, ServerRef, StartOptions } from './genserver/types.ts';

export { GenServerError, type GenServerErrorCode } from './genserver/errors.ts';
export type { Action, CallResult, From, GenServerModule, InitResult, NoReplyResult, ServerRef, StartOptions } from './genserver/types.ts';

// Client API

/**
 * Starts a server running `module` with `init(arg)` and resolves with its pid once
 * init has returned. Rejects (code `ERR_INIT`) when init returns `['stop', reason]`,
 * throws or returns anything else, and (code `ERR_ALREADY_STARTED`) when `name` is taken.
 *
 * @example
 * iex(bob)> await GenServer.start({ init: (n) => ['ok', n] }, 0, { name: 'counter' })
 * #PID<0.112.0>
 * iex(bob)> await GenServer.start({ init: (n) => ['ok', n] }, 0, { name: 'counter' }).catch((e) => e.reason)
 * [ 'already_started', #PID<0.112.0> ]
 */
export function start(module: GenServerModule, arg?: unknown, opts: StartOptions = {}): Promise<Pid> {
  return doStart(module, arg, opts, false);
}

/**
 * Like `start`, and links the server to the caller: if one of them crashes, the
 * other gets the exit signal. A supervisor starts its children this way.
 *
 * @example
 * iex(bob)> await GenServer.startLink({ init: () => ['ok', []] })
 * #PID<0.115.0>
 */
export function startLink(module: GenServerModule, arg?: unknown, opts: StartOptions = {}): Promise<Pid> {
  return doStart(module, arg, opts, true);
}

/**
 * Sends `request` to `server` and waits up to `timeout` ms (default 5000, or
 * `Infinity`) for its reply. Rejects with a `GenServerError` whose `code` says why:
 * `ERR_NOPROC`, `ERR_TIMEOUT`, `ERR_EXIT` (the server crashed or stopped first; the
 * reason is in `err.reason[0]`), `ERR_NODEDOWN` or `ERR_CALLING_SELF`. Outside a
 * process the call is made from a short-lived process of its own. A process makes one
 * call at a time; a reply that comes after the timeout lands in its mailbox as
 * `[ref, value]` (as in OTP before process aliases).
 *
 * @example
 * iex(bob)> await GenServer.call('stack', 'pop')
 * 'hello'
 * iex(bob)> await GenServer.call('nobody', 'ping').catch((e) => e.code)
 * 'ERR_NOPROC'
 */
export function call<T = any>(server: ServerRef, request: unknown, timeout: number = 5000): Promise<T> {
  const p = currentProcess();
  if (p === null || p === p.rt.defaultProcess) return inProcess(() => call(server, request, timeout));
  return callFrom(p, server, request, timeout, CALL) as Promise<T>;
}

/**
 * Sends `request` to `server` without waiting; `handleCast` gets it. Always gives
 * 'ok', also when the server is not there (as OTP's cast).
 *
 * @example
 * iex(bob)> GenServer.cast('stack', ['push', 'world'])
 * 'ok'
 */
export function cast(server: ServerRef, request: unknown): 'ok' {
  checkServer(server, CAST);
  const target = isServiceName(server) ? nameService(server[0]).whereis(server[1]) : server;
  if (target === undefined) return 'ok';
  try {
    currentRuntime().send(target, ['$gen_cast', request], currentProcess());
  } catch (err) {
    if (!(err instanceof ProcessError) || (err.code !== 'ERR_NOT_REGISTERED' && err.code !== 'ERR_NOT_DISTRIBUTED')) throw err;
  }
  return 'ok';
}

/**
 * Answers a call that `handleCall` took with `['noreply', state]`; `from` is the
 * second argument handleCall got. Gives 'ok'.
 *
 * @example
 * iex(bob)> const Later = {
 * ...   init: () => ['ok', null],
 * ...   handleCall(req, from, s) { setTimeout(() => GenServer.reply(from, req * 2), 10); return ['noreply', s] },
 * ... }
 * iex(bob)> await GenServer.call(await GenServer.start(Later), 21)
 * 42
 */
export function reply(from: From, value: unknown): 'ok' {
  if (!Array.isArray(from) || from.length !== 2 || !(from[0] instanceof Pid) || from[1] === undefined) {
    throw new GenServerError('ERR_BAD_ARG', `reply expects the [pid, tag] that handleCall got as from, got: ${short(from)}`);
  }
  currentRuntime().send(from[0], [from[1], value], currentProcess());
  return 'ok';
}

/**
 * Stops `server` with `reason` (default 'normal'), running its terminate callback,
 * and resolves with 'ok' once it has ended. Rejects like `call` when the server is
 * not there, takes longer than `timeout` ms, or ends with another reason.
 *
 * @example
 * iex(bob)> await GenServer.stop('stack')
 * 'ok'
 */
export function stop(server: ServerRef, reason: unknown = 'normal', timeout: number = Infinity): Promise<'ok'> {
  const p = currentProcess();
  if (p === null || p === p.rt.defaultProcess) return inProcess(() => stop(server, reason, timeout));
  return stopFrom(p, server, reason, timeout);
}

/**
 * The pid of a server given by name, or undefined when none has that name; a pid is
 * given back as is.
 *
 * @example
 * iex(bob)> GenServer.whereis('counter')
 * #PID<0.112.0>
 * iex(bob)> GenServer.whereis('nobody') === undefined
 * true
 */
export function whereis(server: ServerRef): Pid | readonly [string, NodeName] | undefined {
  checkServer(server, WHEREIS);
  return resolve(currentRuntime(), server);
}
