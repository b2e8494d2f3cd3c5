/**
 * A node for the benchmarks to drive over the real protocol: it boots like the
 * playground (`bootNode`, same flags), starts the default PubSub, and registers
 * `bench`, which takes commands:
 * - `['join', group]`: a new process joins `group` in pg, stamped by the caller.
 * - `['subscribe', from, topic, n, expected]`: starts `n` subscribers of `topic`; once
 *   they are subscribed, `['ready', node]` goes to `from`, and once all of them have
 *   received `expected` messages, `['done', node]`.
 * - `['local_send', from, n]`: `local_send_msgs_per_s` on this node, as
 *   bench/process.bench.ts measures it, with `n` messages; answered `['local_send', rate]`.
 */
import { bootNode } from '../../src/app/boot.ts';
import { pg, PubSub, receive, register, self, send, spawn, type Pid } from '../../src/index.ts';
import { bootOptions, parseFlags } from '../../playground/flags.ts';

const booted = await bootNode({ ...bootOptions(parseFlags(process.argv.slice(2))), discovery: 'none', greet: false });
await PubSub.start();

spawn(async function bench() {
  register('bench', self());
  for (;;) {
    const msg = (await receive()) as unknown[];
    if (msg[0] === 'join') spawn(joiner, msg[1]);
    else if (msg[0] === 'subscribe') subscribers(msg[1] as Pid, msg[2] as string, msg[3] as number, msg[4] as number);
    else if (msg[0] === 'local_send') localSend(msg[1] as Pid, msg[2] as number);
  }
});

function localSend(from: Pid, n: number) {
  const receiver = spawn(async () => {
    for (let i = 0; i < n; i++) await receive();
    send(from, ['local_send', Math.round(n / ((performance.now() - start) / 1000))]);
  });
  const start = performance.now();
  for (let i = 0; i < n; i++) send(receiver, i);
}

async function joiner(group: unknown) {
  pg.join(group, self());
  await receive('never');
}

function subscribers(from: Pid, topic: string, n: number, expected: number) {
  const node = booted.runtime.node;
  const counter = spawn(async () => {
    for (let i = 0; i < n; i++) await receive('full');
    send(from, ['done', node]);
  });
  for (let i = 0; i < n; i++) {
    spawn(async () => {
      PubSub.subscribe(topic);
      for (let got = 0; got < expected; got++) await receive();
      send(counter, 'full');
    });
  }
  send(from, ['ready', node]);
}

process.stdout.write(`[info] bench peer ${booted.runtime.node} ready\n`);
setInterval(() => {}, 1 << 30);
