/**
 * Discovery strategies on real node processes: gossip (cookies that keep clusters apart,
 * a newcomer answered at once), epmd, static, none, bad flags, and lan between two network namespaces.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket } from 'node:dgram';
import { announcement, parseAnnouncement } from '../src/discovery/index.ts';
import { cookieTag } from '../src/node/handshake.ts';
import { startCluster, HOST, type Cluster } from './support/cluster.ts';
import { createHosts, namespacesUnavailable } from './support/netns.ts';
import { exactly } from './support/eventually.ts';
import { testOrSkip } from './support/skip.ts';

const FAST = ['--heartbeat', '100'];
const hello = (n: string) => `Hello world from ${n}@${HOST}`;
let c: Cluster;

test.before.each(async () => {
  c = await startCluster();
});
test.after.each(async () => {
  await c.stop();
});

test('an announcement carries name, port, cookie tag and addresses; anything else parses to null', () => {
  const tag = cookieTag('secret');
  const packet = announcement('alice@vm', 41237, tag);
  assert.equal(parseAnnouncement(packet), { tag, port: 41237, name: 'alice@vm', addresses: [] });
  const carrying = announcement('ann@10.0.0.7', 41237, tag, ['10.0.0.7', '192.168.1.20']);
  assert.equal(parseAnnouncement(carrying), { tag, port: 41237, name: 'ann@10.0.0.7', addresses: ['10.0.0.7', '192.168.1.20'] });
  assert.is(parseAnnouncement(carrying.subarray(0, carrying.length - 2)), null);
  assert.is(parseAnnouncement(Buffer.from('Test\n')), null);
  assert.is(parseAnnouncement(packet.subarray(0, packet.length - 1)), null);
  assert.is(parseAnnouncement(Buffer.concat([packet, Buffer.from('x')])), null);
  const badName = announcement('no at sign', 1, tag);
  assert.is(parseAnnouncement(badName), null);
  const otherVersion = Buffer.from(packet);
  otherVersion[4] = 99;
  assert.is(parseAnnouncement(otherVersion), null);
});

test('a bad flag value ends the node with a clear message and a non-zero exit', async () => {
  const r = await c.run(['--sname', 'alice', '--discovery', 'mdns']);
  assert.is.not(r.code, 0);
  assert.match(r.output, /--discovery .*one of gossip, lan, epmd, static, none/);
  const h = await c.run(['--sname', 'alice', '--heartbeat', 'soon']);
  assert.is.not(h.code, 0);
  assert.match(h.output, /--heartbeat expects a whole number/);
});

test('gossip: clusters with different cookies share the port and ignore each other', async () => {
  const alice = await c.start(['--sname', 'alice', ...FAST]);
  const bob = await c.start(['--sname', 'bob', ...FAST], { env: { PLAYGROUND_COOKIE: 'another-cluster' } });
  const carol = await c.start(['--sname', 'carol', ...FAST]);
  await alice.waitFor(hello('carol'));
  await carol.waitFor(hello('alice'));
  // Several heartbeats: bob hears every announcement and must act on none.
  await exactly(() => bob.count('Hello world') + alice.count(hello('bob')) + carol.count(hello('bob')), 0, {
    what: 'greetings across cookies', quiet: 800,
  });
  assert.is(alice.count('wrong cookie') + bob.count('wrong cookie'), 0); // the tag filters before any connection attempt
  await exactly(() => alice.count(hello('carol')), 1, { what: 'greetings of carol on alice' });
});

test('gossip: a node heard for the first time is answered at once, not at the next heartbeat', async () => {
  // A heartbeat of ten minutes: each node announces itself once, as it starts, and the
  // nodes already up must answer for a newcomer to learn of them within the test.
  const SLOW = ['--heartbeat', '600000'];
  const bob = await c.start(['--sname', 'bob', ...SLOW]);
  const carol = await c.start(['--sname', 'carol', ...SLOW]); // the greater name: it dials bob once answered
  await carol.waitFor(hello('bob'));
  const alice = await c.start(['--sname', 'alice', ...SLOW]); // the least name: bob and carol dial it
  await alice.waitFor(hello('bob'));
  await alice.waitFor(hello('carol'));
  await carol.waitFor(hello('alice'));
  await bob.waitFor(hello('alice'));
  // One connection a pair: each node greets each other node once.
  await exactly(() => alice.count('Hello world') + bob.count('Hello world') + carol.count('Hello world'), 6, {
    what: 'greetings among three nodes', quiet: 800,
  });
});

test('epmd: nodes poll the port mapper and find each other', async () => {
  const alice = await c.start(['--sname', 'alice', '--discovery', 'epmd', ...FAST]);
  const bob = await c.start(['--sname', 'bob', '--discovery', 'epmd', ...FAST]);
  await alice.waitFor(hello('bob'));
  await bob.waitFor(hello('alice'));
});

test('static connects to the listed nodes; none connects to nobody', async () => {
  const alice = await c.start(['--sname', 'alice', '--discovery', 'none']);
  const bob = await c.start(['--sname', 'bob', '--discovery', 'none']);
  const carol = await c.start(['--sname', 'carol', '--discovery', 'static', '--connect', `alice@${HOST}`, ...FAST]);
  await carol.waitFor(hello('alice'));
  await alice.waitFor(hello('carol'));
  // carol polls every 100 ms: over several polls, bob (not on its list, and discovering
  // nobody itself) meets no one.
  await exactly(() => bob.count('Hello world') + carol.count(hello('bob')), 0, { what: 'greetings of bob', quiet: 800 });
  await exactly(() => carol.count('Hello world'), 1, { what: 'greetings on carol' });
});

testOrSkip(namespacesUnavailable(), 'lan: two hosts in network namespaces find each other by broadcast', async () => {
  const hosts = createHosts();
  // Anything that leaked out of the namespaces would reach this socket on the host side.
  const leak = createSocket({ type: 'udp4', reuseAddr: true });
  let leaked = 0;
  leak.on('message', () => leaked++);
  await new Promise<void>((resolve) => leak.bind(c.discoveryPort, resolve));
  try {
    // Their port mappers are inside the namespaces: readiness is the greeting itself.
    const a = await c.start(['--sname', 'a', '--discovery', 'lan', ...FAST], { wrap: ['ip', 'netns', 'exec', hosts.a.ns], ready: null });
    const b = await c.start(['--sname', 'b', '--discovery', 'lan', ...FAST], { wrap: ['ip', 'netns', 'exec', hosts.b.ns], ready: null });
    await a.waitFor(hello('b'));
    await b.waitFor(hello('a'));
    // Announcements go on every 100 ms: none may reach the host side meanwhile.
    await exactly(() => leaked, 0, { what: 'datagrams that left the namespaces', quiet: 500 });
  } finally {
    leak.close();
    await c.stop();
    hosts.remove();
  }
});

test.run();
