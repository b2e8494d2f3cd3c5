/**
 * @module otp-playground
 * The public API: everything the REPL helpers and the lessons use, as explicit named
 * exports. Anything not listed here is internal.
 */

// Terms
export { Pid, Ref, Binary, List, Opaque, _, match, equal, format, NO_NODE } from './term.ts';
export type { NodeName, Pattern } from './term.ts';

// Processes
export {
  spawn, spawnLink, spawnMonitor, self, send, receive, flush, link, unlink, monitor, demonitor,
  exit, trapExit, register, unregister, whereis, registered, processes, processInfo, isAlive,
  makeRef, TIMEOUT, currentRuntime,
} from './process/index.ts';
export type { ProcessInfo } from './process/index.ts';

// Distribution
export { node, list, connect, disconnect, monitorNodes } from './node/index.ts';

// Process groups
export * as pg from './pg.ts';
export { getMembers } from './pg.ts';

// OTP behaviours
export * as GenServer from './genserver.ts';
export * as Supervisor from './supervisor.ts';
export * as Registry from './registry.ts';
export * as BasicServer from './basic-server.ts';
export * as PubSub from './pubsub/index.ts';
