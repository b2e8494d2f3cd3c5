/**
 * The command line as a user runs it: `node --import tsx playground ...` as a child
 * process, its stdin piped, its exit status and output read.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { names } from '../src/erlang/epmd/index.ts';
import { ENVIRONMENT, FLAGS } from '../playground/flags.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inProcess, startCluster, HOST, ROOT, type Cluster, type NodeProcess } from './support/cluster.ts';
import { eventually } from './support/eventually.ts';
import { tsFiles } from './support/files.ts';
import { list } from '../src/node/index.ts';

async function withCluster(body: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await startCluster();
  try {
    await body(c);
  } finally {
    await c.stop();
  }
}

/** Writes `input` to a fresh node's stdin, closes it, and waits for the exit. */
async function script(c: Cluster, args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const node = await c.start(args, { ready: null });
  node.child.stdin!.end(input);
  const timer = setTimeout(() => node.child.kill('SIGKILL'), 20_000);
  const { code } = await node.exited;
  clearTimeout(timer);
  return { code, stdout: node.stdout, stderr: node.stderr };
}

test('--help lists every flag with its default and an example, and every environment variable the code reads', () =>
  withCluster(async (c) => {
    const { code, stdout } = await c.run(['--help']);
    assert.is(code, 0);
    for (const [name, flag] of Object.entries(FLAGS)) {
      assert.ok(stdout.includes(`--${name}`), `--${name} missing`);
      assert.ok(stdout.includes(`default: ${flag.fallback}`), `default of --${name} missing`);
      assert.ok(stdout.includes(`example: ${flag.example}`), `example of --${name} missing`);
    }
    const read = new Set<string>();
    for (const file of ['src', 'lessons', 'playground'].flatMap((dir) => tsFiles(join(ROOT, dir)))) {
      // Read as env.NAME, or named in quotes (portFromEnv('PLAYGROUND_EPMD_PORT', ...)).
      for (const m of readFileSync(file, 'utf8').matchAll(/\benv\.((?:PLAYGROUND|ERL|NO)_[A-Z_]+)|'((?:PLAYGROUND|ERL|NO)_[A-Z_]+)'/g)) read.add((m[1] ?? m[2])!);
    }
    assert.ok(read.size >= 5, [...read].join(' '));
    for (const name of read) assert.match(stdout, new RegExp(`^  ${name} +\\S`, 'm'), `${name} missing from --help`);
    assert.equal(Object.keys(ENVIRONMENT).sort(), [...read].sort());
  }));

test("Erlang's -sname, -name and -setcookie work; a flag where a value should be, or a value with a dash, is said plainly", () =>
  withCluster(async (c) => {
    const erlang = await script(c, ['-sname', 'dave', '-setcookie', 'crumbs', '--discovery', 'none'], 'node()\n');
    assert.is(erlang.stdout, `playground(dave@${HOST})1> 'dave@${HOST}'\nplayground(dave@${HOST})2> `);
    assert.is(erlang.code, 0);
    const cases: Array<[string[], RegExp]> = [
      [['--sname', '--cookie', 'x'], /^playground: --sname needs a value, but --cookie follows it \(see --help\)\n$/],
      [['--tick-time', '-5'], /^playground: --tick-time expects a whole number >= 100\. Got: "-5"\n$/],
      [['-cookie', 'x'], /^playground: unknown flag -cookie: flags start with two dashes, as in --cookie \(see --help\)\n$/],
    ];
    for (const [args, expected] of cases) {
      const { code, output, stdout } = await c.run(args);
      assert.is(code, 2, args.join(' '));
      assert.is(stdout, '', args.join(' '));
      assert.match(output, expected);
    }
  }));

test('--version prints the version', () =>
  withCluster(async (c) => {
    const { code, stdout } = await c.run(['--version']);
    assert.is(code, 0);
    assert.match(stdout, /^otp-playground \d+\.\d+\.\d+\n$/);
  }));

