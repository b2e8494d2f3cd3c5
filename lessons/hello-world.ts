/**
 * @module lessons/hello-world
 * The hello-world cluster, by hand: names and the port mapper, a UDP socket whose
 * packets land in the shell's mailbox, a home-made discovery server that a stray packet
 * crashes (and its supervisor restarts), the fix, node monitoring, a greeter, and a
 * third node that gets a greeting from each of the other two.
 *
 * The learner's node has its own discovery and greeter paused while the lesson runs,
 * because the lesson builds both (`quiet`); the other nodes run the playground's own
 * greeter, which speaks the same protocol (`['greet', node]` cast to the process
 * registered as 'greeter').
 * (In Elixir the seed's discovery is a GenServer around `:gen_udp`, and the greeter
 * answers `{:nodeup, node}` with `GenServer.cast({Greeter, node}, {:greet, node()})`.)
 */
import { GenServer, NO_NODE, _, equal, isAlive, list, node, whereis, type Pid } from '../src/index.ts';
import type { CheckContext, Lesson } from './lesson.ts';

/** The nodes connected now that were not when the step began. */
function newNodes(ctx: CheckContext): string[] {
  const before = (ctx.memo.nodes as string[] | undefined) ?? [];
  return list().filter((n) => !before.includes(n));
}

function rememberNodes(ctx: CheckContext): void {
  ctx.memo.nodes = list();
}

function rememberServer(ctx: CheckContext): void {
  ctx.memo.pid = whereis('naive');
}

/** How many stray packets the fixed discovery server has ignored, or -1 if it cannot say. */
async function ignored(ctx: CheckContext): Promise<number> {
  const n = await ctx.inProcess(() => GenServer.call('naive', 'ignored', 1000));
  return typeof n === 'number' ? n : -1;
}

