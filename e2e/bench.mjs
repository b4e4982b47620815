// The browser benchmark: opens the release build (served under /mnist/ like GitHub Pages) in
// headless Chromium and prints each figure next to its target. Reads the app's performance
// measures (see docs/CONTRACTS.md); a measure or page that does not exist yet prints "n/a".
//
//   node e2e/bench.mjs            (after `trunk build --release --public-url /mnist/`)
//   BENCH_RUNS=5 BENCH_FLIPS=20 BENCH_JSON=out.json node e2e/bench.mjs
// Every cold-load figure is the median of BENCH_RUNS fresh loads (default 3; each run is also
// listed), because a single load on a shared machine varies by a quarter either way.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { launchBrowser, startSite, openPage, appUrl, gridIndices, measures, measuresNow, DIST } from './lib.mjs';

const FLIPS = Number(process.env.BENCH_FLIPS ?? 20);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const WAIT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 60000);

/** The issues' targets: [figure, unit, limit] — the figure passes when it is at most the limit. */
const TARGETS = {
  decodeTest: ['browser gunzip+decode t10k (decode:mnist/test)', 'ms', 60],
  decodeTrain: ['browser gunzip+decode train (decode:mnist/train)', 'ms', 300],
  fetchTest: ['browser fetch t10k, both files (fetch:mnist/test)', 'ms', null],
  firstGrid: ['navigation → first grid page painted, cold cache (first-grid-paint)', 'ms', 400],
  fashionFirstGrid: ['Fashion-MNIST: navigation → first grid page painted, cold cache', 'ms', 400],
  flip: [`page flip, median of ${FLIPS} → flips (grid-paint)`, 'ms', 8],
  networkFirst: ['network page first paint (network-first-paint)', 'ms', 500],
  networkSwitch: ['network sample switch, median (network-render)', 'ms', 16],
  bundle: ['app bundle gzip -9 (html+js+wasm+css, data and training worker excluded)', 'KB', 300],
  worker: ['training worker gzip -9 (train_worker*, loaded by /train only)', 'KB', null],
};

function median(values) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs one measurement; a missing page/measure or a timeout gives null ("n/a") and a note. */
async function attempt(label, fn, notes) {
  try {
    return await fn();
  } catch (err) {
    notes.push(`${label}: ${String(err.message ?? err).split('\n')[0]}`);
    return null;
  }
}

/** Cold-cache load of Fashion-MNIST's test grid: its first paint. */
async function fashionGridLoad(browser, site) {
  const { context, page } = await openPage(browser);
  try {
    await page.goto(appUrl(site, 'data/fashion-mnist/test'));
    await gridIndices(page);
    const first = await measures(page, 'first-grid-paint', 1, WAIT_MS);
    return { fashionFirstGrid: first[0] };
  } finally {
    await context.close();
  }
}

/** Cold-cache load of the test grid: fetch, decode and first paint. */
async function gridLoad(browser, site) {
  const { context, page } = await openPage(browser);
  try {
    await page.goto(appUrl(site, 'data/mnist/test'));
    await gridIndices(page);
    const first = await measures(page, 'first-grid-paint', 1, WAIT_MS);
    const decode = await measuresNow(page, 'decode:mnist/test');
    const fetched = await measuresNow(page, 'fetch:mnist/test');
    return { firstGrid: first[0], decodeTest: decode[0] ?? null, fetchTest: fetched[0] ?? null };
  } finally {
    await context.close();
  }
}

/** Median grid-paint of FLIPS page flips with the → key. */
async function pageFlips(browser, site) {
  const { context, page } = await openPage(browser);
  try {
    await page.goto(appUrl(site, 'data/mnist/test'));
    await gridIndices(page);
    await measures(page, 'first-grid-paint', 1, WAIT_MS);
    const before = (await measuresNow(page, 'grid-paint')).length;
    for (let i = 1; i <= FLIPS; i++) {
      await page.locator('body').press('ArrowRight');
      await measures(page, 'grid-paint', before + i, WAIT_MS / 4);
    }
    const all = await measuresNow(page, 'grid-paint');
    return median(all.slice(before));
  } finally {
    await context.close();
  }
}

