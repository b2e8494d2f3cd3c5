/**
 * @module repl/docs-dist
 * The docs `h()` shows for running code on other nodes (spawn with a node, rpc, share),
 * global names and the network broken on purpose. Same format as `docs.ts`.
 */
import type { HelpDoc } from './help.ts';

const REMOTE = 'Other nodes';
const NAMES = 'Names';
const NETSPLIT = 'Netsplits on purpose';

export const DIST_DOCS: HelpDoc[] = [
  {
    name: 'rpc', group: REMOTE, signature: 'rpc.call/cast/multicall',
    summary: "Erlang's rpc: runs a function on other nodes and gives its result.",
    details: "The function's source travels and runs there with the helpers in scope; its arguments travel\nas terms. It may use no variable of this side: pass values as arguments, or share() them.\nA cookie grants full access: any node that passed the handshake may run code here.",
    example: "> await rpc.call('bob@vm', () => node())\n'bob@vm'",
  },
  {
    name: 'rpc.call', group: REMOTE, signature: 'rpc.call(node, fn, ...args, rpc.timeout(ms)?)',
    summary: 'Runs fn(...args) on node and resolves with its result (a promise is awaited there).',
    details: "Rejects with RpcError: ERR_REMOTE (fn threw; the message shows the remote frames),\nERR_NODEDOWN (badrpc, nodedown) or ERR_TIMEOUT after 5000 ms or rpc.timeout(ms).",
    example: "> await rpc.call('bob@vm', (a, b) => a + b, 1, 2)\n3\n> await rpc.call('bob@vm', () => new Promise(() => {}), rpc.timeout(100))\n** (RpcError) rpc.call to bob@vm: no answer within 100 ms (the remote process was killed)",
  },
  {
    name: 'rpc.cast', group: REMOTE, signature: 'rpc.cast(node, fn, ...args)',
    summary: 'Runs fn(...args) on node without waiting for it; always true.',
    example: "> rpc.cast('bob@vm', () => console.log('hi from', node()))\ntrue",
  },
  {
    name: 'rpc.multicall', group: REMOTE, signature: 'rpc.multicall(nodes?, fn, ...args)',
    summary: 'Runs fn on every node at once: [results, badNodes], as Erlang gives them.',
    details: "nodes defaults to this node and every connected one. A throw there is ['badrpc', error] among the\nresults; a node that is down or too slow is among the bad nodes.",
    example: "> await rpc.multicall(['alice@vm', 'bob@vm', 'nobody@vm'], () => node())\n[ [ 'alice@vm', 'bob@vm' ], [ 'nobody@vm' ] ]",
  },
  {
    name: 'rpc.timeout', group: REMOTE, signature: 'rpc.timeout(ms)',
    summary: 'Given as the last argument of rpc.call or rpc.multicall, sets its timeout.',
    example: "> await rpc.call('bob@vm', () => 1, rpc.timeout(1000))\n1",
  },
  {
    name: 'share', group: REMOTE, signature: 'share({ Name, ... })',
    summary: 'Makes definitions typed here usable on every node, now and on nodes that connect later.',
    details: "Like Erlang's nl/1. An object of functions (a GenServer module), a class or a function; each node\nlogs it and has it as a name at its prompt. Sharing again replaces it everywhere.",
    example: "> const Stack = { init: (items) => ['ok', items], handleCall: (_req, _from, [top, ...rest]) => ['reply', top, rest] }\n> await share({ Stack })\n[ 'Stack' ]\n(on bob) > await GenServer.start(Stack, ['hello'])\n#PID<0.125.0>",
  },
  {
    name: 'shared', group: REMOTE, signature: 'shared()',
    summary: 'The names shared with this node, each with the node it came from.',
    example: "> shared()\n[ [ 'Stack', 'alice@vm' ] ]",
  },
  {
    name: 'global', group: NAMES, signature: 'global.register/whereis/send/...',
    summary: "Erlang's global: names that hold across the whole connected cluster.",
    details: "['global', name] names a GenServer or Supervisor at start and in GenServer.call. A name goes when\nits process ends or its node goes down. Two nodes racing for a name: exactly one gets it.\nAfter a netsplit heals, a name taken on both sides is resolved: one is kept and the other killed,\nwith a log line, or as the resolve function given to register decides.",
    example: "> await global.register('leader', self())\n'yes'\n> await GenServer.start(Stack, [], { name: ['global', 'stack'] })\n#PID<0.130.0>\n(on bob) > await GenServer.call(['global', 'stack'], 'pop')",
  },
  {
    name: 'global.register', group: NAMES, signature: 'global.register(name, pid, resolve?)',
    summary: "Registers pid under name cluster-wide: 'yes', or 'no' when it is taken anywhere.",
    details: 'resolve(name, pid1, pid2) decides a conflict after a heal: it gives the pid to keep (or null\nfor neither); the other is unregistered, not killed.',
    example: "> await global.register('leader', self())\n'yes'\n> await global.register('leader', self(), (name, a, b) => a.node < b.node ? a : b)\n'no'",
  },
  {
    name: 'global.whereis', group: NAMES, signature: 'global.whereis(name)',
    summary: 'The pid registered under name in the cluster, or undefined.',
    example: "> global.whereis('leader')\n#PID<12.7.0>",
  },
  {
    name: 'global.send', group: NAMES, signature: 'global.send(name, msg)',
    summary: 'Sends msg to the process registered globally as name; throws when there is none.',
    example: "> global.send('leader', 'hello')\n'hello'",
  },
  {
    name: 'global.unregister', group: NAMES, signature: 'global.unregister(name)',
    summary: 'Removes name from every node.',
    example: "> global.unregister('leader')\n'ok'",
  },
  {
    name: 'global.registered', group: NAMES, signature: 'global.registered()',
    summary: 'Every name registered in the cluster.',
    example: "> global.registered()\n[ 'leader' ]",
  },
  {
    name: 'partition', group: NETSPLIT, signature: 'partition(sideA, sideB?)',
    summary: 'Cuts every connection between two sides of the cluster, from any node, until heal().',
    details: "sideB defaults to every other node. Discovery and reconnects do not cross the cut; every node\nprints a line when it starts. Watch: monitors and links fire 'noconnection', pg and PubSub split,\nglobal names can be taken on both sides.",
    example: "> partition(['alice@vm'], ['bob@vm', 'carol@vm'])\n[warning] netsplit by alice@vm: alice@vm | bob@vm, carol@vm; this node is cut off from bob@vm, carol@vm until heal()\n> list()\n[]",
  },
  {
    name: 'heal', group: NETSPLIT, signature: 'heal()',
    summary: 'Ends every partition, delay and drop, cluster-wide: the cut nodes reconnect at once.',
    example: "> heal()\n[info] network healed by alice@vm: reconnecting to bob@vm, carol@vm\n'ok'",
  },
  {
    name: 'partitions', group: NETSPLIT, signature: 'partitions()',
    summary: 'The partitions in force, as every node sees them.',
    example: "> partitions()\n[ { id: 'alice@vm/mx2g/1', a: [ 'alice@vm' ], b: [ 'bob@vm', 'carol@vm' ], by: 'alice@vm' } ]",
  },
  {
    name: 'delay', group: NETSPLIT, signature: 'delay(node, ms)',
    summary: 'Holds back everything on the link to node by ms, both ways (0 ends it).',
    example: "> delay('bob@vm', 200)\n'ok'",
  },
  {
    name: 'drop', group: NETSPLIT, signature: 'drop(node, fraction)',
    summary: 'Loses that share (0 to 1) of the messages on the link to node, both ways.',
    details: 'Links, monitors and the nodes\' own bookkeeping still get through. 0 ends it.',
    example: "> drop('bob@vm', 0.5)\n'ok'",
  },
];
