import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode } from '../src/node/codec.ts';
import {
  Handshake,
  HandshakeError,
  PROTOCOL_VERSION,
  cookieTag,
  loadCookie,
  type Admission,
  type Identity,
  type PeerInfo,
} from '../src/node/handshake.ts';

const alice: Identity = { name: 'alice@vm', creation: 11, port: 5001, cookie: 'secret' };
const bob: Identity = { name: 'bob@vm', creation: 22, port: 5002, cookie: 'secret' };

/** Runs a whole handshake, every frame through the codec; returns both results or the error. */
function run(dialer: Identity, acceptor: Identity, admit: (p: PeerInfo) => Admission = () => 'ok') {
  const d = new Handshake(dialer, 'dial', acceptor.name);
  const a = new Handshake(acceptor, 'accept', admit);
  const wire = (f: unknown) => decode(encode(f));
  let toA: unknown[] = [d.start()];
  let dialed: PeerInfo | undefined;
  let accepted: PeerInfo | undefined;
  const seen: unknown[] = [];
  try {
    while (toA.length > 0) {
      const toD: unknown[] = [];
      for (const f of toA) {
        seen.push(f);
        const step = a.receive(wire(f));
        toD.push(...(step.send ?? []));
        accepted ??= step.done;
      }
      toA = [];
      for (const f of toD) {
        seen.push(f);
        const step = d.receive(wire(f));
        toA.push(...(step.send ?? []));
        dialed ??= step.done;
      }
    }
  } catch (err) {
    return { err: err as HandshakeError, dialed, accepted, seen };
  }
  return { dialed, accepted, seen };
}

test('two nodes with the same cookie learn each other', () => {
  const r = run(alice, bob);
  assert.is(r.err, undefined);
  assert.equal(r.dialed, { name: 'bob@vm', creation: 22, port: 5002 });
  assert.equal(r.accepted, { name: 'alice@vm', creation: 11, port: 5001 });
});

test('the cookie never crosses the wire', () => {
  const r = run({ ...alice, cookie: 'top-secret-cookie' }, { ...bob, cookie: 'top-secret-cookie' });
  const bytes = Buffer.concat(r.seen.map((f) => encode(f)));
  assert.is(bytes.includes(Buffer.from('top-secret-cookie')), false);
});

test('a wrong cookie is rejected by the acceptor before it proves anything', () => {
  const r = run({ ...alice, cookie: 'wrong' }, bob);
  assert.instance(r.err, HandshakeError);
  assert.is(r.err!.code, 'ERR_BAD_COOKIE');
  assert.is(r.err!.peer, 'alice@vm');
  assert.match(r.err!.message, /alice@vm rejected: wrong cookie/);
  assert.is(r.accepted, undefined);
  assert.is(r.seen.some((f) => Array.isArray(f) && f[0] === 'ack'), false);
});

test('a wrong cookie is told to the dialer too: its refusal names the acceptor and the cure', () => {
  const r = run({ ...alice, cookie: 'wrong' }, bob);
  assert.equal(r.err!.reply, ['status', 'bad_cookie', PROTOCOL_VERSION]);
  assert.is(r.err!.why, 'wrong cookie');
  const d = new Handshake({ ...alice, cookie: 'wrong' }, 'dial', 'bob@vm');
  const a = new Handshake(bob, 'accept', () => 'ok');
  const status = a.receive(d.start()).send![0];
  const reply = d.receive(decode(encode(status))).send![0];
  assert.throws(() => a.receive(decode(encode(reply))), (e: unknown) => (e as HandshakeError).code === 'ERR_BAD_COOKIE');
  assert.throws(
    () => d.receive(decode(encode(r.err!.reply))),
    (e: unknown) => (e as HandshakeError).code === 'ERR_BAD_COOKIE' && /^bob@vm refused this node: its cookie is not this node's/.test((e as Error).message),
  );
});

