/**
 * The REPL on a terminal, in this process: streams that look like an 80-column TTY, keys
 * written as a terminal sends them. What the screen finally shows is checked through a
 * real pseudo-terminal in repl-pty.test.ts; here, the escape sequences themselves.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRepl, type Harness } from './support/repl.ts';
import { eventually, sleep } from './support/eventually.ts';

async function withTerminal(body: (r: Harness) => Promise<void>, opts: Parameters<typeof openRepl>[0] = {}): Promise<void> {
  const r = await openRepl({ terminal: true, ...opts });
  try {
    await body(r);
  } finally {
    await r.close();
  }
}

const ESC = '\x1b[';
const escaped = (s: string) => s.replace(/[[\]()*+?.\\^$|{}]/g, '\\$&');

test('a line printed while the user types goes above the prompt, and the input is redrawn', () =>
  withTerminal(async (r) => {
    r.input.write('const partial = 12');
    await r.waitFor('const partial = 12');
    const since = r.mark();
    r.repl.print('[info] Hello world from alice@vm');
    const out = r.output.slice(since);
    // Back to column 1, clear to the end of the screen, the line, then prompt and input again.
    assert.match(out, new RegExp(`^${escaped(`${ESC}1G${ESC}0J[info] Hello world from alice@vm\n`)}`));
    assert.match(out, new RegExp(`${escaped('playground(1)> const partial = 12')}`));
    const after = r.mark();
    r.input.write('\r');
    await r.waitFor('playground(2)> ', after);
    r.input.write('partial + 1\r');
    await r.waitFor(/\n13\r?\n/, after);
  }));

test('a line printed while the input is paused (the history file loading) leaves it paused', () =>
  withTerminal(async (r) => {
    r.repl.server.pause();
    r.repl.print('[info] while paused');
    assert.ok((r.repl.server as unknown as { paused: boolean }).paused);
    r.repl.server.resume();
  }));

test('input that wraps onto a second row is cleared from its first row', () =>
  withTerminal(async (r) => {
    const long = `'${'x'.repeat(90)}'`;
    r.input.write(long);
    await r.waitFor('xxxxxxxxxx\'');
    const since = r.mark();
    r.repl.print('[info] above');
    assert.ok(r.output.slice(since).startsWith(`${ESC}1A${ESC}1G${ESC}0J[info] above\n`), JSON.stringify(r.output.slice(since, since + 40)));
  }));

test('Ctrl+C cancels a pending await, and the prompt comes back', () =>
  withTerminal(async (r) => {
    const since = r.mark();
    r.input.write('await receive()\r');
    await eventually(() => assert.ok(r.runtime.local(r.repl.shellPid())?.waiting, 'the shell waits in receive'));
    r.input.write('\x03');
    await r.waitFor('** (interrupted) the evaluation was cancelled', since);
    const after = r.mark();
    r.input.write('1 + 1\r');
    await r.waitFor(/\n2\r?\n/, after);
    // The cancelled receive is gone: the next message goes to the next receive.
    const next = r.mark();
    r.input.write("send(self(), 'one'); await receive(_, { after: 1000 })\r");
    await r.waitFor("\n'one'\n", next);
  }));

test('Ctrl+C while a declaration waits: the name is not bound, not even when the promise settles later', () =>
  withTerminal(async (r) => {
    let since = r.mark();
    r.input.write('const late = new Promise((resolve) => { globalThis.settleTestPromise = resolve })\r');
    await r.waitFor(SPINNER, since);
    r.input.write('\x03');
    await r.waitFor('** (interrupted) the evaluation was cancelled', since);
    (globalThis as { settleTestPromise?: (v: string) => void }).settleTestPromise!('too late');
    since = r.mark();
    // The next input runs after the settled promise's callbacks would have.
    r.input.write('await new Promise((resolve) => setImmediate(resolve)); typeof late\r');
    await r.waitFor("'undefined'", since);
  }));

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

/** Evaluates a promise that the test settles: `settle(value)` once the spinner turns. */
async function pending(r: Harness): Promise<(value: string) => void> {
  const since = r.mark();
  r.input.write('new Promise((resolve) => { globalThis.settleTestPromise = resolve })\r');
  await r.waitFor(SPINNER, since);
  return (value) => (globalThis as { settleTestPromise?: (v: string) => void }).settleTestPromise!(value);
}

test('a spinner turns while a promise is pending, and is wiped before the result', () =>
  withTerminal(async (r) => {
    const since = r.mark();
    const settle = await pending(r);
    settle('done');
    await r.waitFor('playground(2)> ', since);
    assert.match(r.output.slice(since), new RegExp(`${escaped(`\r${ESC}K`)}'done'`));
  }));

test('a line printed while a promise is pending replaces the spinner', () =>
  withTerminal(async (r) => {
    const since = r.mark();
    const settle = await pending(r);
    r.repl.print('[info] meanwhile');
    settle('done');
    await r.waitFor('playground(2)> ', since);
    assert.match(r.output.slice(since), new RegExp(escaped(`\r${ESC}K[info] meanwhile\n`)));
  }));

test('Ctrl+C twice on an empty line leaves the REPL', () =>
  withTerminal(async (r) => {
    r.input.write('\x03');
    await r.waitFor('(To exit, press Ctrl+C again or Ctrl+D or type .exit)');
    r.input.write('\x03');
    await Promise.race([r.repl.closed, sleep(2000).then(() => assert.unreachable('still open'))]);
  }));

test('Ctrl+D leaves the REPL', () =>
  withTerminal(async (r) => {
    r.input.write('\x04');
    await Promise.race([r.repl.closed, sleep(2000).then(() => assert.unreachable('still open'))]);
  }));

test('.exit leaves the REPL', () =>
  withTerminal(async (r) => {
    r.input.write('.exit\r');
    await Promise.race([r.repl.closed, sleep(2000).then(() => assert.unreachable('still open'))]);
  }));

test('history is saved to the history file and read back by the next session', async () => {
  const home = mkdtempSync(join(tmpdir(), 'playground-history-'));
  const historyFile = join(home, 'history');
  try {
    await withTerminal(async (r) => {
      r.input.write('const first = 1\r');
      r.input.write("'second'\r");
      await r.waitFor("'second'\r\n");
      r.input.write('.exit\r');
      await r.repl.closed;
    }, { historyFile });
    assert.equal(readFileSync(historyFile, 'utf8').split('\n').filter(Boolean), ['const first = 1', "'second'", '.exit']);
    await withTerminal(async (r) => {
      const since = r.mark();
      r.input.write(`${ESC}A${ESC}A`); // up, up: the line before .exit
      await r.waitFor("'second'", since);
    }, { historyFile });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test.run();
