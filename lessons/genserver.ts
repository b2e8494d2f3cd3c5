/**
 * @module lessons/genserver
 * What a GenServer is, by building one: a process stuck in a loop (ping and pong by
 * hand), the item accumulator as a GenServer (cast against call, stop and the last
 * state), then a clone of it written piece by piece at the prompt (start, call, cast,
 * stop), set beside the playground's `BasicServer` and `GenServer`.
 *
 * One node is enough. The learner's definitions live at the prompt, so a check looks
 * them up there (`ctx.lookup`) and then looks at the processes they started.
 */
import { GenServer, isAlive, processInfo, processes, whereis, Pid } from '../src/index.ts';
import type { CheckContext, Lesson } from './lesson.ts';

/** Live processes whose function is named `name`. */
function running(name: string): Pid[] {
  return processes().filter((pid) => processInfo(pid)?.initialCall === name);
}

/** True when the prompt defines `name` as an object with all these methods. */
function defines(ctx: CheckContext, name: string, methods: readonly string[]): boolean {
  const value = ctx.lookup(name) as Record<string, unknown> | undefined;
  return value !== undefined && value !== null && methods.every((m) => typeof value[m] === 'function');
}

/** The pid in the latest `['ok', pid]` that an input matching `re` gave. */
function startedBy(ctx: CheckContext, re: RegExp): Pid | undefined {
  const v = ctx.evaluated(re)?.value;
  return Array.isArray(v) && v[0] === 'ok' && v[1] instanceof Pid ? v[1] : undefined;
}

const isList = (v: unknown): v is unknown[] => Array.isArray(v);

