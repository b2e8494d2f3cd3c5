/**
 * @module trace/calls
 * Function-call tracing, the seed's `SmartTracer.trace(&Foo.bar/1, 5, return: true)`
 * done the playground's way: `dbg.calls('Foo.bar', 5, { return: true })`.
 *
 * Two scopes, after Erlang's `dbg:tp` and `dbg:tpl`:
 * - 'global' (the default): `Foo.bar` is replaced by a wrapper that reports and then
 *   calls the original. Every call that looks `bar` up on `Foo` is seen, from anywhere
 *   (`Foo.bar(x)`, `this.bar(x)` inside Foo). Return values are seen too: a value, a
 *   throw, or, for a promise, what it settles with.
 * - 'local': the function itself is watched (see `breakpoints.ts`), so calls that do not
 *   go through `Foo` are seen too: a call by name inside the code that defines it. The
 *   call and its arguments only; its return stays out of sight.
 *
 * The limit counts calls and is counted in the caller, at the call: when it is reached
 * the wrapper takes itself out (or the breakpoint goes) at once, so a hot function
 * reports `limit` calls and then runs untouched. Events go to the node's tracer
 * (`tracer.ts`), which prints, records or hands them on.
 */
import { runInThisContext } from 'node:vm';
import { _, Pid } from '../term.ts';
import { currentProcess, type Runtime } from '../process/index.ts';
import { onEveryCall } from './breakpoints.ts';
import { qualified, term, type CallEvent, type ExceptionEvent, type ReturnEvent } from './format.ts';
import { TraceError, dbgOf, discard, open, owner, watch, type Handler, type Trace } from './tracer.ts';

export interface CallsOptions {
  /** Also report what each call returns, throws, or its promise settles with (scope 'global'). */
  return?: boolean;
  /** Keep the events for `dbg.playback()`. */
  record?: boolean;
  /** 'global' (default): calls through the object; 'local': every call of the function itself. */
  scope?: 'global' | 'local';
  /** Gets the events instead of the prompt: a function (run in the tracer), or a pid (sent ['trace', event]). */
  handler?: Handler;
}

/** One function found by a target: where it lives (if anywhere) and under which key. */
interface Found {
  holder: object | null;
  key: string;
  fn: Function;
}

// Client API

/** Traces the calls of `target` (see `dbg.calls`); gives the number of functions traced. */
export function traceCalls(target: unknown, limit: unknown, opts: CallsOptions = {}): number {
  const max = checkLimit(limit, 'dbg.calls', 'calls');
  checkOptions(opts);
  const by = owner('dbg.calls');
  const { module, found } = resolveTarget(target);
  const scope = opts.scope ?? (found.every((f) => f.holder !== null) ? 'global' : 'local');
  if (scope === 'local' && opts.return) {
    throw new TraceError('ERR_BAD_ARG', "dbg.calls: a trace with { scope: 'local' } sees calls but not their returns; leave out return: true");
  }
  const label = qualified(module, found.length === 1 ? found[0]!.key : '*');
  for (const f of found) if (scope === 'global') checkReplaceable(f, qualified(module, f.key));
  const d = dbgOf();
  const undos: Array<() => void> = [];
  const trace = open(d, by, {
    kind: 'calls', what: label, limit: max, returns: opts.return === true, handler: opts.handler ?? null,
    record: opts.record === true, undo: () => undos.splice(0).forEach((u) => u()),
  });
  if (opts.handler instanceof Pid) watch(d, trace, opts.handler, `: its handler ${opts.handler} exited`);
  const state: CallState = { rt: d.rt, trace, tracer: d.tracer!.pid, remaining: max, undo: trace.undo };
  try {
    for (const f of found) {
      const name = qualified(module, f.key);
      undos.push(scope === 'global' ? replace(f, state, module) : onEveryCall(f.fn, name, (args) => callEvent(state, module, f.key, args)));
    }
  } catch (err) {
    discard(d, trace);
    throw err;
  }
  return found.length;
}

// Internals

/** What the wrappers of one trace share. */
interface CallState {
  rt: Runtime;
  trace: Trace;
  tracer: Pid;
  /** Calls still to report; the wrappers stop reporting at 0. */
  remaining: number;
  undo(): void;
}

/** Wrappers this module made, so a traced function is not traced twice. */
const wrappers = new WeakSet<Function>();

