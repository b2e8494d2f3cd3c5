/**
 * The lessons: the runner's engine on a small lesson of its own (progress saved and
 * resumed, a step that stays until its check passes, next/back/reset/hint, a mistake
 * that breaks nothing), then the real thing: a lesson followed at the real prompt of a
 * real node (a step's check does not pass before its action; progress survives a
 * restart), and every lesson played with --auto, which starts the other nodes itself
 * and refuses any step whose check passes before its code is typed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tutor, type Host } from '../lessons/runner.ts';
import { LESSONS, type Lesson } from '../lessons/index.ts';
import { LESSON_IDS } from '../lessons/ids.ts';
import { spawn } from 'node:child_process';
import { freeUdpPort, startCluster, HOST, ROOT, type Cluster, type NodeProcess } from './support/cluster.ts';
import { eventually } from './support/eventually.ts';

const home = mkdtempSync(join(tmpdir(), 'playground-lessons-'));
test.after(() => rmSync(home, { recursive: true, force: true }));

/** A lesson whose checks look at a little world the test changes. */
function toyLesson(world: { lit: boolean; count: number }): Lesson {
  return {
    id: 'toy',
    title: 'A toy lesson',
    summary: 'three steps',
    nodes: {},
    steps: [
      { title: 'Light it', explain: 'Turn the light on.', code: ['lit = true'], check: () => world.lit, hint: 'lit = true' },
      {
        title: 'Count to two',
        explain: 'Count.',
        code: ['count++', 'count++ // again'],
        enter: (ctx) => void (ctx.memo.start = world.count),
        check: (ctx) => world.count - (ctx.memo.start as number) >= 1,
        hint: 'Twice.',
      },
      {
        title: 'Say it',
        explain: 'Evaluate a greeting.',
        code: ["'hello'"],
        check: (ctx) => ctx.evaluated(/hello/)?.value === 'hello',
        hint: 'A string.',
      },
    ],
  };
}

function fakeHost(): Host & { printed: string[]; text(): string } {
  const printed: string[] = [];
  return {
    printed,
    text: () => printed.join('\n'),
    print: (t) => void printed.push(t),
    lookup: () => undefined,
    shell: () => undefined,
    nodeCommand: (short) => ({ env: {}, flags: ['--sname', short] }),
  };
}

const fast = { settleMs: 150, pollMs: 40, checkTimeoutMs: 500 };

/** Runs `body` with a tutor of the toy lesson over `world`, closed after. */
async function withToy(world: { lit: boolean; count: number }, body: (tutor: Tutor, host: ReturnType<typeof fakeHost>) => Promise<void>): Promise<void> {
  const host = fakeHost();
  const tutor = new Tutor(host, { lessons: [toyLesson(world)], ...fast });
  try {
    await body(tutor, host);
  } finally {
    tutor.close();
  }
}
/** Long enough for several background checks and a whole settle: what has not happened by then does not. */
const quietWindow = () => new Promise((r) => setTimeout(r, 600));

test('a step stays until its check passes, then a tick and the next step; an input that does not do it prints nothing', async () => {
  const world = { lit: false, count: 0 };
  await withToy(world, async (tutor, host) => {
    const intro = (await tutor.lesson('toy')).text;
    assert.match(intro, 'step 1/3 · Light it');
    tutor.observe({ code: 'lit', ok: true, value: false });
    await quietWindow();
    assert.equal(host.printed, [], 'nothing said: the step is not shown again');
    world.lit = true;
    tutor.observe({ code: 'lit = true', ok: true, value: true });
    await eventually(() => assert.match(host.text(), '✔ Light it'));
    assert.match(host.printed.at(-1)!, 'step 2/3 · Count to two');
    assert.is(host.printed.length, 1);
  });
});

test("a step is judged when its code has run, never halfway through it", async () => {
  const world = { lit: true, count: 0 };
  await withToy(world, async (tutor, host) => {
    await tutor.lesson('toy');
    await eventually(() => assert.match(host.text(), '✔ Light it'));
    host.printed.length = 0;
    world.count++;
    tutor.observe({ code: 'count++', ok: true, value: 0 }); // the first of its two lines: its check passes already
    await quietWindow();
    assert.equal(host.printed, [], 'no tick between the two lines of the step');
    world.count++;
    tutor.observe({ code: 'count++  // again', ok: true, value: 1 });
    await eventually(() => assert.match(host.text(), '✔ Count to two'));
  });
});

