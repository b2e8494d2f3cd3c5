/**
 * @module basic-server
 * A GenServer built by hand: a process stuck in a loop that takes a message, runs the
 * matching callback and loops with the new state. Small on purpose, for reading beside
 * `GenServer`: the same callback modules run under both.
 *
 * What it leaves out, and GenServer has: a call that gives up after a timeout or when
 * the server dies (this one would wait for ever), replies matched by a unique ref
 * (here any ['reply', x] is taken as the answer), handleInfo, crash reports, and
 * checked callback results.
 *
 * Messages: `['call', from, request]` answered with `['reply', value]`,
 * `['cast', request]`, `['stop', reason]`.
 *
 * @example
 * iex(bob)> const [, pid] = BasicServer.start({ init: (n) => ['ok', n], handleCall: (_req, _from, n) => ['reply', n, n] }, 42)
 * iex(bob)> await BasicServer.call(pid, 'get')
 * 42
 */
import { unknownKey } from './keys.ts';
import { ProcessError, exit, receive, register, self, send, spawn, spawnLink } from './process/index.ts';
import { _, type Pid } from './term.ts';
import type { GenServerModule } from './genserver.ts';

/**
 * Starts a server running `module` (init runs in the new process); gives `['ok', pid]`.
 *
 * @example
 * iex(bob)> const Acc = { init: (items) => ['ok', items], handleCall: (_req, _from, items) => ['reply', items, items], handleCast: ([, item], items) => ['noreply', [item, ...items]] }
 * iex(bob)> BasicServer.start(Acc, ['apples'], { name: 'acc' })
 * [ 'ok', #PID<0.140.0> ]
 */
export function start(module: GenServerModule, arg?: unknown, opts: { name?: string } = {}): ['ok', Pid] {
  checkOptions(opts);
  const pid = spawn(init, module, arg);
  if (opts.name) register(opts.name, pid);
  return ['ok', pid];
}

/**
 * Like `start`, linked to the caller.
 *
 * @example
 * iex(bob)> BasicServer.startLink(Acc, [])
 * [ 'ok', #PID<0.141.0> ]
 */
export function startLink(module: GenServerModule, arg?: unknown, opts: { name?: string } = {}): ['ok', Pid] {
  checkOptions(opts);
  const pid = spawnLink(init, module, arg);
  if (opts.name) register(opts.name, pid);
  return ['ok', pid];
}

/**
 * Sends `request` and waits for the reply (for ever, if none comes).
 *
 * @example
 * iex(bob)> await BasicServer.call('acc', 'listItems')
 * [ 'apples' ]
 */
export async function call(server: Pid | string, request: unknown): Promise<unknown> {
  send(server, ['call', self(), request]);
  const [, reply] = await receive(['reply', _]);
  return reply;
}

/**
 * Sends `request` without waiting; gives 'ok'.
 *
 * @example
 * iex(bob)> BasicServer.cast('acc', ['add', 'pears'])
 * 'ok'
 */
export function cast(server: Pid | string, request: unknown): 'ok' {
  send(server, ['cast', request]);
  return 'ok';
}

/**
 * Asks the server to run terminate and end with `reason`; gives 'ok' at once.
 *
 * @example
 * iex(bob)> BasicServer.stop('acc')
 * 'ok'
 */
export function stop(server: Pid | string, reason: unknown = 'normal'): 'ok' {
  send(server, ['stop', reason]);
  return 'ok';
}

async function init(module: GenServerModule, arg: unknown): Promise<void> {
  const [tag, state] = await module.init(arg);
  if (tag !== 'ok') exit(state); // ['stop', reason]
  return loop(module, state);
}

async function loop(module: GenServerModule, state: unknown): Promise<void> {
  for (;;) {
    const msg = await receive();
    if (msg[0] === 'call') {
      const [, reply, next] = await module.handleCall!(msg[2], msg[1], state);
      send(msg[1], ['reply', reply]);
      state = next;
    } else if (msg[0] === 'cast') {
      [, state] = await module.handleCast!(msg[1], state);
    } else if (msg[0] === 'stop') {
      await module.terminate?.(msg[1], state);
      exit(msg[1]);
    }
  }
}

function checkOptions(opts: { name?: string }): void {
  const unknown = unknownKey(opts, ['name']);
  if (unknown) throw new ProcessError('ERR_BAD_ARG', `BasicServer options are { name?: string }: ${unknown}`);
}