export const genserver: Lesson = {
  id: 'genserver',
  title: 'A GenServer from scratch',
  summary: 'a process in a loop, the item accumulator, and a GenServer clone built piece by piece',
  nodes: {},
  steps: [
    {
      title: 'A process is a loop',
      explain: [
        'Under the hood a server is an ordinary process running a loop: take the next',
        'message, deal with it, go back for another. This one answers \'ping\' with',
        '\'pong\' and ends on \'exit\'. (In Elixir the loop is a function that calls itself',
        'after each `receive`; in JavaScript it is a plain `for (;;)`.)',
      ].join('\n'),
      code: [
        [
          'async function healthCheck() {',
          '  for (;;) {',
          '    const msg = await receive()',
          "    if (msg === 'exit') return",
          "    if (msg[1] === 'ping') send(msg[0], 'pong')",
          '  }',
          '}',
        ].join('\n'),
        'const pid = spawn(healthCheck)',
      ],
      check: () => running('healthCheck').length > 0,
      hint: 'Define healthCheck, then spawn(healthCheck): it should show in processes().',
    },
    {
      title: 'Ping',
      explain: [
        'Send it your pid and \'ping\'; the answer lands in the shell\'s mailbox. The server',
        'is still alive after answering: it went back to waiting.',
      ].join('\n'),
      code: ["send(pid, [self(), 'ping'])", 'flush()', 'isAlive(pid)'],
      check: (ctx) => ctx.seen('pong') && running('healthCheck').length > 0,
      hint: "The message is an array: [self(), 'ping']. flush() shows what came back.",
    },
    {
      title: 'Stop the loop',
      explain: "Tell it to stop. The loop returns, and a process whose function returns ends, normally.",
      enter: (ctx) => void (ctx.memo.before = running('healthCheck').length),
      code: ["send(pid, 'exit')", 'isAlive(pid)'],
      check: (ctx) => (ctx.memo.before as number) > 0 && running('healthCheck').length === 0,
      hint: "send(pid, 'exit'), with the pid of the healthCheck process.",
    },
    {
      title: 'State passed around by hand',
      explain: [
        'The item accumulator with bare processes: the caller sends the list so far and',
        'an item, and gets the longer list back. It works, but the caller carries the',
        'state, and the process answers once and is gone. A GenServer keeps the state.',
      ].join('\n'),
      code: [
        'const acc = spawn(async () => { const [from, items, item] = await receive(); send(from, [item, ...items]) })',
        "send(acc, [self(), [], 'apple'])",
        'flush()',
      ],
      check: (ctx) => ctx.seen(['apple']),
      hint: "Send [self(), [], 'apple']; flush() should show [ 'apple' ].",
    },
    {
      title: 'The accumulator as callbacks',
      explain: [
        'A GenServer is the generic loop plus your callbacks: init gives the first state,',
        'handleCall answers a request, handleCast changes the state without answering,',
        'terminate runs when it stops. Results are arrays shaped like the Elixir tuples:',
        "['ok', state], ['reply', answer, state], ['noreply', state].",
      ].join('\n'),
      code: [
        [
          'const ItemAccumulator = {',
          "  init(items) { return ['ok', items] },",
          "  handleCall(request, from, items) { return ['reply', items, items] },",
          "  handleCast([, item], items) { return ['noreply', [item, ...items]] },",
          "  terminate(reason, items) { console.log('Last state:', items) },",
          '}',
        ].join('\n'),
      ],
      check: (ctx) => defines(ctx, 'ItemAccumulator', ['init', 'handleCall', 'handleCast', 'terminate']),
      hint: 'Define the object with its four methods: init, handleCall, handleCast, terminate.',
    },
    {
      title: 'Start it, with a name',
      explain: [
        'GenServer.startLink runs init in a new process linked to the shell. The name',
        'registers the process, so that callers can use the name instead of the pid.',
      ].join('\n'),
      code: ["await GenServer.startLink(ItemAccumulator, [], { name: 'ItemAccumulator' })"],
      check: () => {
        const pid = whereis('ItemAccumulator');
        return pid !== undefined && isAlive(pid);
      },
      hint: "whereis('ItemAccumulator') should give a pid once it started.",
    },
    {
      title: 'Cast: fire and forget',
      explain: 'Adding an item needs no answer: a cast sends it and returns \'ok\' at once.',
      code: [
        "GenServer.cast('ItemAccumulator', ['add', 'apples'])",
        "GenServer.cast('ItemAccumulator', ['add', 'oranges'])",
      ],
      check: async (ctx) => {
        const items = await ctx.inProcess(() => GenServer.call('ItemAccumulator', 'listItems', 1000));
        return isList(items) && items.includes('apples') && items.includes('oranges');
      },
      hint: "Cast ['add', item] to 'ItemAccumulator', once per item.",
    },
    {
      title: 'Call: wait for the answer',
      explain: 'Asking for the items needs an answer: a call waits for the reply (5 s at most, by default).',
      code: ["await GenServer.call('ItemAccumulator', 'listItems')"],
      check: (ctx) => {
        const v = ctx.evaluated(/GenServer\.call\(/)?.value;
        return isList(v) && v.includes('apples');
      },
      hint: 'Remember the await: a call gives a promise of the reply.',
    },
    {
      title: 'Stop, and the last words',
      explain: 'Stopping runs terminate with the last state before the process ends.',
      code: ["await GenServer.stop('ItemAccumulator')"],
      check: (ctx) => ctx.evaluated(/GenServer\.stop\(/) !== undefined && whereis('ItemAccumulator') === undefined,
      hint: "GenServer.stop('ItemAccumulator'); 'Last state:' should print.",
    },
    {
      title: 'A clone: starting',
      explain: [
        'Now build the same thing, by hand, as the object MyServer. startLink spawns a',
        'linked process that runs init and then loops. For now the loop takes messages',
        'and drops them; the next steps teach it calls, casts and stop.',
      ].join('\n'),
      code: [
        [
          'const MyServer = {',
          '  startLink(mod, arg, opts = {}) {',
          '    const pid = spawnLink(async () => {',
          '      const [, state] = mod.init(arg)',
          '      await MyServer.loop(mod, state)',
          '    })',
          '    if (opts.name) register(opts.name, pid)',
          "    return ['ok', pid]",
          '  },',
          '  async loop(mod, state) {',
          '    for (;;) await receive()',
          '  },',
          '}',
        ].join('\n'),
        "MyServer.startLink(ItemAccumulator, ['pears'])",
      ],
      check: (ctx) => {
        const pid = startedBy(ctx, /MyServer\.startLink\(/);
        return defines(ctx, 'MyServer', ['startLink', 'loop']) && pid !== undefined && isAlive(pid);
      },
      hint: 'MyServer.startLink(ItemAccumulator, [...]) should return [\'ok\', pid] with a live pid.',
    },
    {
      title: 'A clone: call',
      explain: [
        'A call sends [\'call\', self(), request] and waits for [\'reply\', answer]. The loop',
        'runs handleCall, sends the answer back, and goes on with the new state.',
      ].join('\n'),
      code: [
        [
          'MyServer.call = async (server, request) => {',
          "  send(server, ['call', self(), request])",
          "  const [, reply] = await receive(['reply', _])",
          '  return reply',
          '}',
        ].join('\n'),
        [
          'MyServer.loop = async (mod, state) => {',
          '  for (;;) {',
          '    const msg = await receive()',
          "    if (msg[0] === 'call') {",
          '      const [, reply, next] = mod.handleCall(msg[2], msg[1], state)',
          "      send(msg[1], ['reply', reply])",
          '      state = next',
          '    }',
          '  }',
          '}',
        ].join('\n'),
        "const [, s1] = MyServer.startLink(ItemAccumulator, ['pears'])",
        "await MyServer.call(s1, 'listItems')",
      ],
      check: (ctx) => {
        const v = ctx.evaluated(/MyServer\.call\(/)?.value;
        return defines(ctx, 'MyServer', ['call']) && isList(v) && v.includes('pears');
      },
      hint: 'Start a new server after redefining loop: the old one still runs the old loop.',
    },
    {
      title: 'A clone: cast',
      explain: 'A cast is the same message without a sender to answer: [\'cast\', message].',
      code: [
        "MyServer.cast = (server, message) => { send(server, ['cast', message]); return 'ok' }",
        [
          'MyServer.loop = async (mod, state) => {',
          '  for (;;) {',
          '    const msg = await receive()',
          "    if (msg[0] === 'call') {",
          '      const [, reply, next] = mod.handleCall(msg[2], msg[1], state)',
          "      send(msg[1], ['reply', reply])",
          '      state = next',
          "    } else if (msg[0] === 'cast') {",
          '      state = mod.handleCast(msg[1], state)[1]',
          '    }',
          '  }',
          '}',
        ].join('\n'),
        'const [, s2] = MyServer.startLink(ItemAccumulator, [])',
        "MyServer.cast(s2, ['add', 'plums'])",
        "await MyServer.call(s2, 'listItems')",
      ],
      check: (ctx) => {
        const v = ctx.evaluated(/MyServer\.call\(/)?.value;
        return defines(ctx, 'MyServer', ['cast']) && ctx.evaluated(/MyServer\.cast\(/) !== undefined && isList(v) && v.length > 0;
      },
      hint: 'Cast an item to a server started with the new loop, then call it for the list.',
    },
    {
      title: 'A clone: stop',
      explain: [
        'Stopping could be a kill, but then terminate never runs. Instead stop is one more',
        'message: the loop calls terminate with its last state and returns, and the',
        'process ends normally.',
      ].join('\n'),
      code: [
        "MyServer.stop = (server, reason = 'normal') => { send(server, ['stop', reason]); return 'ok' }",
        [
          'MyServer.loop = async (mod, state) => {',
          '  for (;;) {',
          '    const msg = await receive()',
          "    if (msg[0] === 'call') {",
          '      const [, reply, next] = mod.handleCall(msg[2], msg[1], state)',
          "      send(msg[1], ['reply', reply])",
          '      state = next',
          "    } else if (msg[0] === 'cast') {",
          '      state = mod.handleCast(msg[1], state)[1]',
          "    } else if (msg[0] === 'stop') {",
          '      mod.terminate(msg[1], state)',
          '      return',
          '    }',
          '  }',
          '}',
        ].join('\n'),
        "MyServer.startLink(ItemAccumulator, [], { name: 'mine' })",
        "MyServer.cast('mine', ['add', 'figs'])",
        "MyServer.stop('mine')",
      ],
      check: (ctx) => {
        const pid = startedBy(ctx, /MyServer\.startLink\(/);
        return ctx.evaluated(/MyServer\.stop\(/) !== undefined && pid !== undefined && !isAlive(pid);
      },
      hint: "If 'mine' is taken by an earlier try, unregister('mine') or pick another name.",
    },
    {
      title: 'Beside the real thing',
      explain: [
        'That is the whole idea. The playground ships the same clone as BasicServer,',
        'and the same callbacks run under GenServer unchanged. What GenServer adds is',
        'what the clone lacks: a call that gives up (timeout) and that notices a dead',
        'server (it monitors it) instead of waiting forever, replies matched by a unique',
        'ref, handleInfo for other messages, and crash reports.',
      ].join('\n'),
      code: [
        "await BasicServer.startLink(ItemAccumulator, ['kiwis'], { name: 'basic' })",
        "await BasicServer.call('basic', 'listItems')",
        "BasicServer.stop('basic', 'normal')",
        "await GenServer.call('ItemAccumulator', 'listItems').catch((err) => err.message)",
      ],
      check: (ctx) => {
        const v = ctx.evaluated(/BasicServer\.call\(/)?.value;
        const e = ctx.evaluated(/GenServer\.call\(/)?.value;
        return isList(v) && v.includes('kiwis') && typeof e === 'string';
      },
      hint: 'The last line calls the accumulator stopped earlier: the call fails at once with noproc.',
    },
  ],
};
