/**
 * @module repl/docs-trace
 * The docs `h()` shows for tracing: dbg, sys and seqTrace. Same format as `docs.ts`;
 * each example runs, in this order, at a real prompt (test/doc-examples.test.ts), so
 * each defines names of its own.
 */
import type { HelpDoc } from './help.ts';

const TRACING = 'Tracing';

export const TRACE_DOCS: HelpDoc[] = [
  {
    name: 'dbg', group: TRACING, signature: 'dbg.calls/messages/playback/traces/stop',
    summary: "Traces function calls and a process's messages, on this node or another; always with a limit.",
    details: [
      "Every trace needs a limit and stops by itself at it, saying so. It belongs to the process that",
      "started it (the shell here) and ends with it. One tracer process per node prints the events",
      "above the prompt, records them, or hands them to your handler. dbg.stop() ends every trace.",
    ].join('\n'),
    example: [
      "> const Foo = { bar(name) { return 'Hello, my name is ' + name } }",
      "> dbg.calls('Foo.bar', 5, { return: true })",
      '1',
      "> Foo.bar('Buzz')",
      "'Hello, my name is Buzz'",
      "(#PID<0.98.0>) call Foo.bar('Buzz')",
      "(#PID<0.98.0>) returned from Foo.bar/1 -> 'Hello, my name is Buzz'",
      '> dbg.stop()',
      "'ok'",
    ].join('\n'),
  },
  {
    name: 'dbg.calls', group: TRACING, signature: 'dbg.calls(target, limit, opts?)',
    summary: "Traces calls of 'Foo.bar', 'Foo.*', [object, 'name'] or a function; gives how many functions.",
    details: [
      "Options: return: true also shows what each call gives back (a promise's value once it settles) or throws.",
      "record: true keeps the events for dbg.playback(). handler: a function (run in the tracer; if it",
      "throws, its trace stops) or a pid (sent ['trace', event]) gets the events instead of the prompt.",
      "scope: 'local' watches the function itself (a V8 breakpoint, as Erlang's dbg:tpl), so calls",
      "by name inside the code that defines it are seen too; the default sees calls through the object.",
    ].join('\n'),
    example: [
      "> const Greeter = { hello(name) { return 'Hello ' + name } }",
      "> dbg.calls('Greeter.hello', 1, { handler: (e) => console.log('hello called with', e.args) })",
      '1',
      "> Greeter.hello('Ann')",
      "'Hello Ann'",
      "hello called with [ 'Ann' ]",
      'dbg: trace of Greeter.hello stopped at its limit (1 call)',
    ].join('\n'),
  },
  {
    name: 'dbg.messages', group: TRACING, signature: 'dbg.messages(process, limit, opts?)',
    summary: 'Traces what a process (pid, name or [name, node]) sends and receives, its spawns and exit.',
    details: [
      "The lines print at this prompt, as Erlang's dbg prints them: (pid) << message, (pid) to ! message.",
      'Options: send, receive, procs (spawns and exit), each true unless false; record and handler as',
      'for dbg.calls. The process may be on another node; the trace ends when it exits.',
    ].join('\n'),
    example: [
      '> const echo = spawn(async () => { const [from, x] = await receive(); send(from, x) })',
      '> await dbg.messages(echo, 10)',
      "'ok'",
      "> send(echo, [self(), 'hi'])",
      "[ #PID<0.98.0>, 'hi' ]",
      "(#PID<0.105.0>) << [ #PID<0.98.0>, 'hi' ]",
      "(#PID<0.105.0>) #PID<0.98.0> ! 'hi'",
      "(#PID<0.105.0>) exit 'normal'",
      'dbg: trace of #PID<0.105.0> stopped: the process exited',
    ].join('\n'),
  },
  {
    name: 'dbg.playback', group: TRACING, signature: 'dbg.playback()',
    summary: 'The events of traces started with record: true; the record outlives the trace.',
    example: [
      '> const Clock = { tick(n) { return n + 1 } }',
      "> dbg.calls('Clock.tick', 1, { record: true, handler: self() })",
      '1',
      '> Clock.tick(1)',
      '2',
      'dbg: trace of Clock.tick stopped at its limit (1 call)',
      '> dbg.playback().map((e) => [e.type, e.function, e.args])',
      "[ [ 'call', 'tick', [ 1 ] ] ]",
    ].join('\n'),
  },
  {
    name: 'dbg.traces', group: TRACING, signature: 'dbg.traces()',
    summary: 'The traces running on this node, with their counts and limits.',
    example: [
      '> const Pinger = { ping() { return "pong" } }',
      "> dbg.calls('Pinger.ping', 3)",
      '1',
      '> dbg.traces().map((t) => [t.what, t.count, t.limit])',
      "[ [ 'Pinger.ping', 0, 3 ] ]",
    ].join('\n'),
  },
  {
    name: 'dbg.stop', group: TRACING, signature: 'dbg.stop()',
    summary: 'Ends every trace of this node and empties the record.',
    example: "> dbg.stop()\n'ok'\n> dbg.traces()\n[]",
  },
  {
    name: 'sys', group: TRACING, signature: 'sys.getState/replaceState/trace',
    summary: "OTP's sys for GenServers: look at and replace a server's state, watch every message it handles.",
    details: 'The server may be a pid, a name or [name, node]: these work on servers of other nodes too.',
    example: [
      "> const Acc = { init: (items) => ['ok', items], handleCast: ([, item], items) => ['noreply', [item, ...items]] }",
      "> await GenServer.start(Acc, [], { name: 'acc' })",
      '#PID<0.112.0>',
      "> await sys.trace('acc', true)",
      "'ok'",
      "> GenServer.cast('acc', ['add', 'apples'])",
      "'ok'",
      "*DBG* acc got cast [ 'add', 'apples' ]",
      "*DBG* acc new state [ 'apples' ]",
      "> await sys.trace('acc', false)",
      "'ok'",
    ].join('\n'),
  },
  {
    name: 'sys.getState', group: TRACING, signature: 'sys.getState(server, timeout = 5000)',
    summary: "A GenServer's state, as :sys.get_state.",
    example: "> await sys.getState('acc')\n[ 'apples' ]",
  },
  {
    name: 'sys.replaceState', group: TRACING, signature: 'sys.replaceState(server, fn, timeout = 5000)',
    summary: "Replaces a GenServer's state with fn(state) and gives it; if fn throws, nothing changes.",
    example: "> await sys.replaceState('acc', (items) => [...items, 'pears'])\n[ 'apples', 'pears' ]",
  },
  {
    name: 'sys.trace', group: TRACING, signature: 'sys.trace(server, flag)',
    summary: 'With true, prints each message the server handles and its new state, as :sys.trace.',
    example: "> await sys.trace('acc', true)\n'ok'\n> await sys.trace('acc', false)\n'ok'",
  },
  {
    name: 'seqTrace', group: TRACING, signature: 'seqTrace(fn, { timeout?, quiet?, width? })',
    summary: 'Runs fn and draws every message it causes, through every process and node, as a sequence diagram.',
    details: [
      'One lane per process (its name, or its pid, and its node), one arrow per message, in causal order,',
      "as Erlang's seq_trace follows them. d.mermaid() gives the same as Mermaid text; d.arrows and",
      "d.lanes the data; d.value what fn gave.",
    ].join('\n'),
    example: [
      "> const Stack = { init: (items) => ['ok', items], handleCall: (_req, _from, [top, ...rest]) => ['reply', top, rest] }",
      "> await GenServer.start(Stack, ['hello'], { name: 'stack' })",
      '#PID<0.120.0>',
      "> await seqTrace(() => GenServer.call('stack', 'pop'), { width: 40 })",
      'self()              stack',
      '   │                  │',
      "   │ call 'pop'       │",
      '   │─────────────────▶│',
      "   │ reply 'hello'    │",
      '   │◀─────────────────│',
    ].join('\n'),
  },
];