/** gunzip + decode of the training set, opened by visiting its grid. */
async function trainDecode(browser, site) {
  const { context, page } = await openPage(browser);
  try {
    await page.goto(appUrl(site, 'data/mnist/train'));
    return (await measures(page, 'decode:mnist/train', 1, WAIT_MS))[0];
  } finally {
    await context.close();
  }
}

/** Client-side navigation the way the router sees a link click: pushState + popstate. */
function softNavigate(page, url) {
  return page.evaluate((u) => {
    history.pushState(null, '', u);
    dispatchEvent(new PopStateEvent('popstate', { state: null }));
  }, url);
}

/** Network page: first paint, then the median re-render over a few sample switches. */
async function network(browser, site) {
  const { context, page } = await openPage(browser);
  try {
    await page.goto(appUrl(site, 'network?sample=mnist/test/0'));
    const first = (await measures(page, 'network-first-paint', 1, WAIT_MS))[0];
    const before = (await measuresNow(page, 'network-render')).length;
    const switches = 10;
    for (let i = 1; i <= switches; i++) {
      await softNavigate(page, appUrl(site, `network?sample=mnist/test/${i}`));
      await measures(page, 'network-render', before + i, WAIT_MS / 4);
    }
    const all = await measuresNow(page, 'network-render');
    return { networkFirst: first, networkSwitch: median(all.slice(before)) };
  } finally {
    await context.close();
  }
}

/** The training worker's files: only /train starts it, so they are not part of every page's load. */
const WORKER_FILE = /^train_worker/;

/** Sum of gzip -9 sizes of the app files in dist (html, js, wasm, css) that `pick` selects by
 *  name; data/ is excluded. */
function bundleKB(dir, pick = (name) => !WORKER_FILE.test(name)) {
  let total = 0;
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) {
        if (path.relative(dir, p) !== 'data') walk(p);
      } else if (/\.(html|js|mjs|wasm|css)$/.test(name) && name !== '404.html' && pick(name)) {
        total += gzipSync(readFileSync(p), { level: 9 }).length;
      }
    }
  };
  walk(dir);
  return total / 1000; // KB = 1000 bytes, the stricter reading of the target
}

function formatLine(key, value) {
  const [what, unit, limit] = TARGETS[key];
  const shown = value == null ? 'n/a' : `${value.toFixed(1)} ${unit}`;
  const target = limit == null ? '(no target)' : `target ≤ ${limit} ${unit}`;
  const verdict = value == null || limit == null ? '' : value <= limit ? '  ok' : '  MISSED';
  return `${what.padEnd(72)} ${shown.padStart(12)}   ${target}${verdict}`;
}

const notes = [];
const results = {};
const site = await startSite();
const browser = await launchBrowser();
const chromiumVersion = browser.version();
/** Every figure of each run, by key, for the medians and the listing of runs. */
const runs = {};
function keep(figures) {
  for (const [key, value] of Object.entries(figures ?? {})) {
    if (value != null) (runs[key] ??= []).push(value);
  }
}
try {
  // The cold loads take turns, so that a burst of load on the machine weighs on all alike.
  for (let r = 0; r < RUNS; r++) {
    keep(await attempt('grid load', () => gridLoad(browser, site), notes));
    keep(await attempt('fashion grid load', () => fashionGridLoad(browser, site), notes));
    keep({ decodeTrain: await attempt('train', () => trainDecode(browser, site), notes) });
    keep(await attempt('network', () => network(browser, site), notes));
  }
  results.flip = await attempt('page flips', () => pageFlips(browser, site), notes);
  for (const [key, values] of Object.entries(runs)) results[key] = median(values);
} finally {
  await browser.close();
  await site.close();
}
results.bundle = await attempt('bundle', () => bundleKB(DIST), notes);
results.worker = await attempt('worker', () => bundleKB(DIST, (name) => WORKER_FILE.test(name)), notes);

console.log(`browser benchmark (Chromium ${chromiumVersion}, release build in ${DIST})`);
console.log(`cold-load figures: median of ${RUNS} fresh loads each (runs listed below)`);
for (const key of Object.keys(TARGETS)) console.log(formatLine(key, results[key] ?? null));
for (const [key, values] of Object.entries(runs)) {
  console.log(`  runs of ${key}: ${values.map((v) => v.toFixed(1)).join(' / ')}`);
}
for (const note of notes) console.log(`  n/a because ${note}`);
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ ...results, runs }, null, 2));
