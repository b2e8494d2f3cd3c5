/**
 * @module genserver/types
 * The contract between a callback module and the generic server: what each callback
 * may return, who a call is from, how a server is named, how it is started. The
 * callbacks themselves are described in `genserver.ts`, which re-exports these types.
 */
import type { NodeName, Pid } from '../term.ts';

/**
 * Who a call is from: the caller's pid and the call's unique tag. Pass it to `reply`.
 * The tag is a Ref from a playground caller; a BEAM caller's is whatever it chose
 * (OTP 25's is an alias list, `[alias | Ref]`), to be given back as it came.
 */
export type From = readonly [Pid, unknown];
/** What a callback may add to its result: `{ continue: x }`, a timeout in ms, or 'hibernate'. */
export type Action = number | 'hibernate' | { readonly continue: unknown };
type Awaitable<T> = T | Promise<T>;

export type InitResult<S> = readonly ['ok', S] | readonly ['ok', S, Action] | readonly ['stop', unknown];
export type CallResult<S> =
  | readonly ['reply', unknown, S]
  | readonly ['reply', unknown, S, Action]
  | readonly ['noreply', S]
  | readonly ['noreply', S, Action]
  | readonly ['stop', unknown, unknown, S]
  | readonly ['stop', unknown, S];
export type NoReplyResult<S> = readonly ['noreply', S] | readonly ['noreply', S, Action] | readonly ['stop', unknown, S];

/** A callback module: a plain object, a class instance or a class with static methods. */
export interface GenServerModule<S = any> {
  init(arg: any): Awaitable<InitResult<S>>;
  handleCall?(request: any, from: From, state: S): Awaitable<CallResult<S>>;
  handleCast?(request: any, state: S): Awaitable<NoReplyResult<S>>;
  handleInfo?(msg: any, state: S): Awaitable<NoReplyResult<S>>;
  handleContinue?(arg: any, state: S): Awaitable<NoReplyResult<S>>;
  terminate?(reason: unknown, state: S): unknown;
}

/** A name kept by a name service, cluster-wide: `['global', 'x']` (see `global.ts`). */
export type GlobalName = readonly ['global', string];

/** A server to talk to: its pid, its registered name, `[name, node]` or `['global', name]`. */
export type ServerRef = Pid | string | readonly [string, NodeName] | GlobalName;

export interface StartOptions {
  /** Registers the server under this name (or `['global', name]` cluster-wide) before init runs. */
  name?: string | GlobalName;
  /** How long init may take, in ms (default: no limit); then the server is killed. */
  timeout?: number;
}
