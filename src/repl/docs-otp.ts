/**
 * @module repl/docs-otp
 * The docs `h()` shows for the OTP behaviours at the prompt: GenServer, Supervisor,
 * Registry and BasicServer. Same format as `docs.ts`.
 */
import type { HelpDoc } from './help.ts';

const BEHAVIOURS = 'OTP behaviours';

const STACK = "> const Stack = { init: (items) => ['ok', items], handleCall: (req, _from, items) => ['reply', items[0], items.slice(1)], handleCast: ([, item], items) => ['noreply', [item, ...items]] }";

export const BEHAVIOUR_DOCS: HelpDoc[] = [
  {
    name: 'GenServer', group: BEHAVIOURS, signature: 'GenServer.start/call/cast/...',
    summary: "OTP's generic server: a process that keeps a state and answers requests one at a time.",
    details: "A callback module is an object: init(arg), handleCall(req, from, state), handleCast(req, state),\nhandleInfo(msg, state), terminate(reason, state); results are arrays as OTP's tuples:\n['ok', state], ['reply', value, state], ['noreply', state], ['stop', reason, state].",
    example: `${STACK}\n> await GenServer.start(Stack, ['hello'], { name: 'stack' })\n#PID<0.112.0>\n> GenServer.cast('stack', ['push', 'world'])\n'ok'\n> GenServer.call('stack', 'pop')\n'world'`,
  },
  {
    name: 'GenServer.start', group: BEHAVIOURS, signature: 'GenServer.start(module, arg, { name? })',
    summary: 'Starts a server running module (init(arg) first) and resolves with its pid.',
    example: "> await GenServer.start(Stack, ['hello'], { name: 'stack' })\n#PID<0.112.0>",
  },
  {
    name: 'GenServer.startLink', group: BEHAVIOURS, signature: 'GenServer.startLink(module, arg, { name? })',
    summary: 'Like start, and links the server to the caller (how a supervisor starts it).',
    example: "> await GenServer.startLink(Stack, [])\n#PID<0.115.0>",
  },
  {
    name: 'GenServer.call', group: BEHAVIOURS, signature: 'GenServer.call(server, request, timeout = 5000)',
    summary: "Sends request and waits for handleCall's reply; the prompt shows it.",
    details: 'server is a pid, a registered name or [name, node]. It rejects when the server is not\nthere, crashes, its node goes down, or the timeout passes.',
    example: "> GenServer.call('stack', 'pop')\n'hello'\n> GenServer.call(['stack', 'alice@vm'], 'pop')\n'hello'",
  },
  {
    name: 'GenServer.cast', group: BEHAVIOURS, signature: 'GenServer.cast(server, request)',
    summary: "Sends request to handleCast without waiting; always 'ok'.",
    example: "> GenServer.cast('stack', ['push', 'world'])\n'ok'",
  },
  {
    name: 'GenServer.reply', group: BEHAVIOURS, signature: 'GenServer.reply(from, value)',
    summary: "Answers a call later, after handleCall returned ['noreply', state].",
    example: "> GenServer.reply(from, 42)\n'ok'",
  },
  {
    name: 'GenServer.stop', group: BEHAVIOURS, signature: "GenServer.stop(server, reason = 'normal')",
    summary: "Stops the server (terminate runs first) and resolves with 'ok' once it has ended.",
    example: "> GenServer.stop('stack')\n'ok'",
  },
  {
    name: 'GenServer.whereis', group: BEHAVIOURS, signature: 'GenServer.whereis(server)',
    summary: 'The pid of a server given by name, or undefined.',
    example: "> GenServer.whereis('stack')\n#PID<0.112.0>",
  },
  {
    name: 'Supervisor', group: BEHAVIOURS, signature: 'Supervisor.start/startChild/...',
    summary: 'Starts children, watches them and restarts them by a strategy when they end.',
    details: "A child is a spec { id, start: [fn, ...args], restart?, shutdown?, type? }, a GenServer\nmodule, or [module, arg]. Strategies: 'one_for_one', 'one_for_all', 'rest_for_one'.",
    example: "> const sup = await Supervisor.start([{ id: 'stack', start: [GenServer.startLink, Stack, [], { name: 'stack' }] }], { strategy: 'one_for_one' })\n> exit(whereis('stack'), 'kill')\ntrue\n> Supervisor.whichChildren(sup)\n[ [ 'stack', #PID<0.121.0>, 'worker' ] ]",
  },
  {
    name: 'Supervisor.start', group: BEHAVIOURS, signature: 'Supervisor.start(children, { strategy, intensity?, period?, name? })',
    summary: 'Starts a supervisor and its children, in order; resolves with its pid.',
    example: "> const sup = await Supervisor.start([[Stack, []]], { strategy: 'one_for_one' })",
  },
  {
    name: 'Supervisor.startLink', group: BEHAVIOURS, signature: 'Supervisor.startLink(children, opts)',
    summary: 'Like start, linked to the caller (a supervisor under another supervisor).',
    example: "> await Supervisor.startLink([[Stack, []]], { strategy: 'one_for_one' })",
  },
  {
    name: 'Supervisor.stop', group: BEHAVIOURS, signature: 'Supervisor.stop(sup)',
    summary: 'Stops the children in reverse order, then the supervisor.',
    example: "> Supervisor.stop(sup)\n'ok'",
  },
  {
    name: 'Supervisor.whichChildren', group: BEHAVIOURS, signature: 'Supervisor.whichChildren(sup)',
    summary: 'Each child as [id, pid, type].',
    example: "> Supervisor.whichChildren(sup)\n[ [ 'stack', #PID<0.121.0>, 'worker' ] ]",
  },
  {
    name: 'Supervisor.countChildren', group: BEHAVIOURS, signature: 'Supervisor.countChildren(sup)',
    summary: 'How many children: specs, active, supervisors, workers.',
    example: '> Supervisor.countChildren(sup)\n{ specs: 1, active: 1, supervisors: 0, workers: 1 }',
  },
  {
    name: 'Supervisor.startChild', group: BEHAVIOURS, signature: 'Supervisor.startChild(sup, child)',
    summary: 'Adds a child to a running supervisor and starts it; resolves with its pid.',
    example: "> Supervisor.startChild(sup, { id: 'other', start: [GenServer.startLink, Stack, []] })\n#PID<0.125.0>",
  },
  {
    name: 'Supervisor.terminateChild', group: BEHAVIOURS, signature: 'Supervisor.terminateChild(sup, id)',
    summary: 'Stops a child, keeping its spec.',
    example: "> Supervisor.terminateChild(sup, 'stack')\n'ok'",
  },
  {
    name: 'Supervisor.restartChild', group: BEHAVIOURS, signature: 'Supervisor.restartChild(sup, id)',
    summary: 'Starts again a child stopped with terminateChild; resolves with its new pid.',
    example: "> Supervisor.restartChild(sup, 'stack')\n#PID<0.130.0>",
  },
  {
    name: 'Supervisor.deleteChild', group: BEHAVIOURS, signature: 'Supervisor.deleteChild(sup, id)',
    summary: 'Forgets the spec of a stopped child.',
    example: "> Supervisor.deleteChild(sup, 'stack')\n'ok'",
  },
  {
    name: 'Registry', group: BEHAVIOURS, signature: 'Registry.start/register/lookup/...',
    summary: "Elixir's Registry: a local key-value store of processes, with unique or duplicate keys.",
    details: 'Entries vanish when their process exits. With duplicate keys it is the base of a local PubSub.',
    example: "> await Registry.start({ keys: 'duplicate', name: 'topics' })\n> Registry.register('topics', 'news', null)\n'ok'\n> Registry.lookup('topics', 'news')\n[ [ #PID<0.7.0>, null ] ]",
  },
  {
    name: 'Registry.start', group: BEHAVIOURS, signature: "Registry.start({ keys: 'unique' | 'duplicate', name })",
    summary: 'Starts a registry under name.',
    example: "> await Registry.start({ keys: 'unique', name: 'names' })",
  },
  {
    name: 'Registry.startLink', group: BEHAVIOURS, signature: 'Registry.startLink({ keys, name })',
    summary: 'Like start, linked to the caller.',
    example: "> await Registry.startLink({ keys: 'unique', name: 'names' })",
  },
  {
    name: 'Registry.register', group: BEHAVIOURS, signature: 'Registry.register(registry, key, value)',
    summary: 'Registers the calling process under key with value.',
    example: "> Registry.register('names', 'bob', { role: 'admin' })\n'ok'",
  },
  {
    name: 'Registry.unregister', group: BEHAVIOURS, signature: 'Registry.unregister(registry, key)',
    summary: 'Removes every registration of the calling process under key.',
    example: "> Registry.unregister('names', 'bob')\n'ok'",
  },
  {
    name: 'Registry.lookup', group: BEHAVIOURS, signature: 'Registry.lookup(registry, key)',
    summary: 'The [pid, value] entries under key.',
    example: "> Registry.lookup('names', 'bob')\n[ [ #PID<0.7.0>, { role: 'admin' } ] ]",
  },
  {
    name: 'Registry.dispatch', group: BEHAVIOURS, signature: 'Registry.dispatch(registry, key, fn)',
    summary: 'Calls fn with the entries under key, in the caller.',
    example: "> Registry.dispatch('topics', 'news', (entries) => entries.forEach(([pid]) => send(pid, 'extra!')))\n'ok'",
  },
  {
    name: 'Registry.keys', group: BEHAVIOURS, signature: 'Registry.keys(registry, pid)',
    summary: 'The keys pid is registered under.',
    example: "> Registry.keys('names', self())\n[ 'bob' ]",
  },
  {
    name: 'Registry.values', group: BEHAVIOURS, signature: 'Registry.values(registry, key, pid)',
    summary: 'The values pid registered under key.',
    example: "> Registry.values('names', 'bob', self())\n[ { role: 'admin' } ]",
  },
  {
    name: 'Registry.select', group: BEHAVIOURS, signature: 'Registry.select(registry)',
    summary: 'Every entry as [key, pid, value] (Elixir\'s select with the match-everything spec).',
    example: "> Registry.select('topics')\n[ [ 'news', #PID<0.7.0>, null ] ]",
  },
  {
    name: 'Registry.count', group: BEHAVIOURS, signature: 'Registry.count(registry)',
    summary: 'The number of entries.',
    example: "> Registry.count('names')\n1",
  },
  {
    name: 'Registry.whereis', group: BEHAVIOURS, signature: 'Registry.whereis(registry)',
    summary: 'The pid of the registry process, or undefined.',
    example: "> Registry.whereis('names')\n#PID<0.118.0>",
  },
  {
    name: 'BasicServer', group: BEHAVIOURS, signature: 'BasicServer.start/call/cast/stop',
    summary: 'A GenServer built by hand, small enough to read: the same callback modules run under it.',
    details: 'No timeouts, no monitors, no crash reports: the lesson on GenServer builds it step by step.',
    example: "> const [, pid] = BasicServer.start(Stack, ['hello'])\n> BasicServer.call(pid, 'pop')\n'hello'",
  },
  {
    name: 'BasicServer.start', group: BEHAVIOURS, signature: 'BasicServer.start(module, arg, { name? })',
    summary: "Spawns the server loop; gives ['ok', pid].",
    example: "> BasicServer.start(Stack, ['hello'], { name: 'basic' })\n[ 'ok', #PID<0.130.0> ]",
  },
  {
    name: 'BasicServer.startLink', group: BEHAVIOURS, signature: 'BasicServer.startLink(module, arg, { name? })',
    summary: 'Like start, linked to the caller.',
    example: "> BasicServer.startLink(Stack, [])\n[ 'ok', #PID<0.131.0> ]",
  },
  {
    name: 'BasicServer.call', group: BEHAVIOURS, signature: 'BasicServer.call(server, request)',
    summary: "Sends ['call', self(), request] and waits for ['reply', value].",
    example: "> BasicServer.call('basic', 'pop')\n'hello'",
  },
  {
    name: 'BasicServer.cast', group: BEHAVIOURS, signature: 'BasicServer.cast(server, request)',
    summary: "Sends ['cast', request]; gives 'ok'.",
    example: "> BasicServer.cast('basic', ['push', 'x'])\n'ok'",
  },
  {
    name: 'BasicServer.stop', group: BEHAVIOURS, signature: "BasicServer.stop(server, reason = 'normal')",
    summary: "Asks the server to run terminate and end; gives 'ok' at once.",
    example: "> BasicServer.stop('basic')\n'ok'",
  },
];
