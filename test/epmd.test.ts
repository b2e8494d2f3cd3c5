import { test } from 'uvu';
import { testOrSkip } from './support/skip.ts';
import * as assert from 'uvu/assert';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startPortMapper, formatNames, register, lookup, locate, names, epmdPort, EpmdError, type PortMapper,
} from '../src/erlang/epmd/index.ts';
import { eventually } from './support/eventually.ts';
import { freePort, killPortMapper, portMapperPid, startCluster, HOST } from './support/cluster.ts';
import { BeamNode, epmdCommand, startEpmd, BEAM_MISSING } from './support/beam.ts';
import { ask } from './support/prompt.ts';

let mapper: PortMapper;
const home = mkdtempSync(join(tmpdir(), 'playground-epmd-'));
const savedHome = process.env.PLAYGROUND_HOME;

test.before(async () => {
  // A port mapper these tests start detached writes its PID file here, not in ~/.playground.
  process.env.PLAYGROUND_HOME = home;
  mapper = await startPortMapper(0);
});
test.after(async () => {
  await mapper.close();
  if (savedHome === undefined) delete process.env.PLAYGROUND_HOME;
  else process.env.PLAYGROUND_HOME = savedHome;
  rmSync(home, { recursive: true, force: true });
});

/** Sends raw bytes to the mapper and resolves with what it answers before closing. */
function raw(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect(mapper.port, '127.0.0.1', () => s.write(bytes));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error('the port mapper kept a bad connection open')), 5000);
    s.on('data', (d) => chunks.push(d));
    s.on('close', () => (clearTimeout(timer), resolve(Buffer.concat(chunks))));
    s.on('error', () => {});
  });
}

test('a registered name can be looked up and listed; a taken name is refused', async () => {
  const reg = await register('bob@vm', 41237, mapper.port);
  try {
    assert.ok(reg.creation > 0);
    const entry = await lookup('bob@vm', mapper.port);
    assert.is(entry?.port, 41237);
    assert.is(entry?.extra.toString(), 'otp-playground');
    assert.equal(await locate(`bob@${HOST}`, mapper.port), { host: '127.0.0.1', port: 41237, wire: 'playground' });
    assert.is(await lookup('nobody@vm', mapper.port), null);
    assert.equal((await names(mapper.port)).names, [['bob', 41237]]);
    assert.is((await names(mapper.port)).port, mapper.port);
    const err = await register('bob@127.0.0.1', 1, mapper.port).catch((e: unknown) => e);
    assert.instance(err, EpmdError);
    assert.is((err as EpmdError).code, 'ERR_NAME_TAKEN');
    assert.match((err as Error).message, /the name bob is already in use \(port 41237\)/);
  } finally {
    reg.close();
  }
});

test("a registration asking for look-ups on an address not this machine's is kept, with a warning that nobody can look it up there", async () => {
  const reg = await register('ann@192.0.2.7', 41238, mapper.port, '192.0.2.7');
  try {
    assert.match(reg.warning!, /other machines cannot look ann@192\.0\.2\.7 up: no port mapper answers for it at 192\.0\.2\.7:\d+/);
    const entry = await lookup('ann@192.0.2.7', mapper.port);
    assert.is(entry?.port, 41238, 'the name is registered all the same');
    assert.is(entry?.extra.toString(), 'otp-playground@192.0.2.7');
    assert.equal(await locate('ann@127.0.0.1', mapper.port), { host: '127.0.0.1', port: 41238, wire: 'playground' });
  } finally {
    reg.close();
  }
});

test('closing the registering connection frees the name; registering again gives a new creation', async () => {
  const reg = await register('carol@vm', 5555, mapper.port);
  reg.close();
  await reg.lost;
  await eventually(async () => assert.is(await lookup('carol@vm', mapper.port), null));
  const again = await register('carol@vm', 5556, mapper.port);
  assert.is.not(again.creation, reg.creation);
  again.close();
});

