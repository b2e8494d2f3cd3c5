/**
 * @module lessons/netsplit
 * The playground's own lesson on what makes distributed systems hard: three nodes, code
 * run on the others, a cluster-wide name and a process group; then the network is cut
 * on purpose and the learner watches each effect (a monitor fires 'noconnection', the
 * group splits, the name is gone on one side and taken again there), heals it, and
 * watches everything converge and the name conflict resolve.
 *
 * All three nodes run the playground's own discovery, so they connect by themselves,
 * and the cut keeps discovery from crossing it.
 */
import { NO_NODE, _, getMembers, global, list, node, partitions, rpc, type Pid } from '../src/index.ts';
import type { CheckContext, Lesson } from './lesson.ts';

const COUNTER = "const Counter = { init: (n) => ['ok', n], handleCall: (_req, _from, n) => ['reply', n, n + 1] }";

/** The nodes of the group 'squad', one entry per member. */
const squadNodes = () => new Set(getMembers('squad').map((pid: Pid) => pid.node));

const counterNode = () => global.whereis('counter')?.node;

function others(): string[] {
  return list().slice().sort();
}

export const netsplit: Lesson = {
  id: 'netsplit',
  title: 'A netsplit on purpose',
  summary: 'remote spawn, rpc, a global name and a group; cut the network, watch, heal, converge',
  nodes: { bob: [], carol: [] },
  preflight: () => (node() === NO_NODE ? 'This node has no name: leave (.exit) and start it with --sname alice.' : undefined),
  steps: [
    {
      title: 'Three nodes',
      explain: 'Start bob and carol in two more terminals; discovery connects the three of you.',
      start: ['bob', 'carol'],
      code: [{ code: 'list()', whenDone: true }],
      check: () => list().length >= 2,
      hint: 'Start bob and carol with the same cookie; list() shows them once connected.',
    },
    {
      title: 'Run code on bob',
      explain: [
        "spawn with a node first runs the function there (Elixir's Node.spawn): its source",
        'travels, and it sees the helpers of that node. It prints on bob\'s terminal.',
      ].join('\n'),
      code: [
        'const [bob, carol] = list().sort()',
        'await spawn(bob, () => console.log(`hello from ${node()}`))',
      ],
      check: (ctx) => {
        const v = ctx.evaluated(/spawn\(bob/)?.value as Pid | undefined;
        return v !== undefined && v.node !== node();
      },
      hint: "const [bob, carol] = list().sort(), then await spawn(bob, () => ...).",
    },
    {
      title: 'Ask a node with rpc',
      explain: [
        'rpc.call runs a function on a node and gives back its result. A function may not use',
        'variables of this side: pass them as arguments. Ask carol how many processes she runs.',
      ].join('\n'),
      code: ['await rpc.call(carol, () => processes().length)', 'await rpc.call(carol, (a, b) => a * b, 6, 7)'],
      check: (ctx) => ctx.evaluated(/rpc\.call\(carol, \(a, b\)/)?.value === 42,
      hint: 'await rpc.call(carol, (a, b) => a * b, 6, 7) gives 42.',
    },
    {
      title: 'A name for the whole cluster',
      explain: [
        "A global name holds on every node (Erlang's global). Share a Counter module with every",
        "node, start it on bob under ['global', 'counter'], and call it from here.",
      ].join('\n'),
      code: [
        COUNTER,
        'await share({ Counter })',
        { on: 'bob', code: "await GenServer.start(Counter, 0, { name: ['global', 'counter'] })" },
        "await GenServer.call(['global', 'counter'], 'next')",
      ],
      check: () => counterNode() !== undefined && counterNode() !== node(),
      hint: "Share Counter first, then start it on bob with { name: ['global', 'counter'] }.",
    },
    {
      title: 'A group on every node',
      explain: "Each node's shell joins the pg group 'squad', and alice watches the counter with a monitor.",
      code: [
        "pg.join('squad', self())",
        { on: 'bob', code: "pg.join('squad', self())" },
        { on: 'carol', code: "pg.join('squad', self())" },
        "const ref = monitor(global.whereis('counter'))",
        { code: "getMembers('squad')", whenDone: true },
      ],
      check: (ctx) => squadNodes().size >= 3 && ctx.evaluated(/monitor\(global\.whereis/) !== undefined,
      hint: "pg.join('squad', self()) at each prompt, then monitor the counter's pid.",
    },
    {
      title: 'Cut the network',
      explain: [
        'partition cuts every link between two sides, on every node, until heal(). With one side',
        'given, the other is everybody else. Every node prints a line when the cut starts.',
      ].join('\n'),
      code: ['partition([node()])', { code: 'list()', whenDone: true }],
      check: () => partitions().length > 0 && list().length === 0,
      hint: 'partition([node()]) puts alice alone on one side.',
    },
    {
      title: 'What the cut did',
      explain: [
        "The monitor fired with 'noconnection'; the group shows only this side; the global name",
        "went with bob. On bob's side, the group has two members and the counter is still there.",
      ].join('\n'),
      code: [
        'flush()',
        "getMembers('squad')",
        "global.whereis('counter')",
        { on: 'bob', code: "getMembers('squad').length" },
      ],
      check: (ctx) =>
        ctx.evaluated(/flush\(\)/) !== undefined && ctx.seen(['DOWN', _, 'process', _, 'noconnection']) && squadNodes().size === 1,
      hint: "flush() shows the DOWN; getMembers('squad') has only alice's shell.",
    },
    {
      title: 'Both sides take the name',
      explain: [
        "Here, 'counter' is free now: start another Counter under the same global name. Bob's",
        'side still has its own. Two processes hold one name, each side sure it is the only one.',
      ].join('\n'),
      code: ["await GenServer.start(Counter, 100, { name: ['global', 'counter'] })"],
      check: () => counterNode() === node(),
      hint: "await GenServer.start(Counter, 100, { name: ['global', 'counter'] }) on alice.",
    },
    {
      title: 'Heal',
      explain: [
        'heal() lifts the cut everywhere: the nodes reconnect at once, and pg syncs the groups.',
        "Two counters hold 'counter' now. As global does by default, one node keeps one at",
        'random and kills the other, with a log line that says why.',
      ].join('\n'),
      code: ['heal()', { code: "getMembers('squad')", whenDone: true }],
      check: (ctx) =>
        partitions().length === 0 && list().length >= 2 && squadNodes().size >= 3 &&
        ctx.logs.some((l) => l.includes('name conflict for "counter"')),
      hint: 'heal() from any node.',
    },
    {
      title: 'One counter again',
      explain: [
        "Every node agrees on which counter holds the name; call it. (Pass a resolve function",
        'to global.register to choose the winner yourself.)',
      ].join('\n'),
      code: ["await GenServer.call(['global', 'counter'], 'next')"],
      check: async (ctx: CheckContext) => {
        const pid = global.whereis('counter');
        if (pid === undefined || typeof ctx.evaluated(/GenServer\.call\(\['global'/)?.value !== 'number') return false;
        const views = await ctx.inProcess(() =>
          rpc.multicall(() => {
            const p = global.whereis('counter');
            return p && `${p.node}/${p.id}`;
          }),
        );
        return views[1].length === 0 && views[0].every((v) => v === `${pid.node}/${pid.id}`);
      },
      hint: 'Wait for the log line; global.whereis(\'counter\') then names the same process on every node.',
    },
  ],
};