test('typing all of a step\'s code without passing says so in one line, once', async () => {
  const world = { lit: false, count: 0 };
  await withToy(world, async (tutor, host) => {
    await tutor.lesson('toy');
    tutor.observe({ code: 'lit = true', ok: true, value: true }); // typed, but the world did not change
    await eventually(() => assert.equal(host.printed, ['(step 1 is not done yet: hint() helps, next() skips it)']));
    await quietWindow();
    assert.is(host.printed.length, 1);
  });
});

test("all of this node's code typed, with another node's part still to come: no 'not done' yet; it ticks once that node did it", async () => {
  const world = { lit: false, count: 0 };
  const host = fakeHost();
  const lesson: Lesson = {
    id: 'duet', title: 'A duet', summary: 'two nodes', nodes: { bob: [] },
    steps: [{
      title: 'Both',
      explain: 'Alice sets up, bob lights it.',
      code: ['setUp()', { on: 'bob', code: 'lit = true' }, { code: 'lit', whenDone: true }],
      check: () => world.lit,
      hint: 'Light it at bob.',
    }],
  };
  const tutor = new Tutor(host, { lessons: [lesson], ...fast });
  try {
    await tutor.lesson('duet');
    tutor.observe({ code: 'setUp()', ok: true, value: 'ok' }); // all of alice's own part
    await quietWindow();
    assert.equal(host.printed, [], "bob's part is still to come: nothing is said");
    world.lit = true; // bob did it
    await eventually(() => assert.match(host.text(), '✔ Both'));
  } finally {
    tutor.close();
  }
});

test('the background check catches what happens without input', async () => {
  const world = { lit: false, count: 0 };
  await withToy(world, async (tutor, host) => {
    await tutor.lesson('toy');
    world.lit = true;
    await eventually(() => assert.match(host.text(), '✔ Light it'));
  });
});

test('back() to a step the node already satisfies does not tick it again; an input judges it', async () => {
  const world = { lit: true, count: 0 };
  await withToy(world, async (tutor, host) => {
    await tutor.lesson('toy');
    await eventually(() => assert.match(host.text(), '✔ Light it'));
    assert.match(tutor.back().text, 'step 1/3 · Light it');
    host.printed.length = 0;
    await quietWindow();
    assert.equal(host.printed, [], 'still at step 1');
    tutor.observe({ code: 'lit = true', ok: true, value: true });
    await eventually(() => assert.match(host.text(), '✔ Light it'));
  });
});

test('a check compares against the state when its step began', async () => {
  const world = { lit: true, count: 5 };
  await withToy(world, async (tutor, host) => {
    await tutor.lesson('toy');
    await eventually(() => assert.match(host.text(), '✔ Light it'));
    // count is already 5, but the step wants one more from here: its code typed while
    // count did not move makes the runner check at once, and the check must say not yet.
    const mark = host.printed.length;
    tutor.observe({ code: 'count++ // again', ok: true, value: 5 });
    await eventually(() => assert.match(host.printed.slice(mark).join('\n'), 'not done yet'));
    assert.not.match(host.text(), '✔ Count to two');
    world.count += 1;
    await eventually(() => assert.match(host.text(), '✔ Count to two'));
  });
});

test('a mistake, or a check that throws, leaves the step where it is', async () => {
  const world = { lit: false, count: 0 };
  const host = fakeHost();
  const lesson: Lesson = { ...toyLesson(world) };
  const broken: Lesson = { ...lesson, id: 'broken', steps: [{ title: 'Broken', explain: '', code: ['x'], check: () => { throw new Error('boom') }, hint: '' }] };
  const tutor = new Tutor(host, { lessons: [lesson, broken], ...fast });
  try {
    await tutor.lesson('toy');
    tutor.observe({ code: 'lti = true', ok: false, error: new ReferenceError('lti is not defined') });
    assert.match(tutor.hint().text, 'lit = true');
    await tutor.lesson('broken');
    tutor.observe({ code: 'x', ok: true, value: 1 });
    await eventually(() => assert.match(host.text(), 'not done yet'));
    assert.not.match(host.text(), '✔');
    assert.match((await tutor.lesson()).text, /toy\s+0\/3/);
  } finally {
    tutor.close();
  }
});