test('an unknown flag or a bad value: one line on stderr, status 2, nothing started', () =>
  withCluster(async (c) => {
    const cases: Array<[string[], RegExp]> = [
      [['--bogus'], /^playground: unknown flag --bogus \(see --help\)\n$/],
      [['--heartbeat', 'soon'], /^playground: --heartbeat expects a whole number >= 10\. Got: "soon"\n$/],
      [['--discovery', 'carrier-pigeon'], /^playground: --discovery expects one of gossip, lan, epmd, static, none\. Got: "carrier-pigeon"\n$/],
      [['--sname'], /^playground: --sname <value> needs a value \(see --help\)\n$/],
      [['--sname', 'a', '--name', 'b@h'], /^playground: give either --sname or --name, not both\n$/],
      [['--discovery', 'static'], /^playground: --discovery static connects to the --connect list: give one/],
      [['stray'], /^playground: unexpected argument "stray"/],
    ];
    for (const [args, expected] of cases) {
      const { code, output, stdout } = await c.run(args);
      assert.is(code, 2, args.join(' '));
      assert.is(stdout, '', args.join(' '));
      assert.match(output, expected);
    }
  }));

test('piped input: each line in order, awaits included, exit 0 at the end', () =>
  withCluster(async (c) => {
    const input = [
      '1 + 1',
      'const x: number = 20',
      'await new Promise((resolve) => setTimeout(resolve, 100, x * 2))',
      "new Promise((resolve) => setTimeout(resolve, 50, 'slow'))",
      "send(self(), 'hi')",
      'flush()',
      'nope()',
      "'last'",
    ].join('\n') + '\n';
    const { code, stdout, stderr } = await script(c, [], input);
    assert.is(stderr, '');
    assert.is(
      stdout,
      'playground(1)> 2\n' +
        'playground(2)> 20\nplayground(3)> 40\n' +
        "playground(4)> 'slow'\n" +
        "playground(5)> 'hi'\n" +
        "playground(6)> 'hi'\n'ok'\n" +
        'playground(7)> ** (ReferenceError) nope is not defined\n' +
        "playground(7)> 'last'\n" +
        'playground(8)> ',
    );
    assert.is(code, 0);
  }));

