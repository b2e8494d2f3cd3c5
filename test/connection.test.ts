/**
 * A connection's error paths, on real loopback sockets: a peer that says nothing during
 * the handshake (on either side), and a peer that, once the handshake is done, sends
 * frames that are not control messages. Each is dropped or ignored with a log line, and
 * the node goes on working. The misbehaving peers are raw sockets driven by this test,
 * speaking the real handshake where they need to.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import { decode, frame, FrameDecoder, MAX_FRAME } from '../src/node/codec.ts';
import { Handshake } from '../src/node/handshake.ts';
import { register, startPortMapper, type PortMapper } from '../src/erlang/epmd/index.ts';
import { DOWN, EXIT2, LINK, MONITOR, PEERS, REG_SEND, SEND } from '../src/node/dist.ts';
import { startNode, stopNode, type Node } from '../src/node/index.ts';
import { monitor, processInfo, receive, TIMEOUT } from '../src/process/index.ts';
import { _ } from '../src/term.ts';
import { inProcess } from './support/cluster.ts';
import { eventually, exactly } from './support/eventually.ts';

const COOKIE = 'c';
/** Short, so that a silent peer is given up on quickly. */
const SETUP_TIME = 300;

let mapper: PortMapper;
const started: Node[] = [];
const sockets: Socket[] = [];
const cleanups: Array<() => void> = [];
/** What each node logged, debug lines included. */
const logs = new Map<string, string[]>();

async function start(name: string): Promise<Node> {
  const lines: string[] = [];
  logs.set(`${name}@127.0.0.1`, lines);
  const log = (level: string, text: string) => void lines.push(`[${level}] ${text}`);
  const n = await startNode({ name: `${name}@127.0.0.1`, cookie: COOKIE, epmdPort: mapper.port, setupTime: SETUP_TIME, log });
  started.push(n);
  return n;
}

/** A raw TCP connection to `node`'s distribution port (what the node sends is read and dropped). */
function dial(node: Node): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(node.port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
    socket.resume();
    sockets.push(socket);
  });
}

/** Resolves when `socket` is closed by the other side (rejects after `ms`). */
function closedBy(socket: Socket, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => reject(new Error(`the node kept a silent connection open for ${ms} ms`)), ms);
    socket.once('close', () => (clearTimeout(timer), resolve()));
  });
}

/** Completes the real handshake with `node` as `name` over a raw socket; then any frame can be written. */
async function handshaken(node: Node, name: string): Promise<{ socket: Socket; send(f: unknown): void }> {
  const socket = await dial(node);
  const hs = new Handshake({ name, creation: 7, port: 1, cookie: COOKIE }, 'dial', node.name);
  const decoder = new FrameDecoder();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no handshake within 5 s')), 5000);
    socket.on('data', (chunk: Buffer) =>
      decoder.push(chunk, (buf, start, end) => {
        if (start === end || decoder.limit === MAX_FRAME) return; // ticks, and frames once up
        const step = hs.receive(decode(buf, start, end));
        for (const f of step.send ?? []) socket.write(frame(f));
        if (step.done) {
          decoder.limit = MAX_FRAME;
          clearTimeout(timer);
          resolve();
        }
      }),
    );
    socket.write(frame(hs.start()));
  });
  socket.removeAllListeners('data');
  socket.resume();
  return { socket, send: (f) => socket.write(frame(f)) };
}

test.before(async () => {
  mapper = await startPortMapper(0);
});
test.after.each(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of cleanups.splice(0)) c();
  await Promise.all(started.splice(0).map(stopNode));
});
test.after(async () => {
  await mapper.close();
});

test('a peer silent during the handshake, from the start or midway, is dropped; others connect meanwhile', async () => {
  const a = await start('a');
  const b = await start('b');
  const mute = await dial(a);
  const halfway = await dial(a);
  halfway.write(frame(new Handshake({ name: 'half@127.0.0.1', creation: 1, port: 1, cookie: COOKIE }, 'dial', a.name).start()));
  // While both hang, a real peer gets through.
  assert.is(await b.connect(a.name), true);
  await Promise.all([closedBy(mute), closedBy(halfway)]);
  assert.equal(a.list(), [b.name]);
  assert.is(await b.connect(a.name), true, 'the connection that works is untouched');
});

test('a node that takes the connection but never answers: connect gives false, waiting links and monitors get noconnection', async () => {
  const a = await start('a');
  const held: Socket[] = [];
  const silent = createServer((s) => void held.push(s.resume()));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const registration = await register('silent@127.0.0.1', (silent.address() as { port: number }).port, mapper.port);
  cleanups.push(() => {
    registration.close();
    for (const s of held) s.destroy();
    silent.close();
  });
  const got = await inProcess(a.runtime, async () => {
    const ref = monitor(['anyone', 'silent@127.0.0.1']);
    const connected = await a.connect('silent@127.0.0.1');
    const down = await receive(['DOWN', ref, 'process', _, _], { after: 5000 });
    return { connected, down };
  });
  assert.is(got.connected, false);
  assert.is.not(got.down, TIMEOUT);
  assert.is((got.down as unknown[])[4], 'noconnection');
  assert.equal(a.list(), []);
  await eventually(() => assert.ok(held.every((s) => s.destroyed), 'the node gave up its end'));
});

test('after the handshake, frames that are not control messages are ignored and logged; the connection carries on', async () => {
  const a = await start('a');
  const [inbox] = a.runtime.spawn(
    async () => {
      for (;;) await receive('never');
    },
    [],
    null,
    { name: 'inbox' },
  );
  const mallory = await handshaken(a, 'mallory@127.0.0.1');
  await eventually(() => assert.equal(a.list(), ['mallory@127.0.0.1']));
  const garbage: unknown[] = [
    'hello', 42, null, [], [999, 'x'], [SEND], [SEND, 'not a pid', 'x'], [SEND, inbox, 'x', 'one too many'],
    [REG_SEND, null, 'inbox'], [REG_SEND, null, 42, 'x'], [LINK, 1, 2], [EXIT2, inbox],
    [MONITOR, inbox, inbox, 'not a ref'], [DOWN, 1, 2, 3, 4], [PEERS, 'not a list'],
  ];
  for (const f of garbage) mallory.send(f);
  mallory.send([REG_SEND, null, 'inbox', 'after the garbage']);
  mallory.send([SEND, inbox, 'by pid']);
  const ignored = () => logs.get(a.name)!.filter((l) => l.includes('ignored an unknown frame from mallory@127.0.0.1')).length;
  await exactly(ignored, garbage.length, { what: 'frames logged as ignored' });
  // The two good frames, and nothing the garbage could have put there (an undefined, an 'x');
  // the monitor with a bad ref set nothing up.
  const info = () => inProcess(a.runtime, () => processInfo(inbox)!);
  await eventually(async () => assert.equal((await info()).messages, ['after the garbage', 'by pid']));
  assert.equal((await info()).monitoredBy, []);
  assert.equal(a.list(), ['mallory@127.0.0.1']);
  assert.not.ok(mallory.socket.destroyed);
});

test.run();