test('progress is saved and a new runner resumes where the learner left', async () => {
  const file = join(home, 'resume', 'progress.json');
  const world = { lit: false, count: 0 };
  const first = new Tutor(fakeHost(), { lessons: [toyLesson(world)], progressFile: file, ...fast });
  try {
    await first.lesson('toy');
    world.lit = true;
    await eventually(() => {
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(saved.current, 'toy');
      assert.equal(saved.lessons.toy, { step: 1, passed: [0] });
    });
  } finally {
    first.close();
  }
  const second = new Tutor(fakeHost(), { lessons: [toyLesson(world)], progressFile: file, ...fast });
  try {
    assert.match((await second.lesson()).text, /toy\s+1\/3/);
    assert.match((await second.lesson('toy')).text, 'step 2/3 · Count to two');
  } finally {
    second.close();
  }
});

test('next skips, back returns, reset starts over; a bad id is a clear error', async () => {
  const file = join(home, 'moves', 'progress.json');
  const tutor = new Tutor(fakeHost(), { lessons: [toyLesson({ lit: false, count: 0 })], progressFile: file, ...fast });
  try {
    assert.match(tutor.next().text, 'No lesson is running');
    await tutor.lesson('toy');
    assert.match(tutor.next().text, 'step 2/3');
    assert.match(tutor.next().text, 'step 3/3');
    assert.match(tutor.back().text, 'step 2/3');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).lessons.toy, { step: 1, passed: [] });
    assert.match(tutor.reset().text, 'step 1/3');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).lessons.toy, { step: 0, passed: [] });
    await tutor.lesson('nope').then(
      () => assert.unreachable('no such lesson'),
      (err: Error) => assert.match(err.message, /no lesson 'nope'; the lessons are 'toy'/),
    );
  } finally {
    tutor.close();
  }
});

test('an unreadable progress file is an empty progress', async () => {
  const file = join(home, 'bad.json');
  writeFileSync(file, '{not json');
  const tutor = new Tutor(fakeHost(), { lessons: [toyLesson({ lit: false, count: 0 })], progressFile: file, ...fast });
  try {
    assert.match((await tutor.lesson()).text, /toy\s+0\/3/);
  } finally {
    tutor.close();
  }
});

test("a lesson that builds its own version of a service has the node's paused while it runs, and started again after", async () => {
  const world = { lit: false, count: 0 };
  const events: string[] = [];
  const host: Host = {
    ...fakeHost(),
    quiet: async (ids) => {
      events.push(`pause ${ids.join(',')}`);
      return async () => void events.push(`restart ${ids.join(',')}`);
    },
  };
  const quiet: Lesson = { ...toyLesson(world), id: 'quiet', quiet: ['greeter'] };
  const tutor = new Tutor(host, { lessons: [quiet, toyLesson(world)], ...fast });
  try {
    assert.match((await tutor.lesson('quiet')).text, "This lesson builds its own greeter: this node's own are paused");
    assert.equal(events, ['pause greeter']);
    await tutor.lesson('quiet');
    assert.equal(events, ['pause greeter'], 'opened again: still paused, once');
    await tutor.lesson('toy');
    assert.equal(events, ['pause greeter', 'restart greeter'], 'another lesson: started again');
  } finally {
    tutor.close();
  }
});

test('the command line knows every lesson', () => {
  assert.equal(LESSONS.map((l) => l.id), LESSON_IDS);
});

// Real nodes, the real prompt

