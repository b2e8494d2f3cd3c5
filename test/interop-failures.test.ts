/**
 * A playground node beside real BEAM nodes when things go wrong, and the pubsub demo
 * across both: connect at the prompt and nodeup/nodedown; kill -9 on either side as
 * `noconnection` to links and monitors on the other; ticks both ways (an idle link
 * stays up, a frozen peer is dropped); a wrong cookie; a peer that sends what it should
 * not. Every node here is an OS process started by the test and killed by its PID; each
 * test has its own port mapper port.
 */
import { test } from 'uvu';
import { testOrSkip } from './support/skip.ts';
import * as assert from 'uvu/assert';
import { Pid, Ref } from '../src/term.ts';
import { link, monitor, receive, trapExit, self } from '../src/process/index.ts';
import { lookup } from '../src/erlang/epmd/index.ts';
import { encode } from '../src/erlang/etf/index.ts';
import { MAP_TAG, OFFERED } from '../src/erlang/handshake/flags.ts';
import { startCluster, inProcess, HOST, PEER, type Cluster, type NodeProcess } from './support/cluster.ts';
import { BeamNode, BEAM_MISSING, epmdCommand, startEpmd } from './support/beam.ts';
import { FakeBeam } from './support/fake-beam.ts';
import { eventually, sleep } from './support/eventually.ts';

const ALICE = `alice@${HOST}`;
const BOB = `bob@${HOST}`;
const REPL = ['--discovery', 'none', '--no-greet'];

/** Runs `body` with a fresh cluster, and stops every node it started, BEAM ones included. */
async function withCluster(body: (c: Cluster, beams: BeamNode[]) => Promise<void>): Promise<void> {
  const c = await startCluster();
  const beams: BeamNode[] = [];
  try {
    await body(c, beams);
  } finally {
    await Promise.all(beams.map((b) => b.kill()));
    await c.stop();
  }
}

/** Types `code` at a playground prompt and waits for the line it prints after `since`. */
async function typeAt(node: NodeProcess, code: string, expect: RegExp | string): Promise<string> {
  const since = node.mark();
  node.send(code);
  return node.waitFor(expect, { since });
}

testOrSkip(BEAM_MISSING, "connect('alice@vm') at the prompt reaches iex; monitorNodes sees it come, and go on kill -9", async () => {
  await withCluster(async (c, beams) => {
    const alice = await BeamNode.start(c, 'alice');
    beams.push(alice);
    const bob = await c.start(['--sname', 'bob', ...REPL]);
    await typeAt(bob, 'monitorNodes(true)', 'true');
    await typeAt(bob, `connect('${ALICE}').then((ok) => 'connected: ' + ok)`, "'connected: true'");
    await typeAt(bob, 'list()', `[ '${ALICE}' ]`);
    assert.is(await alice.eval('Node.list()'), `[:${BOB}]`);
    await typeAt(bob, 'flush()', `[ 'nodeup', '${ALICE}' ]`);
    await alice.kill();
    await eventually(async () => {
      await typeAt(bob, 'flush()', "'ok'");
      assert.ok(bob.output.includes(`[ 'nodedown', '${ALICE}' ]`));
    }, { timeout: 10_000, interval: 200 });
    await typeAt(bob, 'list()', '[]');
  });
});

testOrSkip(BEAM_MISSING, "with Erlang's own epmd started first, an iex node and a playground node share it and connect", async () => {
  await withCluster(async (c, beams) => {
    const epmd = await startEpmd(c.epmdPort);
    try {
      const alice = await BeamNode.start(c, 'alice');
      beams.push(alice);
      const bob = await c.start(['--sname', 'bob', ...REPL]);
      assert.match(await epmdCommand(c.epmdPort, '-names'), /name bob at port \d+\nname alice at port \d+|name alice at port \d+\nname bob at port \d+/);
      await typeAt(bob, `connect('${ALICE}').then((ok) => 'connected: ' + ok)`, "'connected: true'");
      assert.is(await alice.eval(`:net_adm.ping(:"${BOB}")`), ':pong');
      assert.is(await alice.eval('Node.list()'), `[:${BOB}]`);
    } finally {
      await epmd.stop();
    }
  });
});

