/**
 * @module repl/helpers
 * The helpers preloaded at the prompt, as a table: name to value. Each one has a doc in
 * `docs.ts` that `h()` shows. Most are the library's own functions; a few are made for
 * the prompt: `flush()` prints what it takes, as iex's does; `i()` prints tables; `v(n)`
 * gives the result of input `n`.
 *
 * Helpers whose modules the prompt does not need to appear are loaded just after it
 * appears (`later.ts`); the REPL holds input until they are there.
 */
import * as dist from '../node/index.ts';
import { aliveOf, epmdPort } from '../node/epmd.ts';
import { names as epmdNames } from '../node/epmd-client.ts';
import * as pg from '../pg.ts';
import * as proc from '../process/index.ts';
import { remoteProcessInfo } from '../node/info-server.ts';
import { _, Pid, format, match, printedNode } from '../term.ts';
import type { Colors } from './colors.ts';

/** What the helpers need from the REPL around them. */
export interface HelperEnv {
  colors: Colors;
  /** Prints whole lines (above the prompt when one is showing). */
  print(text: string): void;
  /** `flush()` took these messages from the shell's mailbox. */
  flushed(messages: readonly unknown[]): void;
  /** The value of input `n`. */
  result(n: number): unknown;
  /** The number of the last evaluated input. */
  lastCount(): number;
}

export type Helpers = Record<string, unknown>;

/** The helpers of the process runtime, the node and the prompt itself. */
export function coreHelpers(env: HelperEnv): Helpers {
  return {
    // Nodes
    node: dist.node,
    list: dist.list,
    connect: dist.connect,
    disconnect: dist.disconnect,
    names: async function names(): Promise<Array<[string, number]>> {
      return (await epmdNames(epmdPort())).names.map(([name, port]) => [aliveOf(name), port]);
    },
    monitorNodes: dist.monitorNodes,
    // Processes
    self: proc.self,
    spawn: proc.spawn,
    spawnLink: proc.spawnLink,
    spawnMonitor: proc.spawnMonitor,
    send: proc.send,
    receive: proc.receive,
    flush: function flush(): string {
      const messages = proc.flush();
      env.flushed(messages);
      if (messages.length > 0) env.print(messages.map((m) => format(m, env.colors.isColorSupported)).join('\n'));
      return 'ok';
    },
    link: proc.link,
    unlink: proc.unlink,
    monitor: proc.monitor,
    demonitor: proc.demonitor,
    exit: proc.exit,
    trapExit: proc.trapExit,
    makeRef: proc.makeRef,
    // Names
    register: proc.register,
    unregister: proc.unregister,
    whereis: proc.whereis,
    registered: proc.registered,
    // Looking around: a pid of another node is asked about at its node (a promise, awaited)
    processes: proc.processes,
    isAlive: function isAlive(pid: Pid): boolean | Promise<boolean> {
      const info = infoOf(pid);
      return info instanceof Promise ? info.then((i) => i !== undefined) : info !== undefined;
    },
    processInfo: function processInfo(pid: Pid): proc.ProcessInfo | undefined | Promise<proc.ProcessInfo | undefined> {
      return infoOf(pid);
    },
    i: function i(pid?: Pid): void | Promise<void> {
      if (pid === undefined) {
        const infos = proc.processes().flatMap((p) => proc.processInfo(p) ?? []);
        return env.print(processTable(infos, env.colors));
      }
      const show = (info: proc.ProcessInfo | undefined) =>
        env.print(info === undefined ? `${format(pid)} is not alive` : infoTable(info, env.colors));
      const info = infoOf(pid);
      return info instanceof Promise ? info.then(show) : show(info);
    },
    pid: function pid(...parts: unknown[]): Pid {
      return pidOf(parts);
    },
    v: function v(n?: number): unknown {
      const last = env.lastCount();
      const at = n === undefined ? last : n < 0 ? last + 1 + n : n;
      return env.result(at);
    },
    // Process groups
    pg: {
      join: pg.join,
      leave: pg.leave,
      getMembers: pg.getMembers,
      getLocalMembers: pg.getLocalMembers,
      whichGroups: pg.whichGroups,
      whichLocalGroups: pg.whichLocalGroups,
      monitor: pg.monitor,
      monitorScope: pg.monitorScope,
      demonitor: pg.demonitor,
    },
    getMembers: pg.getMembers,
    // Patterns
    _,
    match,
    TIMEOUT: proc.TIMEOUT,
  };
}

// Internals

const PRINTED_PID = /^\s*(?:#PID)?<?(\d+)\.(\d+)\.0>?\s*$/;

/** `pid('0.16.0')`, `pid('#PID<12.98.0>')` or `pid(0, 16, 0)`: the pid printed that way, as IEx's `pid/1,3`. */
function pidOf(parts: unknown[]): Pid {
  const expected = "pid('0.16.0'), pid('#PID<0.16.0>') or pid(0, 16, 0)";
  const text = parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : parts.length === 3 ? parts.join('.') : null;
  const m = text === null ? null : PRINTED_PID.exec(text);
  if (m === null) throw new proc.ProcessError('ERR_BAD_ARG', `expected ${expected}, as a pid prints. Got: ${parts.map((p) => format(p)).join(', ')}`);
  const n = Number(m[1]);
  const rt = proc.currentRuntime();
  const known = printedNode(n);
  if (known === undefined) {
    throw new proc.ProcessError('ERR_BAD_ARG', `no node is printed as ${n} here yet: pids of another node print with its number once one has been seen`);
  }
  return new Pid(known.node, Number(m[2]), n === 0 ? rt.creation : (known.creation ?? 0));
}

/** What `pid` is doing: at once for this node's processes, from its own node for another's. */
function infoOf(pid: Pid): proc.ProcessInfo | undefined | Promise<proc.ProcessInfo | undefined> {
  if (pid instanceof Pid && pid.node !== dist.node()) return remoteProcessInfo(pid);
  return proc.processInfo(pid);
}

/** `i(pid)`: one process, a row per property. */
function infoTable(info: proc.ProcessInfo, c: Colors): string {
  const rows: Array<[string, string]> = [
    ['Pid', String(info.pid)],
    ['Registered name', info.registeredName ?? '-'],
    ['Initial call', info.initialCall],
    ['Status', info.status],
    ['Message queue length', String(info.messageQueueLen)],
    ['Messages', info.messages.length === 0 ? '[]' : format(info.messages)],
    ['Links', list(info.links)],
    ['Monitors', list(info.monitors)],
    ['Monitored by', list(info.monitoredBy)],
    ['Trap exit', String(info.trapExit)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${c.bold(k.padEnd(width))}  ${v}`).join('\n');
}

/** `i()`: every process, a row each, as Erlang's `i()` does. */
function processTable(infos: proc.ProcessInfo[], c: Colors): string {
  const header = ['Pid', 'Name', 'Initial call', 'Status', 'Queue'];
  const rows = infos.map((p) => [String(p.pid), p.registeredName ?? '', p.initialCall, p.status, String(p.messageQueueLen)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [c.bold(line(header)), ...rows.map(line)].join('\n');
}

function list(items: Array<Pid | readonly [string, string]>): string {
  return items.length === 0 ? '[]' : items.map((x) => format(x)).join(', ');
}
