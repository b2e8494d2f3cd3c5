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
import * as api from '../index.ts';
import { Binary, List, Pid, _, format, match, processInfo } from '../index.ts';
import { printedNode } from '../term.ts';
import type { Colors } from './colors.ts';
import type { Panel } from './panel.ts';

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
  /** The width text is laid out for: the terminal's, or 80 when the output is no terminal. */
  columns(): number;
  /** Lines pinned above the prompt (a workshop's roster), or null when the output is no terminal. */
  panel(): Panel | null;
}

export type Helpers = Record<string, unknown>;

/** The helpers of the process runtime, the node and the prompt itself. */
export function coreHelpers(env: HelperEnv): Helpers {
  return {
    // Nodes
    node: api.node,
    list: api.list,
    connect: api.connect,
    disconnect: api.disconnect,
    names: api.names,
    monitorNodes: api.monitorNodes,
    // The network, broken on purpose
    partition: api.partition,
    heal: api.heal,
    partitions: api.partitions,
    delay: api.delay,
    drop: api.drop,
    // Running code on other nodes
    rpc: { call: api.rpc.call, cast: api.rpc.cast, multicall: api.rpc.multicall, timeout: api.rpc.timeout },
    share: api.share,
    shared: api.shared,
    // Processes
    self: api.self,
    spawn: api.spawn,
    spawnLink: api.spawnLink,
    spawnMonitor: api.spawnMonitor,
    send: api.send,
    receive: api.receive,
    flush: function flush(): string {
      const messages = api.flush();
      env.flushed(messages);
      if (messages.length > 0) env.print(messages.map((m) => format(m, env.colors.isColorSupported)).join('\n'));
      return 'ok';
    },
    link: api.link,
    unlink: api.unlink,
    monitor: api.monitor,
    demonitor: api.demonitor,
    exit: api.exit,
    trapExit: api.trapExit,
    makeRef: api.makeRef,
    // Names
    register: api.register,
    unregister: api.unregister,
    whereis: api.whereis,
    registered: api.registered,
    global: globalHelper(),
    // Looking around: a pid of another node is asked about at its node (a promise, awaited)
    processes: api.processes,
    isAlive: function isAlive(pid: Pid): boolean | Promise<boolean> {
      const info = infoOf(pid, ['pid']);
      return info instanceof Promise ? info.then((i) => i !== undefined) : info !== undefined;
    },
    processInfo: function processInfo(pid: Pid, items?: ReadonlyArray<keyof api.ProcessInfo>) {
      return infoOf(pid, items);
    },
    web: api.web,
    stopWeb: api.stopWeb,
    i: function i(pid?: Pid): void | Promise<void> {
      if (pid === undefined) {
        const infos = api.processes().flatMap((p) => api.processInfo(p) ?? []);
        return env.print(processTable(infos, env.colors));
      }
      const show = (info: api.ProcessInfo | undefined) =>
        env.print(info === undefined ? `${format(pid)} is not alive` : infoTable(info, env.colors));
      const info = infoOf(pid) as api.ProcessInfo | undefined | Promise<api.ProcessInfo | undefined>;
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
      join: api.pg.join,
      leave: api.pg.leave,
      getMembers: api.pg.getMembers,
      getLocalMembers: api.pg.getLocalMembers,
      whichGroups: api.pg.whichGroups,
      whichLocalGroups: api.pg.whichLocalGroups,
      monitor: api.pg.monitor,
      monitorScope: api.pg.monitorScope,
      demonitor: api.pg.demonitor,
    },
    getMembers: api.pg.getMembers,
    // Erlang values
    Binary,
    List,
    // Patterns
    _,
    match,
    TIMEOUT: api.TIMEOUT,
  };
}

// Internals

/**
 * What `pid` is doing (all of it, or `items`): at once for this node's processes; for
 * another node's, asked of that node with rpc, as Erlang's shell does (messages that
 * cannot travel come back printed).
 */
function infoOf(pid: Pid, items?: ReadonlyArray<keyof api.ProcessInfo>): Partial<api.ProcessInfo> | undefined | Promise<Partial<api.ProcessInfo> | undefined> {
  const local = () => (items === undefined ? api.processInfo(pid) : api.processInfo(pid, items));
  if (!(pid instanceof Pid) || pid.node === api.node()) return local();
  return api.rpc.call(pid.node, remoteInfo, pid, items ?? null).then((info) => (info ?? undefined) as Partial<api.ProcessInfo> | undefined);
}

/**
 * Runs on the pid's node (rpc sends its source): only the public API is in scope there,
 * and no helper of this file (an inner function given a name would bring one along).
 */
function remoteInfo(p: Pid, items: Array<keyof api.ProcessInfo> | null): unknown {
  const info = items === null ? processInfo(p) : processInfo(p, items);
  if (info === undefined) return null;
  if (!('messages' in info)) return info;
  return {
    ...info,
    messages: info.messages.map((m) => {
      try {
        structuredClone(m);
        return m;
      } catch {
        return format(m);
      }
    }),
  };
}

const PRINTED_PID = /^\s*(?:#PID)?<?(\d+)\.(\d+)\.(\d+)>?\s*$/;

/** `pid('0.16.0')`, `pid('#PID<12.98.0>')` or `pid(0, 16, 0)`: the pid printed that way, as IEx's `pid/1,3`. */
function pidOf(parts: unknown[]): Pid {
  const expected = "pid('0.16.0'), pid('#PID<0.16.0>') or pid(0, 16, 0)";
  const text = parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : parts.length === 3 ? parts.join('.') : null;
  const m = text === null ? null : PRINTED_PID.exec(text);
  if (m === null) throw new api.ProcessError('ERR_BAD_ARG', `expected ${expected}, as a pid prints. Got: ${parts.map((p) => format(p)).join(', ')}`);
  const n = Number(m[1]);
  const known = printedNode(n);
  if (known === undefined) {
    throw new api.ProcessError('ERR_BAD_ARG', `no node is printed as ${n} here yet: pids of another node print with its number once one has been seen`);
  }
  return new Pid(known.node, Number(m[2]), n === 0 ? api.currentRuntime().creation : (known.creation ?? 0), Number(m[3]));
}

/**
 * `global` at the prompt: Erlang's global names. It stands in for Node's own `global`
 * (an alias of `globalThis`), so any other property is looked up there.
 */
function globalHelper(): object {
  const g = api.global;
  const names = { register: g.register, unregister: g.unregister, whereis: g.whereis, send: g.send, registered: g.registered };
  return new Proxy(names, {
    get: (target, key) => (key in target ? target[key as keyof typeof names] : Reflect.get(globalThis, key)),
    has: (target, key) => key in target || key in globalThis,
    set: (target, key, value) => (key in target ? false : Reflect.set(globalThis, key, value)),
  });
}

/** `i(pid)`: one process, a row per property. */
function infoTable(info: api.ProcessInfo, c: Colors): string {
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
function processTable(infos: api.ProcessInfo[], c: Colors): string {
  const header = ['Pid', 'Name', 'Initial call', 'Status', 'Queue'];
  const rows = infos.map((p) => [String(p.pid), p.registeredName ?? '', p.initialCall, p.status, String(p.messageQueueLen)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [c.bold(line(header)), ...rows.map(line)].join('\n');
}

function list(items: Array<Pid | readonly [string, string]>): string {
  return items.length === 0 ? '[]' : items.map((x) => format(x)).join(', ');
}
