/**
 * Tracing at the real prompt (the REPL in this process, on piped streams, and on a fake
 * terminal): targets named as typed ('Foo.bar', 'Foo.*'), the local-call analogue on
 * functions defined at the prompt, a trace that ends with the shell that started it, a
 * flood stopped at its limit while the prompt keeps answering, trace lines above a line
 * being typed, a diagram, and h() for the new helpers. (Every REPL of this process
 * shares one global scope: each test declares names of its own.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as dbg from '../src/trace/dbg.ts';
import { openRepl, type Harness } from './support/repl.ts';
import { exactly } from './support/eventually.ts';

async function withRepl(body: (r: Harness) => Promise<void>, opts: Parameters<typeof openRepl>[0] = {}): Promise<void> {
  const r = await openRepl(opts);
  try {
    await body(r);
  } finally {
    dbg.stop(); // on the REPL's runtime: the default one while it runs
    await r.close();
  }
}

/** Waits for `text` printed above the prompt, and the prompt drawn again after it. */
const settled = (r: Harness, text: string, since: number, timeout?: number) =>
  r.waitFor(new RegExp(`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*> $`), since, timeout);

test("'Foo.bar' and 'Foo.*' name what the prompt defined; lines print above the prompt", () =>
  withRepl(async (r) => {
    await r.eval("const Named = { bar(name) { return 'Hello, my name is ' + name }, baz() { return 2 } }");
    assert.is(await r.eval("dbg.calls('Named.bar', 5, { return: true })"), '1\n');
    const since = r.mark();
    assert.match(await r.eval("Named.bar('Buzz')"), /^'Hello, my name is Buzz'\n/);
    const shell = String(r.repl.shellPid());
    await settled(r, `(${shell}) returned from Named.bar/1 -> 'Hello, my name is Buzz'`, since);
    assert.match(r.output.slice(since), `(${shell}) call Named.bar('Buzz')`);
    await r.eval('dbg.stop()');
    assert.is(await r.eval("dbg.calls('Named.*', 5)"), '2\n');
    const after = r.mark();
    await r.eval('Named.baz()');
    await settled(r, `(${shell}) call Named.baz()`, after);
  }));

test("the local-call analogue: a function called by name is seen only with scope 'local'", () =>
  withRepl(async (r) => {
    await r.eval("function getLocalName(name) { return 'Fizz' + name }");
    await r.eval('const Local = { bar(name) { return `Hello, my name is ${getLocalName(name)}` }, getName: getLocalName }');
    await r.eval("dbg.calls('Local.getName', 5)");
    const since = r.mark();
    await r.eval("Local.bar('Inside')");
    await r.eval("Local.getName('Outside')");
    await settled(r, "call Local.getName('Outside')", since);
    assert.not.match(r.output.slice(since), 'Inside)');
    await r.eval('dbg.stop()');
    await r.eval("dbg.calls('Local.getName', 5, { scope: 'local' })");
    const after = r.mark();
    assert.match(await r.eval("Local.bar('Buzz')"), /^'Hello, my name is FizzBuzz'\n/);
    await settled(r, "call Local.getName('Buzz')", after);
  }));

test('a trace ends with the shell that started it, and says so', () =>
  withRepl(async (r) => {
    await r.eval('const Owned = { bar: () => 1 }');
    await r.eval('const ownedBar = Owned.bar');
    await r.eval("dbg.calls('Owned.bar', 5)");
    const shell = String(r.repl.shellPid());
    const since = r.mark();
    r.input.write("exit(self(), 'kill')\n");
    await settled(r, `dbg: trace of Owned.bar stopped: ${shell}, which started it, exited`, since);
    assert.match(r.output.slice(since), `** (EXIT from ${shell}) shell process exited with reason: 'killed'`);
    assert.is(await r.eval('Owned.bar === ownedBar'), 'true\n');
    assert.is(await r.eval('dbg.traces().length'), '0\n');
  }));

test('a million messages: the trace stops at its limit, and the prompt answers', () =>
  withRepl(async (r) => {
    await r.eval('const floodSink = spawn(() => {})');
    await r.eval('const flood = spawn(async () => { await receive(); for (let i = 0; i < 1e6; i++) send(floodSink, i) })');
    assert.is(await r.eval('await dbg.messages(flood, 10, { receive: false })'), "'ok'\n");
    await r.eval('const floodRef = monitor(flood)');
    const since = r.mark();
    await r.eval("send(flood, 'go')");
    await settled(r, 'stopped at its limit (10 events)', since, 30_000);
    assert.is(await r.eval('1 + 1'), '2\n');
    assert.match(await r.eval('(await receive([\'DOWN\', floodRef, _, _, _]))[4]', 30_000), "'normal'");
    await exactly(() => r.output.slice(since).split('\n').filter((l) => / ! \d+$/.test(l)).length, 10, { what: 'send lines' });
  }));

test('on a terminal, a trace line goes above the prompt and the input being typed is drawn again', () =>
  withRepl(async (r) => {
    const typed = async (line: string, n: number) => {
      r.input.write(line + '\r');
      await r.waitFor(`playground(${n})> `);
    };
    await typed('const Later = { bar: (x) => x }', 2);
    await typed("dbg.calls('Later.bar', 1)", 3);
    await typed('setTimeout(() => Later.bar(42), 50)', 4);
    const since = r.mark();
    r.input.write('const typing = 1');
    await r.waitFor('stopped at its limit (1 call)', since);
    const out = r.output.slice(since);
    assert.match(out, new RegExp(`\x1b\\[1G\x1b\\[0J\\(#PID<0\\.\\d+\\.0>\\) call Later\\.bar\\(42\\)\n`));
    assert.match(out, 'playground(4)> const typing = 1');
    r.input.write('\r');
    await r.waitFor('playground(5)> ', since);
  }, { terminal: true }));

test('a diagram prints at the prompt; h() knows dbg, sys and seqTrace', () =>
  withRepl(async (r) => {
    await r.eval("const DrawnStack = { init: (items) => ['ok', items], handleCall: (_r, _f, [top, ...rest]) => ['reply', top, rest] }");
    await r.eval("await GenServer.start(DrawnStack, ['hello'], { name: 'drawn' })");
    const drawn = await r.eval("await seqTrace(() => GenServer.call('drawn', 'pop'), { width: 60 })");
    assert.equal(drawn.split('\n')[0]!.trim().split(/\s+/), ['self()', 'drawn']);
    assert.match(drawn, "│ call 'pop'");
    assert.match(drawn, "│ reply 'hello'");
    const all = await r.eval('h()');
    assert.match(all, /^Tracing$/m);
    for (const name of ['dbg', 'sys', 'seqTrace']) assert.match(await r.eval(`h('${name}')`), /\n {2}Example:\n/, name);
    for (const member of ['dbg.calls', 'dbg.messages', 'dbg.playback', 'dbg.traces', 'dbg.stop', 'sys.getState', 'sys.replaceState', 'sys.trace']) {
      assert.match(await r.eval(`h(${member})`), new RegExp(`^${member.replace('.', '\\.')}\\(`), member);
    }
  }));

test.run();
