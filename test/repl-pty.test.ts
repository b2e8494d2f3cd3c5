/**
 * The REPL in a real pseudo-terminal, rendered by a headless terminal: what a person
 * sees. Skips itself (saying why) where no pseudo-terminal library can load.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { names } from '../src/erlang/epmd/index.ts';
import { startCluster, ROOT, HOST, type Cluster } from './support/cluster.ts';
import { sleep } from './support/eventually.ts';
import { testOrSkip } from './support/skip.ts';

type Pty = import('@lydell/node-pty').IPty;
type XTerm = import('@xterm/headless').Terminal;

const libs = loadLibs();

function loadLibs(): [typeof import('@lydell/node-pty'), typeof import('@xterm/headless')] | Error {
  const require = createRequire(import.meta.url);
  try {
    return [require('@lydell/node-pty'), require('@xterm/headless')];
  } catch (err) {
    return err as Error;
  }
}

/** One playground in a pseudo-terminal, its screen rendered as a terminal would. */
class Screen {
  raw = '';
  exited: Promise<number>;
  private readonly term: XTerm;

  constructor(readonly pty: Pty, term: XTerm) {
    this.term = term;
    pty.onData((d) => {
      this.raw += d;
      term.write(d);
    });
    // Killed by a signal counts as a failure: node-pty reports exitCode 0 for that.
    this.exited = new Promise((resolve) => pty.onExit(({ exitCode, signal }) => resolve(signal ? -signal : exitCode)));
  }

