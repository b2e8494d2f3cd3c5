/**
 * @module lessons/tracing
 * Seeing a running system from the inside, after the seed on function tracing: a
 * function's calls and returns, the local-call analogue (Erlang's `dbg:tp` against
 * `dbg:tpl`), the safeguards of a tracing library (a limit, a record that outlives the
 * trace, handlers of one's own), then what a learner of distributed systems needs most:
 * a GenServer's messages (`sys.trace`), a process's messages on another node, and
 * sequence diagrams of a call and of a PubSub publish across three nodes.
 *
 * Trace lines print above the prompt as log lines of level 'trace', so a check finds
 * them among the step's logs.
 */
import { NO_NODE, SeqDiagram, dbg, getMembers, list, node, sys, type Pid } from '../src/index.ts';
import type { CheckContext, Lesson } from './lesson.ts';

/** True when a line matching `re` was printed since the step began. */
const printed = (ctx: CheckContext, re: RegExp) => ctx.logs.some((line) => re.test(line));
const count = (ctx: CheckContext, re: RegExp) => ctx.logs.filter((line) => re.test(line)).length;

/** The other node whose short name is `short`, if connected. */
const peer = (short: string) => list().find((n) => n.startsWith(`${short}@`));

/** The diagram `name` holds at the prompt, if it holds one. */
function diagram(ctx: CheckContext, name: string): SeqDiagram | undefined {
  const d = ctx.lookup(name);
  return d instanceof SeqDiagram ? d : undefined;
}

const ACCUMULATOR = [
  'const ItemAccumulator = {',
  "  init(items) { return ['ok', items] },",
  "  handleCall(request, from, items) { return ['reply', items, items] },",
  "  handleCast([, item], items) { return ['noreply', [item, ...items]] },",
  '}',
].join('\n');

const CLIENT = "const Client = { init(topic) { PubSub.subscribe(topic); return ['ok', 0] }, handleInfo(msg, n) { return ['noreply', n + 1] } }";

