import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openRepl, type Harness } from './support/repl.ts';

/** Runs `body` with a fresh REPL (piped streams, no colours) and always closes it. */
async function withRepl(body: (r: Harness) => Promise<void>, opts: Parameters<typeof openRepl>[0] = {}): Promise<void> {
  const r = await openRepl(opts);
  try {
    await body(r);
  } finally {
    await r.close();
  }
}

test('the prompt shows the node name and counts evaluated inputs as iex does', () =>
  withRepl(async (r) => {
    assert.ok(r.output.endsWith('playground(bob@vm)1> '), r.output);
    assert.is(await r.eval('1 + 1'), '2\n');
    assert.ok(r.output.endsWith('playground(bob@vm)2> '));
    assert.is(await r.eval('const x = 1'), '1\n'); // a declaration shows the value bound, as iex does
    assert.is(await r.eval('let y'), 'undefined\n'); // undefined counts, and shows (dim)
    assert.is(await r.eval("h('node')").then((out) => out.endsWith('undefined\n')), false); // a helper that printed shows only that
    assert.ok(r.output.endsWith('playground(bob@vm)5> '));
    await r.eval('nope()'); // an error does not count
    assert.ok(r.output.endsWith('playground(bob@vm)5> '));
    await r.eval(''); // neither does an empty line
    assert.ok(r.output.endsWith('playground(bob@vm)5> '));
  }, { node: 'bob@vm' }));

test('without a name the prompt is playground(n)>', () =>
  withRepl(async (r) => {
    assert.ok(r.output.endsWith('playground(1)> '), r.output);
    await r.eval('2');
    assert.ok(r.output.endsWith('playground(2)> '));
  }));

test('multi-line input continues until it is complete, and counts once', () =>
  withRepl(async (r) => {
    const since = r.mark();
    r.input.write('function twice(n) {\n');
    await r.waitFor('... ', since);
    assert.is(await r.eval('  return n * 2 }'), 'undefined\n');
    assert.is(await r.eval('twice(21)'), '42\n');
    assert.ok(r.output.endsWith('playground(3)> '));
  }));

test('a promise result is awaited and its value printed; explicit await works too', () =>
  withRepl(async (r) => {
    assert.is(await r.eval('Promise.resolve(5)'), '5\n');
    assert.is(await r.eval("new Promise((resolve) => setTimeout(resolve, 30, 'late'))"), "'late'\n");
    assert.is(await r.eval('const y = await Promise.resolve(7)'), '7\n');
    assert.is(await r.eval('y * 6'), '42\n');
    assert.is(await r.eval('v(2)'), "'late'\n");
    assert.is(await r.eval('v()'), "'late'\n");
  }));

test('a rejected promise prints as an error and the prompt goes on', () =>
  withRepl(async (r) => {
    const out = await r.eval("Promise.reject(new TypeError('nope'))");
    assert.is(out, '** (TypeError) nope\n');
    assert.is(await r.eval('1'), '1\n');
  }));

test('TypeScript input: annotations, interfaces, implements, enums, generics, as', () =>
  withRepl(async (r) => {
    assert.is(await r.eval('const n: number = 41'), '41\n');
    assert.is(await r.eval('interface Named { name: string }'), 'undefined\n');
    assert.is(await r.eval("class Dog implements Named { name = 'rex'; bark(): string { return 'woof' } }"), '[class Dog]\n');
    assert.is(await r.eval('new Dog().bark()'), "'woof'\n");
    assert.is(await r.eval('enum Color { Red, Green }'), 'undefined\n');
    assert.is(await r.eval('Color.Green'), '1\n');
    assert.is(await r.eval('const id = <T,>(x: T): T => x'), '[Function: id]\n');
    assert.is(await r.eval('id<number>(n + 1)'), '42\n');
    assert.is(await r.eval('(n as unknown as string)'), '41\n');
    const since = r.mark();
    r.input.write('type Pair = {\n');
    await r.waitFor('... ', since);
    assert.is(await r.eval('  a: number }'), 'undefined\n');
  }));