test("a Node whose REPL moved a part the prompt uses: a plain prompt and one warning, not a crash", () =>
  withCluster(async (c) => {
    const preload = join(ROOT, 'test/support/renamed-repl.mjs');
    const node = await c.start([], { ready: null, env: { NODE_OPTIONS: `--import=${preload}` } });
    node.child.stdin!.end('1 + 1\nself() instanceof Object\n');
    const { code } = await node.exited;
    assert.is(code, 0);
    assert.is(node.count('[warning]'), 1, node.output);
    assert.match(node.stdout, /\[warning\] Node v[\d.]+ has changed REPL parts the playground relies on \(the REPL's 'line' listener \(onLine\)\): this prompt runs plain/);
    assert.match(node.stdout, /^playground> 2$/m);
    assert.match(node.stdout, /^playground> true$/m);
    assert.is(node.stderr, '');
  }));

test('a named node answers at its prompt, and its name is freed when input ends', () =>
  withCluster(async (c) => {
    const { code, stdout } = await script(c, ['--sname', 'scripted', '--discovery', 'none'], 'node()\nlist()\n');
    assert.is(stdout, `playground(scripted@${HOST})1> 'scripted@${HOST}'\nplayground(scripted@${HOST})2> []\nplayground(scripted@${HOST})3> `);
    assert.is(code, 0);
    const reply = await names(c.epmdPort);
    assert.not.ok(reply.names.some(([n]) => n === 'scripted'));
  }));

test('a script that connected leaves without a word after its last prompt; the peer says it went down, once', () =>
  withCluster(async (c) => {
    const alice = await c.start(['--sname', 'alice', '--discovery', 'none', '--no-greet']);
    const { code, stdout, stderr } = await script(c, ['--sname', 'bob', '--discovery', 'none', '--no-greet'], `await connect('alice@${HOST}')\n`);
    assert.is(stdout, `playground(bob@${HOST})1> true\nplayground(bob@${HOST})2> `);
    assert.is(stderr, '');
    assert.is(code, 0);
    await alice.waitFor(`[info] Node bob@${HOST} is down: connection closed`);
    assert.is(alice.count(`Node bob@${HOST} is down`), 1);
  }));

test('two nodes that gossip with different cookies each say so once, above the prompt', () =>
  withCluster(async (c) => {
    const gossip = ['--discovery', 'gossip', '--heartbeat', '100', '--no-greet'];
    const alice = await c.start(['--sname', 'alice', '--cookie', 'one', ...gossip]);
    const bob = await c.start(['--sname', 'bob', '--cookie', 'two', ...gossip]);
    const warning = (name: string) => `[warning] ${name}@${HOST} announces itself with another cookie: the two nodes will not connect.`;
    await alice.waitFor(warning('bob'));
    await bob.waitFor(warning('alice'));
    // A quiet window of many heartbeats: each hears the other again and again, and says nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.is(alice.count(warning('bob')), 1);
    assert.is(bob.count(warning('alice')), 1);
    alice.send('list()');
    await alice.waitFor(/\[\]\n/);
  }));

test('.exit stops the node at once: a peer sees it go, its name is freed', () =>
  withCluster(async (c) => {
    const peer = await c.local('watcher');
    const bob: NodeProcess = await c.start(['--sname', 'leaver', '--discovery', 'none']);
    assert.ok(await peer.connect(`leaver@${HOST}`));
    bob.send('.exit');
    const timer = setTimeout(() => bob.child.kill('SIGKILL'), 5000);
    const { code } = await bob.exited;
    clearTimeout(timer);
    assert.is(code, 0);
    // Tick time is 60 s: only the closed socket can make the peer notice this soon.
    await eventually(() => assert.equal(peer.list(), []), { timeout: 3000 });
    const reply = await names(c.epmdPort);
    assert.not.ok(reply.names.some(([n]) => n === 'leaver'));
    assert.equal(await inProcess(peer.runtime, () => list()), []);
  }));

test('SIGTERM, and SIGINT when piped, leave as cleanly as .exit', () =>
  withCluster(async (c) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const node = await c.start(['--sname', 'signalled', '--discovery', 'none']);
      node.child.kill(signal);
      const timer = setTimeout(() => node.child.kill('SIGKILL'), 5000);
      const { code } = await node.exited;
      clearTimeout(timer);
      assert.is(code, 0, signal);
      const reply = await names(c.epmdPort);
      assert.not.ok(reply.names.some(([n]) => n === 'signalled'), signal);
    }
  }));

test('SIGTERM while an await is pending still leaves cleanly', () =>
  withCluster(async (c) => {
    const node = await c.start(['--sname', 'waiting', '--discovery', 'none']);
    // Printed by the same evaluation that then waits: once it shows, the await is pending.
    node.send("console.log('now waiting'); await receive()");
    await node.waitFor('now waiting');
    await node.stop(5000); // SIGTERM, then SIGKILL after 5 s: a hang shows as a failure, not a stuck test
    const { code } = await node.exited;
    assert.is(code, 0);
    const reply = await names(c.epmdPort);
    assert.not.ok(reply.names.some(([n]) => n === 'waiting'));
  }));

test('a name already taken is refused with a clear message and a non-zero status', () =>
  withCluster(async (c) => {
    await c.start(['--sname', 'twin', '--discovery', 'none']);
    const { code, output } = await c.run(['--sname', 'twin', '--discovery', 'none']);
    assert.is(code, 1);
    assert.match(output, /^playground: .*twin@.*(in use|taken|registered)/m);
  }));

test.run();
