/**
 * @module process/process
 * One process as the runtime keeps it: a mailbox plus what links, monitors and names
 * need, the body it runs, and the errors and exit signals of the process API.
 */
import type { NodeName, Pid, Ref } from '../term.ts';
import { Mailbox } from './mailbox.ts';
import type { Owner } from './context.ts';
import type { Runtime } from './runtime.ts';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
export type Logger = (level: LogLevel, text: string) => void;

/** Errors with a stable code, for bad calls into the runtime. */
export class ProcessError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProcessError';
  }
}

/** Thrown by `exit(reason)` to end the calling process; caught by the runtime. */
export class ExitSignal {
  constructor(readonly reason: unknown) {}
}

/** A live process: its mailbox plus the bookkeeping that links, monitors and names need. */
export class Process extends Mailbox implements Owner {
  /** The promise the process function returned: undefined while it starts, null once done. */
  body: Promise<unknown> | undefined | null = undefined;
  links: Map<string, Pid> | null = null;
  /** Monitors this process holds: ref key to [ref, target]. */
  monitors: Map<string, [Ref, Pid | [string, NodeName]]> | null = null;
  /** Monitors on this process: ref key to [ref, watcher], plus the name a remote watcher monitored it by. */
  watchers: Map<string, [Ref, Pid, string?]> | null = null;
  trap = false;
  name: string | undefined = undefined;

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

export interface SpawnOptions {
  link?: boolean;
  monitor?: boolean;
  name?: string;
}

/** The reasons that end a process quietly: no crash report, no propagation to non-trapping links. */
export function isQuietReason(reason: unknown): boolean {
  return (
    reason === 'normal' || reason === 'shutdown' || (Array.isArray(reason) && reason[0] === 'shutdown')
  );
}
