/**
 * The hello-world cluster as real OS processes on loopback: greetings, names at the
 * port mapper, kill -9, wrong cookies, and garbage on the discovery and distribution ports.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket } from 'node:dgram';
import { connect as tcpConnect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startCluster, inProcess, portMapperPid, PEER, HOST, type Cluster } from './support/cluster.ts';
import { eventually, exactly } from './support/eventually.ts';
import { names, lookup } from '../src/erlang/epmd/index.ts';
import { receive, monitor, link, trapExit, send, self, TIMEOUT } from '../src/process/index.ts';
import * as GenServer from '../src/genserver.ts';
import { _ } from '../src/term.ts';
import { monitorNodes } from '../src/node/index.ts';
import type { Pid } from '../src/term.ts';

const FAST = ['--heartbeat', '100'];
let c: Cluster;

let t0 = 0;
test.before.each(async () => {
  t0 = Date.now();
  c = await startCluster();
});
test.after.each(async () => {
  await c.stop();
  if (process.env.TEST_TIMES) console.log(`  ${Date.now() - t0} ms`);
});

const hello = (n: string) => `[info] Hello world from ${n}@${HOST}`;

test('three nodes started one after another greet each other exactly once', async () => {
  const alice = await c.start(['--sname', 'alice', ...FAST]);
  const bob = await c.start(['--sname', 'bob', ...FAST]);
  await alice.waitFor(hello('bob'));
  await bob.waitFor(hello('alice'));
  const carol = await c.start(['--sname', 'carol', ...FAST]);
  await carol.waitFor(hello('alice'));
  await carol.waitFor(hello('bob'));
  await alice.waitFor(hello('carol'));
  await bob.waitFor(hello('carol'));
  // Then several heartbeats (100 ms) in which no greeting more may arrive.
  await Promise.all([
    exactly(() => carol.count('Hello world from'), 2, { what: 'greetings on carol', quiet: 600 }),
    exactly(() => alice.count('Hello world from'), 2, { what: 'greetings on alice', quiet: 600 }),
    exactly(() => bob.count('Hello world from'), 2, { what: 'greetings on bob', quiet: 600 }),
  ]);
  assert.is(alice.count(hello('carol')), 1);
  assert.is(bob.count(hello('carol')), 1);
});

test('nodes started at the same moment share one port mapper and form a full mesh', async () => {
  const names3 = ['ann', 'ben', 'cat'];
  const nodes = await c.startAll(names3.map((n) => ['--sname', n, ...FAST]));
  for (const node of nodes) {
    for (const other of names3) if (`${other}@${HOST}` !== node.name) await node.waitFor(hello(other));
  }
  await Promise.all(nodes.map((node) => exactly(() => node.count('Hello world from'), 2, { what: `greetings on ${node.name}`, quiet: 600 })));
  assert.is((await names(c.epmdPort)).names.length, 3);
});

test('a name in use is refused with a clear message and a non-zero exit; --names lists names', async () => {
  const alice = await c.start(['--sname', 'alice', '--discovery', 'none']);
  const again = await c.run(['--sname', 'alice']);
  assert.is.not(again.code, 0);
  assert.match(again.output, /the name alice is already in use/);
  const listed = await c.run(['--names']);
  assert.is(listed.code, 0);
  const { port } = (await lookup(alice.name!, c.epmdPort))!;
  assert.is(listed.stdout, `epmd: up and running on port ${c.epmdPort} with data:\nname alice at port ${port}\n`);
});

test('kill -9 of a node: nodedown, monitors and links fire with noconnection, its name is freed', async () => {
  const bob = await c.start(['--sname', 'bob', '--no-greet'], { script: PEER });
  const tester = await c.local('tester');
  const got = await inProcess(tester.runtime, async () => {
    trapExit(true);
    monitorNodes(true);
    send(['echo', bob.name!], ['ping', self()]);
    const [, echo] = (await receive(['pong', (p: unknown) => true], { after: 5000 })) as [string, Pid];
    const ref = monitor(echo);
    link(echo);
    await bob.kill('SIGKILL');
    const down = await receive(['DOWN', ref, 'process', echo, (r: unknown) => true], { after: 5000 });
    const exit = await receive(['EXIT', echo, (r: unknown) => true], { after: 5000 });
    const nodedown = await receive(['nodedown', bob.name], { after: 5000 });
    return { down, exit, nodedown };
  });
  assert.is((got.down as unknown[])[4], 'noconnection');
  assert.is((got.exit as unknown[])[2], 'noconnection');
  assert.equal(got.nodedown, ['nodedown', bob.name]);
  assert.equal(tester.list(), []);
  await eventually(async () => assert.not.ok((await names(c.epmdPort)).names.some(([n]) => n === 'bob')));
  await c.start(['--sname', 'bob', '--no-greet'], { script: PEER }); // the name is free again
});

test('between OS processes: a remote GenServer.call, and 100k messages each way in send order', async () => {
  const bob = await c.start(['--sname', 'bob', '--discovery', 'none'], { script: PEER });
  const tester = await c.local('tester');
  const N = 100_000;
  const got = await inProcess(tester.runtime, async () => {
    const greetings = await GenServer.call(['greeter', bob.name!], 'greetings');
    for (let i = 0; i < N; i++) send(['sink', bob.name!], ['seq', i]);
    send(['sink', bob.name!], ['report', self()]);
    const report = await receive(['report', _, _], { after: 20_000 });
    send(['echo', bob.name!], ['blast', self(), N]);
    let inOrder = 0;
    for (let i = 0; i < N; i++) {
      const m = (await receive(['seq', _], { after: 20_000 })) as [string, number];
      if (m[1] === i) inOrder++;
    }
    return { greetings, report, inOrder };
  }, 60_000);
  assert.equal(got.greetings, []); // the tester runs no greeter, so nobody greeted bob
  assert.equal(got.report, ['report', N, 0]);
  assert.is(got.inOrder, N);
});

test('a wrong cookie: no connection, no message delivered, one log line', async () => {
  const alice = await c.start(['--sname', 'alice', ...FAST]);
  alice.send("register('shell', self())");
  const mallory = await c.start(['--sname', 'mallory', '--discovery', 'static', '--connect', `alice@${HOST}`, ...FAST], {
    env: { PLAYGROUND_COOKIE: 'not-the-cookie' },
  });
  await alice.waitFor(/wrong cookie/);
  // Mallory sends to alice's shell and casts to her greeter (each send tries to connect).
  const sent = mallory.mark();
  mallory.send(`send(['shell', 'alice@${HOST}'], ['from', 'mallory']); GenServer.cast(['greeter', 'alice@${HOST}'], ['greet', node()])`);
  await mallory.waitFor("'ok'", { since: sent });
  // Mallory keeps trying every 100 ms: still one log line on each side, however many attempts.
  await exactly(() => alice.count(/rejected: wrong cookie/), 1, { what: 'wrong-cookie log lines on alice', quiet: 800 });
  assert.is(mallory.count(`alice@${HOST} refused this node: its cookie is not this node's`), 1, mallory.output);
  assert.match(alice.output, new RegExp(`connection attempt from mallory@${HOST} rejected: wrong cookie`));
  const asked = alice.mark();
  alice.send("[list(), processInfo(self()).messages]");
  assert.is(await alice.waitFor(/\[ \[\], \[\] \]/, { since: asked }), '[ [], [] ]', 'alice: no node connected, nothing in the shell');
  assert.is(alice.count('Hello world'), 0);
  assert.is(mallory.count('Hello world'), 0);
  assert.ok(alice.alive && mallory.alive);
});

test('garbage on the discovery port is ignored and logged once; discovery still works', async () => {
  const alice = await c.start(['--sname', 'alice', ...FAST]);
  const udp = createSocket('udp4');
  try {
    // As the seed's `echo "Test" | nc -u 127.0.0.1 PORT`, repeated until the node has bound the port.
    await eventually(async () => {
      await new Promise<void>((resolve) => udp.send('Test\n', c.discoveryPort, '127.0.0.1', () => resolve()));
      await new Promise<void>((resolve) => udp.send(randomBytes(300), c.discoveryPort, '127.0.0.1', () => resolve()));
      assert.match(alice.output, /ignored a packet on the discovery port/);
    }, { interval: 100 });
  } finally {
    udp.close();
  }
  const bob = await c.start(['--sname', 'bob', ...FAST]);
  await alice.waitFor(hello('bob'));
  await bob.waitFor(hello('alice'));
  await exactly(() => alice.count(/ignored a packet/), 1, { what: 'stray-packet warnings' });
});

test('random bytes and oversized frames on the distribution port close only that connection', async () => {
  const alice = await c.start(['--sname', 'alice', '--no-greet', '--discovery', 'none'], { script: PEER });
  const { port } = (await lookup(alice.name!, c.epmdPort))!;
  const closedAfter = (bytes: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const s = tcpConnect(port, '127.0.0.1', () => s.write(bytes));
      const timer = setTimeout(() => reject(new Error('the node kept a bad connection open')), 5000);
      s.on('error', () => {});
      s.on('close', () => (clearTimeout(timer), resolve()));
    });
  await closedAfter(randomBytes(64 * 1024));
  const huge = Buffer.alloc(8);
  huge.writeUInt32BE(100 * 1024 * 1024, 0);
  await closedAfter(huge);
  const tester = await c.local('tester');
  // After the handshake the limit is 64 MiB: a bigger message closes the link, not the node.
  const result = await inProcess(tester.runtime, async () => {
    monitorNodes(true);
    send(['sink', alice.name!], 'x'.repeat(65 * 1024 * 1024));
    const down = await receive(['nodedown', alice.name], { after: 10_000 });
    send(['echo', alice.name!], ['ping', self()]);
    const pong = await receive(['pong', (p: unknown) => true], { after: 5000 });
    return { down, pong };
  }, 30_000);
  assert.equal(result.down, ['nodedown', alice.name]);
  assert.is.not(result.pong, TIMEOUT);
  assert.ok(alice.alive);
});

test('services run under the node supervisor: a crashed service is restarted, and the crash logged', async () => {
  const alice = await c.start(['--sname', 'alice', ...FAST]);
  alice.send(`exit(whereis('greeter'), 'boom')`);
  await alice.waitFor(/child 'greeter' .*terminated/);
  const bob = await c.start(['--sname', 'bob', ...FAST]);
  await alice.waitFor(hello('bob'));
  await bob.waitFor(hello('alice'));
  // The port mapper dies: each node's keeper crashes, and its restart registers again
  // (the first to find no mapper starts a new one).
  process.kill(portMapperPid(c.epmdPort, c.home)!, 'SIGKILL');
  await alice.waitFor(/child 'port_mapper' .*terminated/);
  await eventually(async () => {
    const now = (await names(c.epmdPort)).names.map(([n]) => n).sort();
    assert.equal(now, ['alice', 'bob']);
  }, { timeout: 10_000, interval: 100 });
});

test.run();
