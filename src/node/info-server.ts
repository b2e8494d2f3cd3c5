/**
 * @module node/info-server
 * What another node may ask about this node's processes: a GenServer registered as
 * `process_info` on every named node, which answers with `processInfo(pid)` for one of
 * its own processes. It is how `i(pid)`, `processInfo(pid)` and `isAlive(pid)` at a
 * prompt answer for a pid of another node, as Erlang's shell goes through `rpc` (the
 * process functions themselves refuse a remote pid, as `erlang:process_info/1` does).
 *
 * Protocol: the call `['info', pid]` replies with the info, or null when the process is
 * not alive. Messages in the mailbox that cannot travel (a function, say) are sent as
 * their printed form.
 *
 * @example
 * iex(alice)> const info = await remoteProcessInfo(pidOnCarol)
 * iex(alice)> info.registeredName
 * 'carol_shell'
 */
import * as GenServer from '../genserver.ts';
import { processInfo, type ProcessInfo } from '../process/index.ts';
import { Pid, format } from '../term.ts';
import { encode } from './codec.ts';

export const INFO_SERVER = 'process_info';

/** How long an answer may take by default (ms). */
const TIMEOUT_MS = 5000;

// Client API

/** Starts the server linked to the caller (a supervisor), registered as `process_info`. */
export function startInfoServer(): Promise<Pid> {
  return GenServer.startLink(InfoServer, undefined, { name: INFO_SERVER });
}

/**
 * Asks `pid`'s node about it: its info, or undefined when it is not alive. Rejects with
 * the GenServer error when that node cannot be asked (not connected, or not a playground).
 */
export async function remoteProcessInfo(pid: Pid, timeout = TIMEOUT_MS): Promise<ProcessInfo | undefined> {
  const info = await GenServer.call<ProcessInfo | null>([INFO_SERVER, pid.node], ['info', pid], timeout);
  return info ?? undefined;
}

// Callbacks

export const InfoServer = {
  name: 'ProcessInfoServer',

  init(): ['ok', null] {
    return ['ok', null];
  },

  handleCall(request: unknown, _from: unknown, state: null): ['reply', unknown, null] {
    if (!Array.isArray(request) || request[0] !== 'info' || !(request[1] instanceof Pid)) {
      return ['reply', ['error', 'badarg'], state];
    }
    return ['reply', safeInfo(request[1]) ?? null, state];
  },
};

// Internals

function safeInfo(pid: Pid): ProcessInfo | undefined {
  let info: ProcessInfo | undefined;
  try {
    info = processInfo(pid);
  } catch {
    return undefined; // not one of this node's pids
  }
  return info && { ...info, messages: info.messages.map(travelling) };
}

function travelling(term: unknown): unknown {
  try {
    encode(term);
    return term;
  } catch {
    return format(term);
  }
}