/** Puts a reporting wrapper in place of `holder[key]`; gives what puts the original back. */
function replace(f: Found, state: CallState, module: string): () => void {
  const { holder, key, fn } = f as Found & { holder: object };
  const traced = function (this: unknown, ...args: unknown[]): unknown {
    if (state.remaining <= 0) return invoke(fn, this, args, new.target);
    const event = callEvent(state, module, key, args);
    if (!state.trace.returns || event === null) return invoke(fn, this, args, new.target);
    const ends = { pid: event.pid, module, function: key, arity: args.length };
    let result: unknown;
    try {
      result = invoke(fn, this, args, new.target);
    } catch (error) {
      emit(state, { type: 'exception', ...ends, error, time: new Date() } satisfies ExceptionEvent);
      throw error;
    }
    if (result === null || typeof (result as PromiseLike<unknown>)?.then !== 'function') {
      emit(state, { type: 'return', ...ends, value: result, time: new Date() } satisfies ReturnEvent);
      return result;
    }
    return (result as PromiseLike<unknown>).then(
      (value) => {
        emit(state, { type: 'return', ...ends, value, awaited: true, time: new Date() } satisfies ReturnEvent);
        return value;
      },
      (error) => {
        emit(state, { type: 'exception', ...ends, error, awaited: true, time: new Date() } satisfies ExceptionEvent);
        throw error;
      },
    );
  };
  Object.defineProperty(traced, 'name', { value: fn.name });
  Object.defineProperty(traced, 'length', { value: fn.length });
  wrappers.add(traced);
  const own = Object.getOwnPropertyDescriptor(holder, key);
  Object.defineProperty(holder, key, own ? { value: traced } : { value: traced, writable: true, configurable: true, enumerable: false });
  return function restore() {
    if ((holder as Record<string, unknown>)[key] !== traced) return; // replaced since: leave it
    if (own) Object.defineProperty(holder, key, own);
    else delete (holder as Record<string, unknown>)[key];
  };
}

/** Reports a call, counting it against the limit; null when the limit was already reached. */
function callEvent(state: CallState, module: string, fn: string, args: unknown[]): CallEvent | null {
  if (state.remaining <= 0) return null;
  if (--state.remaining === 0) state.undo();
  const event: CallEvent = { type: 'call', pid: currentProcess()?.pid, module, function: fn, arity: args.length, args, time: new Date() };
  emit(state, event);
  return event;
}

/** Hands an event to the tracer; a tracer that is gone (killed) ends the trace here. */
function emit(state: CallState, event: CallEvent | ReturnEvent | ExceptionEvent): void {
  const tracer = state.rt.local(state.tracer);
  if (tracer === undefined) {
    state.remaining = 0;
    return state.undo();
  }
  tracer.push(['trace', state.trace.id, event]);
}

function invoke(fn: Function, self: unknown, args: unknown[], newTarget: Function | undefined): unknown {
  return newTarget === undefined ? fn.apply(self, args) : Reflect.construct(fn, args, newTarget);
}

/**
 * The functions a target names: `'Foo.bar'` or `'Foo.*'` (looked up as the prompt sees
 * them), `[Foo, 'bar']` or `[Foo, '*']`, or a function itself. Gives the name to print
 * them under (`'Foo'`) with them.
 */
function resolveTarget(target: unknown): { module: string; found: Found[] } {
  if (typeof target === 'function') return { module: '', found: [{ holder: null, key: target.name || '(anonymous)', fn: target }] };
  if (typeof target === 'string') {
    if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*(\.\*)?$/.test(target)) throw badTarget(target);
    const parts = target.split('.');
    if (parts.length === 1) {
      const fn = lookup(target);
      if (typeof fn !== 'function') throw new TraceError('ERR_NOT_TRACEABLE', `dbg.calls: ${target} is not a function (got ${term(fn)})`);
      const holder = (globalThis as Record<string, unknown>)[target] === fn ? globalThis : null;
      return { module: '', found: [{ holder, key: target, fn }] };
    }
    const key = parts.pop()!;
    let holder = lookup(parts[0]!);
    for (const p of parts.slice(1)) holder = holder === null || holder === undefined ? undefined : (holder as Record<string, unknown>)[p];
    return { module: parts.join('.'), found: functionsOf(holder, key, parts.join('.')) };
  }
  if (Array.isArray(target) && target.length === 2 && (typeof target[1] === 'string' || target[1] === _)) {
    const key = target[1] === _ ? '*' : (target[1] as string);
    const module = nameOf(target[0]);
    return { module, found: functionsOf(target[0], key, module) };
  }
  throw badTarget(target);
}

