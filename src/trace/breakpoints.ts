/**
 * @module trace/breakpoints
 * Tracing a function itself, wherever it is called from: JavaScript's nearest thing to
 * Erlang's local call tracing (`dbg:tpl`).
 *
 * Replacing `Foo.bar` with a wrapper (what `dbg.calls` does by default) sees every call
 * that looks `bar` up on `Foo`, as Erlang's `dbg:tp` sees calls through a module's
 * export table. A call to the function by its own name inside the code that defines it
 * never looks at `Foo`, just as Erlang's local calls skip the export table. Erlang traces
 * those by putting a breakpoint into the function's code; V8 can do the same through its
 * inspector: a breakpoint on every call of the function, whose condition reports the
 * call and answers false, so the program never stops.
 *
 * The inspector session (in this thread, where it answers at once) is open while at
 * least one such trace runs, and closed with the last one, so nothing of the debugger
 * stays on when no trace needs it. The condition sees `arguments`; an arrow function has
 * none, so its parameters are named instead, which works for plain and rest parameters.
 */
import { Session } from 'node:inspector';
import { TraceError } from './tracer.ts';

/** Where breakpoint conditions call in: `globalThis[HOOK](id, args)`. */
const HOOK = Symbol.for('otp-playground.trace.hook');
/** Where a function waits a moment to be named to the inspector. */
const STASH = Symbol.for('otp-playground.trace.stash');

type Globals = Record<symbol, unknown>;

let session: Session | null = null;
const reports = new Map<number, (args: unknown[]) => void>();
let nextId = 1;
/** True while a breakpoint's condition runs: the inspector must not be called back then. */
let inCondition = false;

// Client API

/**
 * Calls `report(args)` on every call of `fn`, from anywhere, until the returned function
 * is called. Throws `TraceError` (ERR_NOT_TRACEABLE) for a function V8 cannot watch
 * (a built-in, a bound function, an arrow function with destructured parameters).
 */
export function onEveryCall(fn: Function, label: string, report: (args: unknown[]) => void): () => void {
  const id = nextId++;
  const condition = `globalThis[Symbol.for(${JSON.stringify(HOOK.description)})](${id}, ${argumentsOf(fn, label)})`;
  const s = openSession();
  let breakpointId: string;
  try {
    (globalThis as Globals)[STASH] = fn;
    const { result } = post(s, 'Runtime.evaluate', { expression: `globalThis[Symbol.for(${JSON.stringify(STASH.description)})]`, objectGroup: 'dbg' });
    ({ breakpointId } = post(s, 'Debugger.setBreakpointOnFunctionCall', { objectId: result.objectId, condition }));
  } catch (err) {
    closeIfIdle();
    throw new TraceError('ERR_NOT_TRACEABLE', `${label} cannot be traced where it runs: ${(err as Error).message}`);
  } finally {
    delete (globalThis as Globals)[STASH];
    post(s, 'Runtime.releaseObjectGroup', { objectGroup: 'dbg' });
  }
  reports.set(id, report);
  return function stopWatching() {
    // From inside a condition (a limit reached by this very call), V8 is mid-break: later.
    if (inCondition) return void setImmediate(stopWatching);
    if (!reports.delete(id) || session === null) return;
    post(session, 'Debugger.removeBreakpoint', { breakpointId });
    closeIfIdle();
  };
}

// Internals

function openSession(): Session {
  if (session !== null) return session;
  const s = new Session();
  s.connect();
  (globalThis as Globals)[HOOK] = function traceHook(id: number, args: ArrayLike<unknown>): false {
    inCondition = true;
    try {
      reports.get(id)?.(Array.from(args));
    } catch {
      // A report must never disturb the traced program.
    } finally {
      inCondition = false;
    }
    return false;
  };
  post(s, 'Debugger.enable', {});
  session = s;
  return s;
}

function closeIfIdle(): void {
  if (reports.size > 0 || session === null) return;
  const s = session;
  session = null;
  post(s, 'Debugger.disable', {});
  s.disconnect();
  delete (globalThis as Globals)[HOOK];
}

/** Sends one inspector command; in this thread the answer comes before `post` returns. */
function post(s: Session, method: string, params: object): any {
  let answered = false;
  let error: Error | null = null;
  let result: unknown;
  s.post(method, params, (err, res) => {
    answered = true;
    error = err;
    result = res;
  });
  if (!answered) throw new Error(`the inspector did not answer ${method} at once`);
  if (error !== null) throw error;
  return result;
}

/** How the condition names the call's arguments: `arguments`, or an arrow's own parameters. */
function argumentsOf(fn: Function, label: string): string {
  const src = Function.prototype.toString.call(fn);
  if (src.endsWith('{ [native code] }')) {
    throw new TraceError('ERR_NOT_TRACEABLE', `${label} is built in (or bound): only functions written in JavaScript can be traced where they run`);
  }
  const arrow = /^(?:async\s*)?(?:\(([^)]*)\)|([A-Za-z_$][\w$]*))\s*=>/.exec(src);
  if (arrow === null) return 'arguments';
  const params = (arrow[1] ?? arrow[2]!).split(',').map((p) => p.trim()).filter(Boolean);
  const names = params.map((p) => /^(\.\.\.)?([A-Za-z_$][\w$]*)(\s*=.*)?$/.exec(p));
  if (names.some((m) => m === null)) {
    throw new TraceError('ERR_NOT_TRACEABLE', `${label} is an arrow function with destructured parameters: write it with function to trace it where it runs`);
  }
  return `[${names.map((m) => `${m![1] ?? ''}${m![2]}`).join(', ')}]`;
}