export const tracing: Lesson = {
  id: 'tracing',
  title: 'Tracing',
  summary: 'calls and returns, limits, records and handlers; a GenServer, a remote process, sequence diagrams',
  nodes: { bob: [], carol: [] },
  preflight: () => (node() === NO_NODE ? 'Steps 12 on need other nodes: leave (.exit) and start this one with --sname alice.' : undefined),
  steps: [
    {
      title: 'Something to watch',
      explain: [
        "The classic example is an Elixir module Foo: bar builds a greeting with the help of a",
        'private function. Here Foo is an object; bar calls getName by its own name, and Foo',
        'also offers getName to others as Foo.getName.',
      ].join('\n'),
      code: [
        "function getName(name) { return 'Fizz' + name }",
        'const Foo = { bar(name) { return `Hello, my name is ${getName(name)}` }, getName }',
        "Foo.bar('Buzz')",
      ],
      check: (ctx) => ctx.evaluated(/Foo\.bar\(/)?.value === 'Hello, my name is FizzBuzz',
      hint: "Define getName, then Foo with bar and getName; Foo.bar('Buzz') gives 'Hello, my name is FizzBuzz'.",
    },
    {
      title: 'Trace a call',
      explain: [
        "Erlang's dbg takes three steps: start a tracer, choose the processes, set a trace",
        'pattern. dbg.calls does all three, and, like the Elixir library SmartTracer, wants a',
        'limit: how many calls to show before the trace stops by itself. The line comes above',
        'the prompt, after the result: a tracer process prints it.',
      ].join('\n'),
      code: ["dbg.calls('Foo.bar', 5)", "Foo.bar('Buzz')"],
      check: (ctx) => printed(ctx, /call Foo\.bar\('Buzz'\)$/),
      hint: "dbg.calls('Foo.bar', 5), then call Foo.bar: a line '(#PID<...>) call Foo.bar(...)' follows.",
    },
    {
      title: 'And what it returns',
      explain: [
        "dbg shows returns when asked (the return_trace match spec); here it is return: true. A",
        'call that gives a promise is followed until the promise settles. dbg.stop() ends the',
        'trace of the step before, so that Foo.bar is traced once.',
      ].join('\n'),
      code: ['dbg.stop()', "dbg.calls('Foo.bar', 5, { return: true })", "Foo.bar('Buzz')"],
      check: (ctx) => printed(ctx, /returned from Foo\.bar\/1 -> 'Hello, my name is FizzBuzz'$/),
      hint: "With { return: true } a second line shows: 'returned from Foo.bar/1 -> ...'.",
    },
    {
      title: 'Through the object only',
      explain: [
        "dbg:tp traces calls that go through a module's export table: Foo.bar(\"Buzz\") from the",
        "shell does, but bar's call to its private get_name does not, so Elixir shows nothing.",
        "JavaScript splits it the same way: a trace of 'Foo.getName' replaces Foo's getName, and",
        'bar calls getName by its own name, never looking at Foo. Only the direct call shows.',
      ].join('\n'),
      code: ['dbg.stop()', "dbg.calls('Foo.getName', 5)", "Foo.bar('Buzz')", "Foo.getName('Direct')"],
      check: (ctx) => printed(ctx, /call Foo\.getName\('Direct'\)$/) && !printed(ctx, /call Foo\.getName\('Buzz'\)/),
      hint: "Foo.bar('Buzz') prints no trace line; Foo.getName('Direct') does.",
    },
    {
      title: 'The function itself',
      explain: [
        'dbg:tpl traces local calls too: Erlang puts a breakpoint into the function\'s code.',
        "scope: 'local' does the same through V8's inspector: a breakpoint on every call of the",
        'function, which reports the call and never stops the program. Now the call inside bar',
        'shows. (A local trace sees calls and their arguments, not returns.)',
      ].join('\n'),
      code: ['dbg.stop()', "dbg.calls('Foo.getName', 5, { scope: 'local' })", "Foo.bar('Buzz')"],
      check: (ctx) => printed(ctx, /call Foo\.getName\('Buzz'\)$/),
      hint: "With { scope: 'local' }, Foo.bar('Buzz') shows the call to getName inside it.",
    },
    {
      title: 'A limit that stops it',
      explain: [
        'Tracing costs: a trace of a busy function could flood the prompt and slow the node.',
        'The limit is counted where the call happens: at the limit the trace takes itself out at',
        'once, says so, and the function runs untraced. A thousand calls show three lines here.',
      ].join('\n'),
      code: ['dbg.stop()', "dbg.calls('Foo.bar', 3)", 'for (let i = 0; i < 1000; i++) Foo.bar(String(i))', 'dbg.traces()'],
      check: (ctx) => printed(ctx, /trace of Foo\.bar stopped at its limit \(3 calls\)/) && count(ctx, /call Foo\.bar\(/) === 3,
      hint: 'Three call lines, then "dbg: trace of Foo.bar stopped at its limit (3 calls)".',
    },
    {
      title: 'Record, play back later',
      explain: [
        "A busy function's lines scroll away. With record: true the events are kept, and the",
        'record belongs to the node, not to the trace: it is still there once the trace has',
        'stopped at its limit, as SmartTracer\'s recorder outlives its tracer.',
      ].join('\n'),
      code: ["dbg.calls('Foo.bar', 2, { record: true })", "Foo.bar('Buzz')", "Foo.bar('Fizz')", 'dbg.playback()'],
      check: (ctx) => ctx.evaluated(/dbg\.playback\(\)/) !== undefined && dbg.playback().filter((e) => e.type === 'call').length >= 2,
      hint: 'dbg.playback() lists the recorded calls, with their arguments and times.',
    },
    {
      title: 'A handler of your own',
      explain: [
        "SmartTracer lets you write your own tracer. Here a handler is a function, which",
        "runs in the tracer process, or a pid, which gets ['trace', event] messages. This one",
        'logs a line of its own instead of the default one (log is the prompt\'s Logger).',
      ].join('\n'),
      code: ["dbg.calls('Foo.bar', 5, { handler: (e) => log('info', `Foo.bar was called with ${e.args}`) })", "Foo.bar('Buzz')"],
      check: (ctx) => printed(ctx, /^Foo\.bar was called with Buzz$/),
      hint: "The handler gets an event with args; log('info', ...) prints it.",
    },
    {
      title: 'A handler that fails',
      explain: [
        'A handler that throws stops its own trace, and only that one: the tracer, the other',
        'traces and the node go on. The Foo.bar trace of the step before still answers.',
      ].join('\n'),
      code: [
        "dbg.calls('Foo.getName', 5, { handler: () => { throw new Error('oops') } })",
        "Foo.getName('x')",
        "Foo.bar('Buzz')",
        'dbg.traces()',
      ],
      check: (ctx) =>
        printed(ctx, /trace of Foo\.getName stopped: its handler threw Error: oops/) &&
        printed(ctx, /^Foo\.bar was called with Buzz$/) &&
        dbg.traces().some((t) => t.what === 'Foo.bar'),
      hint: 'The getName trace stops with "its handler threw"; Foo.bar\'s trace goes on.',
    },
    {
      title: 'Inside a GenServer',
      explain: [
        "The genserver lesson's item accumulator. :sys.trace prints every message a GenServer",
        'handles and its state after; sys.trace does too. The request goes to the generic loop',
        'of the server, not to your callbacks.',
      ].join('\n'),
      code: [
        ACCUMULATOR,
        "await GenServer.start(ItemAccumulator, [], { name: 'ItemAccumulator' })",
        "await sys.trace('ItemAccumulator', true)",
        "GenServer.cast('ItemAccumulator', ['add', 'apples'])",
        "await GenServer.call('ItemAccumulator', 'listItems')",
      ],
      check: (ctx) => printed(ctx, /^\*DBG\* ItemAccumulator got cast \[ 'add', 'apples' \]$/) && printed(ctx, /^\*DBG\* ItemAccumulator sent /),
      hint: "If ItemAccumulator is already defined or running, skip those lines; sys.trace('ItemAccumulator', true) is the step.",
    },
    {
      title: 'Its state, read and replaced',
      explain: [
        'sys.getState shows the state without a handleCall for it; sys.replaceState changes it',
        'with a function of the old one (for debugging: your callbacks never hear of it).',
      ].join('\n'),
      code: [
        "await sys.getState('ItemAccumulator')",
        "await sys.replaceState('ItemAccumulator', (items) => [...items, 'pears'])",
        "await GenServer.call('ItemAccumulator', 'listItems')",
      ],
      check: async (ctx) => {
        const items = await ctx.inProcess(() => sys.getState('ItemAccumulator', 1000));
        return ctx.evaluated(/sys\.replaceState\(/) !== undefined && Array.isArray(items) && items.includes('pears');
      },
      hint: 'replaceState takes a function from the old state to the new one.',
    },
    {
      title: 'Bob joins',
      explain: 'Start bob in another terminal; the two nodes find each other.',
      start: ['bob'],
      code: [{ code: 'list()', whenDone: true }],
      check: () => peer('bob') !== undefined,
      hint: 'Start bob with the same cookie; list() shows him once connected.',
    },
    {
      title: "A process's messages, on another node",
      explain: [
        "erlang:trace with the send and receive flags, as dbg:p(Pid, m) sets it: what a process",
        'gets (<<) and sends (!), here a process on bob. The lines print at this prompt, the one',
        'that asked; an agent on bob forwards them, and ends the trace if this node goes away.',
      ].join('\n'),
      code: [
        { on: 'bob', code: "register('echo', spawn(async function echo() { for (;;) { const [from, msg] = await receive(); send(from, ['echo', msg]) } }))" },
        "const bob = list().find((n) => n.startsWith('bob@'))",
        "await dbg.messages(['echo', bob], 10)",
        "send(['echo', bob], [self(), 'hello'])",
        { code: 'flush()', whenDone: true },
      ],
      check: (ctx) => printed(ctx, /^\(#PID<[1-9]\d*\.\d+\.0>\) << \[ #PID<0\.\d+\.0>, 'hello' \]$/) && printed(ctx, /! \[ 'echo', 'hello' \]$/),
      hint: "The echo process lives on bob: trace ['echo', bob], then send it [self(), 'hello'].",
    },
    {
      title: 'A call, as a sequence diagram',
      explain: [
        "Erlang's seq_trace follows a token that travels with every message a traced process",
        'sends, and on with the messages those cause, through every process and node. seqTrace',
        "runs a function with such a token and draws what it set off, as Livebook's Kino does:",
        'one lane per process, one arrow per message, in causal order.',
      ].join('\n'),
      code: ["await seqTrace(() => GenServer.call('ItemAccumulator', 'listItems'))"],
      check: (ctx) => {
        const d = ctx.evaluated(/seqTrace\(/)?.value;
        return d instanceof SeqDiagram && d.arrows.length === 2 && d.arrows[0]!.label.startsWith('call') && d.arrows[1]!.label.startsWith('reply');
      },
      hint: 'Two arrows: the call to ItemAccumulator and its reply.',
    },
    {
      title: 'Carol joins',
      explain: "Start carol: every node runs PubSub's server in the pg group ['PubSub', 'PubSub'].",
      start: ['carol'],
      code: [{ code: "getMembers(['PubSub', 'PubSub'])", whenDone: true }],
      check: () => new Set(getMembers(['PubSub', 'PubSub']).map((pid: Pid) => pid.node)).size >= 3,
      hint: 'Start carol with the same cookie; the group then has a member on each node.',
    },
    {
      title: 'A publish across three nodes',
      explain: [
        'Subscribers on bob (two) and carol (one), then a publish here: one message to the PubSub',
        "server of each other node, which hands it to its own subscribers. d.mermaid() gives the",
        'same diagram as Mermaid text, for a page or a slide.',
      ].join('\n'),
      code: [
        { on: 'bob', code: CLIENT },
        { on: 'bob', code: "for (let i = 0; i < 2; i++) await GenServer.start(Client, 'news')" },
        { on: 'carol', code: CLIENT },
        { on: 'carol', code: "await GenServer.start(Client, 'news')" },
        "const d = await seqTrace(() => PubSub.publish('news', 'hello'))",
        'd',
        'd.mermaid()',
      ],
      check: (ctx) => {
        const d = diagram(ctx, 'd');
        return d !== undefined && new Set(d.lanes.map((l) => l.node)).size === 3 && d.arrows.length >= 5;
      },
      hint: 'Start the clients on bob and carol first, then publish to their topic from here.',
    },
    {
      title: 'Everything off',
      explain: [
        'dbg.stop() ends every trace of this node at once, and empties the record. (Every trace',
        'also belongs to the shell that started it: were this shell to die, its traces would end',
        'with it.)',
      ].join('\n'),
      code: ['dbg.stop()', 'dbg.traces()'],
      check: (ctx) => ctx.evaluated(/dbg\.stop\(\)/) !== undefined && dbg.traces().length === 0,
      hint: 'dbg.stop(), then dbg.traces() is [].',
    },
  ],
};
