/**
 * Erlang's version 6 handshake, both roles of `ErlangHandshake` driven against each
 * other packet by packet (the interop suites run it against real OTP): the flags both
 * announced, the cookie proof, refusals that say why, and the 'alive' case.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErlangHandshake, ErlangHandshakeError, type Admission, type ErlangPeer, type Step } from '../src/erlang/handshake/handshake.ts';
import { MAP_TAG, OFFERED, PUBLISHED } from '../src/erlang/handshake/flags.ts';

/** Runs a whole handshake; gives what each side learned, or the error that ended it. */
/** `aliveAnswer` stands in for the dialer's own answer to 'alive' (which is always true). */
function shake(opts: { dialCookie?: string; acceptCookie?: string; admit?: Admission; dialFlags?: bigint; aliveAnswer?: 'false' } = {}) {
  const admitted: ErlangPeer[] = [];
  const dialer = new ErlangHandshake({ name: 'a@vm', creation: 11, cookie: opts.dialCookie ?? 'c' }, 'dial', 'b@vm');
  const acceptor = new ErlangHandshake({ name: 'b@vm', creation: 22, cookie: opts.acceptCookie ?? 'c' }, 'accept', (p) => (admitted.push(p), opts.admit ?? 'ok'));
  const first = dialer.start();
  if (opts.dialFlags !== undefined) first.writeBigUInt64BE(opts.dialFlags, 1);
  let toAcceptor = [first];
  let done: { dialer?: ErlangPeer; acceptor?: ErlangPeer } = {};
  try {
    for (let round = 0; round < 6 && toAcceptor.length > 0; round++) {
      const toDialer: Buffer[] = [];
      for (const p of toAcceptor) {
        const step: Step = acceptor.receive(p);
        toDialer.push(...(step.send ?? []));
        if (step.done) done = { ...done, acceptor: step.done };
      }
      toAcceptor = [];
      for (const p of toDialer) {
        if (opts.aliveAnswer && p.toString('latin1') === 'salive') {
          toAcceptor.push(Buffer.from(`s${opts.aliveAnswer}`));
          continue;
        }
        const step = dialer.receive(p);
        toAcceptor.push(...(step.send ?? []));
        if (step.done) done = { ...done, dialer: step.done };
      }
    }
    return { done, admitted };
  } catch (err) {
    return { err: err as ErlangHandshakeError, done, admitted };
  }
}

test('both sides end up knowing each other, with the flags both announced', () => {
  const { done, admitted } = shake();
  assert.equal(done.dialer, { name: 'b@vm', creation: 22, flags: OFFERED });
  assert.equal(done.acceptor, { name: 'a@vm', creation: 11, flags: OFFERED });
  assert.is(admitted.length, 1);
  assert.ok((OFFERED & PUBLISHED) !== 0n, 'a visible node');
});

test('a wrong cookie is refused by the side that checks the proof', () => {
  const { err, done } = shake({ dialCookie: 'wrong' });
  assert.is(err?.code, 'ERR_BAD_COOKIE');
  assert.match(err!.message, /connection attempt from a@vm rejected: wrong cookie/);
  assert.equal(done, {});
});

test('a peer without a flag this node needs is refused with not_allowed, naming the flag', () => {
  const { err } = shake({ dialFlags: OFFERED & ~MAP_TAG });
  assert.is(err?.code, 'ERR_FLAGS');
  assert.match(err!.message, /cannot handle MAP_TAG/);
  assert.is(err!.reply?.toString('latin1'), 'snot_allowed');
});

test("nok ends the dialer's attempt as a simultaneous connect; alive goes on when the dialer says true", () => {
  assert.is(shake({ admit: 'nok' }).err?.code, 'ERR_REFUSED');
  const alive = shake({ admit: 'alive' });
  assert.ok(alive.done.acceptor && alive.done.dialer, 'the dialer answers true: the old connection is stale');
  assert.is(shake({ admit: 'alive', aliveAnswer: 'false' }).err?.code, 'ERR_REFUSED');
});

test('garbage instead of a name is a protocol error, not a crash', () => {
  const acceptor = new ErlangHandshake({ name: 'b@vm', creation: 1, cookie: 'c' }, 'accept', () => 'ok');
  assert.throws(() => acceptor.receive(Buffer.from('hello there')), (e: unknown) => e instanceof ErlangHandshakeError && e.code === 'ERR_PROTOCOL');
  const noHost = Buffer.alloc(17);
  noHost[0] = 0x4e;
  noHost.writeBigUInt64BE(OFFERED, 1);
  noHost.writeUInt16BE(2, 13);
  noHost.write('ab', 15);
  const again = new ErlangHandshake({ name: 'b@vm', creation: 1, cookie: 'c' }, 'accept', () => 'ok');
  assert.throws(() => again.receive(noHost), /a bad node name "ab"/);
});

test.run();
