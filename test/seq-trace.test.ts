/**
 * seqTrace on one node (three nodes: trace-cluster.test.ts): the token's travels (to a
 * server and back, into a spawned process, dropped by an untokened receive, expired
 * past its deadline), and the drawing: lanes and arrows in causal order whatever order
 * the events came in, labels, the width, the list for too many lanes, Mermaid text.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pid } from '../src/term.ts';
import { receive, self, send, spawn, type SeqEvent } from '../src/process/index.ts';
import * as GenServer from '../src/genserver.ts';
import { SeqDiagram, seqTrace } from '../src/trace/seq.ts';
import { eachTestRuntime } from './support/each-runtime.ts';
import { eventually } from './support/eventually.ts';

const t = eachTestRuntime();

const Stack: GenServer.GenServerModule<string[]> = {
  init: (items) => ['ok', items],
  handleCall: (_req, _from, [top, ...rest]) => ['reply', top, rest],
  handleCast: (item, items) => ['noreply', [item, ...items]],
};

/** The arrows as `from -> to: label`, lanes by label. */
const arrows = (d: SeqDiagram) => d.arrows.map((a) => `${d.lanes[a.from]!.label} -> ${d.lanes[a.to]!.label}: ${a.label}`);

test('a GenServer call: the request and the reply, drawn in two lanes', () =>
  t.inside(async () => {
    await GenServer.start(Stack, ['hello'], { name: 'stack' });
    const d = await seqTrace(() => GenServer.call('stack', 'pop'), { width: 40 });
    assert.is(d.value, 'hello');
    assert.equal(arrows(d), ["self() -> stack: call 'pop'", "stack -> self(): reply 'hello'"]);
    assert.is(String(d), [
      'self()              stack',
      '   │                  │',
      "   │ call 'pop'       │",
      '   │─────────────────▶│',
      "   │ reply 'hello'    │",
      '   │◀─────────────────│',
    ].join('\n'));
  }));

test('the token goes into spawned processes and on with their messages; an untokened receive drops it', () =>
  t.inside(async () => {
    const relay = spawn(async function relay() {
      for (;;) {
        const [to, msg] = (await receive()) as [Pid, unknown];
        send(to, msg);
      }
    });
    const outside = spawn(async function outside() {
      await receive();
    });
    const d = await seqTrace(async () => {
      const me = self();
      spawn(function child() {
        send(relay, [me, 'from child']);
      });
      await receive('from child');
    });
    const me = String(d.lanes[0]!.pid);
    assert.equal(arrows(d).map((a) => a.replace(me, 'ME').replace(/<0\.\d+\.0>/g, 'PID')), [
      'self() -> PID: spawn child()',
      "PID -> PID: [ ME, 'from child' ]",
      "PID -> self(): 'from child'",
    ]);
    // The relay took a message without a token next: what it sends after that is not traced.
    send(relay, [outside, 'untraced']);
    const later = await seqTrace(() => 'nothing sent');
    assert.equal(later.arrows, []);
    assert.is(later.value, 'nothing sent');
  }));

test('a token past its deadline is dropped: a ping-pong without end is traced for the timeout only', () =>
  t.inside(async () => {
    const pong = spawn(async function pong() {
      for (;;) {
        const from = (await receive()) as Pid;
        await new Promise((r) => setTimeout(r, 5));
        send(from, self());
      }
    });
    const d = await seqTrace(
      () =>
        spawn(async function ping() {
          send(pong, self());
          for (;;) send(pong, (await receive()) as Pid);
        }),
      { timeout: 200, quiet: 50 },
    );
    assert.ok(d.arrows.length >= 3, `${d.arrows.length} arrows`);
    const seen = d.arrows.length;
    const pongProc = t.rt.local(pong)!;
    await eventually(() => assert.is(pongProc.trace, null, 'the token expired'));
    assert.is(d.arrows.length, seen);
  }));

test('a message left in a mailbox, or sent to no process, ends the trace all the same, drawn with a hollow head', () =>
  t.inside(async () => {
    const idle = spawn(async function idle() {
      await receive('never');
    });
    const dead = spawn(() => {});
    const d = await seqTrace(() => {
      send(idle, 'wait here');
      send(dead, 'nobody home');
    }, { quiet: 100 });
    assert.equal(d.arrows.map((a) => [a.label, a.taken]), [["'wait here'", false], ["'nobody home'", false]]);
    assert.is(String(d).split('\n').filter((l) => l.includes('▷')).length, 2);
  }));

test('a function that throws: the diagram says so and keeps the messages sent before', () =>
  t.inside(async () => {
    await GenServer.start(Stack, ['a'], { name: 'stack' });
    const d = await seqTrace(async () => {
      GenServer.cast('stack', 'b');
      throw new Error('boom');
    });
    assert.instance(d.error, Error);
    assert.equal(arrows(d), ["self() -> stack: cast 'b'"]);
    assert.match(String(d), /\n\*\* the function threw Error: boom$/);
  }));

