/**
 * The live page in a real headless Chromium, with three real nodes: alice serves the
 * page (`--web`), bob and carol are its peers. The page lists the three nodes and their
 * links; a process registered on bob appears in bob's list; a pg join on carol shows
 * under its group; terms that carry `<script>` or `<img onerror>` show as text and run
 * nothing; a supervisor started at a prompt is drawn as a tree; a partition shows as
 * cut links and its heal brings the node back; a bogus view is ignored; a seqTrace is
 * drawn as a sequence diagram; a workshop's roster opened at alice's prompt appears with
 * bob's lesson, step, hint, error and raised hand, and a node refused for its cookie (an
 * error and a hand that carry markup show as text); a kill -9 of carol shows it down,
 * its member gone and its roster row gone; the page says when its own node is gone.
 * Screenshots go to test-artifacts/ (git-ignored).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { HOST, ROOT, startCluster, type Cluster, type NodeProcess } from './support/cluster.ts';
import { ask } from './support/prompt.ts';
import { testOrSkip } from './support/skip.ts';
import { chromiumMissing, openBrowser } from './support/browser.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const WAIT = { timeout: 15_000 };
const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((n) => `${n}@${HOST}`) as [string, string, string, string];

/** Payloads that would run if the page ever wrote HTML; each sets a flag the test reads. */
const IMG = '<img src=x onerror="window.__xss = 1; alert(1)">';
const SCRIPT = '<script>window.__xss = 2; alert(2)</script>';

let cluster: Cluster;
let browser: Browser | null = null;
let page: Page;
let nodes: Record<string, NodeProcess>;
const dialogs: string[] = [];
const cspReports: string[] = [];

test.before(async () => {
  if (chromiumMissing()) return;
  cluster = await startCluster();
  const common = ['--heartbeat', '200', '--no-greet'];
  const a = await cluster.start(['--sname', 'alice', '--web', ...common]);
  const url = (await a.waitFor(/live page: (http:\S+)/, WAIT)).replace(/^live page: /, '');
  const [b, c] = await cluster.startAll([['--sname', 'bob', ...common], ['--sname', 'carol', ...common]]);
  nodes = { alice: a, bob: b!, carol: c! };
  browser = await openBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspReports.push(m.text());
  });
  await page.goto(url);
});

test.after(async () => {
  await browser?.close();
  await cluster?.stop();
});

const why = chromiumMissing();

testOrSkip(why, 'the page lists the three nodes and the three links between them', async () => {
  for (const n of [alice, bob, carol]) await page.waitForSelector(`.graph [data-node="${n}"]`, WAIT);
  const links = [[alice, bob], [alice, carol], [bob, carol]].map(([x, y]) => [x, y].sort().join(' '));
  for (const l of links) await page.waitForSelector(`.graph [data-link="${l}"]`, WAIT);
  assert.is(await page.locator('.graph [data-link]').count(), 3);
  assert.is(await page.getAttribute(`.graph [data-node="${alice}"]`, 'data-status'), 'self');
  assert.is(await page.getAttribute(`.graph [data-node="${bob}"]`, 'data-status'), 'up');
});

testOrSkip(why, 'a process registered on bob appears in bob\'s list, and a click shows its info', async () => {
  await ask(nodes.bob!, "register('keeper', spawn(async function keeper() { await receive('never') }))");
  await page.click(`.nodes [data-node="${bob}"]`);
  await page.waitForSelector(`#node-title:has-text("${bob}")`, WAIT);
  const row = page.locator('#processes tr[data-name="keeper"]');
  await row.waitFor(WAIT);
  assert.match(await row.innerText(), /keeper\s+process keeper\s+0/);
  await row.click();
  await page.waitForSelector('#details:not([hidden]) >> text=Registered name', WAIT);
  assert.match(await page.innerText('#details'), /Registered name\s+keeper/);
});