test('garbage on the port mapper closes that connection only', async () => {
  assert.is((await raw(Buffer.from('this is not a request\n'))).length, 0);
  const huge = Buffer.from([0xff, 0xff, 120]);
  assert.is((await raw(huge)).length, 0, 'a request longer than the mapper reads');
  assert.is((await raw(Buffer.from([0, 1, 42]))).length, 0, 'an unknown request');
  assert.is((await raw(Buffer.from([0, 3, 120, 0, 1]))).length, 0, 'a registration cut short');
  const reg = await register('dora@vm', 7777, mapper.port);
  assert.equal((await names(mapper.port)).names, [['dora', 7777]]);
  reg.close();
});

test('names print the way epmd -names does', () => {
  assert.is(
    formatNames(4369, [['bob', 41237], ['alice', 40001]]),
    'epmd: up and running on port 4369 with data:\nname bob at port 41237\nname alice at port 40001',
  );
});

test('a node that finds no port mapper starts one, detached, that outlives the registration', async () => {
  const port = await freePort();
  const err = await names(port).catch((e: unknown) => e);
  assert.is((err as EpmdError).code, 'ERR_EPMD_UNREACHABLE');
  try {
    const reg = await register('dave@vm', 7000, port);
    const pid = portMapperPid(port, home);
    assert.ok(pid !== undefined && pid !== process.pid, 'it runs in a process of its own and says so in its PID file');
    assert.equal((await names(port)).names, [['dave', 7000]]);
    reg.close();
    await eventually(async () => assert.equal((await names(port)).names, []));
  } finally {
    await killPortMapper(port, home);
  }
});

test('a detached port mapper exits once no node has been connected for its idle time', async () => {
  const port = await freePort();
  const saved = process.env.PLAYGROUND_EPMD_IDLE_MS;
  process.env.PLAYGROUND_EPMD_IDLE_MS = '600';
  try {
    const reg = await register('erin@vm', 7001, port);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await names(port)).names, [['erin', 7001]], 'a registered node keeps it running');
    reg.close();
    await eventually(async () => {
      const err = await names(port).catch((e: unknown) => e);
      assert.is((err as EpmdError).code, 'ERR_EPMD_UNREACHABLE');
    }, { timeout: 5000, interval: 100 });
    assert.is(portMapperPid(port, home), undefined, 'its PID file goes with it');
  } finally {
    if (saved === undefined) delete process.env.PLAYGROUND_EPMD_IDLE_MS;
    else process.env.PLAYGROUND_EPMD_IDLE_MS = saved;
    await killPortMapper(port, home);
  }
});

testOrSkip(BEAM_MISSING, "Erlang's epmd lists the playground's names, and -kill stops an empty mapper", async () => {
  const reg = await register('fred@vm', 7002, mapper.port);
  try {
    assert.is(await epmdCommand(mapper.port, '-names'), `epmd: up and running on port ${mapper.port} with data:\nname fred at port 7002\n`);
    assert.match(await epmdCommand(mapper.port, '-kill'), /not allowed/i, 'not while a node is registered');
  } finally {
    reg.close();
  }
  await eventually(async () => assert.equal((await names(mapper.port)).names, []));
  const own = await startPortMapper(0);
  assert.match(await epmdCommand(own.port, '-kill'), /Killed/);
  await own.closed;
});

testOrSkip(BEAM_MISSING, "a playground node registers with Erlang's epmd, beside an Erlang node that sees it", async () => {
  const c = await startCluster();
  const epmd = await startEpmd(c.epmdPort);
  let beam: BeamNode | undefined;
  try {
    const reg = await register('gus@vm', 7003, c.epmdPort);
    beam = await BeamNode.start(c, 'hal');
    const listed = await epmdCommand(c.epmdPort, '-names');
    assert.match(listed, /name gus at port 7003/);
    assert.match(listed, /name hal at port \d+/);
    assert.is((await locate(`hal@${HOST}`, c.epmdPort))?.wire, 'erlang');
    assert.is((await locate(`gus@${HOST}`, c.epmdPort))?.wire, 'playground');
    assert.match(await beam.eval(':net_adm.names()'), /\{'gus', 7003\}/);
    reg.close();
  } finally {
    await beam?.kill();
    await epmd.stop();
    await c.stop();
  }
});

