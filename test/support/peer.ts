/**
 * @module test/support/peer
 * A node for tests to talk to over the real protocol: it boots like the playground
 * (the same flags, checked by `playground/flags.ts`, through `bootNode`; discovery
 * `none` unless given) and adds two registered processes.
 *
 * - `echo`: `['ping', from]` gets `['pong', echoPid]` back; `['blast', from, n]` sends
 *   `['seq', 0..n-1]` to `from`; `['crash', reason]` makes it throw.
 * - `sink`: counts `['seq', i]` messages and notes any out of order; `['report', from]`
 *   gets `['report', received, outOfOrder]` back.
 *
 * Start it with `cluster.start([...flags], { script: PEER })`.
 */
import { bootNode } from '../../src/app/boot.ts';
import { receive, register, self, send, spawn, type Pid } from '../../src/index.ts';
import { bootOptions, parseFlags } from '../../playground/flags.ts';

// The playground's own flags, checked by the same table; discovery is off unless asked for.
const opts = bootOptions(parseFlags(process.argv.slice(2)));
const booted = await bootNode({ ...opts, discovery: opts.discovery ?? 'none' });

spawn(async function echo() {
  register('echo', self());
  for (;;) {
    const msg = (await receive()) as [string, Pid, number];
    if (msg[0] === 'ping') send(msg[1], ['pong', self()]);
    else if (msg[0] === 'blast') for (let i = 0; i < msg[2]; i++) send(msg[1], ['seq', i]);
    else if (msg[0] === 'crash') throw new Error(String(msg[1]));
  }
});

spawn(async function sink() {
  register('sink', self());
  let received = 0;
  let outOfOrder = 0;
  for (;;) {
    const msg = (await receive()) as [string, unknown];
    if (msg[0] === 'seq') {
      if (msg[1] !== received) outOfOrder++;
      received++;
    } else if (msg[0] === 'report') {
      send(msg[1] as Pid, ['report', received, outOfOrder]);
    }
  }
});

process.stdout.write(`[info] peer ${booted.node?.name} ready\n`);
setInterval(() => {}, 1 << 30);