testOrSkip(why, 'a pg join on carol shows the member under its group on alice\'s page', async () => {
  const pid = (await ask(nodes.carol!, "const m = spawn(() => receive()); pg.join('crew', m); String(m)")).trim();
  assert.match(pid, /#PID<0\.\d+\.0>/);
  const member = page.locator(`#groups dd[data-group="'crew'"] [data-member="${carol}"]`);
  await member.waitFor(WAIT);
  assert.match(await member.innerText(), /#PID<\d+\.\d+\.0>/);
});

testOrSkip(why, 'terms carrying <script> and <img onerror> render as text and run nothing', async () => {
  await ask(nodes.bob!, `send('keeper', ${JSON.stringify(IMG)}); send('keeper', ${JSON.stringify(SCRIPT)})`);
  await ask(nodes.carol!, `pg.join(${JSON.stringify(IMG)}, m)`);
  await ask(nodes.carol!, `spawn(async () => { PubSub.subscribe(${JSON.stringify(SCRIPT)}); await receive('never') })`);
  await page.locator(`#topics tr[data-topic="${SCRIPT}"]`).waitFor(WAIT);
  await page.locator('#groups dt', { hasText: IMG }).waitFor(WAIT);
  const row = page.locator('#processes tr[data-name="keeper"]');
  await page.waitForFunction(() => document.querySelector('#processes tr[data-name="keeper"] td.num')?.textContent === '2', undefined, WAIT);
  await row.click();
  await page.waitForSelector('#details >> text=Message queue length', WAIT);
  await page.waitForFunction(() => /onerror/.test(document.querySelector('#details')?.textContent ?? ''), undefined, WAIT);
  const shown = await page.innerText('#details');
  assert.ok(shown.includes(IMG) && shown.includes(SCRIPT), `both payloads shown as text:\n${shown}`);
  assert.is(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'a payload ran');
  assert.is(await page.locator('main img, main script, aside img, aside script').count(), 0, 'an element was made from a term');
  assert.equal(dialogs, [], 'an alert() ran');
  assert.equal(cspReports, [], 'something tried to run and the policy stopped it');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.click('#details button');
  await page.screenshot({ path: join(ARTIFACTS, 'web-cluster.png') });
});

testOrSkip(why, "a supervisor started at bob's prompt is drawn as a tree with its children", async () => {
  const Worker = "{ name: 'Worker', init: () => ['ok', null] }";
  await ask(nodes.bob!, `await Supervisor.start([{ id: 'w1', start: [GenServer.startLink, ${Worker}] }, { id: 'w2', start: [GenServer.startLink, ${Worker}] }], { strategy: 'one_for_one', name: 'my_sup' })`);
  const root = page.locator('#trees ul.tree > li', { has: page.locator(':scope > .leaf.supervisor', { hasText: /^my_sup$/ }) });
  await root.waitFor(WAIT);
  const children = await root.locator(':scope > ul > li > .leaf.worker').allInnerTexts();
  assert.is(children.length, 2, children.join(' | '));
  assert.match(children[0]!, /^#PID<\d+\.\d+\.0>\s+\('w1'\)$/);
  assert.match(children[1]!, /^#PID<\d+\.\d+\.0>\s+\('w2'\)$/);
});

testOrSkip(why, 'a partition shows the cut, and its heal brings carol back', async () => {
  await ask(nodes.alice!, `partition(['${carol}'])`);
  await page.waitForSelector(`.graph [data-node="${carol}"][data-status="cut"]`, WAIT);
  await page.waitForSelector(`.graph .link.cut[data-link="${[alice, carol].sort().join(' ')}"]`, WAIT);
  await page.waitForSelector(`.graph .link.cut[data-link="${[bob, carol].sort().join(' ')}"]`, WAIT);
  assert.match(await page.innerText('#partitions'), new RegExp(`Partition by ${alice}: .*✂`));
  await ask(nodes.alice!, 'heal()');
  await page.waitForSelector(`.graph [data-node="${carol}"][data-status="up"]`, WAIT);
  await page.waitForSelector(`.graph .link:not(.cut)[data-link="${[alice, carol].sort().join(' ')}"]`, WAIT);
  assert.is(await page.locator('#partitions *').count(), 0);
});

testOrSkip(why, 'a bogus view sent to the page\'s hub is ignored; the page and the node go on', async () => {
  await ask(nodes.alice!, "processes().filter((p) => processInfo(p).initialCall === 'webHub').forEach((p) => send(p, ['web_view', { node: '<b>x</b>' }]))");
  await ask(nodes.bob!, "register('after_bogus', spawn(() => receive()))");
  await page.locator('#processes tr[data-name="after_bogus"]').waitFor(WAIT);
  assert.is(await page.locator('.graph [data-node="<b>x</b>"]').count(), 0);
});

testOrSkip(why, "a seqTrace at bob's prompt is drawn on alice's page, its labels as text", async () => {
  await ask(nodes.bob!, "await GenServer.start({ init: () => ['ok', null], handleCall: (req, _from, s) => ['reply', req, s] }, null, { name: 'echo' })");
  await ask(nodes.bob!, `await seqTrace(() => GenServer.call('echo', ${JSON.stringify(SCRIPT)}))`);
  const figure = page.locator('#diagrams figure.sequence').first();
  await figure.waitFor(WAIT);
  assert.match(await figure.locator('figcaption').innerText(), new RegExp(`seqTrace on ${bob}`));
  assert.equal(await figure.locator('.lane .who').allTextContents(), ['self()', 'echo']);
  const labels = await figure.locator('.arrow').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-arrow')));
  assert.is(labels.length, 2);
  assert.match(labels[0]!, /^call '<script>window\.__xss = 2; alert\(2\)<\/script>'$/);
  assert.match(labels[1]!, /^reply /);
  assert.is(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'a payload ran');
  assert.is(await page.locator('#diagrams script').count(), 0);
});

testOrSkip(why, "a roster opened at alice's prompt shows each node's lesson, step, hints, error, hand, and who was refused", async () => {
  assert.ok(await page.locator('#roster-section').isHidden(), 'no roster before workshop()');
  await ask(nodes.alice!, 'workshop()');
  const row = (n: string) => page.locator(`#roster tr[data-node="${n}"]`);
  await row(bob).waitFor(WAIT);
  await row(carol).waitFor(WAIT);
  await ask(nodes.bob!, "lesson('genserver')");
  await page.waitForFunction((n) => document.querySelector(`#roster tr[data-node="${n}"] [data-cell="step"]`)?.textContent?.startsWith('1/14'), bob, WAIT);
  await ask(nodes.bob!, 'hint()');
  await ask(nodes.bob!, `throw new Error(${JSON.stringify(IMG)})`);
  await ask(nodes.bob!, `help(${JSON.stringify(SCRIPT)})`);
  await page.locator(`#roster [data-said="${bob}"]`).waitFor(WAIT);
  await page.locator(`#roster [data-error="${bob}"]`).waitFor(WAIT);
  const cells = await row(bob).locator('td').allInnerTexts();
  assert.is(cells[0], 'hand up');
  assert.equal(cells.slice(1, 3), [bob, 'genserver']);
  assert.match(cells[3]!, /^1\/14 \S/, 'the step and its title');
  assert.match(cells[4]!, /^\d+s$/, 'time on the step');
  assert.is(cells[5], '1', 'hints');
  assert.ok(cells[6]!.includes(`“${SCRIPT}”`) && cells[6]!.includes(`Error: ${IMG}`), `what bob said and his error, as text:\n${cells[6]}`);
  // A raised hand comes first; carol, with no lesson, after.
  assert.equal(await page.locator('#roster tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-node'))), [bob, carol]);
  assert.match(await page.innerText('#roster .count'), /^2 here · 1 hand up$/);

  // A node with another cookie that joins through alice is refused, and the roster says why.
  const d = await cluster.start(['--sname', 'dave', '--cookie', 'not-the-day', '--join', alice, '--no-greet', '--discovery', 'none']);
  await d.waitFor('refused this node', WAIT);
  await row(dave).waitFor(WAIT);
  assert.match(await row(dave).innerText(), /refused: .*cookie/);
  await d.kill();

  assert.is(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'a payload ran');
  assert.is(await page.locator('#roster img, #roster script').count(), 0, 'an element was made from a term');
  assert.equal(dialogs, [], 'an alert() ran');
  await page.screenshot({ path: join(ARTIFACTS, 'web-roster.png') });
});

testOrSkip(why, 'a kill -9 of carol shows it down on the graph, its members gone and its roster row gone', async () => {
  await nodes.carol!.kill('SIGKILL');
  await page.locator(`#roster tr[data-node="${carol}"][data-status="gone"]`).waitFor(WAIT);
  await page.waitForSelector(`.graph [data-node="${carol}"][data-status="down"]`, WAIT);
  await page.waitForSelector(`.nodes [data-node="${carol}"][data-status="down"]`, WAIT);
  await page.locator(`#groups [data-member="${carol}"]`).first().waitFor({ state: 'detached', ...WAIT });
  assert.is(await page.locator(`.graph [data-link*="${carol}"]`).count(), 0, 'links to carol are gone');
  assert.is(await page.locator(`.graph [data-link="${[alice, bob].sort().join(' ')}"]`).count(), 1);
  await page.screenshot({ path: join(ARTIFACTS, 'web-carol-down.png') });
});

testOrSkip(why, 'when the node serving the page stops, the page says it lost it', async () => {
  await nodes.alice!.kill('SIGKILL');
  await page.waitForSelector('#live [data-live="lost"]', WAIT);
  assert.match(await page.innerText('#live'), /connection lost/);
});

test.run();
