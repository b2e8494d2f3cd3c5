/**
 * The live page, in a real headless Chromium, with three nodes as separate OS processes
 * (`bench/support/peer.ts`, booted as the playground boots), `webbencha` serving the
 * page, and this process's node driving them:
 * - `web_update_ms`: a pg join on webbenchc until the page's DOM on webbencha shows it.
 *   The group name carries the time of the join request; a MutationObserver in the
 *   page notes when it appears (one clock: the same machine). Median of 30, the joins
 *   `PAUSE_MS` apart.
 * - `web_page_kb`: everything the page loads (document, script, style sheet, as
 *   transferred, headers included), the event stream aside.
 * - `web_overhead_pct`: `local_send_msgs_per_s` on the serving node with a page open
 *   against none: how much slower, best of seven rounds each, rounds interleaved (the
 *   best, since a busy host only ever slows a round down).
 */
import { _, receive, self, send } from '../src/index.ts';
import { startCluster } from '../test/support/cluster.ts';
import { chromiumMissing, openBrowser } from '../test/support/browser.ts';
import { percentile, report } from './report.ts';
import { on } from './support/nodes.ts';

const missing = chromiumMissing();
if (missing) {
  process.stderr.write(`bench: web.bench.ts needs a browser: ${missing}\n`);
  process.exit(0);
}

const now = () => performance.timeOrigin + performance.now();
const PEER = { script: 'bench/support/peer.ts', ready: 'ready' };
/** Between two joins, as a person makes changes: each is measured alone, not queued behind the last. */
const PAUSE_MS = 100;
/** How long a newly opened page is left to settle: the figure is the cost of a page kept open. */
const SETTLE_MS = 1000;

const cluster = await startCluster();
const browser = await openBrowser();
try {
  const a = await cluster.start(['--sname', 'webbencha', '--web'], PEER);
  const url = (await a.waitFor(/http:\S+/)).trim();
  const [b, c] = await cluster.startAll([['--sname', 'webbenchb'], ['--sname', 'webbenchc']], PEER);
  const driver = await cluster.local('webbench');
  for (const n of [a, b!, c!]) if (!(await driver.connect(n.name!))) throw new Error(`cannot connect to ${n.name}`);
  const shown = async (count: number) => {
    const open = await browser.newPage();
    await open.goto(url);
    await open.waitForFunction((n) => document.querySelectorAll('.graph [data-node]').length === n, count);
    return open;
  };
  const page = await shown(4);
  await page.evaluate(noteGroups);

  // web_update_ms
  const samples: number[] = [];
  for (let i = 0; i < 35; i++) {
    await on(driver.runtime, async () => send(['bench', c!.name!], ['join', ['bench', i, now()]]));
    const ms = await page.waitForFunction((n) => (window as unknown as { seen: Record<number, number> }).seen[n], i, { timeout: 10_000 });
    if (i >= 5) samples.push((await ms.jsonValue()) as number);
    await page.waitForTimeout(PAUSE_MS);
  }
  report('web_update_ms', Number(percentile(samples, 50).toFixed(1)), 'ms');

  // web_page_kb
  const bytes = await page.evaluate(() => {
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')] as PerformanceResourceTiming[];
    return entries.filter((e) => !e.name.includes('/events')).reduce((n, e) => n + e.transferSize, 0);
  });
  report('web_page_kb', Number((bytes / 1024).toFixed(1)), 'KB');
  await page.close();

  // web_overhead_pct
  const localSend = () => on(driver.runtime, async () => {
    send(['bench', a.name!], ['local_send', self(), 1_000_000]);
    return (await receive(['local_send', _], { after: 30_000 }))[1] as number;
  });
  await localSend(); // warm-up
  const without: number[] = [];
  const withPage: number[] = [];
  for (let round = 0; round < 7; round++) {
    without.push(await localSend());
    const open = await shown(4);
    await open.waitForTimeout(SETTLE_MS);
    withPage.push(await localSend());
    await open.close();
  }
  const overhead = (1 - Math.max(...withPage) / Math.max(...without)) * 100;
  report('web_overhead_pct', Number(Math.max(0, overhead).toFixed(1)), '%');
} finally {
  await browser.close();
  await cluster.stop();
}

/** In the page: note when each ['bench', i, joinedAt] group appears, as ms since its join. */
function noteGroups(): void {
  const seen: Record<number, number> = {};
  (window as unknown as { seen: typeof seen }).seen = seen;
  new MutationObserver(() => {
    const at = performance.timeOrigin + performance.now();
    for (const dt of document.querySelectorAll('#groups dt')) {
      const m = /'bench', (\d+), ([\d.]+)/.exec(dt.textContent ?? '');
      if (m && seen[Number(m[1])] === undefined) seen[Number(m[1])] = at - Number(m[2]);
    }
  }).observe(document.getElementById('groups')!, { childList: true, subtree: true });
}
