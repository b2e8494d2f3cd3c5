/**
 * @module genserver/server
 * The server side of a GenServer: the process body that runs the callbacks.
 *
 * The message loop is a chain of small steps, as in `gen_server.erl`:
 * `loop` (take the next message) → `decode` (stop requests and the parent's exit) →
 * `handleMsg` (pick and run the callback) → `handleCommonReply` (check the result,
 * reply, keep the new state) → back to `loop`, or to `terminate`.
 *
 * Invariants:
 * - One message at a time: the next one is taken only after the callback (and the
 *   promise it may return) has settled.
 * - A callback's exception or `exit(reason)` becomes the server's exit reason; an
 *   abnormal one (not 'normal', 'shutdown' or ['shutdown', x]) is logged once, as a
 *   crash report with the last message and the state.
 * - When init fails, the name is unregistered and the link to the parent removed
 *   *before* the starter is told: otherwise a parent retrying at once could get
 *   'already_started', or be taken down by an exit signal for an error that `start`
 *   already reports.
 * - System requests (`sys.getState` and friends, see `system.ts`) are answered by the
 *   loop between two messages, never by a callback; while `sys.trace` is on, each
 *   message handled is reported before its callback runs and after it returns.
 */
import { Pid, moduleName, short } from '../term.ts';
import { currentProcess, setBehaviour, nameService, exit, isQuietReason, isThenable, formatReason, ExitSignal, TIMEOUT, type Process } from '../process/index.ts';
import { handleSystem, report, sinkDown, type Debug } from './system.ts';
import type { GenServerModule, From } from './types.ts';

/** Why the loop ends: the exit reason, and a reply to send after terminate, if any. */
interface Stop {
  reason: unknown;
  reply?: [From, unknown];
}

const NO_CONTINUE: unique symbol = Symbol('no continue');
/** What `decode` gives for a message the loop has answered itself (a system request). */
const HANDLED: unique symbol = Symbol('handled');
/** Stands for "run handleContinue" where the loop would otherwise take a message. */
const CONTINUE: unique symbol = Symbol('continue');

/** A running server: its module, its process and what the callbacks last returned. */
class Server {
  state: unknown = undefined;
  /** The argument of a pending handleContinue. */
  cont: unknown = NO_CONTINUE;
  /** How long to wait for a message before handleInfo('timeout'); Infinity for ever. */
  timeout = Infinity;
  /** Where `sys.trace` reports, while it is on. */
  debug: Debug | null = null;

  constructor(
    readonly mod: GenServerModule,
    readonly proc: Process,
    /** The process that started it with startLink; its exit stops a trapping server. */
    readonly parent: Pid | null,
  ) {}
}

// Callbacks side: the process body

/**
 * The body of every GenServer process: take its global name if it has one, init, tell
 * the starter, then loop.
 */
export async function serverMain(mod: GenServerModule, arg: unknown, starter: Pid, parent: Pid | null, serviceName?: readonly [string, string]): Promise<void> {
  const s = new Server(mod, currentProcess()!, parent);
  setBehaviour('GenServer', moduleName(mod));
  if (serviceName !== undefined) {
    const service = nameService(serviceName[0]);
    if ((await service.register(serviceName[1], s.proc.pid)) === 'no') {
      return initFailed(s, starter, ['already_started', service.whereis(serviceName[1])], arg);
    }
  }
  let result: unknown;
  try {
    result = mod.init(arg);
    if (isThenable(result)) result = await result;
  } catch (err) {
    return initFailed(s, starter, reasonOf(err), arg);
  }
  if (Array.isArray(result) && result[0] === 'ok' && (result.length === 2 || (result.length === 3 && setAction(s, result[2])))) {
    s.state = result[1];
    s.proc.rt.send(starter, ['$ack', s.proc.pid, 'ok'], s.proc);
    return loop(s);
  }
  if (Array.isArray(result) && result[0] === 'stop' && result.length === 2) return initFailed(s, starter, result[1], arg);
  return initFailed(s, starter, ['bad_return_value', result], arg);
}

