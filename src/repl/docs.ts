/**
 * @module repl/docs
 * The docs `h()` shows for the helpers of the process runtime, the node and the prompt
 * itself. Examples are prompt transcripts: `> ` lines are typed (plain JavaScript, valid
 * as shown), the lines after them are what the prompt prints.
 */
import type { HelpDoc } from './help.ts';

const NODES = 'Nodes';
const PROCESSES = 'Processes';
const NAMES = 'Names';
const LOOKING = 'Looking around';
const PATTERNS = 'Patterns';
const SOCKETS = 'Sockets';
const ERLANG = 'Erlang values';

export const CORE_DOCS: HelpDoc[] = [
  // Nodes
  {
    name: 'node', group: NODES, signature: 'node(pid?)',
    summary: "This node's name ('nonode@nohost' when started without --sname/--name); node(pid) gives the pid's node.",
    example: "> node()\n'bob@vm'\n> node(pidOnCarol)\n'carol@vm'",
  },
  {
    name: 'list', group: NODES, signature: 'list()',
    summary: 'The nodes this node is connected to.',
    example: "> list()\n[ 'alice@vm' ]",
  },
  {
    name: 'connect', group: NODES, signature: 'connect(node)',
    summary: 'Connects to another node: true, or false when it cannot be reached or refuses.',
    details: 'Connecting to one node also connects to the nodes it knows (a full mesh).\nA wrong cookie gives false, not an error, as Node.connect does.',
    example: "> connect('alice@vm')\ntrue",
  },
  {
    name: 'disconnect', group: NODES, signature: 'disconnect(node)',
    summary: 'Closes the connection to a node; false when there was none.',
    details: "A one-off, as Erlang's disconnect_node: discovery (or the next send) connects again within a\nheartbeat. To keep nodes apart, cut the network: partition([node()]) until heal().",
    example: "> disconnect('alice@vm')\ntrue",
  },
  {
    name: 'names', group: NODES, signature: 'names()',
    summary: "The names registered at this machine's port mapper, with their ports.",
    details: "Like Erlang's net_adm:names() (and `npx tsx playground --names`): short names, as epmd lists them.",
    example: "> names()\n[ [ 'alice', 40123 ], [ 'bob', 40321 ] ]",
  },
  {
    name: 'monitorNodes', group: NODES, signature: 'monitorNodes(flag)',
    summary: "With true, the caller receives ['nodeup', node] and ['nodedown', node].",
    example: "> monitorNodes(true)\ntrue\n> await receive(['nodeup', _])\n[ 'nodeup', 'carol@vm' ]",
  },
  // Processes
  {
    name: 'self', group: PROCESSES, signature: 'self()',
    summary: "The calling process's pid; at the prompt, the shell's.",
    details: 'The shell is a process: messages sent to it wait in its mailbox.',
    example: '> self()\n#PID<0.7.0>',
  },
  {
    name: 'spawn', group: PROCESSES, signature: 'spawn(node?, fn, ...args)',
    summary: 'Starts a process running fn(...args) and returns its pid; with a node first, there.',
    details: "The process lives until fn returns (or its promise settles), throws, or is killed.\nspawn('bob@vm', fn) sends fn's source to bob (Elixir's Node.spawn) and resolves with the pid;\nfn may use the helpers but no variable of this side: pass values as arguments. At the prompt,\nconst pid = spawn('bob@vm', fn) binds the pid itself, as a declaration awaits its value.",
    example: "> await spawn('bob@vm', () => console.log('hello from', node()))\n#PID<12.120.0>\n> const pid = spawn(async () => { const [from, x] = await receive(); send(from, x * 2) })\n> send(pid, [self(), 21])\n> await receive()\n42",
  },
  {
    name: 'spawnLink', group: PROCESSES, signature: 'spawnLink(node?, fn, ...args)',
    summary: 'Like spawn, and links the new process to the caller.',
    details: 'When a linked process crashes, the shell dies too and a new shell takes its place.',
    example: "> spawnLink(() => { throw new Error('boom') })\n[error] Process #PID<0.9.0> raised an exception ...",
  },
  {
    name: 'spawnMonitor', group: PROCESSES, signature: 'spawnMonitor(node?, fn, ...args)',
    summary: 'Like spawn, and monitors the new process: returns [pid, ref].',
    example: "> const [pid, ref] = spawnMonitor(() => 'done')\n> await receive(['DOWN', ref, _, _, _])\n[ 'DOWN', #Reference<0.0.0.3>, 'process', #PID<0.9.0>, 'normal' ]",
  },
  {
    name: 'send', group: PROCESSES, signature: 'send(dest, msg)',
    summary: 'Sends msg to a pid, a registered name or [name, node], and returns msg.',
    details: 'A message to a dead pid is dropped silently, as in Erlang.',
    example: "> send(self(), ['hello', 'world'])\n[ 'hello', 'world' ]\n> flush()\n[ 'hello', 'world' ]\n'ok'",
  },
  {
    name: 'receive', group: PROCESSES, signature: 'receive(pattern?, { after? })',
    summary: 'Takes the first message matching pattern, waiting if none is there yet (await it).',
    details: "Patterns: _ matches anything, arrays match element by element, objects by their keys,\na function is a guard. With { after: ms } (or just ms) it gives TIMEOUT when the time runs\nout; receive({ after: ms }) alone waits for any message. Ctrl+C cancels a wait at the prompt.",
    example: "> send(self(), ['b', 2]); send(self(), ['a', 1])\n> await receive(['a', _])\n[ 'a', 1 ]\n> await receive(_, { after: 100 })\n[ 'b', 2 ]\n> await receive('never', 100)\nTIMEOUT",
  },
  {
    name: 'flush', group: PROCESSES, signature: 'flush()',
    summary: "Prints every message in the caller's mailbox and removes them, as iex's flush does.",
    example: "> send(self(), 'ping')\n'ping'\n> flush()\n'ping'\n'ok'",
  },
  {
    name: 'link', group: PROCESSES, signature: 'link(pid)',
    summary: 'Links the caller and pid: when one ends abnormally, the other gets its exit signal.',
    example: '> link(pid)\ntrue',
  },
  {
    name: 'unlink', group: PROCESSES, signature: 'unlink(pid)',
    summary: 'Removes the link between the caller and pid.',
    example: '> unlink(pid)\ntrue',
  },
  {
    name: 'monitor', group: PROCESSES, signature: 'monitor(pid | name | [name, node])',
    summary: "Watches a process: when it ends, the caller receives ['DOWN', ref, 'process', pid, reason].",
    example: "> const ref = monitor(pid)\n> exit(pid, 'kill')\ntrue\n> await receive(['DOWN', ref, _, _, _])\n[ 'DOWN', #Reference<0.0.0.4>, 'process', #PID<0.9.0>, 'killed' ]",
  },
  {
    name: 'demonitor', group: PROCESSES, signature: 'demonitor(ref, { flush? })',
    summary: "Stops a monitor; with { flush: true } also drops its 'DOWN' if already queued.",
    example: '> demonitor(ref)\ntrue',
  },
  {
    name: 'exit', group: PROCESSES, signature: 'exit(reason) | exit(pid, reason)',
    summary: "exit(reason) ends the caller; exit(pid, reason) sends pid an exit signal ('kill' cannot be trapped).",
    details: 'exit(reason) at the prompt ends the shell; a new shell takes its place.',
    example: "> exit(pid, 'kill')\ntrue",
  },
  {
    name: 'trapExit', group: PROCESSES, signature: 'trapExit(flag)',
    summary: "With true, exit signals arrive as ['EXIT', pid, reason] messages. Returns the old flag.",
    example: "> trapExit(true)\nfalse",
  },
  {
    name: 'makeRef', group: PROCESSES, signature: 'makeRef()',
    summary: 'A unique reference, e.g. to tag a request and match its reply.',
    example: '> makeRef()\n#Reference<0.0.0.5>',
  },
  // Names
  {
    name: 'register', group: NAMES, signature: 'register(name, pid)',
    summary: 'Registers pid under name on this node; send(name, msg) then reaches it.',
    example: "> register('shell', self())\ntrue\n> send('shell', 'hi')\n'hi'",
  },
  {
    name: 'unregister', group: NAMES, signature: 'unregister(name)',
    summary: 'Frees a registered name; false when it was not registered.',
    example: "> unregister('shell')\ntrue",
  },
  {
    name: 'whereis', group: NAMES, signature: 'whereis(name)',
    summary: 'The pid registered under name on this node, or undefined.',
    example: "> whereis('greeter')\n#PID<0.4.0>",
  },
  {
    name: 'registered', group: NAMES, signature: 'registered()',
    summary: 'Every name registered on this node.',
    example: "> registered()\n[ 'greeter', 'discovery' ]",
  },
  // Looking around
  {
    name: 'processes', group: LOOKING, signature: 'processes()',
    summary: 'The pids of every process on this node.',
    example: '> processes().length\n6',
  },
  {
    name: 'i', group: LOOKING, signature: 'i(pid?)',
    summary: "Process info as a small table; i() lists every process. A pid of another node is asked about at its node.",
    example: "> i(self())\nPid                   #PID<0.7.0>\nRegistered name       -\nInitial call          shell\n...",
  },
  {
    name: 'isAlive', group: LOOKING, signature: 'isAlive(pid)',
    summary: 'True while the process pid lives; for a pid of another node, its node is asked.',
    details: "In code (not at the prompt) isAlive refuses a pid of another node, as Erlang's is_process_alive does.",
    example: '> isAlive(self())\ntrue',
  },
  {
    name: 'processInfo', group: LOOKING, signature: 'processInfo(pid)',
    summary: "What i(pid) shows, as an object (undefined when the process is not alive); another node's pid is asked about there.",
    example: '> processInfo(self()).messageQueueLen\n0',
  },
  {
    name: 'pid', group: LOOKING, signature: "pid('0.16.0')",
    summary: "The pid printed as #PID<0.16.0>, to use one seen on screen (also pid(0, 16, 0), pid('#PID<12.98.0>')).",
    details: 'The first number is the node as this prompt prints it: 0 is this node, others are numbered as first seen.',
    example: "> pid('0.16.0')\n#PID<0.16.0>\n> i(pid('#PID<0.16.0>'))",
  },
  {
    name: 'web', group: LOOKING, signature: 'web({ port?, host? })',
    summary: 'Serves a live page of the cluster from this node and gives its address; open it beside the terminal.',
    details: "Nodes and links with message rates, each node's processes (click one for its info), supervision\ntrees, pg groups, global names, PubSub topics, partitions and nodes going down. On 127.0.0.1 unless\nhost says otherwise; then the address carries a token every viewer needs. Read-only.",
    example: "> await web()\n'http://127.0.0.1:41234/'",
  },
  {
    name: 'stopWeb', group: LOOKING, signature: 'stopWeb()',
    summary: 'Stops serving the live page.',
    example: "> await stopWeb()\n'ok'",
  },
  {
    name: 'v', group: LOOKING, signature: 'v(n?)',
    summary: 'The result of input n (v() the last one, v(-2) the one before), as in iex.',
    example: '> 6 * 7\n42\n> v() + 1\n43',
  },
  {
    name: 'h', group: LOOKING, signature: 'h(helper?)',
    summary: "This help: h() lists the helpers, h(send) or h('pg.join') shows one.",
    example: "> h('receive')",
  },
  // Sockets
  {
    name: 'udp', group: SOCKETS, signature: 'udp.open/send/close',
    summary: "A small gen_udp: packets arrive in the owner's mailbox as ['udp', socket, address, port, data].",
    details: 'The socket belongs to the process that opened it and closes when that process ends.',
    example: "> const socket = await udp.open(45826, { broadcast: true })\n> udp.send(socket, '127.0.0.1', 45826, 'HELLO WORLD')\n'ok'\n> flush()\n[ 'udp', #Port<0.12>, '127.0.0.1', 45826, 'HELLO WORLD' ]\n'ok'",
  },
  {
    name: 'udp.open', group: SOCKETS, signature: 'udp.open(port, { address?, broadcast?, reuseAddr?, binary? })',
    summary: "Opens a socket on port (0: any free one), owned by the caller; resolves with it.",
    details: "address defaults to '0.0.0.0' (which also receives broadcasts); reuseAddr to true, so\nseveral nodes can share a port; binary: true delivers Buffers instead of strings.",
    example: '> const socket = await udp.open(0)\n> socket.port\n40211',
  },
  {
    name: 'udp.send', group: SOCKETS, signature: 'udp.send(socket, address, port, data)',
    summary: 'Sends a string or Buffer to address:port.',
    example: "> udp.send(socket, '127.0.0.1', 45826, 'ping')\n'ok'",
  },
  {
    name: 'udp.close', group: SOCKETS, signature: 'udp.close(socket)',
    summary: 'Closes the socket.',
    example: "> udp.close(socket)\n'ok'",
  },
  // Patterns
  {
    name: '_', group: PATTERNS, signature: '_',
    summary: 'The wildcard in patterns: matches any value. (At this prompt _ is not the last result: use v().)',
    example: "> match(['ok', _], ['ok', 42])\ntrue",
  },
  {
    name: 'match', group: PATTERNS, signature: 'match(pattern, value)',
    summary: 'Does value match pattern? The test receive uses.',
    example: "> match({ type: 'join' }, { type: 'join', who: 'ann' })\ntrue",
  },
  {
    name: 'TIMEOUT', group: PATTERNS, signature: 'TIMEOUT',
    summary: 'What receive gives when its { after } time runs out.',
    example: '> (await receive(_, { after: 10 })) === TIMEOUT\ntrue',
  },
  // Erlang values
  {
    name: 'Binary', group: ERLANG, signature: 'Binary.from(text | bytes)',
    summary: 'Erlang\'s binary: text for an Elixir node ("hello"), since a string here is an atom.',
    details: "A Binary from a BEAM node prints as iex prints it; b.toString() gives its text, b.bytes its bytes.\nSend one where Elixir expects a string: send(['shell', 'alice@vm'], Binary.from('hi')).",
    example: "> Binary.from('héllo')\n\"héllo\"\n> Binary.from([0, 255])\n<<0, 255>>",
  },
  {
    name: 'List', group: ERLANG, signature: 'List.of(...items) | List.improper(items, tail)',
    summary: 'Erlang\'s list, for a BEAM node: an array here is a tuple ([1, 2] is {1, 2}).',
    details: 'A List is an Array, and prints as iex prints lists; a charlist prints as ~c"abc".',
    example: '> List.of(1, 2, 3)\n[1, 2, 3]\n> List.improper([1], 2)\n[1 | 2]',
  },
];
