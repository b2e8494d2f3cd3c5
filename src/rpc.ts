/**
 * @module rpc
 * Running a function on other nodes and getting its result, after Erlang's `erpc` and
 * `rpc`: `call` waits for one node's answer, `cast` does not wait, `multicall` asks
 * many nodes at once and sorts the answers from the nodes that could not give one.
 *
 * How a call works (as erpc's): the caller spawns the builtin worker `$rpc` on the
 * node, monitored, with the function's source and its arguments. The worker runs the
 * function, awaits its promise, and exits with `['$rpc', 'ok', value]` or
 * `['$rpc', 'raise', error]`: the 'DOWN' of the monitor carries the answer back, so a
 * call costs one frame there and two back. A 'DOWN' with any other reason is the
 * worker's death ('noconnection' when the node went away); at the timeout the worker
 * is killed. A function's throw comes back as an `RpcError` that says it is remote and
 * keeps the remote frames; a result that cannot travel is refused on the remote side.
 *
 * @example
 * iex(bob)> node()
 * 'bob@vm'
 * iex(alice)> await rpc.call('bob@vm', () => node())
 * 'bob@vm'
 * iex(alice)> await rpc.call('bob@vm', (a, b) => a + b, 1, 2)
 * 3
 * iex(alice)> await rpc.multicall(['bob@vm', 'nobody@vm'], () => list().length)
 * [ [ 1 ], [ 'nobody@vm' ] ]
 */
import { exit, inProcess, receive, currentRuntime, TIMEOUT, ExitSignal } from './process/index.ts';
import { connect, list } from './node/index.ts';
import { encode } from './node/codec.ts';
import { SENT_CODE, checkTravel, compile, defineBuiltin } from './code.ts';
import { spawnSource } from './remote.ts';
import { _, type NodeName } from './term.ts';
import { CodedError } from './errors.ts';

/**
 * A failed rpc; `reason` is Erlang's: `['badrpc', 'nodedown']`, `['badrpc', 'timeout']`,
 * `['badrpc', ['EXIT', error]]`; for `ERR_REMOTE` the remote side's error is the cause.
 */
export class RpcError extends CodedError<'ERR_NODEDOWN' | 'ERR_TIMEOUT' | 'ERR_REMOTE' | 'ERR_EXIT' | 'ERR_BAD_ARG'> {}

/** Options of `call` and `multicall`, given after the arguments: `{ timeout: ms }`. */
export interface RpcOptions {
  timeout?: number;
}

export const DEFAULT_TIMEOUT = 5000;

// Client API

/**
 * Runs `fn(...args)` on `node` and resolves with its result (a promise is awaited there).
 * Rejects with an `RpcError`: `ERR_REMOTE` when fn threw, `ERR_NODEDOWN` when the node
 * cannot be reached, `ERR_TIMEOUT` after `timeout` ms (default 5000; pass
 * `rpc.timeout(ms)` as the last argument).
 */
export async function call(node: NodeName, fn: Function, ...args: unknown[]): Promise<unknown> {
  const [rest, timeout] = splitTimeout(args);
  const source = checkTravel(fn, 'rpc.call');
  return callSource(node, source, rest, timeout);
}

/** Runs `fn(...args)` on `node` without waiting; always true, as Erlang's `rpc:cast`. */
export function cast(node: NodeName, fn: Function, ...args: unknown[]): true {
  const source = checkTravel(fn, 'rpc.cast');
  spawnSource(node, source, args, false, false).catch(() => {});
  return true;
}

/**
 * Runs `fn(...args)` on every node of `nodes` (default: this node and every connected
 * one) at once. Resolves with `[results, badNodes]`, as Erlang's `rpc:multicall`: the
 * results of the nodes that answered, in the order of `nodes` (a throw there is
 * `['badrpc', error]`), and the nodes that could not answer (down, or too slow).
 */
export async function multicall(nodes: NodeName[] | Function, ...rest: unknown[]): Promise<[unknown[], NodeName[]]> {
  const [targets, fn, args] =
    typeof nodes === 'function' ? [[currentRuntime().node, ...list()], nodes, rest] : [nodes, rest[0] as Function, rest.slice(1)];
  if (!Array.isArray(targets)) throw new RpcError('ERR_BAD_ARG', `rpc.multicall expects an array of nodes. Got: ${String(targets)}`, ['badarg', targets]);
  const [callArgs, timeout] = splitTimeout(args);
  const source = checkTravel(fn, 'rpc.multicall');
  const answers = await Promise.all(
    targets.map((n) =>
      callSource(n, source, callArgs, timeout).then(
        (value) => ['ok', value] as const,
        (err: unknown) => (err instanceof RpcError && err.code === 'ERR_REMOTE' ? (['ok', ['badrpc', err.cause]] as const) : (['bad', n] as const)),
      ),
    ),
  );
  return [answers.filter(([k]) => k === 'ok').map(([, v]) => v), answers.filter(([k]) => k === 'bad').map(([, n]) => n as NodeName)];
}