export const helloWorld: Lesson = {
  id: 'hello-world',
  title: 'The hello-world cluster',
  summary: 'nodes that find each other over UDP, connect, and greet every newcomer',
  quiet: ['discovery', 'greeter'],
  nodes: {
    bob: ['--discovery', 'none'],
    carol: ['--discovery', 'none'],
  },
  preflight: () => (node() === NO_NODE ? 'This node has no name: leave (.exit) and start it as shown above.' : undefined),
  steps: [
    {
      title: 'A node has a name',
      explain: [
        'Processes on different machines can only talk once their nodes know each other,',
        'and a node is known by its name: `alice@vm` is the node alice on the host vm.',
        '`--sname alice` gave this node its name; a node started without one is not',
        'distributed at all (Elixir: `node()`).',
      ].join('\n'),
      code: ['node()'],
      check: (ctx) => ctx.node !== 'nonode@nohost' && ctx.evaluated(/node\(\)/)?.value === ctx.node,
      hint: 'If node() says nonode@nohost, leave (.exit) and start again with --sname alice.',
    },
    {
      title: 'The port mapper',
      explain: [
        'A name is not an address. Every node listens on some TCP port, and each machine',
        'runs a tiny port mapper (epmd, in Erlang) that maps the names of its nodes to',
        'their ports: to reach bob@vm, a node asks the port mapper on vm. The first node',
        'on a machine starts it; `names()` asks it what it knows (`epmd -names`).',
      ].join('\n'),
      code: ['names()'],
      check: (ctx) => {
        const ev = ctx.evaluated(/names\(\)/);
        const short = ctx.node.split('@')[0]!;
        return ev !== undefined && JSON.stringify(ev.value ?? null).includes(short);
      },
      hint: 'Type names() as it is: the answer should list this node with its port.',
    },
    {
      title: 'Packets in the mailbox',
      explain: [
        'Nodes find each other by shouting on UDP: no connection, just datagrams. A UDP',
        'socket belongs to the process that opened it, and every packet it receives',
        'arrives in that process\'s mailbox as [\'udp\', socket, address, port, data]',
        '(Elixir: `:gen_udp.open/2`). Open one in the shell, send yourself a packet,',
        'then look in the mailbox.',
      ].join('\n'),
      code: (env) => [
        `const sock = await udp.open(${env.udpPort})`,
        `udp.send(sock, '127.0.0.1', ${env.udpPort}, 'hello world')`,
        'flush()',
        'udp.close(sock)',
      ],
      check: (ctx) => ctx.seen(['udp', _, _, ctx.env.udpPort, 'hello world']),
      hint: 'Open the socket first (await udp.open(port)), send to 127.0.0.1 on the same port, then flush().',
    },
    {
      title: 'A naive discovery server',
      explain: [
        'Now a server that does this for real. Every two seconds it broadcasts this',
        'node\'s name to 127.255.255.255 (every socket on the port, on this machine, gets',
        'it, ours included), and for every packet it hears it connects to the node named',
        'in it. The name travels as JSON, where Elixir sends `:erlang.term_to_binary(node())`.',
        'A supervisor starts it, as an Elixir application would.',
      ].join('\n'),
      code: (env) => [
        [
          'const Naive = {',
          '  async init() {',
          `    const socket = await udp.open(${env.udpPort}, { broadcast: true })`,
          "    send(self(), 'heartbeat')",
          "    return ['ok', { socket }]",
          '  },',
          '  handleInfo(msg, state) {',
          "    if (msg === 'heartbeat') {",
          `      udp.send(state.socket, '127.255.255.255', ${env.udpPort}, JSON.stringify(node()))`,
          "      setTimeout(send, 2000, self(), 'heartbeat')",
          '    } else {',
          '      const name = JSON.parse(msg[4])',
          '      if (name !== node() && !list().includes(name)) connect(name)',
          '    }',
          "    return ['noreply', state]",
          '  },',
          '}',
        ].join('\n'),
        "const sup = await Supervisor.start([{ id: 'naive', start: [GenServer.startLink, Naive, null, { name: 'naive' }] }], { strategy: 'one_for_one' })",
      ],
      check: () => {
        const pid = whereis('naive');
        return pid !== undefined && isAlive(pid);
      },
      hint: 'Define Naive first (the whole object), then start the supervisor; whereis(\'naive\') should give a pid.',
    },
    {
      title: 'Bob says hello',
      explain: [
        'Start a second node, also with discovery off, and let it announce itself once on',
        'the same port. Alice\'s server hears the packet and connects: list() shows bob.',
      ].join('\n'),
      start: ['bob'],
      enter: rememberNodes,
      code: (env) => [
        { on: 'bob', code: `udp.send(await udp.open(0, { broadcast: true }), '127.255.255.255', ${env.udpPort}, JSON.stringify(node()))` },
        { code: 'list()', whenDone: true },
      ],
      check: (ctx) => newNodes(ctx).length > 0,
      hint: 'Is bob running, started with the same cookie? Its packet must go to the port the server listens on.',
    },
    {
      title: 'A stray packet',
      explain: [
        'Anything can land on that port. Send it a packet that is not a name, as',
        '`echo "Test" | nc -u 127.0.0.1 PORT` would from a terminal: JSON.parse throws,',
        'the server crashes, the crash report shows above the prompt, and the supervisor',
        'starts a fresh server, with a new pid, under the same name.',
      ].join('\n'),
      enter: rememberServer,
      code: (env) => [
        'const nc = await udp.open(0)',
        `udp.send(nc, '127.0.0.1', ${env.udpPort}, 'Test\\n')`,
        { code: "whereis('naive')", whenDone: true },
      ],
      check: (ctx) => {
        const before = ctx.memo.pid as Pid | undefined;
        const now = whereis('naive');
        return before !== undefined && now !== undefined && !equal(before, now) && isAlive(now);
      },
      hint: "Send something that is not JSON to 127.0.0.1 on the server's port, then compare whereis('naive') with before.",
    },
    {
      title: 'Only packets that are ours',
      explain: [
        'The fix is to scope the packets: announcements start with `node::`, and anything',
        'else is ignored and counted (the playground\'s own discovery ignores it too). Stop the',
        'old supervisor and start one with the fixed server; it answers a call with the',
        'number of packets it ignored.',
      ].join('\n'),
      code: (env) => [
        [
          'const Discovery = {',
          '  async init() {',
          `    const socket = await udp.open(${env.udpPort}, { broadcast: true })`,
          "    send(self(), 'heartbeat')",
          "    return ['ok', { socket, ignored: 0 }]",
          '  },',
          '  handleInfo(msg, state) {',
          "    if (msg === 'heartbeat') {",
          `      udp.send(state.socket, '127.255.255.255', ${env.udpPort}, 'node::' + JSON.stringify(node()))`,
          "      setTimeout(send, 2000, self(), 'heartbeat')",
          "      return ['noreply', state]",
          '    }',
          '    const text = msg[4]',
          "    if (!text.startsWith('node::')) return ['noreply', { ...state, ignored: state.ignored + 1 }]",
          '    const name = JSON.parse(text.slice(6))',
          '    if (name !== node() && !list().includes(name)) connect(name)',
          "    return ['noreply', state]",
          '  },',
          '  handleCall(request, from, state) {',
          "    return ['reply', state.ignored, state]",
          '  },',
          '}',
        ].join('\n'),
        'await Supervisor.stop(sup)',
        "const sup2 = await Supervisor.start([{ id: 'naive', start: [GenServer.startLink, Discovery, null, { name: 'naive' }] }], { strategy: 'one_for_one' })",
      ],
      enter: rememberServer,
      check: (ctx) => {
        const before = ctx.memo.pid as Pid | undefined;
        const now = whereis('naive');
        return ctx.evaluated(/Supervisor\.start\(/) !== undefined && now !== undefined && !equal(before, now) && isAlive(now);
      },
      hint: "Stop the first supervisor before starting the new one: both want the name 'naive'.",
    },
    {
      title: 'Stray packets, ignored',
      explain: 'Send the same stray packet again. This time the server stays up, and counts it.',
      enter: rememberServer,
      code: (env) => [
        `udp.send(nc, '127.0.0.1', ${env.udpPort}, 'Test\\n')`,
        { code: "await GenServer.call('naive', 'ignored')", whenDone: true },
      ],
      check: async (ctx) => {
        const before = ctx.memo.pid as Pid | undefined;
        const now = whereis('naive');
        return before !== undefined && now !== undefined && equal(before, now) && (await ignored(ctx)) >= 1;
      },
      hint: "The packet goes to the server's port from the nc socket; whereis('naive') should not change.",
    },
    {
      title: 'Nodes come and go',
      explain: [
        'A process can ask to be told when nodes connect and disconnect: after',
        '`monitorNodes(true)` it receives [\'nodeup\', node] and [\'nodedown\', node]',
        '(Elixir: `:net_kernel.monitor_nodes(true)`). Try it from the shell: drop bob,',
        'then connect again.',
      ].join('\n'),
      code: [
        'monitorNodes(true)',
        'const bob = list()[0]',
        'disconnect(bob)',
        'await connect(bob)',
        'flush()',
      ],
      check: (ctx) => ctx.seen(['nodedown', (_: unknown) => true]) && ctx.seen(['nodeup', (_: unknown) => true]),
      hint: 'monitorNodes(true) first, then disconnect and connect; flush() shows the two messages.',
    },
    {
      title: 'A greeter',
      explain: [
        'The point of it all: when a node comes up, greet it. A server that monitors',
        'nodes casts [\'greet\', node()] to the server registered as \'greeter\' on every',
        'node that comes up, and logs each greeting it gets (Elixir:',
        '`GenServer.cast({Greeter, node}, {:greet, node()})`). Bob and carol run the',
        'playground\'s own greeter, which speaks the same protocol.',
      ].join('\n'),
      code: [
        [
          'const Greeter = {',
          '  init() {',
          '    monitorNodes(true)',
          "    return ['ok', null]",
          '  },',
          '  handleInfo(msg, state) {',
          "    if (msg[0] === 'nodeup') GenServer.cast(['greeter', msg[1]], ['greet', node()])",
          "    return ['noreply', state]",
          '  },',
          '  handleCast([, from], state) {',
          "    log('info', `Hello world from ${from}`)",
          "    return ['noreply', state]",
          '  },',
          '}',
        ].join('\n'),
        "await GenServer.start(Greeter, null, { name: 'greeter' })",
      ],
      check: () => {
        const pid = whereis('greeter');
        return pid !== undefined && isAlive(pid);
      },
      hint: "If the name 'greeter' is taken, a greeter from an earlier try still runs: GenServer.stop('greeter') first.",
    },
    {
      title: 'A third node',
      explain: [
        'Start carol and let her announce herself, the scoped way. Alice connects to her,',
        'carol connects to bob too (nodes form a full mesh), and every greeter greets',
        'her: carol logs two greetings, one from alice and one from bob, and alice and',
        'bob each log one from carol. Carol\'s greeter remembers who greeted her.',
      ].join('\n'),
      start: ['carol'],
      enter: rememberNodes,
      code: (env) => [
        {
          on: 'carol',
          code: `udp.send(await udp.open(0, { broadcast: true }), '127.255.255.255', ${env.udpPort}, 'node::' + JSON.stringify(node()))`,
        },
        { code: "const carol = list().find((n) => n.startsWith('carol@'))", whenDone: true },
        { code: "await GenServer.call(['greeter', carol], 'greetings')", whenDone: true },
      ],
      check: async (ctx) => {
        const carol = newNodes(ctx)[0];
        if (carol === undefined || !ctx.logs.some((l) => l.includes(`Hello world from ${carol}`))) return false;
        const greetings = await ctx.inProcess(() => GenServer.call(['greeter', carol], 'greetings', 1000));
        if (!Array.isArray(greetings) || greetings.length !== 2 || !greetings.includes(node())) return false;
        // And bob was greeted by her too, as this step says.
        const bob = list().find((n) => n.startsWith('bob@'));
        const bobs = bob === undefined ? [] : await ctx.inProcess(() => GenServer.call(['greeter', bob], 'greetings', 1000));
        return Array.isArray(bobs) && bobs.includes(carol);
      },
      hint: 'carol must send to the discovery port with the node:: prefix; the greetings show above the prompts.',
    },
  ],
};
