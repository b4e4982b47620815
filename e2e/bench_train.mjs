// B1, in-browser training: 784-100-10 (ReLU, softmax + cross-entropy), SGD lr 0.1, batch 32, one
// epoch of the 60,000 training digits, trained by the Web Worker of /train in headless Chromium
// (release build under /mnist/). Prints the median of BENCH_RUNS fresh pages (default 3) and
// lists every run.
//
//   node e2e/bench_train.mjs      (after `trunk build --release --public-url /mnist/`)
//
// Per run: "epoch" is the worker's own `train:epoch` measure (performance.measure inside the
// worker, from the epoch's first batch to the end of its last one, including the page's default
// measurements — a layer probe every 50 steps, a 1,000-digit test estimate every 100, a snapshot
// every 200 — and the end-of-epoch accuracy over the 60,000 training and 10,000 test digits);
// "Start→Finished" is the page's view (clicked Start → status says Finished, polled every 50 ms).
import { launchBrowser, startSite, openPage, appUrl } from './lib.mjs';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const LINK = 'train?hidden=100&act=relu&out=softmax&loss=ce&opt=sgd&lr=0.1&batch=32&epochs=1&subset=all';
const WAIT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600000);

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** In the page: whether the status line matches the pattern `source`. */
const statusMatches = (source) => new RegExp(source).test(
  document.querySelector('[data-testid="train-status"]')?.textContent ?? '');

async function oneRun(browser, site) {
  const { context, page } = await openPage(browser);
  try {
    await page.goto(appUrl(site, LINK));
    await page.waitForFunction(statusMatches, '^Ready', { timeout: WAIT_MS });
    const t0 = Date.now();
    await page.getByTestId('train-start').click();
    await page.waitForFunction(statusMatches, '^Finished', { timeout: WAIT_MS, polling: 50 });
    const wall = Date.now() - t0;
    const [worker] = page.workers();
    const epoch = await worker.evaluate(
      () => performance.getEntriesByName('train:epoch').map((e) => e.duration)[0] ?? null);
    const status = await page.getByTestId('train-status').innerText();
    return { epoch, wall, status };
  } finally {
    await context.close();
  }
}

const site = await startSite();
const browser = await launchBrowser();
try {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await oneRun(browser, site));
  const seconds = (ms) => (ms / 1000).toFixed(2);
  console.log(`B1 784-100-10 ReLU/softmax-CE, SGD lr 0.1, batch 32, 1 epoch of 60,000, in the worker (${LINK})`);
  console.log(`  median epoch (worker's train:epoch): ${seconds(median(runs.map((r) => r.epoch)))} s`);
  console.log(`  median Start→Finished (page):        ${seconds(median(runs.map((r) => r.wall)))} s`);
  runs.forEach((r, i) => console.log(
    `  run ${i + 1}: epoch ${seconds(r.epoch)} s, Start→Finished ${seconds(r.wall)} s — ${r.status}`));
} finally {
  await browser.close();
  await site.close();
}