testOrSkip(BEAM_MISSING, "beside iex, a playground node's own global, share and rpc keep to playground nodes, and iex's global still syncs", async () => {
  await withCluster(async (c, beams) => {
    const alice = await BeamNode.start(c, 'alice');
    beams.push(alice);
    const bob = await c.start(['--sname', 'bob', ...REPL]);
    const carol = await c.start(['--sname', 'carol', ...REPL]);
    await typeAt(bob, `connect('${ALICE}').then((ok) => 'connected: ' + ok)`, "'connected: true'");
    await typeAt(bob, `connect('carol@${HOST}').then((ok) => 'connected: ' + ok)`, "'connected: true'");
    // iex's global syncs with bob as with any node, though bob runs the playground's own global.
    assert.is(await alice.eval(':global.sync()'), ':ok');
    assert.is(await alice.eval(':global.trans({:lock, self()}, fn -> :done end)'), ':done');
    // The playground's global and share answer at once: they do not wait on the BEAM node.
    await typeAt(bob, "global.register('leader', self())", "'yes'");
    await typeAt(carol, "global.whereis('leader') !== undefined", 'true');
    await typeAt(bob, "share({ double: (x) => x * 2 })", "[ 'double' ]");
    // Remote spawn and rpc of JavaScript to a BEAM node fail at once, saying why.
    await typeAt(bob, `rpc.call('${ALICE}', () => 1).catch((e) => e.message)`, /alice@\w+ is a BEAM node: it runs Erlang, not the playground's JavaScript/);
    assert.not.match(alice.output, /unexpected message|error/i);
  });
});

testOrSkip(BEAM_MISSING, 'kill -9 of the BEAM node: links and monitors on the playground fire with noconnection', async () => {
  await withCluster(async (c, beams) => {
    const alice = await BeamNode.start(c, 'alice');
    beams.push(alice);
    const bob = await c.local('bob');
    await alice.eval('Process.register(spawn(fn -> receive do :never -> :ok end end), :victim)');
    const [exit, down] = await inProcess(bob.runtime, async () => {
      trapExit(true);
      bob.runtime.register('inbox', self());
      await alice.eval(`send({:inbox, :"${BOB}"}, {:victim, Process.whereis(:victim)})`);
      const [, victim] = (await receive(['victim', (p: unknown) => p instanceof Pid], { after: 5000 })) as [string, Pid];
      link(victim);
      const ref = monitor(victim);
      await eventually(async () => assert.match(await alice.eval('Process.info(Process.whereis(:victim), :links)'), /#PID/));
      await alice.kill();
      return [await receive(['EXIT', victim, (r: unknown) => true], { after: 10_000 }), await receive(['DOWN', ref, 'process', victim, (r: unknown) => true], { after: 10_000 })];
    }, 30_000);
    assert.is((exit as unknown[])[2], 'noconnection');
    assert.is((down as unknown[])[4], 'noconnection');
    assert.equal(bob.list(), []);
  });
});

testOrSkip(BEAM_MISSING, 'kill -9 of the playground node: links, monitors and monitor_nodes on the BEAM see noconnection and nodedown', async () => {
  await withCluster(async (c, beams) => {
    const bob = await c.start(['--sname', 'bob', '--discovery', 'none', '--no-greet'], { script: PEER });
    const alice = await BeamNode.start(c, 'alice');
    beams.push(alice);
    await alice.eval(`:net_kernel.monitor_nodes(true); Process.flag(:trap_exit, true); send({:echo, :"${BOB}"}, {:ping, self()})`);
    await alice.eval('echo = receive do {:pong, p} -> p after 5000 -> :none end; Process.link(echo); ref = Process.monitor(echo)');
    await bob.kill('SIGKILL');
    assert.is(await alice.eval('receive do {:EXIT, ^echo, r} -> r after 10000 -> :none end'), ':noconnection');
    assert.is(await alice.eval('receive do {:DOWN, ^ref, :process, ^echo, r} -> r after 10000 -> :none end'), ':noconnection');
    assert.is(await alice.eval('receive do {:nodedown, n} -> n after 10000 -> :none end'), `:${BOB}`);
    assert.is(await alice.eval('Node.list()'), '[]');
  });
});

testOrSkip(BEAM_MISSING, 'ticks both ways: an idle connection stays up, and a frozen peer is dropped after the tick time on either side', async () => {
  await withCluster(async (c, beams) => {
    const bob = await c.start(['--sname', 'bob', '--discovery', 'none', '--no-greet', '--tick-time', '3000'], { script: PEER, env: { PLAYGROUND_DEBUG: '1' } });
    const alice = await BeamNode.start(c, 'alice', { tickTime: 3 });
    beams.push(alice);
    await alice.eval(`:net_kernel.monitor_nodes(true); Node.connect(:"${BOB}")`);
    // Idle for more than twice the tick time: only ticks cross, both ways, and both keep the link.
    await sleep(7500);
    assert.is(await alice.eval('Node.list()'), `[:${BOB}]`);
    assert.is(await alice.eval('receive do {:nodedown, n} -> n after 0 -> :none end'), ':none');
    assert.not.match(bob.output, / is down: /);
    // The BEAM node freezes: the playground hears nothing, and drops it.
    process.kill(alice.child.pid!, 'SIGSTOP');
    try {
      await bob.waitFor(`Node ${ALICE} is down: no ticks from ${ALICE} (net tick time exceeded)`, { timeout: 15_000 });
    } finally {
      process.kill(alice.child.pid!, 'SIGCONT');
    }
    await alice.eval('receive do {:nodedown, n} -> n after 10000 -> :none end');
    await alice.eval(`Node.connect(:"${BOB}")`);
    // Now the playground node freezes: the BEAM node drops it.
    process.kill(bob.pid, 'SIGSTOP');
    try {
      assert.is(await alice.eval('receive do {:nodedown, n} -> n after 15000 -> :none end', 20_000), `:${BOB}`);
    } finally {
      process.kill(bob.pid, 'SIGCONT');
    }
  });
});

testOrSkip(BEAM_MISSING, 'a wrong cookie is refused both ways, logged once, and the node goes on', async () => {
  await withCluster(async (c, beams) => {
    const bob = await c.start(['--sname', 'bob', ...REPL]);
    const mallory = await BeamNode.start(c, 'mallory', { cookie: 'not-the-cookie' });
    beams.push(mallory);
    assert.is(await mallory.eval(`:net_adm.ping(:"${BOB}")`), ':pang');
    assert.is(await mallory.eval(`:net_adm.ping(:"${BOB}")`), ':pang');
    await bob.waitFor(`connection attempt from mallory@${HOST} rejected: wrong cookie`);
    await typeAt(bob, `connect('mallory@${HOST}').then((ok) => 'connected: ' + ok)`, "'connected: false'");
    await mallory.waitFor(new RegExp(`Connection attempt from node :?"?${BOB}"? rejected`));
    const alice = await BeamNode.start(c, 'alice');
    beams.push(alice);
    assert.is(await alice.eval(`:net_adm.ping(:"${BOB}")`), ':pong');
    assert.is(bob.count(/wrong cookie/), 1, 'one line for one peer, however often it tries');
  });
});

testOrSkip(BEAM_MISSING, 'a BEAM peer that sends what it should not: one line and a dropped message, or a closed connection; never the node', async () => {
  await withCluster(async (c, beams) => {
    const bob = await c.start(['--sname', 'bob', '--discovery', 'none', '--no-greet'], { script: PEER });
    const { port } = (await lookup(BOB, c.epmdPort))!;
    const me = (name: string) => ({ name: `${name}@${HOST}`, cookie: c.env.PLAYGROUND_COOKIE! });
    // A peer without a flag this node needs is refused in the handshake, and told why.
    const refused = await FakeBeam.dial(port, me('old'), BOB, OFFERED & ~MAP_TAG).then(() => null, (e: Error) => e.message);
    assert.match(refused!, /refused the connection \(not_allowed\)/);
    await bob.waitFor(`connection attempt from old@${HOST} refused: it cannot handle MAP_TAG`);
    const fake = await FakeBeam.dial(port, me('fake'), BOB);
    const from = fake.pid(1);
    fake.send([99, 'what is this']);
    fake.sendRaw(Buffer.concat([Buffer.from([112]), encodeControl([6, from, '', 'echo']), Buffer.from([131, 82, 0])]));
    fake.send([6, from, '', 'echo'], ['ping', from]);
    await fake.waitFor((m) => Array.isArray(m) && m[0] === 'pong');
    await bob.waitFor(`dropped a control message from fake@${HOST} this node does not know (opcode 99)`);
    await bob.waitFor(`dropped a message from fake@${HOST}: an atom cache reference, though no atom cache was agreed on`);
    // A control message that does not decode ends that connection.
    fake.sendRaw(Buffer.from([112, 131, 255]));
    await eventually(() => assert.ok(fake.closed));
    await bob.waitFor(`[warning] lost fake@${HOST}: bad frame from fake@${HOST}: unknown term tag 255`);
    const alice = await BeamNode.start(c, 'alice');
    beams.push(alice);
    assert.is(await alice.eval(`:net_adm.ping(:"${BOB}")`), ':pong');
    await sleep(300); // a quiet window: nothing more is logged for what was already dropped
    assert.is(bob.count(/opcode 99/), 1);
    assert.is(bob.count(/atom cache reference/), 1);
    assert.ok(bob.alive);
  });
});

test('a link exit signal for a link that is gone (or never was) is dropped; one for a live link ends the process', async () => {
  const c = await startCluster();
  try {
    const bob = await c.start(['--sname', 'bob', '--discovery', 'none', '--no-greet'], { script: PEER });
    const { port } = (await lookup(BOB, c.epmdPort))!;
    const fake = await FakeBeam.dial(port, { name: `fake@${HOST}`, cookie: c.env.PLAYGROUND_COOKIE! }, BOB);
    const me = fake.pid(1);
    fake.send([6, me, '', 'echo'], ['ping', me]);
    const [, echo] = (await fake.waitFor((m) => Array.isArray(m) && m[0] === 'pong')) as [string, Pid];
    // PAYLOAD_EXIT without a link: as after an unlink the signal crossed, it is no link's.
    fake.send([24, me, echo], 'boom');
    fake.send([6, me, '', 'echo'], ['ping', me]);
    await eventually(() => assert.is(fake.received.filter(([, m]) => Array.isArray(m) && m[0] === 'pong').length, 2));
    // LINK, then the same signal: the echo process ends with that reason (a monitor says so).
    const ref = new Ref(fake.name, 1, fake.creation);
    fake.send([19, me, echo, ref]);
    fake.send([1, me, echo]);
    fake.send([24, me, echo], 'boom');
    const down = await fake.waitFor((m) => m === 'boom');
    assert.is(down, 'boom');
    const control = fake.received.find(([, m]) => m === 'boom')![0] as unknown[];
    assert.equal(control.slice(0, 3), [28, echo, me]);
    fake.close();
  } finally {
    await c.stop();
  }
});

testOrSkip(BEAM_MISSING, "the pubsub seed's demo across both: Hermes on the BEAM and PubSub on two playground nodes, the same exact counts", async () => {
  await withCluster(async (c, beams) => {
    const alice = await BeamNode.start(c, 'alice', { require: ['test/support/hermes.exs'] });
    beams.push(alice);
    const fast = ['--discovery', 'epmd', '--heartbeat', '300', '--no-greet'];
    const [bob, carol] = await c.startAll([['--sname', 'bob', ...fast], ['--sname', 'carol', ...fast]]);
    await alice.eval('Hermes.start()');
    const group = "['hermes', 'Elixir.Hermes.PubSub']";
    for (const n of [bob!, carol!]) {
      await typeAt(n, `const hermes = await PubSub.start({ name: 'hermes', group: ${group} }); 'started'`, "'started'");
      await typeAt(n, "const listen = (topic) => spawn(async () => { hermes.subscribe(topic); for (;;) console.log('Received:', await receive()) }); 'ok'", "'ok'");
    }
    await alice.eval(':ok = Enum.each([:"user.created", :"user.updated"], &Hermes.Client.start/1)');
    await typeAt(bob!, "for (let i = 0; i < 5; i++) listen('user.created'); 'five'", "'five'");
    await typeAt(carol!, "for (let i = 0; i < 2; i++) listen('user.updated'); 'two'", "'two'");
    // The three servers find each other in the shared group.
    await eventually(async () => assert.is(await alice.eval('length(:pg.get_members({:hermes, Hermes.PubSub}))'), '3'), { timeout: 15_000, interval: 200 });
    for (const n of [bob!, carol!]) await eventually(async () => assert.match(await typeAt(n, `getMembers(${group}).length`, /\d+\n/), /3\n/), { timeout: 15_000, interval: 200 });
    // alice publishes user.created: one line on alice, five on bob, none on carol.
    await alice.eval('Hermes.publish(:"user.created", %{name: "Jade"})');
    await alice.waitFor(/Received: %\{name: "Jade"\}/);
    await eventually(() => assert.is(count(bob!, /Received: \{ name: "Jade" \}/), 5));
    // bob publishes user.updated: one line on alice, two on carol, none on bob.
    await typeAt(bob!, "hermes.publish('user.updated', { id: 1, name: Binary.from('Jadyline') })", "'ok'");
    await alice.waitFor(/Received: %\{id: 1, name: "Jadyline"\}/);
    await eventually(() => assert.is(count(carol!, /Received: \{ id: 1, name: "Jadyline" \}/), 2));
    await sleep(500); // a quiet window, then the exact counts
    assert.is(alice.count(/Received: %\{name: "Jade"\}/), 1);
    assert.is(alice.count(/Received: %\{id: 1, name: "Jadyline"\}/), 1);
    assert.is(count(bob!, /Received:/), 5);
    assert.is(count(carol!, /Received:/), 2);
  });
});

/** How often `pattern` occurs in what a node printed, colours left out. */
function count(node: NodeProcess, pattern: RegExp): number {
  return node.output.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((line) => pattern.test(line)).length;
}

/** A control message's bytes (version byte included). */
function encodeControl(control: unknown): Buffer {
  return encode(control);
}

test.run();