// Internals

async function loop(s: Server): Promise<void> {
  const proc = s.proc;
  for (;;) {
    const msg = s.cont !== NO_CONTINUE ? CONTINUE : await proc.receive(undefined, s.timeout);
    let stop: Stop | null | typeof HANDLED;
    try {
      stop = decode(s, msg);
      if (stop === HANDLED) continue;
      if (stop === null) {
        if (s.debug !== null) debugIn(s, msg);
        let result = handleMsg(s, msg);
        if (isThenable(result)) result = await result;
        stop = handleCommonReply(s, msg, result);
        if (s.debug !== null && stop === null) debugOut(s, msg, result as unknown[]);
      }
    } catch (err) {
      stop = { reason: reasonOf(err) };
    }
    if (stop !== null) return terminate(s, stop, msg);
  }
}

/** Messages the generic part handles itself: a stop request, the parent's exit, system requests. */
function decode(s: Server, msg: unknown): Stop | null | typeof HANDLED {
  if (!Array.isArray(msg)) return null;
  if (msg[0] === '$gen_stop' && msg.length === 2) return { reason: msg[1] };
  if (msg[0] === 'EXIT' && msg.length === 3 && s.parent !== null && s.parent.equals(msg[1])) return { reason: msg[2] };
  if (msg[0] === '$system' && msg.length === 3 && isFrom(msg[1])) {
    handleSystem(s, msg[1], msg[2]);
    return HANDLED;
  }
  return sinkDown(s, msg) ? HANDLED : null;
}

/** Runs the callback for `msg` and gives what it returned (maybe a promise). */
function handleMsg(s: Server, msg: unknown): unknown {
  const mod = s.mod;
  if (msg === CONTINUE) {
    const arg = s.cont;
    s.cont = NO_CONTINUE;
    if (typeof mod.handleContinue !== 'function') throw new Error(`no handleContinue clause was provided in ${moduleName(mod)} for ${short(arg)} (GenServer ${who(s)})`);
    return mod.handleContinue(arg, s.state);
  }
  if (isCall(msg)) {
    if (typeof mod.handleCall !== 'function') throw new Error(`attempted to call GenServer ${who(s)} but no handleCall clause was provided in ${moduleName(mod)} for ${short(msg[2])}`);
    return mod.handleCall(msg[2], msg[1], s.state);
  }
  if (Array.isArray(msg) && msg[0] === '$gen_cast' && msg.length === 2) {
    if (typeof mod.handleCast !== 'function') throw new Error(`attempted to cast GenServer ${who(s)} but no handleCast clause was provided in ${moduleName(mod)} for ${short(msg[1])}`);
    return mod.handleCast(msg[1], s.state);
  }
  const info = msg === TIMEOUT ? 'timeout' : msg;
  if (typeof mod.handleInfo === 'function') return mod.handleInfo(info, s.state);
  s.proc.rt.log('warning', `GenServer ${who(s)} received an unexpected message in handleInfo (${moduleName(mod)} has none): ${short(info)}`);
  return ['noreply', s.state];
}

/** Checks a callback's result, sends a reply, keeps the new state; gives a Stop to end the loop. */
function handleCommonReply(s: Server, msg: unknown, result: unknown): Stop | null {
  const from = isCall(msg) ? msg[1] : null;
  if (Array.isArray(result)) {
    const n = result.length;
    switch (result[0]) {
      case 'reply':
        if (from !== null && (n === 3 || (n === 4 && setAction(s, result[3])))) {
          if (n === 3) s.timeout = Infinity;
          s.proc.rt.send(from[0], [from[1], result[1]], s.proc);
          s.state = result[2];
          return null;
        }
        break;
      case 'noreply':
        if (n === 2 || (n === 3 && setAction(s, result[2]))) {
          if (n === 2) s.timeout = Infinity;
          s.state = result[1];
          return null;
        }
        break;
      case 'stop':
        if (from !== null && n === 4) {
          s.state = result[3];
          return { reason: result[1], reply: [from, result[2]] };
        }
        if (n === 3) {
          s.state = result[2];
          return { reason: result[1] };
        }
        break;
    }
  }
  return { reason: ['bad_return_value', result] };
}