test("long and short names never mix: refused before any proof, the status naming the acceptor's kind", () => {
  const long: Identity = { name: 'ann@10.0.0.7', creation: 3, port: 5003, cookie: 'secret' };
  const r = run(alice, long);
  assert.is(r.err!.code, 'ERR_NAME_KIND');
  assert.equal(r.err!.reply, ['status', 'not_allowed', PROTOCOL_VERSION, 'long']);
  assert.match(r.err!.why!, /^alice@vm has a short name and this node a long one; .*\(start it with --name alice@<its address>\)$/);
  assert.is(r.seen.some((f) => Array.isArray(f) && f[0] === 'reply'), false, 'no proof was asked for');
  const d = new Handshake(long, 'dial', 'bob@vm');
  d.start();
  assert.throws(
    () => d.receive(['status', 'not_allowed', PROTOCOL_VERSION, 'short']),
    (e: unknown) => (e as HandshakeError).code === 'ERR_NAME_KIND' && /this node has a long name and it a short one; .*--sname ann\)$/.test((e as Error).message),
  );
  assert.is(run(long, { ...long, name: 'ben@10.0.0.8' }).err, undefined, 'two long names meet');
});

test('a version mismatch is refused with a reply naming our version', () => {
  const a = new Handshake(bob, 'accept', () => 'ok');
  try {
    a.receive(['hello', PROTOCOL_VERSION + 1, 'alice@vm', 1, 5001]);
    assert.unreachable();
  } catch (err) {
    assert.is((err as HandshakeError).code, 'ERR_VERSION');
    assert.equal((err as HandshakeError).reply, ['status', 'version', PROTOCOL_VERSION]);
  }
});

test('the acceptor can refuse: simultaneous dial (nok) or already connected (alive)', () => {
  for (const why of ['nok', 'alive'] as const) {
    const r = run(alice, bob, () => why);
    assert.is(r.err!.code, 'ERR_REFUSED');
    assert.is(r.dialed, undefined);
    // The dialer learns that the other direction's connection is the one kept.
    const d = new Handshake(alice, 'dial', 'bob@vm');
    d.start();
    assert.throws(() => d.receive(decode(encode(r.err!.reply))), (e: unknown) => (e as HandshakeError).code === 'ERR_SIMULTANEOUS');
  }
});

test('a dialer refuses a node other than the one it dialled', () => {
  const d = new Handshake(alice, 'dial', 'carol@vm');
  const a = new Handshake(bob, 'accept', () => 'ok');
  const status = a.receive(d.start()).send![0];
  assert.throws(() => d.receive(status), (e: unknown) => (e as HandshakeError).code === 'ERR_WRONG_NODE');
});

test('malformed frames and bad names are protocol errors, not crashes', () => {
  for (const f of [null, 'hello', ['hello'], ['hello', 1, 'no-at-sign', 1, 1], ['hello', 1, 'a@b', 1, 70000], ['ack']]) {
    const a = new Handshake(bob, 'accept', () => 'ok');
    assert.throws(() => a.receive(f), (e: unknown) => e instanceof HandshakeError);
  }
});

test('the cookie comes from the flag, then the environment, then a file created once with mode 0600', () => {
  const home = mkdtempSync(join(tmpdir(), 'pg-cookie-'));
  try {
    assert.is(loadCookie('flag', { PLAYGROUND_COOKIE: 'env', PLAYGROUND_HOME: home }), 'flag');
    assert.is(loadCookie(undefined, { PLAYGROUND_COOKIE: 'env', PLAYGROUND_HOME: home }), 'env');
    const first = loadCookie(undefined, { PLAYGROUND_HOME: home });
    assert.match(first, /^[A-Z]{20}$/);
    assert.is(statSync(join(home, 'cookie')).mode & 0o777, 0o600);
    assert.is(loadCookie(undefined, { PLAYGROUND_HOME: home }), first);
    assert.is(readFileSync(join(home, 'cookie'), 'utf8'), first);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('cookie tags match for equal cookies only', () => {
  assert.ok(cookieTag('a').equals(cookieTag('a')));
  assert.not.ok(cookieTag('a').equals(cookieTag('b')));
});

test.run();
