import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from 'node:net';
import { startPortMapper, formatNames, type PortMapper } from '../src/node/epmd.ts';
import { register, lookup, names, EpmdError } from '../src/node/epmd-client.ts';
import { eventually } from './support/eventually.ts';
import { freePort, killPortMapper } from './support/cluster.ts';

let mapper: PortMapper;

test.before(async () => {
  mapper = await startPortMapper(0);
});
test.after(async () => {
  await mapper.close();
});

test('a registered name can be looked up and listed; a taken name is refused', async () => {
  const reg = await register('bob@vm', 41237, mapper.port);
  try {
    assert.is(await lookup('bob@vm', mapper.port), 41237);
    assert.is(await lookup('nobody@vm', mapper.port), null);
    const reply = await names(mapper.port);
    assert.equal(reply.names, [['bob@vm', 41237]]);
    assert.is(reply.pid, process.pid);
    const err = await register('bob@127.0.0.1', 1, mapper.port).catch((e: unknown) => e);
    assert.instance(err, EpmdError);
    assert.is((err as EpmdError).code, 'ERR_NAME_TAKEN');
    assert.match((err as Error).message, /bob is already in use/);
  } finally {
    reg.close();
  }
});

test('a registration asking for look-ups on an address that is not this machine\'s gets a warning, and nothing listens', async () => {
  const reg = await register('ann@192.0.2.7', 41238, mapper.port, '192.0.2.7');
  try {
    assert.match(reg.warning!, /answers look-ups only on this machine's own addresses, not on 192\.0\.2\.7/);
    assert.is(await lookup('ann@192.0.2.7', mapper.port), 41238, 'the name is registered all the same');
  } finally {
    reg.close();
  }
});

test('closing the registering connection frees the name', async () => {
  const reg = await register('carol@vm', 5555, mapper.port);
  reg.close();
  await reg.lost;
  await eventually(async () => assert.is(await lookup('carol@vm', mapper.port), null));
  const again = await register('carol@vm', 5556, mapper.port);
  again.close();
});

test('garbage on the port mapper closes that connection only', async () => {
  const reply = await new Promise<string>((resolve, reject) => {
    const s = connect(mapper.port, '127.0.0.1', () => s.write('this is not json\n'));
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d) => (text += d));
    s.on('close', () => resolve(text));
    s.on('error', reject);
  });
  assert.match(reply, /"error":"not a request"/);
  const long = await new Promise<string>((resolve, reject) => {
    const s = connect(mapper.port, '127.0.0.1', () => s.write('x'.repeat(5000)));
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d) => (text += d));
    s.on('close', () => resolve(text));
    s.on('error', reject);
  });
  assert.match(long, /too long/);
  assert.equal((await names(mapper.port)).names, []);
});

test('names print the way epmd -names does', () => {
  assert.is(
    formatNames(4370, [['bob@vm', 41237], ['alice@127.0.0.1', 40001]]),
    'epmd: up and running on port 4370 with data:\nname bob at port 41237\nname alice at port 40001',
  );
});

test('a node that finds no port mapper starts one, detached, that outlives the registration', async () => {
  const port = await freePort();
  const err = await names(port).catch((e: unknown) => e);
  assert.is((err as EpmdError).code, 'ERR_EPMD_UNREACHABLE');
  let pid: number | undefined;
  try {
    const reg = await register('dave@vm', 7000, port);
    const reply = await names(port);
    pid = reply.pid;
    assert.is.not(pid, process.pid);
    assert.equal(reply.names, [['dave@vm', 7000]]);
    reg.close();
    await eventually(async () => assert.equal((await names(port)).names, []));
  } finally {
    await killPortMapper(port, pid);
  }
});

test('a detached port mapper exits once no node has been connected for its idle time', async () => {
  const port = await freePort();
  const saved = process.env.PLAYGROUND_EPMD_IDLE_MS;
  process.env.PLAYGROUND_EPMD_IDLE_MS = '600';
  try {
    const reg = await register('erin@vm', 7001, port);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await names(port)).names, [['erin@vm', 7001]], 'a registered node keeps it running');
    reg.close();
    await eventually(async () => {
      const err = await names(port).catch((e: unknown) => e);
      assert.is((err as EpmdError).code, 'ERR_EPMD_UNREACHABLE');
    }, { timeout: 5000, interval: 100 });
  } finally {
    if (saved === undefined) delete process.env.PLAYGROUND_EPMD_IDLE_MS;
    else process.env.PLAYGROUND_EPMD_IDLE_MS = saved;
    // Only a mapper that still answers (its pid may be another process's by now).
    await killPortMapper(port);
  }
});

test.run();