/** Applies an action; false when it is not one. */
function setAction(s: Server, action: unknown): boolean {
  if (typeof action === 'number' && action >= 0) s.timeout = action;
  else if (action === 'hibernate') s.timeout = Infinity;
  else if (typeof action === 'object' && action !== null && 'continue' in action) {
    s.timeout = Infinity;
    s.cont = (action as { continue: unknown }).continue;
  } else return false;
  return true;
}

/** Runs the terminate callback, sends a pending reply, reports an abnormal end, exits. */
async function terminate(s: Server, stop: Stop, lastMsg: unknown): Promise<never> {
  let reason = stop.reason;
  if (typeof s.mod.terminate === 'function') {
    try {
      const result = s.mod.terminate(reason, s.state);
      if (isThenable(result)) await result;
    } catch (err) {
      reason = reasonOf(err);
    }
  }
  if (stop.reply) s.proc.rt.send(stop.reply[0][0], [stop.reply[0][1], stop.reply[1]], s.proc);
  if (!isQuietReason(reason)) s.proc.rt.log('error', crashReport(s, reason, lastMsg));
  return exit(reason);
}

function initFailed(s: Server, starter: Pid, reason: unknown, arg: unknown): never {
  const { proc } = s;
  if (proc.name !== undefined) proc.rt.unregister(proc.name);
  if (s.parent !== null) proc.rt.unlink(proc, s.parent);
  proc.rt.send(starter, ['$ack', proc.pid, ['error', reason]], proc);
  if (!isQuietReason(reason)) {
    proc.rt.log('error', `GenServer ${who(s)} failed to start in init\n${formatReason(reason)}\nArgument: ${short(arg)}`);
  }
  return exit(reason);
}

function crashReport(s: Server, reason: unknown, msg: unknown): string {
  const last =
    msg === CONTINUE ? 'Last message: (handleContinue)'
    : isCall(msg) ? `Last message (from ${msg[1][0]}): ${short(msg[2])}`
    : `Last message: ${short(msg === TIMEOUT ? 'timeout' : msg)}`;
  return `GenServer ${who(s)} terminating\n${formatReason(reason)}\n${last}\nState: ${short(s.state)}`;
}

/** `sys.trace`: the message about to be handled. */
function debugIn(s: Server, msg: unknown): void {
  if (msg === CONTINUE) return report(s, 'continue', { msg: s.cont });
  if (isCall(msg)) return report(s, 'call', { msg: msg[2], from: msg[1][0] });
  if (Array.isArray(msg) && msg[0] === '$gen_cast' && msg.length === 2) return report(s, 'cast', { msg: msg[1] });
  report(s, 'info', { msg: msg === TIMEOUT ? 'timeout' : msg });
}

/** `sys.trace`: what the callback did (its result was valid and the server goes on). */
function debugOut(s: Server, msg: unknown, result: unknown[]): void {
  if (result[0] === 'reply' && isCall(msg)) report(s, 'reply', { value: result[1], to: msg[1][0], state: s.state });
  else report(s, 'state', { state: s.state });
}

function isCall(msg: unknown): msg is ['$gen_call', From, unknown] {
  return Array.isArray(msg) && msg[0] === '$gen_call' && msg.length === 3 && isFrom(msg[1]);
}

/** A caller and its tag: a Ref from a playground caller, an alias list from a BEAM one. */
function isFrom(from: unknown): from is From {
  return Array.isArray(from) && from.length === 2 && from[0] instanceof Pid && from[1] !== undefined;
}

/** An exception becomes the exit reason; `exit(reason)` inside a callback gives `reason`. */
function reasonOf(err: unknown): unknown {
  return err instanceof ExitSignal ? err.reason : err;
}

function who(s: Server): string {
  return s.proc.name === undefined ? `${s.proc.pid}` : `${s.proc.pid} (${s.proc.name})`;
}
