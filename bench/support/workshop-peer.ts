/**
 * A node for the workshop and mesh benchmarks, booted like the playground (`bootNode`,
 * same flags) but without a prompt, so fifty of them start in seconds. It prints one
 * line per event, each stamped with `preciseNow()` (ms since 1970, comparable between
 * the processes of one machine):
 * The role is `BENCH_ROLE` in the environment:
 * - `mesh`: boots with discovery held back, prints `up`; on a line on stdin starts
 *   gossip, and prints `full <t>` once it lists `BENCH_EXPECT` other nodes.
 * - `attendee`: boots without its rendezvous, prints `up <t>`, then starts the `--join`
 *   service, as boot would have a moment later.
 * - `teacher`: opens the roster and prints `listed <node> <t>` when a node first shows
 *   in it, and `standing <node> <step> <sentAt> <t>` when a node's step changes.
 */
import { createInterface } from 'node:readline';
import { bootNode } from '../../src/app/boot.ts';
import { discovery, discoveryPort, join } from '../../src/discovery/index.ts';
import { epmdPort } from '../../src/erlang/epmd/index.ts';
import { loadCookie } from '../../src/node/handshake.ts';
import { Workshop, _, list, monitorNodes, receive, self, spawn } from '../../src/index.ts';
import { bootOptions, parseFlags } from '../../playground/flags.ts';

const role = process.env.BENCH_ROLE;
const flags = bootOptions(parseFlags(process.argv.slice(2)));
const out = (line: string) => process.stdout.write(line + '\n');
const heartbeat = flags.heartbeat ?? 2000;

if (role === 'mesh') {
  const booted = await bootNode({ ...flags, discovery: 'none' });
  const node = booted.node!;
  const expect = Number(process.env.BENCH_EXPECT);
  const gossip = discovery(node, { strategy: 'gossip', heartbeat, port: discoveryPort(), cookie: loadCookie(flags.cookie), epmdPort: epmdPort(), hosts: [] })!;
  out('up');
  createInterface({ input: process.stdin }).once('line', () => {
    spawn(gossip);
    spawn(async () => {
      monitorNodes(true);
      while (list().length < expect) await receive();
      out(`full ${Workshop.preciseNow()}`);
    });
  });
} else if (role === 'attendee') {
  const booted = await bootNode({ ...flags, join: [] });
  out(`up ${Workshop.preciseNow()}`);
  spawn(join, booted.node!, flags.join ?? [], heartbeat);
} else if (role === 'teacher') {
  await bootNode(flags);
  spawn(async () => {
    await Workshop.openRoster();
    const steps = new Map<string, number>();
    const report = (rows: Workshop.Attendee[]) => {
      const t = Workshop.preciseNow();
      for (const r of rows) {
        if (!steps.has(r.node)) out(`listed ${r.node} ${t}`);
        const step = r.standing?.lesson ? r.standing.step : -1;
        if (steps.get(r.node) !== step && step >= 0) out(`standing ${r.node} ${step} ${r.standing!.sentAt} ${t}`);
        steps.set(r.node, step);
      }
    };
    report(await Workshop.watch(self()));
    for (;;) report(((await receive(['roster', _])) as [string, Workshop.Attendee[]])[1]);
  });
  out('teacher ready');
}
setInterval(() => {}, 1 << 30);
