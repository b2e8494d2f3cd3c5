/**
 * @module node/spawn
 * Spawning a process on another node, as Erlang's `spawn_request`: the caller's node
 * sends the function's source and its arguments, the peer compiles the source (with
 * the compiler the code layer installs, `setCompiler`), starts the process, and answers
 * with its pid. Linking and monitoring are part of the request, so they hold from the
 * process's first instruction: a process that crashes at once still signals its parent.
 *
 * Protocol (opcodes in `dist.ts`):
 * ```
 * [SPAWN_REQUEST, ref, caller | null, source, args, link, monitor]
 * [SPAWN_REPLY, ref, caller | null, pid]              the process runs
 * [SPAWN_REPLY, ref, caller | null, ['error', text]]  the source did not compile
 * ```
 * The peer sends the reply before the new process runs a single step, so the reply
 * reaches the caller's node before any exit signal or 'DOWN' of that process, and the
 * caller's half of the link or monitor is in place when they come. A request whose
 * node goes down before the reply rejects with `ERR_NODEDOWN`.
 */
import { Pid, Ref, type NodeName } from '../term.ts';
import type { Runtime } from '../process/index.ts';
import { CodedError } from '../errors.ts';
import { SPAWN_REPLY, SPAWN_REQUEST } from './dist.ts';

/** Turns a function's source into the function (installed by the code layer). */
export type Compiler = (source: string) => Function;

let compiler: Compiler | null = null;

/** Installs how this node compiles the sources it is asked to run. */
export function setCompiler(compile: Compiler): void {
  compiler = compile;
}

/** A spawn on another node that failed; `reason` is `['nodedown', node]` or `['badarg', text]`. */
export class SpawnError extends CodedError<'ERR_NODEDOWN' | 'ERR_REMOTE_COMPILE' | 'ERR_BAD_NODE'> {}

interface Request {
  node: NodeName;
  caller: Pid | null;
  link: boolean;
  monitor: Ref | null;
  resolve(result: [Pid, Ref]): void;
  reject(err: Error): void;
}

/** The spawn requests of one node: those it sent and waits on, and those it serves. */
export class Spawns {
  private readonly waiting = new Map<string, Request>();

  constructor(
    private readonly runtime: Runtime,
    private readonly out: (node: NodeName, frame: unknown[]) => void,
  ) {}

  // Client API

  /**
   * Asks `node` to run `source(...args)` as a process for `caller`; resolves with its
   * pid and the request's ref (the monitor's ref, when one was asked for).
   */
  request(node: NodeName, source: string, args: unknown[], caller: Pid | null, link: boolean, monitor: boolean): Promise<[Pid, Ref]> {
    const ref = this.runtime.makeRef();
    return new Promise<[Pid, Ref]>((resolve, reject) => {
      this.waiting.set(ref.key, { node, caller, link, monitor: monitor ? ref : null, resolve, reject });
      try {
        this.out(node, [SPAWN_REQUEST, ref, caller, source, args, link, monitor]);
      } catch (err) {
        this.waiting.delete(ref.key);
        reject(err);
      }
    });
  }

  // Callbacks: frames

  /** Serves a request from a peer: the reply leaves (through `reply`) before the process runs. */
  serve(from: NodeName, ref: Ref, caller: Pid | null, source: string, args: unknown[], link: boolean, monitor: boolean): void {
    const reply = (result: Pid | ['error', string]) => this.out(from, [SPAWN_REPLY, ref, caller, result]);
    let fn: Function;
    try {
      if (compiler === null) throw new Error('this node cannot run code sent by other nodes');
      fn = compiler(source);
    } catch (err) {
      return reply(['error', err instanceof Error ? err.message : String(err)]);
    }
    this.runtime.spawn(fn, args, null, {
      remote: {
        parent: caller,
        link: link && caller !== null,
        monitor: monitor && caller !== null ? ref : null,
        created: reply,
      },
    });
  }

  /** A reply for one of our requests. */
  replied(ref: Ref, result: unknown): void {
    const r = this.waiting.get(ref.key);
    if (!r) return;
    this.waiting.delete(ref.key);
    if (result instanceof Pid) {
      if (r.caller && (r.link || r.monitor)) this.runtime.remoteSpawned(r.caller, result, r.link, r.monitor);
      return r.resolve([result, ref]);
    }
    const text = Array.isArray(result) ? String(result[1]) : 'a malformed reply';
    r.reject(new SpawnError('ERR_REMOTE_COMPILE', `${r.node} could not run the function: ${text}`, ['badarg', text]));
  }

  /** `node` went away (or could not be reached): its pending requests fail. */
  nodeDown(node: NodeName): void {
    for (const [key, r] of this.waiting) {
      if (r.node !== node) continue;
      this.waiting.delete(key);
      r.reject(new SpawnError('ERR_NODEDOWN', `cannot spawn on ${node}: it is not connected (nodedown)`, ['nodedown', node]));
    }
  }
}
