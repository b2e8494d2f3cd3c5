/**
 * @module remote
 * `spawn`, `spawnLink` and `spawnMonitor` with a node first, as Elixir's `Node.spawn/2`:
 * the function's source travels (`code.ts` checks it can), its arguments travel as
 * terms, and the promise resolves with the pid of the process running on that node.
 * Without a node they are the local ones and give the pid at once.
 *
 * The link or monitor is made with the process, so it holds from its first step; a node
 * that cannot be reached rejects with `ERR_NODEDOWN` within the connect time.
 *
 * @example
 * iex(bob)> node()
 * 'bob@vm'
 * iex(alice)> await spawn('bob@vm', () => console.log(`hello from ${node()}`))
 * #PID<12.120.0>
 * //=> bob prints: hello from bob@vm
 * iex(alice)> const [pid, ref] = await spawnMonitor('bob@vm', (ms) => new Promise((r) => setTimeout(r, ms)), 100)
 * iex(alice)> await receive(['DOWN', ref, _, _, _])
 * [ 'DOWN', #Reference<0.0.0.9>, 'process', #PID<12.121.0>, 'normal' ]
 */
import * as proc from './process/index.ts';
import { currentNode } from './node/index.ts';
import { isNodeName } from './node/handshake.ts';
import { SpawnError } from './node/spawn.ts';
import { checkTravel } from './code.ts';
import type { NodeName, Pid, Ref } from './term.ts';

export { SpawnError } from './node/spawn.ts';

// Client API

/** `spawn(fn, ...args)` here, or `spawn(node, fn, ...args)` there (a promise of the pid). */
export function spawn(fn: Function, ...args: unknown[]): Pid;
export function spawn(node: NodeName, fn: Function, ...args: unknown[]): Promise<Pid>;
export function spawn(a: unknown, ...rest: unknown[]): Pid | Promise<Pid> {
  if (typeof a !== 'string') return proc.spawn(a as Function, ...rest);
  return remoteSpawn(a, rest[0], rest.slice(1), 'spawn', false);
}

/** Like `spawn`, and links the new process to the caller. */
export function spawnLink(fn: Function, ...args: unknown[]): Pid;
export function spawnLink(node: NodeName, fn: Function, ...args: unknown[]): Promise<Pid>;
export function spawnLink(a: unknown, ...rest: unknown[]): Pid | Promise<Pid> {
  if (typeof a !== 'string') return proc.spawnLink(a as Function, ...rest);
  return remoteSpawn(a, rest[0], rest.slice(1), 'spawnLink', true);
}

/** Like `spawn`, and monitors the new process: `[pid, ref]` (a promise of it with a node). */
export function spawnMonitor(fn: Function, ...args: unknown[]): [Pid, Ref];
export function spawnMonitor(node: NodeName, fn: Function, ...args: unknown[]): Promise<[Pid, Ref]>;
export function spawnMonitor(a: unknown, ...rest: unknown[]): [Pid, Ref] | Promise<[Pid, Ref]> {
  if (typeof a !== 'string') return proc.spawnMonitor(a as Function, ...rest);
  return remoteSpawnMonitor(a, rest[0], rest.slice(1), 'spawnMonitor');
}

/**
 * Spawns the function named `source` (a travelling source or a builtin's name) on
 * `node` for the calling process, monitored by it: what `rpc` is built on.
 */
export async function spawnSource(node: NodeName, source: string, args: unknown[], link: boolean, monitor: boolean): Promise<[Pid, Ref]> {
  const n = currentNode();
  if (!n) throw new SpawnError('ERR_NODEDOWN', `cannot reach ${node}: this node is not distributed (start it with --sname <name>)`, ['nodedown', node]);
  const caller = link || monitor ? callerPid(link ? 'spawnLink' : 'spawnMonitor') : (proc.currentProcess()?.pid ?? null);
  return n.spawns.request(node, source, args, caller, link, monitor);
}

// Internals

async function remoteSpawnMonitor(node: string, fn: unknown, args: unknown[], what: string): Promise<[Pid, Ref]> {
  if (node === proc.currentRuntime().node) return proc.spawnMonitor(fn as Function, ...args);
  return spawnSource(checkNode(node, what), checkTravel(fn, `${what}(${JSON.stringify(node)}, fn)`), args, false, true);
}

async function remoteSpawn(node: string, fn: unknown, args: unknown[], what: string, link: boolean): Promise<Pid> {
  if (node === proc.currentRuntime().node) return link ? proc.spawnLink(fn as Function, ...args) : proc.spawn(fn as Function, ...args);
  const [pid] = await spawnSource(checkNode(node, what), checkTravel(fn, `${what}(${JSON.stringify(node)}, fn)`), args, link, false);
  return pid;
}

function checkNode(node: string, what: string): NodeName {
  if (isNodeName(node)) return node;
  throw new SpawnError('ERR_BAD_NODE', `${what}: ${JSON.stringify(node)} is not a node name (like 'bob@vm')`, ['badarg', node]);
}

function callerPid(what: string): Pid {
  const p = proc.currentProcess();
  if (!p) throw new proc.ProcessError('ERR_NO_PROCESS', `${what} must be called inside a process (spawn one first)`);
  return p.pid;
}
