// In-browser training, the release build under /mnist/ in headless Chromium, by the Web Worker of
// /train. Prints medians of BENCH_RUNS fresh pages (default 3) and lists every run.
//
//   node e2e/bench_train.mjs      (after `trunk build --release --public-url /mnist/`)
//   BENCH_TRAIN=b1|default|both   (default both)
//
// B1: 784-100-10 (ReLU, softmax + cross-entropy), SGD lr 0.1, batch 32, one epoch of the 60,000
// training digits. "default": the page's own defaults (the link `/train` with no settings), to the
// end of the run, for the test accuracy they reach.
//
// Per run: "epoch" is the worker's own `train:epoch` measure (performance.measure inside the
// worker, from the epoch's first batch to the end of its last one, including the page's default
// measurements — a layer probe every 100 steps, a 1,000-digit test estimate every 100, a snapshot
// every 200 — and the end-of-epoch accuracy over the 10,000 test digits; the train accuracy is counted during the epoch);
// "Start→Finished" is the page's view (clicked Start → status says Finished, polled every 50 ms);
// "longest task" is the longest main-thread task the page saw while training (a
// PerformanceObserver of `longtask` entries, which Chromium reports for tasks over 50 ms; 0 when
// none was that long); "memory" is the page's memory line at the end (the worker's
// WebAssembly.Memory length and the snapshots' bytes) and the page's JS heap
// (performance.memory.usedJSHeapSize).
import { launchBrowser, startSite, openPage, appUrl } from './lib.mjs';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const WHICH = process.env.BENCH_TRAIN ?? 'both';
const SCENARIOS = [
  {
    key: 'b1',
    title: 'B1 784-100-10 ReLU/softmax-CE, SGD lr 0.1, batch 32, 1 epoch of 60,000, in the worker',
    link: 'train?hidden=100&act=relu&out=softmax&loss=ce&opt=sgd&lr=0.1&batch=32&epochs=1&subset=all',
  },
  {
    key: 'default',
    title: "The page's defaults (the link /train), to the end of the run",
    link: 'train',
  },
].filter((s) => WHICH === 'both' || WHICH === s.key);
const WAIT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 900000);

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** In the page: whether the status line matches the pattern `source`. */
const statusMatches = (source) => new RegExp(source).test(
  document.querySelector('[data-testid="train-status"]')?.textContent ?? '');

async function oneRun(browser, site, link) {
  const { context, page } = await openPage(browser);
  try {
    await page.goto(appUrl(site, link));
    await page.waitForFunction(statusMatches, '^Ready', { timeout: WAIT_MS });
    await page.evaluate(() => {
      window.benchLongest = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.benchLongest = Math.max(window.benchLongest, e.duration);
      }).observe({ type: 'longtask' });
    });
    const t0 = Date.now();
    await page.getByTestId('train-start').click();
    await page.waitForFunction(statusMatches, '^Finished', { timeout: WAIT_MS, polling: 50 });
    const wall = Date.now() - t0;
    const [worker] = page.workers();
    const epochs = await worker.evaluate(
      () => performance.getEntriesByName('train:epoch').map((e) => e.duration));
    const status = await page.getByTestId('train-status').innerText();
    const longest = await page.evaluate(() => window.benchLongest);
    const memory = await page.getByTestId('train-memory').innerText();
    const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
    const accuracy = Number(/test accuracy: ([\d.]+) %/.exec(status)?.[1]);
    // Reports whose handling took ≥ 16 ms on the page (src/app/trainer.rs).
    const slow = await page.evaluate(() => performance.getEntriesByType('measure')
      .filter((m) => m.name.startsWith('train:report:'))
      .map((m) => `${m.name.slice(13)} ${Math.round(m.duration)} ms`));
    return { epochs, wall, status, longest, memory, heap, accuracy, slow };
  } finally {
    await context.close();
  }
}

const site = await startSite();
const browser = await launchBrowser();
try {
  const seconds = (ms) => (ms / 1000).toFixed(2);
  for (const scenario of SCENARIOS) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await oneRun(browser, site, scenario.link));
    console.log(`${scenario.title} (${scenario.link})`);
    console.log(`  median first epoch (worker's train:epoch): ${seconds(median(runs.map((r) => r.epochs[0])))} s`);
    console.log(`  median Start→Finished (page):              ${seconds(median(runs.map((r) => r.wall)))} s`);
    console.log(`  median test accuracy at the end:           ${median(runs.map((r) => r.accuracy)).toFixed(2)} %`);
    console.log(`  median longest main-thread task:           ${median(runs.map((r) => r.longest)).toFixed(0)} ms`);
    runs.forEach((r, i) => console.log(
      `  run ${i + 1}: epochs ${r.epochs.map(seconds).join(', ')} s, Start→Finished ${seconds(r.wall)} s, `
      + `longest task ${r.longest.toFixed(0)} ms, slow reports [${r.slow.join(', ')}], page JS heap ${(r.heap / 1e6).toFixed(1)} MB — ${r.memory} — ${r.status}`));
  }
} finally {
  await browser.close();
  await site.close();
}