test('bad input is a one-line error', () =>
  t.inside(async () => {
    for (const [attempt, message] of [
      [() => seqTrace(42 as never), /seqTrace expects a function to run/],
      [() => seqTrace(() => 1, { timeout: -1 }), /timeout as a number of ms > 0\. Got: -1/],
      [() => seqTrace(() => 1, { quiet: 'x' as never }), /quiet as a number of ms > 0/],
    ] as Array<[() => Promise<unknown>, RegExp]>) {
      const err = (await attempt().then(() => null, (e) => e)) as Error & { code: string };
      assert.is(err.code, 'ERR_BAD_ARG');
      assert.match(err.message, message);
    }
  }));

// Drawing, from events as a collector gets them

const A = new Pid('alice@vm', 1);
const B = new Pid('bob@vm', 2);
const C = new Pid('carol@vm', 3);
const send_ = (serial: [number, number], from: Pid, to: unknown, msg: unknown, name?: string): SeqEvent => ({ type: 'send', serial, from, to, msg, time: serial[1], ...(name ? { name } : {}) });
const recv = (serial: [number, number], from: Pid, to: Pid, msg: unknown, name?: string): SeqEvent => ({ type: 'receive', serial, from, to, msg, time: serial[1] + 0.5, ...(name ? { name } : {}) });

test('arrows follow the serials, not the order the events arrived in; lanes by first appearance', () => {
  const events = [
    recv([2, 3], B, C, 'third', 'cache'),
    send_([0, 1], A, ['server', 'bob@vm'], 'first'),
    send_([1, 2], B, A, 'second', 'server'),
    send_([2, 3], B, C, 'third', 'server'),
    recv([0, 1], A, B, 'first', 'server'),
    recv([1, 2], B, A, 'second'),
  ];
  const d = SeqDiagram.from(events, A, { value: 'ok' }, 80);
  assert.equal(d.lanes.map((l) => [l.label, l.node]), [['self()', 'alice@vm'], ['server', 'bob@vm'], ['cache', 'carol@vm']]);
  assert.equal(arrows(d), ["self() -> server: 'first'", "server -> self(): 'second'", "server -> cache: 'third'"]);
  const text = String(d).split('\n');
  assert.equal(text.slice(0, 2).map((l) => l.trim().split(/\s+/)), [['self()', 'server', 'cache'], ['alice', 'bob', 'carol']]);
});

test('labels: GenServer envelopes by meaning; a message to oneself; a message never taken; a spawn', () => {
  const ref = { key: 'r' };
  const events: SeqEvent[] = [
    send_([0, 1], A, B, ['$gen_call', [A, ref], 'pop']),
    send_([0, 2], A, A, 'note to self'),
    send_([0, 3], A, B, 'left in the mailbox'),
    { type: 'spawn', serial: [0, 4], from: A, to: C, fn: 'worker', time: 4 },
  ];
  const d = SeqDiagram.from(events, A, {}, 60);
  assert.equal(d.arrows.map((a) => [a.label, a.taken, a.kind]), [
    ["call 'pop'", false, 'send'],
    ["'note to self'", false, 'send'],
    ["'left in the mailbox'", false, 'send'],
    ['spawn worker()', true, 'spawn'],
  ]);
  const text = String(d);
  assert.match(text, /│ ↻ 'note to self'/);
  assert.match(text, /─▷/, 'a message not taken has a hollow head');
  assert.match(text, /╌▶/, 'a spawn is dashed');
});

test('the diagram fits the width; too many lanes for it make a list', () => {
  const many = Array.from({ length: 12 }, (_, i) => new Pid('alice@vm', 10 + i));
  const events = many.slice(1).map((p, i) => send_([0, i + 1], many[0]!, p, `message number ${i}`));
  const wide = SeqDiagram.from(events.slice(0, 3), many[0]!, {}, 50);
  for (const line of String(wide).split('\n')) assert.ok([...line].length <= 50, `${[...line].length}: ${line}`);
  const crowded = String(SeqDiagram.from(events, many[0]!, {}, 60)).split('\n');
  assert.is(crowded.length, 11);
  assert.is(crowded[0], `self()@alice ──▶ ${String(many[1]).slice(4)}@alice  'message number 0'`);
});

test('Mermaid text: participants with their nodes, one arrow per message, # and ; escaped', () => {
  const events = [send_([0, 1], A, B, 'a;b #1', undefined), recv([0, 1], A, B, 'a;b #1', 'server'), send_([1, 2], B, A, 'ok', 'server')];
  const m = SeqDiagram.from(events, A, {}).mermaid();
  assert.is(String(m), [
    'sequenceDiagram',
    '    participant L0 as self() (alice@vm)',
    '    participant L1 as server (bob@vm)',
    "    L0->>L1: 'a#59;b #35;1'",
    "    L1->>L0: 'ok'",
  ].join('\n'));
});

test.run();