/** The last argument of `call` or `multicall` that sets the timeout: `rpc.timeout(100)`. */
export function timeout(ms: number): RpcOptions {
  if (typeof ms !== 'number' || !(ms >= 0)) throw new RpcError('ERR_BAD_ARG', `rpc.timeout expects ms >= 0 (or Infinity). Got: ${String(ms)}`, ['badarg', ms]);
  return new Timeout(ms);
}

// Callbacks: the worker on the called node

defineBuiltin('$rpc', async function rpcWorker(source: string, args: unknown[]): Promise<void> {
  let value: unknown;
  try {
    value = await compile(source)(...args);
  } catch (err) {
    if (err instanceof ExitSignal) throw err;
    exit(['$rpc', 'raise', err instanceof Error ? err : new Error(`threw ${String(err)}`)]);
  }
  try {
    encode(value);
  } catch (err) {
    exit(['$rpc', 'raise', new Error(`the result cannot be sent back: ${(err as Error).message}`)]);
  }
  exit(['$rpc', 'ok', value]);
});

// Internals

class Timeout implements RpcOptions {
  constructor(readonly timeout: number) {}
}

function splitTimeout(args: unknown[]): [unknown[], number] {
  const last = args.at(-1);
  if (last instanceof Timeout) return [args.slice(0, -1), last.timeout];
  return [args, DEFAULT_TIMEOUT];
}

async function callSource(node: NodeName, source: string, args: unknown[], ms: number): Promise<unknown> {
  if (node === currentRuntime().node) return runHere(source, args);
  if (!list().includes(node) && !(await connect(node))) throw nodedown(node);
  return inProcess(async () => {
    let pid, ref;
    try {
      [pid, ref] = await spawnSource(node, '$rpc', [source, args], false, true);
    } catch (err) {
      // The node refused to run it (a BEAM node runs no JavaScript): say so, as Erlang's notsup.
      if ((err as { code?: string }).code === 'ERR_REMOTE_COMPILE') {
        throw new RpcError('ERR_REMOTE', `rpc.call to ${node}: ${(err as Error).message}`, ['badrpc', 'notsup'], err);
      }
      throw nodedown(node);
    }
    const down = (await receive(['DOWN', ref, 'process', _, _], { after: ms })) as unknown[] | typeof TIMEOUT;
    if (down === TIMEOUT) {
      exit(pid, 'kill');
      throw new RpcError('ERR_TIMEOUT', `rpc.call to ${node}: no answer within ${ms} ms (the remote process was killed)`, ['badrpc', 'timeout']);
    }
    return answer(node, down[4]);
  });
}

function answer(node: NodeName, reason: unknown): unknown {
  if (Array.isArray(reason) && reason[0] === '$rpc') {
    if (reason[1] === 'ok') return reason[2];
    const err = reason[2] as Error;
    const frames = remoteFrames(err);
    throw new RpcError('ERR_REMOTE', `remote error on ${node}: ${err.name}: ${err.message}${frames && '\n' + frames}`, ['badrpc', ['EXIT', err]], err);
  }
  if (reason === 'noconnection') throw nodedown(node);
  throw new RpcError('ERR_EXIT', `rpc.call to ${node}: the remote process ended with ${String(reason)}`, ['badrpc', ['EXIT', reason]]);
}

/** The remote stack's frames, marked as remote, without the message line. */
function remoteFrames(err: Error): string {
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l) && l.includes(SENT_CODE));
  return frames.map((l) => `    (remote) ${l.trim()}`).join('\n');
}

async function runHere(source: string, args: unknown[]): Promise<unknown> {
  try {
    return await compile(source)(...args);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    throw new RpcError('ERR_REMOTE', `error on ${currentRuntime().node}: ${e.message}`, ['badrpc', ['EXIT', e]], e);
  }
}

function nodedown(node: NodeName): RpcError {
  return new RpcError('ERR_NODEDOWN', `rpc to ${node}: the node cannot be reached (badrpc, nodedown)`, ['badrpc', 'nodedown']);
}
