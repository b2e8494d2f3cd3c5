/**
 * Erlang's external term format: what real OTP 25 writes with term_to_binary decodes to
 * the playground's values and encodes back to the very same bytes; what the playground
 * sends binary_to_term reads as the term it should be; bad bytes are refused with a
 * clear error and never hang or crash.
 */
import { test } from 'uvu';
import { testOrSkip } from './support/skip.ts';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { encode, decode, EtfError } from '../src/erlang/etf/index.ts';
import { Binary, List, Opaque, Pid, Ref, equal, format } from '../src/term.ts';
import { BEAM_MISSING } from './support/beam.ts';

/** Runs an Erlang expression list in a fresh `erl` and gives what it prints. */
function erl(program: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('erl', ['-noshell', '-start_epmd', 'false', '-eval', `${program}, halt().`], { encoding: 'utf8', timeout: 30_000 }, (err, out) =>
      err ? reject(err) : resolve(out),
    );
  });
}

const TERMS = `[ok, 'héllo', list_to_atom(lists:duplicate(200, $é)), true, false, nil, undefined,
  <<"héllo"/utf8>>, <<>>, <<1,2,3>>, <<1:3>>, <<255, 7:5>>, "abc", [1000,2000], [1|2], [1, 2 | tail], [], {}, {a, 1},
  #{a => 1, <<"b">> => [2]}, #{}, #{'__proto__' => 1}, 1.5, -0.25, 0, 255, 256, -1, 2147483647, 2147483648, -2147483649,
  9007199254740993, 1 bsl 64, -(1 bsl 2100), self(), make_ref(), alias(), fun() -> 42 end, fun lists:reverse/1,
  hd(erlang:ports()), [{a,1},{b,2}], lists:seq(1, 300), list_to_tuple(lists:seq(1, 300)), [$a, 1000]]`;

testOrSkip(BEAM_MISSING, "OTP 25's term_to_binary decodes and encodes back to the same bytes", async () => {
  for (const options of ['[{minor_version, 2}]', '[{minor_version, 1}]']) {
    const out = await erl(`[io:format("~s~n", [base64:encode(term_to_binary(T, ${options}))]) || T <- ${TERMS}]`);
    const lines = out.trim().split('\n');
    assert.is(lines.length, 44);
    for (const line of lines) {
      const bytes = Buffer.from(line, 'base64');
      const back = encode(decode(bytes));
      if (options.includes('2')) assert.ok(back.equals(bytes), `${format(decode(bytes))}: ${bytes.toString('hex')} came back as ${back.toString('hex')}`);
      else assert.ok(equal(decode(back), decode(bytes)), 'latin-1 atoms (ATOM_EXT) come back as UTF-8 ones, the same atoms');
    }
  }
});

testOrSkip(BEAM_MISSING, "what the playground encodes, binary_to_term reads as the term it should be", async () => {
  const cases: [unknown, string][] = [
    [['ok', 1], '{ok,1}'],
    ['héllo', "'héllo'"],
    [Binary.from('héllo'), '<<"héllo"/utf8>>'],
    [List.of(1, 2), '[1,2]'],
    [List.improper([1], 2), '[1|2]'],
    [new List(), '[]'],
    [{ a: 1, b: null }, '#{a => 1, b => nil}'],
    [new Map<unknown, unknown>([[1, 'a'], [Binary.from('k'), []]]), '#{1 => a, <<"k">> => {}}'],
    [2 ** 53, '9007199254740992'],
    [-(2n ** 70n), '-(1 bsl 70)'],
    [0.1, '0.1'],
    [undefined, 'undefined'],
    [new Error('boom'), "#{'__struct__' => 'Elixir.RuntimeError', '__exception__' => true, message => <<\"boom\">>}"],
  ];
  const hex = cases.map(([v]) => encode(v).toString('hex'));
  const checks = cases.map(([, erlang], i) => `binary_to_term(binary:decode_hex(<<"${hex[i]}">>)) =:= ${erlang}`);
  const out = await erl(`io:format("~p~n", [[${checks.join(', ')}]])`);
  assert.is(out.trim().replace(/\s+/g, ''), `[${cases.map(() => 'true').join(',')}]`);
});

