/**
 * @module test/support/fake-beam
 * A peer that speaks Erlang's distribution by hand, for the tests of what a misbehaving
 * BEAM node may send: it dials a node, runs the real version 6 handshake (with the
 * flags it is told to offer), then writes whatever frames a test gives it and decodes
 * what comes back.
 *
 * @example
 * const fake = await FakeBeam.dial(port, { name: 'fake@vm', cookie: 'c' }, 'bob@vm');
 * fake.send([6, fake.pid(1), '', 'echo'], ['ping', fake.pid(1)]);
 */
import { connect, type Socket } from 'node:net';
import { Pid } from '../../src/term.ts';
import { Decoder, Encoder } from '../../src/erlang/etf/index.ts';
import { ErlangHandshake } from '../../src/erlang/handshake/handshake.ts';
import { sleep } from './eventually.ts';

export class FakeBeam {
  /** Every control message and payload received, in order (ticks left out). */
  readonly received: [unknown, unknown][] = [];
  closed = false;
  private buffered = Buffer.alloc(0);

  private constructor(
    private readonly socket: Socket,
    readonly name: string,
    readonly creation: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }

  /**
   * Dials `port` and shakes hands as `name` with `target`; rejects with the handshake's
   * error when refused. `flags` replaces the flags offered.
   */
  static dial(port: number, me: { name: string; cookie: string }, target: string, flags?: bigint): Promise<FakeBeam> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const creation = 4242;
      const hs = new ErlangHandshake({ name: me.name, creation, cookie: me.cookie }, 'dial', target);
      let pending = Buffer.alloc(0);
      const write = (p: Buffer) => socket.write(Buffer.concat([Buffer.from([p.length >> 8, p.length & 255]), p]));
      socket.on('connect', () => {
        const first = hs.start();
        if (flags !== undefined) first.writeBigUInt64BE(flags, 1);
        write(first);
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error(`${target} closed the connection during the handshake`)));
      const onData = (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        try {
          while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
            const packet = pending.subarray(2, 2 + pending.readUInt16BE(0));
            pending = pending.subarray(2 + packet.length);
            const step = hs.receive(packet);
            for (const p of step.send ?? []) write(p);
            if (step.done) {
              socket.off('data', onData);
              socket.removeAllListeners('close');
              socket.removeAllListeners('error');
              const fake = new FakeBeam(socket, me.name, creation);
              if (pending.length > 0) fake.onData(pending);
              return resolve(fake);
            }
          }
        } catch (err) {
          socket.destroy();
          reject(err);
        }
      };
      socket.on('data', onData);
    });
  }

  /** A pid of this fake node. */
  pid(id: number): Pid {
    return new Pid(this.name, id, this.creation);
  }

  /** Sends one frame: 112, the control message and the payload, if any. */
  send(control: unknown, payload?: unknown): void {
    const e = new Encoder(256);
    e.term(control);
    if (payload !== undefined) e.term(payload);
    this.sendRaw(Buffer.concat([Buffer.from([112]), e.buf.subarray(0, e.pos)]));
  }

  /** Sends one frame with these bytes as its body. */
  sendRaw(body: Buffer): void {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length, 0);
    this.socket.write(Buffer.concat([head, body]));
  }

  /** Waits (bounded) until a received payload matches `test`. */
  async waitFor(test: (payload: unknown) => boolean, timeout = 5000): Promise<unknown> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const hit = this.received.find(([, payload]) => test(payload));
      if (hit) return hit[1];
      if (this.closed) throw new Error(`${this.name}: the connection closed before the message came`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no such message within ${timeout} ms`);
      await sleep(15);
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readUInt32BE(0)) {
      const size = this.buffered.readUInt32BE(0);
      const body = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      if (size === 0) continue;
      const d = new Decoder(body, 1, body.length);
      const control = d.term();
      this.received.push([control, d.done ? undefined : d.term()]);
    }
  }
}
