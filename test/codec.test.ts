import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pid, Ref, equal } from '../src/term.ts';
import { encode, decode, frame, FrameDecoder, FrameWriter, CodecError, MAX_FRAME } from '../src/node/codec.ts';

function frames(decoder: FrameDecoder, chunks: Buffer[]): unknown[] {
  const out: unknown[] = [];
  for (const c of chunks) decoder.push(c, (buf, start, end) => out.push(decode(buf, start, end)));
  return out;
}

test('pids, refs and nested data survive a round trip', () => {
  const term = {
    to: new Pid('bob@vm', 42, 7),
    ref: new Ref('alice@vm', 123456, 3),
    list: [1, 'two', [3, { four: null }], true, -1.5],
    text: 'héllo',
  };
  const back = decode(encode(term)) as typeof term;
  assert.ok(back.to instanceof Pid);
  assert.ok(back.ref instanceof Ref);
  assert.ok(equal(back, term));
  assert.is(back.to.key, 'bob@vm/7/42');
});

test('errors keep name, message and code', () => {
  const err = Object.assign(new TypeError('bad thing'), { code: 'ERR_X' });
  const back = decode(encode(['EXIT', err])) as [string, Error & { code?: string }];
  assert.instance(back[1], Error);
  assert.is(back[1].name, 'TypeError');
  assert.is(back[1].message, 'bad thing');
  assert.is(back[1].code, 'ERR_X');
});

test('functions and symbols are refused with a CodecError', () => {
  assert.throws(() => encode({ f: () => 1 }), (e: unknown) => e instanceof CodecError && e.code === 'ERR_NOT_A_TERM');
  assert.throws(() => encode([Symbol('x')]), (e: unknown) => e instanceof CodecError && e.code === 'ERR_NOT_A_TERM');
});

test('the frame decoder reassembles frames split at any byte', () => {
  const terms = [['a', 1], 'x'.repeat(3000), { deep: [new Pid('n@h', 1, 1)] }];
  const bytes = Buffer.concat(terms.map(frame));
  for (const step of [1, 3, 5, 7, 1000, bytes.length]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += step) chunks.push(bytes.subarray(i, i + step));
    const got = frames(new FrameDecoder(MAX_FRAME), chunks);
    assert.ok(equal(got, terms), `step ${step}`);
  }
});

test('the frame decoder keeps every frame, empty ones included, across random chunk ends', () => {
  const terms: unknown[] = [];
  const parts: Buffer[] = [];
  for (let i = 0; i < 300; i++) {
    if (i % 7 === 0) parts.push(Buffer.alloc(4)); // an empty frame: a tick
    const term = ['seq', i, 'y'.repeat((i * 37) % 900)];
    terms.push(term);
    parts.push(frame(term));
  }
  const bytes = Buffer.concat(parts);
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 20; round++) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; ) {
      const n = 1 + Math.floor(random() * 2500);
      chunks.push(bytes.subarray(i, i + n));
      i += n;
    }
    const got: unknown[] = [];
    let empty = 0;
    const decoder = new FrameDecoder(MAX_FRAME);
    for (const c of chunks) decoder.push(c, (buf, start, end) => (start === end ? empty++ : got.push(decode(buf, start, end))));
    assert.ok(equal(got, terms), `round ${round}`);
    assert.is(empty, 43);
    assert.is(decoder.pending, 0);
  }
});

test('a frame over the limit is refused, even before its body arrives', () => {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(5000, 0);
  const decoder = new FrameDecoder(4096);
  assert.throws(() => decoder.push(header, () => {}), (e: unknown) => e instanceof CodecError && e.code === 'ERR_FRAME_TOO_LARGE');
  const split = new FrameDecoder(4096);
  split.push(header.subarray(0, 2), () => {});
  assert.throws(() => split.push(header.subarray(2), () => {}), /exceeds the limit/);
});

test('garbage bodies raise CodecError', () => {
  const bad = Buffer.from([0x92, 1]); // an array of two that holds one
  assert.throws(() => decode(bad), (e: unknown) => e instanceof CodecError && e.code === 'ERR_BAD_FRAME');
  const fakePid = Buffer.concat([Buffer.from([0xd4, 1, 0]), encode(['n', 'not a number', 1])]);
  assert.throws(() => decode(fakePid), /malformed pid/);
});

test('the frame writer batches frames into one chunk per tick, in order', async () => {
  const chunks: Buffer[] = [];
  const writer = new FrameWriter((c) => chunks.push(c));
  for (let i = 0; i < 1000; i++) writer.write(['msg', i]);
  assert.is(chunks.length, 0);
  await new Promise((r) => setImmediate(r));
  assert.is(chunks.length, 1);
  const got = frames(new FrameDecoder(MAX_FRAME), chunks) as [string, number][];
  assert.is(got.length, 1000);
  assert.ok(got.every((m, i) => m[1] === i));
});

test('the frame writer flushes early at its high-water mark and handles big terms', () => {
  const chunks: Buffer[] = [];
  const writer = new FrameWriter((c) => chunks.push(Buffer.from(c)), 1024);
  const big = 'y'.repeat(100_000);
  writer.write('small');
  writer.write(big);
  writer.write('after');
  writer.flush();
  const got = frames(new FrameDecoder(MAX_FRAME), chunks);
  assert.equal(got, ['small', big, 'after']);
});

test('the frame writer keeps every frame intact across buffer ends, whatever the sizes', async () => {
  const chunks: Buffer[] = [];
  const writer = new FrameWriter((c, done) => {
    chunks.push(Buffer.from(c));
    done();
  }, 4096);
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const terms: unknown[] = [];
  for (let i = 0; i < 3000; i++) {
    const size = rand(5) === 0 ? rand(20_000) : rand(40);
    terms.push([i, 'x'.repeat(size), new Pid('n@h', i, 1)]);
  }
  for (const t of terms) writer.write(t);
  await new Promise((r) => setImmediate(r));
  const got = frames(new FrameDecoder(MAX_FRAME), chunks);
  assert.is(got.length, terms.length);
  assert.ok(equal(got, terms));
});

test('a value that cannot be sent leaves the frames before and after intact', () => {
  const chunks: Buffer[] = [];
  const writer = new FrameWriter((c) => chunks.push(Buffer.from(c)));
  writer.write('before');
  assert.throws(() => writer.write(['x', () => 1]), /function cannot be sent/);
  writer.write('after');
  writer.flush();
  assert.equal(frames(new FrameDecoder(MAX_FRAME), chunks), ['before', 'after']);
});

test.run();