test('pids and references keep every number, and print as iex prints them', () => {
  const pid = new Pid('alice@vm', 110, 7, 3);
  const ref = new Ref('alice@vm', 5, 7, [6, 9]);
  assert.ok(equal(decode(encode(pid)), pid));
  assert.ok(equal(decode(encode(ref)), ref));
  assert.ok(equal(decode(encode(new Ref('bob@vm', 42, 1))), new Ref('bob@vm', 42, 1)), "the playground's own refs come back as they went");
  assert.match(String(pid), /^#PID<\d+\.110\.3>$/);
  assert.match(String(ref), /^#Reference<\d+\.9\.6\.5>$/);
});

test('a map with a key named __proto__ keeps it as data', () => {
  const value = decode(Buffer.concat([Buffer.from([131, 116, 0, 0, 0, 1, 119, 9]), Buffer.from('__proto__'), Buffer.from([97, 1])])) as Record<string, unknown>;
  assert.is(Object.getPrototypeOf(value), Object.prototype);
  assert.is(Object.keys(value)[0], '__proto__');
  assert.is(value['__proto__' as 'x'], 1);
});

test('bad bytes are refused with EtfError, never a hang, a huge allocation or a crash', () => {
  const bad: [number[], RegExp][] = [
    [[131, 108, 0xff, 0xff, 0xff, 0xff, 106], /cut short/], // a list that claims 4 billion elements
    [[131, 109, 0x7f, 0xff, 0xff, 0xff], /cut short/], // a binary that claims 2 GB
    [[131, 116, 0xff, 0xff, 0xff, 0xff], /cut short/], // a map that claims 4 billion pairs
    [[131, 200], /unknown term tag 200/],
    [[131, 82, 0], /atom cache reference/],
    [[130, 97, 1], /version byte 131/],
    [[131, 97], /cut short/],
    [[131, 97, 1, 97], /left over/],
    [[131, 90, 0, 9, 119, 1, 97, 0, 0, 0, 1], /cut short|of 9 words/],
    [[131, 77, 0, 0, 0, 1, 9, 255], /cannot end in 9 bits/],
  ];
  for (const [bytes, why] of bad) {
    assert.throws(() => decode(Buffer.from(bytes)), (e: unknown) => e instanceof EtfError && e.code === 'ERR_BAD_TERM' && why.test(e.message), bytes.join(','));
  }
  const deep = Buffer.concat([Buffer.from([131]), Buffer.alloc(200_000, 0).fill(Buffer.from([104, 1])), Buffer.from([106])]);
  assert.throws(() => decode(deep), (e: unknown) => e instanceof EtfError && /nested too deeply|cut short/.test(e.message));
});

test('what has no Erlang form is refused in the sender', () => {
  const refused = (v: unknown) => {
    try {
      encode(v);
      return 'encoded';
    } catch (e) {
      return (e as EtfError).code;
    }
  };
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  for (const v of [() => 1, Symbol('x'), Number.NaN, Infinity, 'x'.repeat(256), cyclic]) assert.is(refused(v), 'ERR_NOT_A_TERM');
  assert.is(refused('é'.repeat(255)), 'encoded', '255 characters make an atom, whatever their bytes');
});

test('funs and ports travel as the bytes they came as', () => {
  const fun = new Opaque('fun', '&Enum.map/2', Uint8Array.from([113, 119, 11, ...Buffer.from('Elixir.Enum'), 119, 3, ...Buffer.from('map'), 97, 2]));
  const back = decode(encode(fun));
  assert.instance(back, Opaque);
  assert.ok(equal(back, fun));
  assert.is(format(back), '&Enum.map/2');
});

test.run();