testOrSkip(BEAM_MISSING, "an Erlang node registers with the playground's port mapper, which lists it", async () => {
  const c = await startCluster();
  let beam: BeamNode | undefined;
  try {
    const own = await c.local('ivy');
    beam = await BeamNode.start(c, 'jay');
    const listed = (await names(c.epmdPort)).names.map(([n]) => n).sort();
    assert.equal(listed, ['ivy', 'jay']);
    assert.is((await locate(`jay@${HOST}`, c.epmdPort))?.wire, 'erlang');
    assert.match(await beam.eval(':net_adm.names()'), /\{'ivy', \d+\}/);
    await beam.kill();
    await eventually(async () => assert.equal((await names(c.epmdPort)).names.map(([n]) => n), ['ivy']));
    assert.ok(own.port > 0);
  } finally {
    await beam?.kill();
    await c.stop();
  }
});

test("the port mapper's port: PLAYGROUND_EPMD_PORT, else ERL_EPMD_PORT as Erlang reads it, else epmd's own 4369", () => {
  assert.is(epmdPort({}), 4369);
  assert.is(epmdPort({ ERL_EPMD_PORT: '14369' }), 14369);
  assert.is(epmdPort({ PLAYGROUND_EPMD_PORT: '14370', ERL_EPMD_PORT: '14369' }), 14370);
  assert.is(epmdPort({ PLAYGROUND_EPMD_PORT: '', ERL_EPMD_PORT: '14369' }), 14369, 'empty is unset');
  assert.is(epmdPort({ PLAYGROUND_EPMD_PORT: 'x', ERL_EPMD_PORT: '99999' }), 4369, 'what is no port is ignored');
});

test('with only ERL_EPMD_PORT set, a node registers there, and --names and --help say so', async () => {
  const c = await startCluster();
  try {
    // Only Erlang's variable: PLAYGROUND_EPMD_PORT empty is unset.
    const env = { PLAYGROUND_EPMD_PORT: '', ERL_EPMD_PORT: String(c.epmdPort) };
    await c.start(['--sname', 'kim', '--discovery', 'none', '--no-greet'], { env });
    const listed = await c.run(['--names'], { env });
    assert.is(listed.code, 0);
    assert.match(listed.stdout, new RegExp(`^epmd: up and running on port ${c.epmdPort} with data:\nname kim at port \\d+\n$`));
    const help = await c.run(['--help']);
    assert.match(help.stdout, /^ {2}PLAYGROUND_EPMD_PORT +.*\(default ERL_EPMD_PORT, else 4369\)\.$/m);
    assert.match(help.stdout, /^ {2}ERL_EPMD_PORT +\S/m);
  } finally {
    await c.stop();
  }
});

for (const first of ['elixir', 'playground'] as const) {
  testOrSkip(BEAM_MISSING, `an Elixir node and a playground node given only ERL_EPMD_PORT meet, ${first} first`, async () => {
    const c = await startCluster();
    const env = { PLAYGROUND_EPMD_PORT: '', ERL_EPMD_PORT: String(c.epmdPort) };
    // Elixir first: Erlang's own epmd answers, as the one iex starts would.
    const epmd = first === 'elixir' ? await startEpmd(c.epmdPort) : null;
    let beam: BeamNode | undefined;
    try {
      if (epmd) beam = await BeamNode.start(c, 'lea');
      const bob = await c.start(['--sname', 'bob', '--discovery', 'none', '--no-greet'], { env });
      beam ??= await BeamNode.start(c, 'lea');
      assert.is(await beam.eval(`Node.connect(:"bob@${HOST}")`), 'true');
      assert.is((await ask(bob, 'list()')).trim(), `[ 'lea@${HOST}' ]`);
      assert.match(await epmdCommand(c.epmdPort, '-names'), /name bob at port \d+\n(.|\n)*name lea|name lea at port \d+\n(.|\n)*name bob/);
    } finally {
      await beam?.kill();
      await epmd?.stop();
      await c.stop();
    }
  });
}

test.run();