function functionsOf(holder: unknown, key: string, module: string): Found[] {
  if ((typeof holder !== 'object' && typeof holder !== 'function') || holder === null) {
    throw new TraceError('ERR_NOT_TRACEABLE', `dbg.calls: ${module} is not an object with functions (got ${term(holder)})`);
  }
  if (key !== '*') {
    const fn = (holder as Record<string, unknown>)[key];
    if (typeof fn !== 'function') {
      throw new TraceError('ERR_NOT_TRACEABLE', `dbg.calls: ${module}.${key} is not a function (got ${term(fn)})`);
    }
    return [{ holder, key, fn }];
  }
  const keys = new Set(Object.getOwnPropertyNames(holder));
  const proto = Object.getPrototypeOf(holder);
  if (proto !== null && proto !== Object.prototype && proto !== Function.prototype) for (const k of Object.getOwnPropertyNames(proto)) keys.add(k);
  const found: Found[] = [];
  for (const k of keys) {
    if (k === 'constructor' || (typeof holder === 'function' && ['length', 'name', 'prototype', 'caller', 'arguments'].includes(k))) continue;
    // Data properties only: a getter is not called just to see what it gives.
    const fn = (Object.getOwnPropertyDescriptor(holder, k) ?? Object.getOwnPropertyDescriptor(proto, k))?.value;
    if (typeof fn === 'function' && !wrappers.has(fn)) found.push({ holder, key: k, fn });
  }
  if (found.length === 0) throw new TraceError('ERR_NOT_TRACEABLE', `dbg.calls: ${module} has no functions to trace`);
  return found;
}

/** Throws unless `holder[key]` can be replaced by a wrapper. */
function checkReplaceable(f: Found, label: string): void {
  const { holder, key, fn } = f;
  if (wrappers.has(fn)) {
    throw new TraceError('ERR_ALREADY_TRACED', `dbg.calls: ${label} is already traced (dbg.traces() lists the traces, dbg.stop() ends them)`);
  }
  const own = holder === null ? undefined : Object.getOwnPropertyDescriptor(holder, key);
  const module = holder !== null && (holder as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Module';
  const why =
    holder === null ? 'it belongs to no object'
    : own === undefined ? (Object.isExtensible(holder) ? null : 'its object is frozen')
    : own.get !== undefined || own.set !== undefined ? 'it is reached through a getter, as an ES module\'s exports may be'
    : !own.configurable && (!own.writable || module) ? 'it is fixed in place, as an ES module\'s exports are'
    : null;
  if (why !== null) {
    throw new TraceError('ERR_NOT_TRACEABLE', `dbg.calls: ${label} cannot be replaced by a tracing wrapper (${why}): trace the function itself with { scope: 'local' }`);
  }
}

/** The value a name has where the prompt evaluates (its declarations live in this context). */
function lookup(name: string): unknown {
  try {
    return runInThisContext(`typeof ${name} === 'undefined' ? undefined : ${name}`);
  } catch {
    return undefined;
  }
}

export function checkLimit(limit: unknown, fn: string, unit: string): number {
  if (limit === undefined) {
    throw new TraceError('ERR_NO_LIMIT', `${fn} needs a limit: how many ${unit} to trace before it stops by itself (e.g. 10)`);
  }
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new TraceError('ERR_NO_LIMIT', `${fn} expects the limit as a whole number of ${unit} >= 1. Got: ${term(limit)}`);
  }
  return limit;
}

function checkOptions(opts: unknown): asserts opts is CallsOptions {
  const o = opts as CallsOptions;
  const ok =
    typeof opts === 'object' && opts !== null &&
    (o.scope === undefined || o.scope === 'global' || o.scope === 'local') &&
    (o.handler === undefined || typeof o.handler === 'function' || o.handler instanceof Pid);
  if (!ok) {
    throw new TraceError('ERR_BAD_ARG', `dbg.calls expects options { return?, record?, scope?: 'global' | 'local', handler?: function or pid }. Got: ${term(opts)}`);
  }
}

function badTarget(target: unknown): TraceError {
  return new TraceError('ERR_BAD_ARG', `dbg.calls expects 'Foo.bar', 'Foo.*', [object, 'name'] or a function. Got: ${term(target)}`);
}

/** A name to print an object's functions under: a class's or function's name, else its constructor's. */
function nameOf(holder: unknown): string {
  if (typeof holder === 'function' && holder.name) return holder.name;
  const ctor = (holder as { constructor?: { name?: string } } | null)?.constructor;
  return ctor?.name && ctor !== Object ? ctor.name : 'Object';
}