test('a declaration can be typed again, also one whose right-hand side threw, as in a browser console', () =>
  withRepl(async (r) => {
    assert.is(await r.eval('const pid = spawn(healthChek)'), '** (ReferenceError) healthChek is not defined\n');
    await r.eval('const healthCheck = async () => {}');
    assert.match(await r.eval('const pid = spawn(healthCheck); pid'), /^#PID<0\.\d+\.0>\n$/);
    await r.eval('const pid = 1');
    assert.is(await r.eval('pid'), '1\n');
    await r.eval('let n = 5');
    await r.eval('let n');
    assert.is(await r.eval('typeof n'), "'undefined'\n");
    await r.eval('class Box { size() { return 1 } }');
    await r.eval('class Box {\n  size() { return 2 }\n}');
    assert.is(await r.eval('new Box().size()'), '2\n');
    // A line inside a template literal is text, not a declaration.
    assert.match(await r.eval('const s = `\nconst kept = 1\n`; s.includes("const kept")'), /(\.\.\. )*true\n$/);
  }));

test('a declaration whose value is a promise binds the awaited value the prompt shows', () =>
  withRepl(async (r) => {
    assert.is(await r.eval('const n = Promise.resolve(7)'), '7\n');
    assert.is(await r.eval('n + 1'), '8\n', 'n holds 7, not a promise');
    // Destructuring and several declarators, each awaited before the next.
    assert.is(await r.eval('const [a, b] = Promise.resolve([1, 2]), { c } = Promise.resolve({ c: a + b })'), '{ c: 3 }\n');
    assert.is(await r.eval('[a, b, c]'), '[ 1, 2, 3 ]\n');
    assert.is(await r.eval('let x, y = Promise.resolve(2)'), '2\n');
    assert.is(await r.eval('typeof x'), "'undefined'\n");
    // A plain assignment too.
    await r.eval("m = Promise.resolve('hi')");
    assert.is(await r.eval('m'), "'hi'\n");
    // A rejected promise binds nothing: the name keeps what it held.
    assert.match(await r.eval("const n = Promise.reject(new Error('no reply'))"), /^\*\* \(Error\) no reply\n/);
    assert.is(await r.eval('n'), '7\n');
    // Not a promise: as it was (a function keeps its name).
    assert.is(await r.eval('const double = (v) => v * 2; double.name'), "'double'\n");
  }));

test('the wildcard cannot be lost: a pattern binds nothing to _, declaring _ is refused and says why', () =>
  withRepl(async (r) => {
    await r.eval("send(self(), ['pid', 42])");
    assert.is(await r.eval("const [_, n] = await receive(['pid', _], { after: 1000 }); n"), '42\n');
    assert.is(await r.eval("match(['a', _], ['a', 1])"), 'true\n');
    const refused = await r.eval('const _ = 3');
    assert.match(refused, /^\*\* \(SyntaxError\) _ is the pattern wildcard here: it matches anything and cannot be declared/);
    for (const line of ['let _ = 1', 'class _ {}', 'function _() {}']) assert.match(await r.eval(line), /_ is the pattern wildcard here/, line);
    await r.eval('_ = 5');
    assert.is(await r.eval("match(['a', _], ['a', 2])"), 'true\n');
  }));

test("pid('0.16.0') names a pid seen on screen, as IEx's pid/1 and pid/3 do", () =>
  withRepl(async (r) => {
    const shown = (await r.eval('self()')).trim();
    const [, id] = /^#PID<0\.(\d+)\.0>$/.exec(shown)!;
    assert.is(await r.eval(`pid('0.${id}.0').equals(self())`), 'true\n');
    assert.is(await r.eval(`pid('${shown}').equals(self())`), 'true\n');
    assert.is(await r.eval(`pid(0, ${id}, 0).equals(self())`), 'true\n');
    assert.match(await r.eval("pid('0.16')"), /^\*\* \(ProcessError\) expected pid\('0\.16\.0'\), pid\('#PID<0\.16\.0>'\) or pid\(0, 16, 0\), as a pid prints\. Got: '0\.16'\n$/);
    assert.match(await r.eval("pid('977.1.0')"), /^\*\* \(ProcessError\) no node is printed as 977 here yet/);
  }));

test('an object literal prints as an object', () =>
  withRepl(async (r) => {
    assert.is(await r.eval('{ a: 1, b: [2] }'), '{ a: 1, b: [ 2 ] }\n');
  }));

test('an error prints one short line and only the user\'s frames', () =>
  withRepl(async (r) => {
    await r.eval("function inner() { throw new RangeError('too far') }");
    await r.eval('function outer() { inner() }');
    const out = await r.eval('outer()');
    const lines = out.trimEnd().split('\n');
    assert.is(lines[0], '** (RangeError) too far');
    assert.match(lines[1]!, /^ {4}at inner \(REPL\d+:\d+:\d+\)$/);
    assert.match(lines[2]!, /^ {4}at outer \(REPL\d+:\d+:\d+\)$/);
    assert.is(lines.length, 3, out);
    assert.not.match(out, /node:|src\/repl/);
    assert.is(await r.eval('undefinedName'), '** (ReferenceError) undefinedName is not defined\n');
    assert.is(await r.eval("throw 'just a string'"), "** (throw) 'just a string'\n");
    assert.is(await r.eval('1 +* 2'), "** (SyntaxError) Unexpected token '*'\n");
  }));

test('errors are red when colours are on', () =>
  withRepl(async (r) => {
    const out = await r.eval('nope');
    assert.ok(out.startsWith('\x1b[31m** (ReferenceError) nope is not defined'), JSON.stringify(out));
  }, { colors: true }));

test('an error thrown later by code typed at the prompt is printed above the prompt; the node goes on', () =>
  withRepl(async (r) => {
    const since = r.mark();
    await r.eval("setTimeout(() => { throw new Error('later') }, 20), 'scheduled'");
    await r.waitFor('** (Error) later', since);
    assert.is(await r.eval('1 + 2'), '3\n');
  }));

test('an error thrown by a timer while an await is pending is printed, and the await goes on', () =>
  withRepl(async (r) => {
    await r.eval("setTimeout(() => { throw new Error('from a timer') }, 20), 'armed'");
    const out = await r.eval("await new Promise((resolve) => setTimeout(resolve, 150, 'awaited'))");
    assert.match(out, /^\*\* \(Error\) from a timer\n(.*\n)*'awaited'\n$/);
    assert.ok(r.output.endsWith('playground(3)> '));
  }));

test('the shell is a process: self(), send, flush prints each message and clears them', () =>
  withRepl(async (r) => {
    assert.is(await r.eval('self()'), `${r.repl.shellPid()}\n`);
    assert.is(await r.eval("send(self(), ['hello', 1]); send(self(), 'two'); processInfo(self()).messageQueueLen"), '2\n');
    assert.is(await r.eval('flush()'), "[ 'hello', 1 ]\n'two'\n'ok'\n");
    assert.is(await r.eval('flush()'), "'ok'\n");
  }));

test('await receive() at the prompt takes messages from the shell mailbox', () =>
  withRepl(async (r) => {
    await r.eval('const echo = spawn(async () => { const [from, x] = await receive(); send(from, x * 2) })');
    await r.eval('send(echo, [self(), 21])');
    assert.is(await r.eval('await receive()'), '42\n');
    assert.is(await r.eval('receive(_, { after: 10 })'), 'TIMEOUT\n');
  }));

test("receive's timeout shorthands wait as long as they say; a misspelled option is an error, never a silent wait", () =>
  withRepl(async (r) => {
    assert.is(await r.eval("await receive('x', 30)"), 'TIMEOUT\n');
    assert.is(await r.eval('await receive({ after: 30 })'), 'TIMEOUT\n');
    assert.is(await r.eval("send(self(), 'any'); await receive({ after: 1000 })"), "'any'\n");
    assert.is(await r.eval("[await receive(_, { after: 0 }), TIMEOUT]"), '[ TIMEOUT, TIMEOUT ]\n');
    assert.is(await r.eval("await receive('x', { afer: 30 })"), "** (ProcessError) receive's options are { after: ms }: unknown key 'afer' (did you mean 'after'?)\n");
    assert.match(await r.eval("await receive('x', '30')"), /^\*\* \(ProcessError\) receive\(pattern, \{ after: ms \}\) takes ms or \{ after: ms \} second, got: 30\n$/);
    assert.match(await r.eval("await receive('x', -1)"), /after must be a number of milliseconds >= 0/);
  }));

test('a misspelled option key is an error that names it and the key it was meant to be', () =>
  withRepl(async (r) => {
    await r.eval("const Stack = { init: (s) => ['ok', s] }");
    assert.is(
      await r.eval("await GenServer.start(Stack, [], { nmae: 'stack' })"),
      "** (GenServerError) expected start options { name?: non-empty string or ['global', name], timeout?: ms >= 0 }: unknown key 'nmae' (did you mean 'name'?)\n",
    );
    assert.match(
      await r.eval("await Supervisor.start([{ id: 'a', start: () => GenServer.startLink(Stack, []), restrat: 'temporary' }], { strategy: 'one_for_one' })"),
      /^\*\* \(SupervisorError\) bad child spec: unknown key 'restrat' \(did you mean 'restart'\?\)/,
    );
    assert.match(await r.eval("await Supervisor.start([], { strategy: 'one_for_one', intesity: 3 })"), /unknown key 'intesity' \(did you mean 'intensity'\?\)/);
    assert.match(await r.eval("await Registry.start({ keys: 'unique', name: 'r', partitions: 2 })"), /unknown key 'partitions' \(the keys are keys, name\)/);
    assert.match(await r.eval("await PubSub.start({ nme: 'hermes' })"), /unknown key 'nme' \(did you mean 'name'\?\)/);
    assert.match(await r.eval('await udp.open(0, { brodcast: true })'), /unknown key 'brodcast' \(did you mean 'broadcast'\?\)/);
    assert.match(await r.eval("BasicServer.start(Stack, [], { nam: 'b' })"), /unknown key 'nam' \(did you mean 'name'\?\)/);
  }));

test('when the shell dies a new one takes its place, and the prompt says why', () =>
  withRepl(async (r) => {
    const first = r.repl.shellPid();
    let since = r.mark();
    r.input.write("exit(self(), 'kill')\n");
    await r.waitFor(`** (EXIT from ${first}) shell process exited with reason: 'killed'`, since);
    assert.not.ok(r.repl.shellPid().equals(first));
    assert.is(await r.eval('self()'), `${r.repl.shellPid()}\n`);

    const second = r.repl.shellPid();
    since = r.mark();
    r.input.write("spawnLink(() => { throw new Error('linked crash') })\n");
    await r.waitFor(`** (EXIT from ${second}) shell process exited with reason: an exception was raised:`, since);
    assert.match(r.output.slice(since), /\[error\] Process #PID<0\.\d+\.0> raised an exception\n\*\* \(Error\) linked crash/);

    const third = r.repl.shellPid();
    assert.is(await r.eval("exit('bye')"), "** (exit) 'bye'\n");
    assert.not.ok(r.repl.shellPid().equals(third));
    assert.is(await r.eval('isAlive(self())'), 'true\n');
  }));

test('a dead shell\'s pending receive is cancelled instead of waiting forever', () =>
  withRepl(async (r) => {
    await r.eval('const me = self()');
    await r.eval("spawn(async () => { await receive(_, { after: 30 }); exit(me, 'kill') })");
    const out = await r.eval('await receive()');
    assert.match(out, /shell process exited with reason: 'killed'/);
    assert.match(out, /\*\* \(interrupted\)/);
  }));

test('log lines and crash reports print on lines of their own', () =>
  withRepl(async (r) => {
    const since = r.mark();
    r.runtime.log('info', 'Hello world from alice@vm');
    await r.waitFor('Hello world', since);
    assert.is(r.output.slice(since), '\n[info] Hello world from alice@vm\nplayground(1)> ');
    assert.is(await r.eval('1'), '1\n');
  }));

test('piped lines are evaluated one after another, awaits included, and the end of input closes the REPL', () =>
  withRepl(async (r) => {
    const since = r.mark();
    r.input.write("new Promise((resolve) => setTimeout(resolve, 40, 'first'))\n'second'\nawait new Promise((resolve) => setTimeout(resolve, 10, 'third'))\n");
    r.input.end();
    await r.repl.closed;
    assert.is(r.output.slice(since), "'first'\nplayground(2)> 'second'\nplayground(3)> 'third'\nplayground(4)> ");
  }));

test('keepOpen holds the REPL open past the end of input, for code typed by a program', () =>
  withRepl(async (r) => {
    let done!: () => void;
    r.repl.keepOpen(new Promise<void>((resolve) => (done = resolve)));
    r.input.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const event = await r.repl.type('6 * 7');
    assert.is(event?.value, 42);
    done();
    await r.repl.closed;
  }));

test('onEval hooks see every evaluation and print before the next prompt', () =>
  withRepl(async (r) => {
    const seen: string[] = [];
    r.repl.onEval((e) => {
      seen.push(`${e.count}:${e.ok}:${e.input.trim()}`);
      if (e.ok) r.repl.print(`(step text after ${e.input.trim()})`);
    });
    assert.is(await r.eval('6 * 7'), '42\n(step text after 6 * 7)\n');
    await r.eval('oops');
    assert.equal(seen, ['1:true:6 * 7', '2:false:oops']);
  }));

test('type() enters code as if typed: echoed, evaluated, its result returned', () =>
  withRepl(async (r) => {
    const since = r.mark();
    const event = await r.repl.type('const z = 20\nz + 22');
    assert.is(event?.value, 42);
    assert.is(event?.input, 'z + 22\n');
    await r.waitFor(/playground\(3\)> $/, since);
    assert.is(r.output.slice(since), 'const z = 20\n20\nplayground(2)> z + 22\n42\nplayground(3)> ');
  }));

test('extra helpers, docs and commands can be passed in', () =>
  withRepl(async (r) => {
    assert.is(await r.eval('lesson()'), "'a lesson'\n");
    assert.match(await r.eval("h('lesson')"), /lesson\(\)\n\n {2}Starts a lesson\./);
    assert.is(await r.eval('.hello world'), 'hello, world\n');
  }, {
    context: { lesson: () => 'a lesson' },
    docs: [{ name: 'lesson', group: 'Lessons', signature: 'lesson()', summary: 'Starts a lesson.' }],
    commands: {
      hello: {
        help: 'Says hello',
        action(rest) {
          this.output.write(`hello, ${rest}\n`);
          this.displayPrompt();
        },
      },
    },
  }));

test('h() lists every helper by group, h(fn) and h(name) show one with an example', () =>
  withRepl(async (r) => {
    const all = await r.eval('h()');
    for (const group of ['Nodes', 'Processes', 'Names', 'Looking around', 'Sockets', 'Patterns']) assert.match(all, new RegExp(`^${group}$`, 'm'));
    for (const name of ['node(pid?)', 'list()', 'connect(node)', 'names()', 'send(dest, msg)', 'flush()', 'i(pid?)', 'h(helper?)']) {
      assert.ok(all.includes(`  ${name}`), name);
    }
    const one = await r.eval('h(send)');
    assert.match(one, /^send\(dest, msg\)\n/);
    assert.match(one, /Example:\n {4}playground> send\(self\(\), \['hello', 'world'\]\)/);
    assert.is(await r.eval('h(udp.send)'), await r.eval("h('udp.send')"));
    assert.is(await r.eval('h(Math.max)'), 'No help for that value. h() lists every helper.\n');
  }));

test('a helper typed without its parentheses, as iex takes flush, says how to call it', () =>
  withRepl(async (r) => {
    assert.is(await r.eval('flush'), '[Function: flush]  (a helper: flush() calls it, h(flush) shows how)\n');
    assert.is(await r.eval('const twice = (x) => x * 2; twice'), '[Function: twice]\n', 'a function of your own is printed as it is');
  }));

test('h() piped is laid out for 80 columns: summaries and details wrap under their own column', () =>
  withRepl(async (r) => {
    const all = (await r.eval('h()')).trimEnd().split('\n');
    for (const line of all) assert.ok(line.length <= 80, line);
    const column = all.find((l) => l.startsWith('  node(pid?)'))!.indexOf("This node's name");
    // A summary's next line starts under it, never at column 0.
    const next = all[all.findIndex((l) => l.startsWith('  flush()')) + 1]!;
    assert.match(next, new RegExp(`^ {${column}}\\S`));
    const page = (await r.eval('h(spawn)')).trimEnd().split('\n');
    for (const line of page.filter((l) => !l.startsWith('    '))) assert.ok(line.length <= 80, line); // examples are code: never wrapped
    assert.match(page.join(' ').replace(/\s+/g, ' '), /const pid = spawn\('bob@vm', fn\) binds the pid itself/);
  }));

test('GenServer.call at the prompt shows the reply', () =>
  withRepl(async (r) => {
    await r.eval("const Stack = { init: (items) => ['ok', items], handleCall: (req, _from, items) => ['reply', items[0], items.slice(1)], handleCast: ([, item], items) => ['noreply', [item, ...items]] }");
    assert.match(await r.eval("await GenServer.start(Stack, ['hello'], { name: 'stack' })"), /^#PID<0\.\d+\.0>\n$/);
    assert.is(await r.eval("GenServer.cast('stack', ['push', 'world'])"), "'ok'\n");
    assert.is(await r.eval("GenServer.call('stack', 'pop')"), "'world'\n");
    assert.is(await r.eval("GenServer.call('stack', 'pop')"), "'hello'\n");
    assert.match(await r.eval("GenServer.call('nobody', 'ping', 100)"), /^\*\* \(GenServerError\) exited in: GenServer\.call\('nobody', 'ping', 100\)\n {4}\*\* \(EXIT\) no process/);
    await r.eval("const sup = await Supervisor.start([{ id: 'kept', start: [GenServer.startLink, Stack, [], { name: 'kept' }] }], { strategy: 'one_for_one' })");
    await r.eval("const before = whereis('kept'); exit(before, 'kill')");
    assert.is(await r.eval("(await Supervisor.whichChildren(sup))[0][0]"), "'kept'\n");
    await r.eval("await Registry.start({ keys: 'duplicate', name: 'topics' })");
    await r.eval("Registry.register('topics', 'news', 1)");
    assert.is(await r.eval("Registry.lookup('topics', 'news').length"), '1\n');
    await r.eval("const [, basic] = BasicServer.start(Stack, ['plain'])");
    assert.is(await r.eval('BasicServer.call(basic, "pop")'), "'plain'\n");
  }));

test('every helper the issue names is there, with a doc and an example; every member of a helper has a doc', () =>
  withRepl(async (r) => {
    const names = [
      'node', 'self', 'list', 'connect', 'disconnect', 'names', 'send', 'receive', 'flush', 'spawn', 'spawnLink', 'link',
      'monitor', 'exit', 'register', 'whereis', 'processes', 'i', 'pg', 'getMembers', 'GenServer', 'Supervisor',
      'Registry', 'BasicServer', 'PubSub', 'h', 'udp', 'workshop', 'help',
    ];
    for (const name of names) {
      assert.not.equal(await r.eval(`typeof ${name}`), "'undefined'\n", name);
      assert.match(await r.eval(`h('${name}')`), /\n {2}Example:\n/, name);
    }
    for (const ns of ['pg', 'udp', 'GenServer', 'Supervisor', 'Registry', 'BasicServer', 'PubSub', 'workshop']) {
      const members = (await r.eval(`Object.keys(${ns}).filter((k) => typeof ${ns}[k] === 'function' && !k.endsWith('Error')).join(' ')`)).trim().slice(1, -1).split(' ');
      assert.ok(members.length > 2, ns);
      for (const m of members) assert.match(await r.eval(`h('${ns}.${m}')`), new RegExp(`^${ns}\\.${m}\\(`), `${ns}.${m}`);
    }
  }));

test('i(pid) prints a small table of process info; i() lists processes', () =>
  withRepl(async (r) => {
    await r.eval("register('me', self()); send(self(), 'queued')");
    const out = await r.eval('i(self())');
    assert.match(out, new RegExp(`^Pid +${r.repl.shellPid().toString().replace(/[.<>]/g, '\\$&')}$`, 'm'), out);
    assert.match(out, /^Registered name +me$/m);
    assert.match(out, /^Initial call +shell$/m);
    assert.match(out, /^Message queue length +1$/m);
    const all = await r.eval('i()');
    assert.match(all, /^Pid +Name +Initial call +Status +Queue$/m);
    assert.match(all, /me +shell/);
  }));

test('tab completion offers helpers and their members', () =>
  withRepl(async (r) => {
    const complete = (line: string) =>
      new Promise<[string[], string]>((resolve, reject) =>
        (r.repl.server.completer as (l: string, cb: (e: Error | null, v: [string[], string]) => void) => void)(line, (e, v) => (e ? reject(e) : resolve(v))),
      );
    const [helpers] = await complete('spawnL');
    assert.ok(helpers.includes('spawnLink'), String(helpers));
    const [members] = await complete('udp.');
    for (const m of ['udp.open', 'udp.send', 'udp.close']) assert.ok(members.includes(m), String(members));
    const [pgMembers] = await complete('pg.');
    for (const m of ['pg.join', 'pg.leave', 'pg.getMembers', 'pg.whichGroups']) assert.ok(pgMembers.includes(m), String(pgMembers));
    const [calls] = await complete('GenServer.ca');
    assert.equal(calls.filter((c) => c.startsWith('GenServer.')).sort(), ['GenServer.call', 'GenServer.cast']);
    assert.ok(r.output.endsWith('playground(1)> ')); // completing evaluated nothing and counted nothing
  }));

test('udp: a socket owned by the shell delivers packets as messages', () =>
  withRepl(async (r) => {
    await r.eval('const socket = await udp.open(0)');
    await r.eval("udp.send(socket, '127.0.0.1', socket.port, 'HELLO WORLD')");
    const out = await r.eval("await receive(['udp', _, _, _, _], { after: 2000 })");
    assert.match(out, /^\[ 'udp', #Port<0\.\d+>, '127\.0\.0\.1', \d+, 'HELLO WORLD' \]\n$/);
    assert.is(await r.eval('udp.close(socket)'), "'ok'\n");
    assert.match(await r.eval("udp.send(socket, '127.0.0.1', 1, 'x')"), /^\*\* \(UdpError\) #Port<0\.\d+> is closed/);
  }));

test('a udp socket closes when its owner ends', () =>
  withRepl(async (r) => {
    await r.eval('const parent = self()');
    await r.eval('const owner = spawn(async () => { const s = await udp.open(0); send(parent, s); await receive() })');
    const since = r.mark();
    await r.eval('const s = await receive()');
    await r.eval("exit(owner, 'kill')");
    await r.waitFor('playground', since);
    for (let i = 0; i < 100 && !(await r.eval('s.closed')).startsWith('true'); i++) await new Promise((res) => setTimeout(res, 10));
    assert.is(await r.eval('s.closed'), 'true\n');
  }));

test.run();
