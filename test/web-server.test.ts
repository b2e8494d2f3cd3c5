/**
 * The live page's server over real HTTP, at real nodes: it answers only what a page
 * needs and refuses the rest with a short reason (a foreign Host, a write, a bad pid),
 * the node keeps running through it, agents collect only while a page is open, and
 * beyond loopback every data route needs the token printed at start (checked from a
 * second network namespace, the only place a test listens beyond loopback).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { startCluster, type Cluster, type NodeProcess } from './support/cluster.ts';
import { ask } from './support/prompt.ts';
import { eventually } from './support/eventually.ts';
import { testOrSkip } from './support/skip.ts';
import { createHosts, namespacesUnavailable } from './support/netns.ts';
import type { Model } from '../src/web/view.ts';

const WAIT = { timeout: 15_000 };

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to 127.0.0.1:port; for an event stream, the body up to its first model. */
function get(port: number, path: string, opts: { method?: string; host?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { host: opts.host ?? `127.0.0.1:${port}`, ...opts.headers };
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
        if (/event: model\ndata: .*\n\n/.test(body)) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${path}`)));
    req.end();
  });
}

/** An open event stream, and the models it has carried so far. */
function stream(port: number): { models: string[]; close(): void } {
  const models: string[] = [];
  const req = request({ host: '127.0.0.1', port, path: '/events' }, (res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => {
      buffer += d;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const m = /^event: model\ndata: (.*)$/s.exec(buffer.slice(0, end));
        if (m) models.push(m[1]!);
        buffer = buffer.slice(end + 2);
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return { models, close: () => req.destroy() };
}

let cluster: Cluster;
let alice: NodeProcess;
let bob: NodeProcess;
let port: number;

test.before(async () => {
  cluster = await startCluster();
  alice = await cluster.start(['--sname', 'alice', '--web', '--heartbeat', '200', '--no-greet']);
  port = Number((await alice.waitFor(/live page: http:\/\/127\.0\.0\.1:\d+\//, WAIT)).match(/:(\d+)\/$/)![1]);
  bob = await cluster.start(['--sname', 'bob', '--heartbeat', '200', '--no-greet']);
});

test.after(async () => {
  await cluster?.stop();
});

test('the page and its two files, each with the headers that keep it inert', async () => {
  const page = await get(port, '/');
  assert.is(page.status, 200);
  assert.match(page.body, /<script defer src="\/app\.js"><\/script>/);
  assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
  assert.is(page.headers['x-content-type-options'], 'nosniff');
  const js = await get(port, '/app.js');
  assert.is(js.status, 200);
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  assert.ok(js.body.includes('EventSource'), 'the bundled page script');
  assert.is((await get(port, '/app.css')).status, 200);
  const head = await get(port, '/', { method: 'HEAD' });
  assert.is(head.status, 200);
  assert.is(head.body, '');
});

test('a foreign Host, another site\'s page, a write, an unknown path and a bad pid are refused with a reason; the node runs on', async () => {
  const rebound = await get(port, '/events', { host: 'attacker.example' });
  assert.is(rebound.status, 403);
  assert.match(rebound.body, /127\.0\.0\.1 and localhost only/);
  const crossSite = await get(port, '/events', { headers: { 'sec-fetch-site': 'cross-site' } });
  assert.is(crossSite.status, 403);
  assert.match(crossSite.body, /another site's page may not read this one/);
  const write = await get(port, '/api/process', { method: 'POST' });
  assert.is(write.status, 405);
  assert.is(write.headers.allow, 'GET, HEAD');
  assert.is((await get(port, '/../etc/passwd')).status, 404);
  const bad = await get(port, '/api/process?pid=%3Cscript%3E');
  assert.is(bad.status, 400);
  assert.match(bad.body, /pid expects a key such as alice@vm\/1\/42\. Got: "<script>"/);
  assert.is((await get(port, '/api/process?pid=nobody@nowhere/1/1')).status, 404);
  assert.is((await get(port, '/events', { host: `localhost:${port}` })).status, 200);
  assert.is(await ask(alice, '1 + 1'), '2\n');
});

test("one process's info from another node, every term as text", async () => {
  await ask(bob, "register('box', spawn(async function box() { await receive('never') })); send('box', ['hello', self()])");
  const page = stream(port);
  let key: string;
  try {
    key = await eventually(() => {
      const found = page.models.map((m) => /"key":"(bob@[^"]+)","name":"box"/.exec(m)?.[1]).find(Boolean);
      assert.ok(found, 'box in a model');
      return found!;
    }, WAIT);
  } finally {
    page.close();
  }
  const info = await get(port, `/api/process?pid=${encodeURIComponent(key)}`);
  assert.is(info.status, 200);
  const details = JSON.parse(info.body) as { pid: string; node: string; rows: Array<[string, string]> };
  assert.match(details.node, /^bob@/);
  const rows = Object.fromEntries(details.rows);
  assert.is(rows['Registered name'], 'box');
  assert.is(rows['Message queue length'], '1');
  assert.match(rows.Messages!, /\[ 'hello', #PID<\d+\.\d+\.0> \]/);
});

test('agents collect only while a page is open', async () => {
  const watchers = "processInfo(whereis('web_agent')).monitors.length";
  assert.is(await ask(bob, watchers), '0\n');
  const page = stream(port);
  try {
    await eventually(() => assert.ok(page.models.some((m) => m.includes('"name":"bob@')), 'a model with bob'), WAIT);
    assert.is(await ask(bob, watchers), '1\n', "bob's agent watches the page's hub");
  } finally {
    page.close();
  }
  await eventually(async () => assert.is(await ask(bob, watchers), '0\n'), WAIT);
  await eventually(async () => assert.is(await ask(alice, watchers), '0\n'), WAIT);
});

test('a node that went down while no page was open shows as down on the next page', async () => {
  const dan = await cluster.start(['--sname', 'dan', '--heartbeat', '200', '--no-greet']);
  const status = (models: string[]) => {
    const last = models.at(-1);
    return last ? (JSON.parse(last) as Model).nodes.find((n) => n.name === dan.name)?.status : undefined;
  };
  const first = stream(port);
  try {
    await eventually(() => assert.is(status(first.models), 'up'), WAIT);
  } finally {
    first.close();
  }
  await dan.kill('SIGKILL');
  await eventually(async () => assert.not.match(await ask(alice, 'list()'), /dan@/), WAIT);
  const second = stream(port);
  try {
    await eventually(() => assert.is(status(second.models), 'down'), WAIT);
  } finally {
    second.close();
  }
});

test('a bad --web-port or --web-host is a usage error that names the flag', async () => {
  const port = await cluster.run(['--sname', 'x', '--web-port', '70000']);
  assert.is(port.code, 2);
  assert.match(port.output, /--web-port expects a port below 65536\. Got: "70000"/);
  const host = await cluster.run(['--sname', 'x', '--web-host', '<script>']);
  assert.is(host.code, 2);
  assert.match(host.output, /--web-host expects an address such as 0\.0\.0\.0 or 192\.168\.1\.10\. Got: "<script>"/);
});

const noNamespaces = namespacesUnavailable();

testOrSkip(noNamespaces, 'beyond loopback, the data routes need the token printed at start', async () => {
  const hosts = createHosts();
  const c = await startCluster();
  try {
    const node = await c.start(['--sname', 'teacher', '--web-host', hosts.a.address, '--discovery', 'none'], {
      wrap: ['ip', 'netns', 'exec', hosts.a.ns], ready: /live page: http\S+token=\S+/,
    });
    const url = /live page: (http\S+)/.exec(node.output)![1]!;
    assert.match(url, new RegExp(`^http://${hosts.a.address.replace(/\./g, '\\.')}:\\d+/\\?token=[\\w-]{20,}$`));
    assert.match(node.output, /anyone with this address, token included, can watch the cluster/);
    const base = url.replace(/\?token=.*$/, '');
    const token = url.replace(/^.*\?token=/, '');
    const status = async (path: string) => (await fetchFrom(hosts.b.ns, base + path)).split(' ')[0];
    assert.is(await status(''), '200', 'the page itself carries no data');
    assert.is(await status('events'), '401');
    assert.is(await status(`events?token=${token.slice(1)}x`), '401');
    assert.match(await fetchFrom(hosts.b.ns, `${base}events?token=${token}`), /^200 event: model/);
  } finally {
    await c.stop();
    hosts.remove();
  }
});

/** GET `url` from inside namespace `ns`: "status first-line-of-an-event-or-body". */
async function fetchFrom(ns: string, url: string): Promise<string> {
  const script = `
    const ac = new AbortController();
    const res = await fetch(process.argv[1], { signal: ac.signal });
    const reader = res.body.getReader();
    let text = '';
    while (!/\\n\\n/.test(text)) { const { value, done } = await reader.read(); if (done) break; text += new TextDecoder().decode(value); }
    ac.abort();
    process.stdout.write(res.status + ' ' + (text.split('\\n').find((l) => l.startsWith('event:')) ?? ''));`;
  const { stdout } = await promisify(execFile)('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', script, url], { timeout: 15_000 });
  return stdout.trim();
}

test.run();
