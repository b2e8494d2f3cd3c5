/**
 * @module process/process
 * What the runtime and the callers of the process API share: the errors and exit
 * signals of the API, the options of spawn, the logger, which exit reasons are quiet,
 * and the `RemoteRouter` that the distribution layer implements.
 * (The `Process` class itself lives with the table that owns it, in `runtime.ts`.)
 */
import type { NodeName, Pid, Ref } from '../term.ts';
import { CodedError } from '../errors.ts';
import type { SeqToken } from './trace.ts';

/** `trace` is a tracer's output line (printed as is, above the prompt). */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'trace';
export type Logger = (level: LogLevel, text: string) => void;

/** Bad calls into the runtime (and into pg and PubSub, which speak in its terms). */
export class ProcessError extends CodedError {}

/** Thrown by `exit(reason)` to end the calling process; caught by the runtime. */
export class ExitSignal {
  constructor(readonly reason: unknown) {}
}

export interface SpawnOptions {
  link?: boolean;
  monitor?: boolean;
  name?: string;
  /**
   * A spawn asked for by a process on another node (`spawn('bob@vm', fn)`): it is
   * linked to that process and/or monitored by it under `monitor` before `fn` runs,
   * and `created` is told the pid first, so the reply leaves before any exit signal.
   */
  remote?: { parent: Pid | null; link: boolean; monitor: Ref | null; created(pid: Pid): void };
}

/** The reasons that end a process quietly: no crash report, no propagation to non-trapping links. */
export function isQuietReason(reason: unknown): boolean {
  return (
    reason === 'normal' || reason === 'shutdown' || (Array.isArray(reason) && reason[0] === 'shutdown')
  );
}

/** True for a promise or any other object with a `then` method (what `await` waits on). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Where messages for other nodes go; implemented by the distribution layer. */
export interface RemoteRouter {
  send(to: Pid | [string, NodeName], msg: unknown, from: Pid | null): void;
  /** A message carrying a sequential-trace token. */
  sendTokened(to: Pid | [string, NodeName], msg: unknown, from: Pid, token: SeqToken): void;
  /** Asks `target`'s node to trace it (see `trace-agent.ts`); the answer comes to `request.replyTo`. */
  trace(target: Pid | [string, NodeName], request: TraceRequest): void;
  link(from: Pid, to: Pid): void;
  unlink(from: Pid, to: Pid): void;
  monitor(watcher: Pid, target: Pid | [string, NodeName], ref: Ref): void;
  demonitor(watcher: Pid, target: Pid | [string, NodeName], ref: Ref): void;
  /** `exit(to, reason)` called by `from` on a remote pid. */
  exit(from: Pid, to: Pid, reason: unknown): void;
  /** `from`, linked to the remote `to`, has ended with `reason`. */
  linkExit(from: Pid, to: Pid, reason: unknown): void;
  /** `target` (a pid, or `[name, node]` when monitored by name), watched by the remote `watcher` under `ref`, has ended. */
  monitorDown(watcher: Pid, ref: Ref, target: Pid | [string, NodeName], reason: unknown): void;
}

/**
 * A message trace asked of a process's node: an agent there forwards up to `limit`
 * events of `flags` to `tracer` under `id`, and `replyTo` gets `[ref, ['ok', agent]]`,
 * `[ref, 'noproc']` or `[ref, 'not_traceable']`.
 */
export interface TraceRequest {
  replyTo: Pid;
  ref: Ref;
  tracer: Pid;
  id: number;
  flags: number;
  limit: number;
}