  /** The screen's lines, trailing blanks trimmed. */
  lines(): string[] {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < buf.length; y++) out.push(buf.getLine(y)?.translateToString(true) ?? '');
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  }

  /** The rows on screen now (the scrollback left out), trailing blanks trimmed. */
  viewport(): string[] {
    const buf = this.term.buffer.active;
    return this.lines().slice(buf.baseY);
  }

  cursor(): { x: number; line: string } {
    const buf = this.term.buffer.active;
    return { x: buf.cursorX, line: buf.getLine(buf.baseY + buf.cursorY)?.translateToString(true) ?? '' };
  }

  async waitFor(check: (lines: string[]) => boolean, what: string, timeout = 10_000): Promise<void> {
    const deadline = Date.now() + timeout;
    for (;;) {
      await new Promise<void>((resolve) => this.term.write('', resolve));
      if (check(this.lines())) return;
      if (Date.now() > deadline) throw new Error(`screen never showed ${what}:\n${this.lines().join('\n')}`);
      await sleep(20);
    }
  }

  type(text: string): void {
    this.pty.write(text);
  }

  /** The exit code, once the process has exited (it is killed if that takes over 5 s). */
  async exit(): Promise<number> {
    const timer = setTimeout(() => this.pty.kill('SIGKILL'), 5000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/**
 * Runs `body` against a playground in a pseudo-terminal `cols` wide, started the way
 * tests start nodes (`node --import tsx playground`), or with `launcher: 'npx'` the
 * README's way, `npx tsx playground`, with this test's Node first on the PATH.
 */
async function withPty(
  c: Cluster,
  args: string[],
  env: Record<string, string>,
  body: (s: Screen) => Promise<void>,
  { launcher = 'node', cols = 80 }: { launcher?: 'node' | 'npx'; cols?: number } = {},
): Promise<void> {
  if (libs instanceof Error) throw libs;
  const [{ spawn }, { Terminal }] = libs;
  const [file, argv] = launcher === 'npx' ? ['npx', ['tsx', 'playground', ...args]] : [process.execPath, ['--import', 'tsx', 'playground', ...args]];
  const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  const pty = spawn(file, argv, {
    name: 'xterm-256color',
    cols,
    rows: 30,
    cwd: ROOT,
    env: withoutForceColor({ ...process.env, PATH, ...c.env, ...env }),
  });
  const screen = new Screen(pty, new Terminal({ cols, rows: 30, allowProposedApi: true }));
  try {
    await body(screen);
  } finally {
    try {
      process.kill(pty.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The environment without FORCE_COLOR, which a test runner may set and which overrides NO_COLOR. */
function withoutForceColor(env: Record<string, string | undefined>): Record<string, string> {
  const { FORCE_COLOR: _, ...rest } = env;
  return rest as Record<string, string>;
}

if (libs instanceof Error) {
  testOrSkip(`no pseudo-terminal here (${libs.message.split('\n')[0]})`, 'the prompt in a real terminal', () => {});
} else {
  let c: Cluster;
  test.before(async () => {
    c = await startCluster();
  });
  test.after(async () => {
    await c.stop();
  });

  const prompt = (n: number) => `playground(tty@${HOST})${n}> `;
  const showsPrompt = (n: number) => (lines: string[]) => lines.some((l) => l.startsWith(prompt(n)));

  test('a crash report arrives while the user types: it goes above, the input stays intact', () =>
    withPty(c, ['--sname', 'tty', '--discovery', 'none'], {}, async (s) => {
      await s.waitFor(showsPrompt(1), 'the first prompt');
      s.type("spawn(async () => { await receive(_, { after: 500 }); throw new Error('late crash') })\r");
      await s.waitFor(showsPrompt(2), 'prompt 2');
      s.type('const partial = 12');
      await s.waitFor((l) => l.some((x) => x.includes('** (Error) late crash')), 'the crash report');
      const lines = s.lines();
      const report = lines.findIndex((l) => /^\[error\] Process #PID<0\.\d+\.0> raised an exception$/.test(l));
      const spawned = lines.findIndex((l) => /^#PID<0\.\d+\.0>$/.test(l));
      assert.ok(spawned >= 0 && report > spawned, lines.join('\n'));
      assert.is(lines[lines.length - 1], `${prompt(2)}const partial = 12`);
      assert.equal(s.cursor(), { x: `${prompt(2)}const partial = 12`.length, line: `${prompt(2)}const partial = 12` });
      s.type('\r');
      await s.waitFor(showsPrompt(3), 'prompt 3');
      s.type('partial + 1\r');
      await s.waitFor((l) => l.includes('13'), 'the result 13');
      assert.is(s.lines().filter((l) => l.startsWith(prompt(2))).length, 1, 'the prompt was drawn once, not twice');
    }));

  test("a process's console.log lands above the prompt too", () =>
    withPty(c, ['--sname', 'tty', '--discovery', 'none'], {}, async (s) => {
      await s.waitFor(showsPrompt(1), 'the first prompt');
      s.type("spawn(async () => { await receive(_, { after: 400 }); console.log('printed by', self()) }); 'ok'\r");
      await s.waitFor(showsPrompt(2), 'prompt 2');
      s.type('half typed');
      await s.waitFor(
        (l) => l.some((x) => /^printed by #PID<0\.\d+\.0>$/.test(x)) && l[l.length - 1] === `${prompt(2)}half typed`,
        'the printed line above the prompt and the input',
      );
    }));

  test('a pending await shows a spinner, Ctrl+C cancels it; errors are red; Ctrl+C twice leaves and frees the name', () =>
    withPty(c, ['--sname', 'tty', '--discovery', 'none'], { NO_COLOR: '' }, async (s) => {
      await s.waitFor(showsPrompt(1), 'the first prompt');
      s.type('await receive()\r');
      await s.waitFor((l) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(l[l.length - 1] ?? ''), 'the spinner');
      s.type('\x03');
      await s.waitFor((l) => l.includes('** (interrupted) the evaluation was cancelled'), 'the cancelled wait');
      await s.waitFor((l) => l[l.length - 1] === prompt(1), 'the prompt again');
      s.type('nope\r');
      await s.waitFor((l) => l.includes('** (ReferenceError) nope is not defined'), 'the error');
      assert.ok(s.raw.includes('\x1b[31m** (ReferenceError) nope is not defined'), 'the error is red');
      s.type('\x03');
      await s.waitFor((l) => l.some((x) => x.includes('(To exit, press Ctrl+C again')), 'the exit hint');
      s.type('\x03');
      assert.is(await s.exit(), 0);
      const reply = await names(c.epmdPort);
      assert.not.ok(reply.names.some(([n]) => n === 'tty'));
    }));

  test('keys typed while an await is pending show as typed, then run after it, in order', () =>
    withPty(c, ['--sname', 'tty', '--discovery', 'none'], {}, async (s) => {
      await s.waitFor(showsPrompt(1), 'the first prompt');
      // The await ends when the test says so (a signal), not after some time.
      s.type("await new Promise((r) => process.once('SIGUSR2', () => r('released')))\r");
      await s.waitFor((l) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(l[l.length - 1] ?? ''), 'the spinner');
      s.type('1 + 1\r');
      s.type('send(self(), 7)\r');
      s.type('v(');
      await s.waitFor((l) => l.slice(-3).join('\n') === '… 1 + 1\n… send(self(), 7)\n… v(', 'the lines typed ahead, as typed');
      process.kill(s.pty.pid, 'SIGUSR2');
      await s.waitFor((l) => l[l.length - 1] === `${prompt(4)}v(`, 'the queued lines run, and the line begun comes back');
      s.type('2)\r');
      await s.waitFor(showsPrompt(5), 'prompt 5');
      const lines = s.lines();
      assert.equal(lines.slice(lines.indexOf("'released'")), [
        "'released'",
        `${prompt(2)}1 + 1`,
        '2',
        `${prompt(3)}send(self(), 7)`,
        '7',
        `${prompt(4)}v(2)`,
        '2',
        prompt(5),
      ]);
    }));

  test('Ctrl+C breaks a runaway loop and the node goes on', () =>
    withPty(c, ['--sname', 'tty', '--discovery', 'none'], {}, async (s) => {
      await s.waitFor(showsPrompt(1), 'the first prompt');
      s.type("console.log('looping'); while (true) {}\r");
      await s.waitFor((l) => l.includes('looping'), 'the loop begun');
      s.type('\x03');
      await s.waitFor((l) => l.some((x) => x.includes('** (interrupted) the evaluation was cancelled')), 'the interrupted loop');
      s.type('node()\r');
      await s.waitFor((l) => l.includes(`'tty@${HOST}'`), 'the node still answering');
    }));

  test('started with npx tsx, Ctrl+C breaks a runaway loop and the node lives on (tsx passes the signal on)', () =>
    withPty(c, ['--sname', 'tty', '--discovery', 'none'], {}, async (s) => {
      await s.waitFor(showsPrompt(1), 'the first prompt', 30_000);
      for (const n of [1, 2]) {
        // The line printed from inside the evaluation says the loop is running.
        s.type(`console.log('looping ${n}'); while (true) {}\r`);
        await s.waitFor((l) => l.includes(`looping ${n}`), `the loop ${n} running`);
        s.type('\x03');
        await s.waitFor((l) => l.filter((x) => x.includes('** (interrupted) the evaluation was cancelled')).length === n, `the loop ${n} interrupted`);
        s.type(`'alive ${n}'\r`);
        await s.waitFor((l) => l.includes(`'alive ${n}'`), `the node answering after Ctrl+C ${n}`);
      }
      s.type('\x04');
      // npx's own status is not the node's: npm runs tsx through sh, and dash ends itself
      // with a SIGINT it saw while waiting. The node left as it should: its name is free.
      await s.exit();
      const reply = await names(c.epmdPort);
      assert.not.ok(reply.names.some(([n]) => n === 'tty'));
    }, { launcher: 'npx' }));

  test("h() fits a 120-column terminal: a long summary wraps under its own column, never to column 0", () =>
    withPty(c, ['--sname', 'tty', '--discovery', 'none'], {}, async (s) => {
      await s.waitFor(showsPrompt(1), 'the first prompt');
      s.type('h()\r');
      await s.waitFor(showsPrompt(2), 'the prompt after h()');
      const listing = s.lines().slice(s.lines().findIndex((l) => l === 'Nodes'), s.lines().findIndex((l) => l.startsWith(prompt(2))));
      const column = listing.find((l) => l.startsWith('  node(pid?)'))!.indexOf("This node's name");
      assert.ok(column > 10, listing.join('\n'));
      // Every line is a group heading, a signature with its summary, or a summary's next
      // line starting at the summary's column; none is wider than the terminal.
      const wrapped = listing.filter((l) => l.startsWith(' '.repeat(column)) && l[column] !== ' ');
      assert.ok(wrapped.length > 0, 'some summary is longer than one line at 120 columns');
      for (const line of listing) {
        assert.ok(line.length <= 120, line);
        assert.ok(line === '' || /^\S/.test(line) || /^ {2}\S/.test(line) || line.startsWith(' '.repeat(column)), `a line that breaks the columns:\n${line}`);
      }
    }, { cols: 120 }));

  test('NO_COLOR turns colours off; Ctrl+D leaves; history is kept in PLAYGROUND_HOME', async () => {
    const home = mkdtempSync(join(tmpdir(), 'playground-pty-'));
    try {
      await historySession(home);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('two prompts at once both keep their history; a multi-line input comes back whole with one up arrow', async () => {
    const home = mkdtempSync(join(tmpdir(), 'playground-pty-'));
    const env = { PLAYGROUND_HOME: home };
    const unnamed = (n: number) => (lines: string[]) => lines.some((l) => l.startsWith(`playground(${n})> `));
    const type = async (s: Screen, line: string, result: string) => {
      s.type(`${line}\r`);
      await s.waitFor((l) => l.includes(result), result);
    };
    try {
      await withPty(c, [], env, (a) =>
        withPty(c, [], env, async (b) => {
          await a.waitFor(unnamed(1), 'the first prompt of a');
          await b.waitFor(unnamed(1), 'the first prompt of b');
          await type(a, "'a1'", "'a1'");
          await type(b, "'b1'", "'b1'");
          await type(a, "'a2'", "'a2'");
          await type(b, "'b2'", "'b2'");
          a.type('function twice(n) {\r');
          a.type('  return n * 2\r');
          a.type('}\r');
          await a.waitFor(unnamed(4), 'the prompt after the function');
          b.type('\x04');
          a.type('\x04');
          assert.is(await b.exit(), 0);
          assert.is(await a.exit(), 0);
        }),
      );
      const entries = readFileSync(join(home, 'history'), 'utf8').split('\n').filter(Boolean);
      assert.equal(entries.filter((e) => e.startsWith("'a")), ["'a1'", "'a2'"]);
      assert.equal(entries.filter((e) => e.startsWith("'b")), ["'b1'", "'b2'"]);
      assert.is(entries.at(-1), 'function twice(n) {\r  return n * 2\r}', 'one entry, its lines joined');
      assert.is(entries.length, 5);

      await withPty(c, [], env, async (s) => {
        await s.waitFor(unnamed(1), 'the first prompt');
        s.type('\x1b[A');
        await s.waitFor((l) => l.some((x) => x.endsWith('return n * 2')) && l.some((x) => /^(\| )?}$/.test(x)), 'the whole function back');
        s.type('\r');
        await s.waitFor(unnamed(2), 'the function evaluated as one input');
        await type(s, 'twice(21)', '42');
        s.type('\x04');
        assert.is(await s.exit(), 0);
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("the workshop's roster stays pinned above the prompt: it changes while the user types, and the input stays intact", () =>
    withPty(c, ['--name', 'teacher@127.0.0.1', '--discovery', 'none', '--workshop'], {}, async (s) => {
      const teacherPrompt = (n: number) => `playground(teacher@127.0.0.1)${n}> `;
      await s.waitFor(() => top(0).startsWith('workshop · 0 here'), 'the roster at the top');
      const ann = await c.start(['--name', 'ann@127.0.0.1', '--join', 'teacher@127.0.0.1', '--discovery', 'none']);
      await s.waitFor(() => top(2).includes('ann@127.0.0.1'), "ann's row in the roster");
      await s.waitFor((l) => l[l.length - 1] === teacherPrompt(2), 'the prompt');
      s.type('const half = 4');
      await s.waitFor((l) => l[l.length - 1] === `${teacherPrompt(2)}const half = 4`, 'the input typed');
      ann.send("help('stuck on step 3')");
      await s.waitFor(() => /^✋ +ann@127\.0\.0\.1 .*"stuck on step 3"/.test(top(2)), 'the raised hand in the roster');
      assert.ok(top(0).startsWith('workshop · 1 here · 1 hand up'), s.viewport().join('\n'));
      assert.equal(s.cursor(), { x: `${teacherPrompt(2)}const half = 4`.length, line: `${teacherPrompt(2)}const half = 4` });
      s.type('\r');
      await s.waitFor(showsTeacher(3), 'prompt 3');
      s.type("for (let i = 0; i < 40; i++) console.log('scrolling', i)\r");
      await s.waitFor((l) => l.includes('scrolling 39'), 'forty lines scrolled');
      assert.ok(top(0).startsWith('workshop · 1 here · 1 hand up'), `the roster did not scroll away:\n${s.viewport().join('\n')}`);
      assert.ok(s.viewport().includes('scrolling 39'), 'the output scrolled below it');
      s.type('half * 2\r');
      await s.waitFor((l) => l.includes('8'), 'the result below the roster');
      await ann.kill();
      await s.waitFor(() => /^ +ann@127\.0\.0\.1 .* gone \d+s ago$/.test(top(2)) && top(0).startsWith('workshop · 0 here, 1 gone'), 'ann marked gone');
      s.type('\x04');
      assert.is(await s.exit(), 0);
      assert.ok(s.raw.includes('\x1b[r'), 'the scrolling region given back');
      function top(row: number): string {
        return s.viewport()[row] ?? '';
      }
      function showsTeacher(n: number) {
        return (lines: string[]) => lines.some((l) => l.startsWith(teacherPrompt(n)));
      }
    }));

  const historySession = (home: string) =>
    withPty(c, ['--sname', 'tty', '--discovery', 'none'], { NO_COLOR: '1', PLAYGROUND_HOME: home }, async (s) => {
      await s.waitFor(showsPrompt(1), 'the first prompt');
      s.type("'remember me'\r");
      await s.waitFor(showsPrompt(2), 'prompt 2');
      s.type('nope\r');
      await s.waitFor((l) => l.includes('** (ReferenceError) nope is not defined'), 'the error');
      assert.not.ok(/\x1b\[3\dm/.test(s.raw), 'no colour codes');
      s.type('\x04');
      assert.is(await s.exit(), 0);
      const file = join(home, 'history');
      assert.ok(existsSync(file));
      assert.equal(readFileSync(file, 'utf8').split('\n').filter(Boolean), ["'remember me'", 'nope']);
    });
}

test.run();
