/**
 * @module repl/shell
 * The shell is a process, as in iex: code typed at the prompt runs as the shell process,
 * so `self()` is its pid, messages sent to it wait in its mailbox, and `receive` and
 * `flush` read that mailbox. It is the runtime's default process: the process that code
 * outside any process acts as.
 *
 * When the shell dies (a linked process crashed, `exit(self(), 'kill')`, `exit(reason)`
 * typed at the prompt), a new shell with a new pid takes its place and the prompt says
 * why, as iex does: `** (EXIT from #PID<0.110.0>) shell process exited with reason: killed`.
 * A small watcher process monitors the shell to know.
 */
import { _, format, type Pid } from '../term.ts';
import { monitor, receive, formatReason, type Process, type Runtime } from '../process/index.ts';

export interface ShellEvents {
  /** The shell died on its own (not asked for at the prompt) and was replaced; `text` says why. */
  restarted(text: string): void;
}

export class Shell {
  private proc: Process | null = null;
  private release: (() => void) | null = null;
  private watcher: Process | null = null;
  private stopped = false;

  constructor(
    private readonly rt: Runtime,
    private readonly events: ShellEvents,
  ) {}

  /** The current shell's pid. */
  get pid(): Pid {
    return this.proc!.pid;
  }

  start(): void {
    this.spawnShell();
    this.spawnWatcher();
  }

  /** `exit(reason)` was typed at the prompt: the shell ends with `reason` and is replaced. */
  exitFromPrompt(reason: unknown): void {
    const old = this.proc;
    if (old === null) return;
    // Replaced first, so the watcher sees a pid that is no longer the shell and stays quiet.
    this.spawnShell();
    this.rt.terminate(old, reason);
  }

  /**
   * Drops the receive the shell waits in, if any: its evaluation was cancelled, so the
   * next message must go to the next receive (or stay in the mailbox), not to nobody.
   */
  cancelReceive(): void {
    this.proc?.cancelReceive();
  }

  /** Ends the shell normally (the REPL is closing). */
  stop(): void {
    this.stopped = true;
    if (this.watcher) this.rt.terminate(this.watcher, 'shutdown');
    this.release?.();
    if (this.proc && this.rt.defaultProcess === this.proc) this.rt.defaultProcess = null;
  }

  // Internals

  private spawnShell(): void {
    const owner = this;
    const [pid] = this.rt.spawn(
      function shell() {
        return new Promise<void>((resolve) => (owner.release = resolve));
      },
      [],
      null,
    );
    this.proc = this.rt.local(pid)!;
    this.rt.defaultProcess = this.proc;
  }

  private spawnWatcher(): void {
    const owner = this;
    const [pid] = this.rt.spawn(
      async function shellWatcher() {
        for (;;) {
          const watched = owner.pid;
          const ref = monitor(watched);
          const down = (await receive(['DOWN', ref, 'process', _, _])) as [string, unknown, string, Pid, unknown];
          if (owner.stopped) return;
          owner.died(watched, down[4]);
        }
      },
      [],
      null,
    );
    this.watcher = this.rt.local(pid) ?? null;
  }

  private died(pid: Pid, reason: unknown): void {
    if (!this.proc?.pid.equals(pid)) return;
    this.spawnShell();
    const why = reason instanceof Error ? `an exception was raised:\n    ${formatReason(reason).replace(/\n/g, '\n    ')}` : format(reason);
    this.events.restarted(`** (EXIT from ${pid}) shell process exited with reason: ${why}`);
  }
}
