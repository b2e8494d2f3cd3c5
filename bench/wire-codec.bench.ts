/**
 * The two wires' codecs side by side, in one process: each message encoded into a frame
 * and decoded again, as a send between two nodes costs it. This is the measurement
 * behind keeping msgpack between playground nodes and Erlang's term format only towards
 * BEAM nodes. Prints, for a small message (`['seq', i, null]`) and a user-shaped one
 * (`['user', { id, name, tags }]`):
 *
 * codec_msgpack_small_per_s / codec_etf_small_per_s
 * codec_msgpack_user_per_s  / codec_etf_user_per_s
 *
 * Each is the best of three runs of 200k round trips, encoded and decoded in batches
 * of 1000 (a burst of sends goes out as one chunk).
 */
import { decode as unpack, FrameDecoder, FrameWriter, MAX_FRAME } from '../src/node/codec.ts';
import { Decoder, Encoder } from '../src/erlang/etf/index.ts';
import { report } from './report.ts';

const N = 200_000;

/** Messages go out in batches, as a burst of sends does: this many are encoded, then decoded. */
const BATCH = 1000;

function msgpackRoundTrips(make: (i: number) => unknown): number {
  let chunk: Buffer | null = null;
  const writer = new FrameWriter((c, done) => ((chunk = Buffer.from(c)), done()), 1 << 30);
  const decoder = new FrameDecoder(MAX_FRAME);
  const start = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    for (let j = 0; j < BATCH; j++) writer.write(make(i + j));
    writer.flush();
    decoder.push(chunk!, (buf, from, to) => void unpack(buf, from, to));
  }
  return N / ((performance.now() - start) / 1000);
}

function etfRoundTrips(make: (i: number) => unknown): number {
  const e = new Encoder();
  const start = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    e.pos = 0;
    for (let j = 0; j < BATCH; j++) {
      e.term(make(i + j));
    }
    const d = new Decoder(e.buf, 0, e.pos);
    for (let j = 0; j < BATCH; j++) d.term();
  }
  return N / ((performance.now() - start) / 1000);
}

const best = (f: () => number) => Math.round(Math.max(f(), f(), f()));
const small = (i: number) => ['seq', i, null];
const user = (i: number) => ['user', { id: i, name: 'Ann', tags: ['admin', 'ops'] }];

report('codec_msgpack_small_per_s', best(() => msgpackRoundTrips(small)), 'msgs/s');
report('codec_etf_small_per_s', best(() => etfRoundTrips(small)), 'msgs/s');
report('codec_msgpack_user_per_s', best(() => msgpackRoundTrips(user)), 'msgs/s');
report('codec_etf_user_per_s', best(() => etfRoundTrips(user)), 'msgs/s');