/** Kills the nodes an --auto run started, should the run itself have been killed. */
function killPeers(node: NodeProcess): void {
  for (const m of node.output.matchAll(/starting \w+ \(pid (\d+)\)/g)) {
    try {
      process.kill(Number(m[1]), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Plays lesson `id` with --auto on a fresh cluster (after `before`); resolves with alice's output. */
async function play(id: string, before?: (c: Cluster) => Promise<unknown>): Promise<{ code: number | null; output: string }> {
  const c = await startCluster({ env: { PLAYGROUND_LESSON_PORT: String(await freeUdpPort()) } });
  let alice: NodeProcess | undefined;
  try {
    await before?.(c);
    alice = await c.start(['--sname', 'alice', '--lesson', id, '--auto', '--auto-delay', '0'], { ready: null });
    const timer = setTimeout(() => alice?.child.kill('SIGKILL'), 60_000);
    const { code } = await alice.exited;
    clearTimeout(timer);
    // The test runner may force colours on: compare plain text.
    return { code, output: alice.output.replace(/\x1b\[[0-9;]*m/g, '') };
  } finally {
    if (alice) killPeers(alice);
    await c.stop();
  }
}

function lines(output: string, prefix: string, text: string): number {
  return output.split('\n').filter((l) => l.startsWith(prefix) && l.includes(text)).length;
}

test('hello-world plays by itself on a node started plainly: three nodes, a crash and its restart, exact greetings', async () => {
  // No --discovery none --no-greet: the lesson pauses the node's own for its length.
  const { code, output } = await play('hello-world');
  assert.match(output, /✔ hello-world: all 11 steps passed/, output);
  assert.is(code, 0);
  assert.match(output, "This lesson builds its own discovery and greeter: this node's own are paused");
  assert.match(output, /\[error\] GenServer #PID<[\d.]+> \(naive\) terminating/);
  assert.match(output, /Supervisor #PID<[\d.]+>: child 'naive' .*terminated/);
  // carol logs one greeting from each of the two others, and each of them one from her.
  assert.is(lines(output, 'carol│', 'Hello world from '), 2);
  assert.is(lines(output, 'carol│', 'Hello world from alice@'), 1);
  assert.is(lines(output, 'carol│', 'Hello world from bob@'), 1);
  assert.is(lines(output, 'bob│', 'Hello world from carol@'), 1);
  assert.match(output, /^(playground\(alice@[^)]*\)\d+> )?\[info\] Hello world from carol@/m);
});

test('genserver plays by itself', async () => {
  const { code, output } = await play('genserver');
  assert.match(output, /✔ genserver: all 14 steps passed/, output);
  assert.is(code, 0);
  assert.match(output, /Last state: \[ 'oranges', 'apples' \]/);
});

test('pubsub plays by itself, with the three-node demo\'s exact counts', async () => {
  const { code, output } = await play('pubsub');
  assert.match(output, /✔ pubsub: all 14 steps passed/, output);
  assert.is(code, 0);
  const jade = "Received: { name: 'Jade' }";
  const jadyline = "Received: { id: 1, name: 'Jadyline' }";
  assert.is(output.split(jade).length - 1, 6, 'user.created: 1 on alice and 5 on bob');
  assert.is(lines(output, 'bob│', jade), 5);
  assert.is(lines(output, 'carol│', jade), 0);
  assert.is(output.split(jadyline).length - 1, 3, 'user.updated: 1 on alice and 2 on carol');
  assert.is(lines(output, 'carol│', jadyline), 2);
  assert.is(lines(output, 'bob│', jadyline), 0);
});

test('netsplit plays by itself: a cut, its effects on every side, a heal and one conflict resolved', async () => {
  const { code, output } = await play('netsplit');
  assert.match(output, /✔ netsplit: all 10 steps passed/, output);
  assert.is(code, 0);
  assert.match(output, /bob│ hello from bob@/);
  // Each of the three nodes prints the cut and the heal once.
  for (const prefix of ['bob│', 'carol│']) {
    assert.is(lines(output, prefix, 'netsplit by alice@'), 1);
    assert.is(lines(output, prefix, 'network healed by alice@'), 1);
  }
  assert.match(output, /global: name conflict for "counter" after a netsplit, .*: keeping #PID<[\d.]+>, killing #PID<[\d.]+>/);
});

test('tracing plays by itself: trace lines, a limit, sys.trace, a remote process, two diagrams', async () => {
  const { code, output } = await play('tracing');
  assert.match(output, /✔ tracing: all 17 steps passed/, output);
  assert.is(code, 0);
  // The local-call analogue: getName's call inside bar shows only with scope 'local'.
  assert.is(lines(output, '(', "call Foo.getName('Buzz')"), 1);
  assert.is(lines(output, '(', "call Foo.getName('Direct')"), 1);
  // A thousand calls, a limit of three.
  assert.match(output, 'dbg: trace of Foo.bar stopped at its limit (3 calls)');
  assert.equal(output.match(/call Foo\.bar\('\d+'\)/g), ["call Foo.bar('0')", "call Foo.bar('1')", "call Foo.bar('2')"]);
  assert.match(output, "*DBG* ItemAccumulator got cast [ 'add', 'apples' ]");
  assert.match(output, /^\(#PID<[1-9]\d*\.\d+\.0>\) #PID<0\.\d+\.0> ! \[ 'echo', 'hello' \]$/m);
  // The publish on three nodes, drawn: three nodes' lanes, five arrows (to two servers, then to three clients).
  const drawn = output.split(/playground\(alice@[^)]*\)\d+> d\n/)[1]!.split(/playground\(/)[0]!.split('\n');
  assert.equal(drawn[1]!.trim().split(/\s+/).sort(), ['alice', 'bob', 'bob', 'bob', 'carol', 'carol']);
  assert.is(drawn.filter((l) => l.includes('▶')).length, 5);
  const mermaid = output.split(/playground\(alice@[^)]*\)\d+> d\.mermaid\(\)\n/)[1]!;
  assert.match(mermaid, /^sequenceDiagram\n {4}participant L0 as self\(\) \(alice@/);
  assert.match(mermaid, /participant L1 as PubSub\.Adapter \((bob|carol)@/);
  assert.is(mermaid.split('playground(')[0]!.match(/->>/g)?.length, 5);
});

test('--auto names the step that failed and exits 1', async () => {
  // A node already named bob: the lesson's own bob cannot start.
  const { code, output } = await play('pubsub', (c) => c.start(['--sname', 'bob', '--discovery', 'none']));
  assert.is(code, 1);
  assert.match(output, /✘ pubsub step 6 "A second node" failed: bob exited \(code 1\) before it could start/);
  assert.match(output, /bob│ playground: cannot start bob@.*: the name bob is already in use/);
});

/** Types `line` at `node`'s prompt and waits for the prompt numbered `next`. */
async function typeAt(node: NodeProcess, line: string, next: number): Promise<void> {
  const mark = node.mark();
  node.send(line);
  await node.waitFor(new RegExp(`\\)${next}> `), { since: mark });
}

/** Long enough for a check after an input and several background checks: what has not happened by then does not. */
const settled = () => new Promise((r) => setTimeout(r, 2500));

test('at the prompt: a step waits for its action in silence, is judged when its code has run, and progress survives a restart', async () => {
  const c: Cluster = await startCluster();
  try {
    const start = () => c.start(['--sname', 'alice', '--lesson', 'genserver'], { ready: /step \d+\/14/ });
    const alice = await start();
    assert.match(alice.output, 'step 1/14 · A process is a loop');
    assert.not.match(alice.output, "this lesson's node", 'a node that suits the lesson is not told to start another');
    let mark = alice.mark();
    await typeAt(alice, 'spawn(async () => {})', 2);
    await typeAt(alice, '1 + 1', 3);
    await settled();
    assert.is(alice.count('◆ genserver · step 1/14'), 1, 'the step is not shown again');
    assert.not.match(alice.output.slice(mark), /not done yet|✔/);
    const [define, spawnIt] = LESSONS[1]!.steps[0]!.code as string[];
    await typeAt(alice, define!, 4);
    await settled();
    assert.not.match(alice.output.slice(mark), '✔', 'not halfway through its code');
    mark = alice.mark();
    alice.send(spawnIt!);
    await alice.waitFor('✔ A process is a loop', { since: mark });
    await alice.waitFor('step 2/14 · Ping', { since: mark });
    const saved = JSON.parse(readFileSync(join(c.home, 'progress.json'), 'utf8'));
    assert.equal(saved, { current: 'genserver', lessons: { genserver: { step: 1, passed: [0] } } });
    alice.send('.exit');
    assert.is((await alice.exited).code, 0);

    const again = await start();
    assert.match(again.output, 'step 2/14 · Ping');
    again.send('lesson()');
    await again.waitFor(/genserver\s+1\/14/);
  } finally {
    await c.stop();
  }
});

test('at the prompt: a node without a name is shown the command that starts one the lesson suits', async () => {
  const c: Cluster = await startCluster();
  try {
    const plain = await c.start(['--discovery', 'none', '--no-greet', '--lesson', 'hello-world'], { ready: /step \d+\/11/ });
    assert.match(plain.output, "(this lesson's node: npx tsx playground --sname alice --lesson hello-world)");
    assert.match(plain.output, 'This node has no name: leave (.exit) and start it as shown above.');
  } finally {
    await c.stop();
  }
});

test('at the prompt: back() to a step this node already satisfies stays there until the learner types again', async () => {
  const c: Cluster = await startCluster();
  try {
    const alice = await c.start(['--sname', 'alice', '--lesson', 'genserver'], { ready: /step \d+\/14/ });
    const [define, spawnIt] = LESSONS[1]!.steps[0]!.code as string[];
    await typeAt(alice, define!, 2);
    alice.send(spawnIt!);
    await alice.waitFor('step 2/14 · Ping');
    let mark = alice.mark();
    alice.send('back()');
    await alice.waitFor('step 1/14 · A process is a loop', { since: mark });
    await settled();
    assert.not.match(alice.output.slice(mark), '✔', 'its process still runs, but the step waits');
    mark = alice.mark();
    alice.send(spawnIt!);
    await alice.waitFor('✔ A process is a loop', { since: mark });
  } finally {
    await c.stop();
  }
});

test('at the prompt: a step passes on what ran, with or without the await its code shows (the prompt awaits anyway)', async () => {
  const c: Cluster = await startCluster();
  try {
    const alice = await c.start(['--sname', 'alice', '--discovery', 'none', '--no-greet', '--lesson', 'netsplit'], { ready: /step \d+\/10/ });
    await c.start(['--sname', 'bob', '--discovery', 'none', '--no-greet']);
    await typeAt(alice, 'next()', 2); // to step 2, 'Run code on bob'
    await typeAt(alice, `const bob = 'bob@${HOST}'`, 3);
    await typeAt(alice, 'spawn(bob, () => 1)', 4);
    await alice.waitFor('✔ Run code on bob', { timeout: 10_000 });
  } finally {
    await c.stop();
  }
});

test("at the prompt: the command shown for another terminal starts a node that joins (cookie and environment included)", async () => {
  const c: Cluster = await startCluster();
  let bob: ReturnType<typeof spawn> | undefined;
  try {
    const alice = await c.start(['--sname', 'alice', '--cookie', 'sesame', '--lesson', 'pubsub'], { ready: /step \d+\/14/ });
    for (let n = 2; n <= 6; n++) await typeAt(alice, 'next()', n); // to step 6, 'A second node'
    const shown = /In another terminal: (.*)$/m.exec(alice.output)?.[1];
    assert.ok(shown, alice.output);
    assert.match(shown!, `PLAYGROUND_EPMD_PORT=${c.epmdPort}`);
    assert.match(shown!, `PLAYGROUND_DISCOVERY_PORT=${c.discoveryPort}`);
    assert.match(shown!, `PLAYGROUND_HOME=${c.home}`);
    assert.match(shown!, / npx tsx playground --sname bob --cookie sesame$/);
    // Copied into a shell with nothing else set, the command starts a node that joins.
    const { PATH, HOME } = process.env;
    bob = spawn('sh', ['-c', `exec env ${shown}`], { cwd: ROOT, env: { PATH, HOME, NO_COLOR: '1' }, detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    await alice.waitFor(`✔ A second node`, { timeout: 30_000 });
  } finally {
    if (bob?.pid) {
      try {
        process.kill(-bob.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await c.stop();
  }
});

test.run();
