/**
 * @module otp-playground
 * The public API, as explicit named exports: what the prompt's helpers, the lessons and
 * the benchmarks use, and what a program needs to run processes and nodes of its own.
 * Anything not listed here is internal and may change.
 *
 * Grouped as Erlang/OTP groups them: terms, processes, distribution, process groups,
 * then the behaviours, each a namespace (`GenServer.call`, `Registry.lookup`) whose
 * errors (`GenServer.GenServerError`, ...) and types come with it. Every error has a
 * stable `code` (`CodedError`).
 *
 * @example
 * import { Runtime, inProcess, spawn, send, receive, self } from 'otp-playground'
 * const runtime = new Runtime()
 * await inProcess(async () => {
 *   const echo = spawn(async () => { const [from, msg] = await receive(); send(from, msg) })
 *   send(echo, [self(), 'hello'])
 *   return receive()
 * }, { runtime }) //=> 'hello'
 */

// Errors
export { CodedError } from './errors.ts';
export { ProcessError, ReceiveError } from './process/index.ts';
export { NodeError } from './node/index.ts';

// Terms
export { Pid, Ref, Binary, List, Opaque, _, match, equal, format, NO_NODE } from './term.ts';
export type { NodeName, Pattern } from './term.ts';

// Processes
export {
  self, send, receive, flush, link, unlink, monitor, demonitor,
  exit, trapExit, register, unregister, whereis, registered, processes, processInfo, isAlive,
  makeRef, TIMEOUT, inProcess, currentRuntime, setDefaultRuntime, Runtime,
} from './process/index.ts';
export type { Dest, Logger, LogLevel, ProcessInfo } from './process/index.ts';

// Distribution
export { node, list, connect, disconnect, monitorNodes, monitorRefusals, names, startNode, stopNode } from './node/index.ts';
export type { Node } from './node/index.ts';

// Running code on other nodes: spawn with a node, rpc, shared definitions
export { spawn, spawnLink, spawnMonitor } from './remote.ts';
export * as rpc from './rpc.ts';
export { share, shared } from './share.ts';

// Cluster-wide names
export * as global from './global.ts';

// Breaking the network on purpose
export { partition, heal, partitions, delay, drop } from './node/partition.ts';
export type { Partition } from './node/partition.ts';

// Process groups
export * as pg from './pg.ts';
export { getMembers } from './pg.ts';

// OTP behaviours
export * as GenServer from './genserver.ts';
export * as Supervisor from './supervisor.ts';
export * as Registry from './registry.ts';
export * as BasicServer from './basic-server.ts';
export * as PubSub from './pubsub/index.ts';

// Tracing
export * as dbg from './trace/dbg.ts';
export * as sys from './trace/sys.ts';
export { seqTrace, SeqDiagram } from './trace/seq.ts';
export type { Arrow, Lane, SeqTraceOptions } from './trace/seq.ts';

// The live page of the cluster
export { web, stopWeb, WebError } from './web/index.ts';
export type { WebOptions } from './web/index.ts';

// Workshops
export * as Workshop from './workshop/index.ts';
export type { LessonEvent } from './workshop/index.ts';
