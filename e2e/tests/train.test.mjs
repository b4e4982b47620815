// The training page (/train) in headless Chromium under /mnist/: a short run in the Web Worker
// (start, status and both charts update; Pause stops the batch counter; Step adds exactly one
// batch; Resume trains on; Reset returns to idle), the test set's confusion matrix and its
// galleries, bad settings in the link, and a worker that dies is reported and can be restarted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { appUrl, alertText, DIST, readLabels, waitForCount, TRAIN_TIMEOUT_MS, waitForStatus } from '../lib.mjs';
import { testSite, assertNoConsoleErrors, assertNoPanic } from '../fixture.mjs';

const app = testSite(assertNoConsoleErrors);
const { withPage } = app;

/** A short run: 2,000 digits in batches of 50 = 40 batches an epoch. */
const SHORT_RUN = 'train?hidden=32&batch=50&epochs=1&subset=2000';
/** A run long enough to pause in the middle of (5 epochs of 60,000 digits in batches of 10: 30,000 batches, many seconds). */
const LONG_RUN = 'train?hidden=32&batch=10&epochs=5&subset=60000';

const status = (page) => page.getByTestId('train-status').innerText();

/** The number after "batches done:" in the status line. */
async function batchesDone(page) {
  const text = await status(page);
  const m = /batches done: ([\d,]+)/.exec(text);
  assert.ok(m, `no batch count in the status "${text}"`);
  return Number(m[1].replace(/,/g, ''));
}


/** Paths drawn in a chart with at least one segment (an "L"). */
function drawnLines(page, testid) {
  return page.locator(`[data-testid="${testid}"] path.series`).evaluateAll(
    (paths) => paths.filter((p) => /L/.test(p.getAttribute('d') ?? '')).length,
  );
}

async function openAndStart(page, link) {
  await page.goto(appUrl(app.site, link));
  await waitForStatus(page, /^Ready/);
  const start = page.getByTestId('train-start');
  assert.equal(await start.isEnabled(), true);
  await start.click();
}

test('a short run trains in the worker: status, loss and accuracy charts update', async () => {
  await withPage(async (page) => {
    await openAndStart(page, SHORT_RUN);
    const done = await waitForStatus(page, /^Finished/);
    assert.match(done, /Epoch 1 of 1/);
    assert.equal(await batchesDone(page), 40);
    // 40 batches of a 784-32-10 network: better than chance by far on the test set.
    const accuracy = Number(/test accuracy: ([\d.]+) %/.exec(done)?.[1]);
    assert.ok(accuracy > 50, `test accuracy ${accuracy} % after one epoch`);
    assert.equal(await drawnLines(page, 'loss-chart'), 2, 'raw and smoothed loss drawn');
    // One epoch: the epoch points are single points; the estimate has no point before step
    // 100, so the accuracy chart shows the epoch's train and test accuracy in its table.
    const rows = await page.locator('[data-testid="accuracy-chart"] tbody tr').allInnerTexts();
    assert.ok(rows.some((r) => /test \(epoch\)\s+40\s+[\d.]+ %/.test(r)), rows.join(' | '));
    assert.equal(
      await page.locator('[data-testid="accuracy-chart"] circle.dot').count(), 2,
      'the epoch\'s train and test accuracy are drawn as dots',
    );
    assert.ok(
      (await page.locator('[data-testid="loss-chart"] tbody tr').count()) >= 40,
      'the loss table lists the batches',
    );
    // The finished run can be started again; Pause and Step are off.
    assert.equal(await page.getByTestId('train-pause').isDisabled(), true);
    assert.equal(await page.getByTestId('train-start').isEnabled(), true);
  });
});

/** The test set's true labels, by index. */
const TEST_LABELS = readLabels('t10k');
/** Digits a cell's gallery shows at most (core::training::confusion::GALLERY_CAP). */
const GALLERY_CAP = 100;

/** Every cell of the confusion matrix: true and predicted label, the count shown, its label. */
function matrixCells(page) {
  return page.locator('[data-testid="confusion-matrix"] button[data-true][data-pred]').evaluateAll(
    (buttons) => buttons.map((b) => ({
      t: Number(b.dataset.true),
      p: Number(b.dataset.pred),
      count: Number(b.textContent.trim()),
      label: b.getAttribute('aria-label'),
    })),
  );
}

test('the confusion matrix sums to the evaluated test set, and a cell opens exactly its digits', async () => {
  await withPage(async (page) => {
    await openAndStart(page, SHORT_RUN);
    const done = await waitForStatus(page, /^Finished/);
    await page.getByTestId('confusion-matrix').waitFor();
    const summary = await page.getByTestId('confusion-summary').innerText();
    assert.match(summary, /after epoch 1:/);
    const evaluated = Number(/([\d,]+) digits evaluated/.exec(summary)?.[1].replace(/,/g, ''));
    assert.equal(evaluated, TEST_LABELS.length, summary);

    const cells = await matrixCells(page);
    assert.equal(cells.length, 100);
    assert.equal(new Set(cells.map((c) => `${c.t},${c.p}`)).size, 100, 'each cell once');
    assert.ok(cells.every((c) => c.t <= 9 && c.p <= 9 && Number.isInteger(c.count)));
    const total = cells.reduce((sum, c) => sum + c.count, 0);
    assert.equal(total, evaluated, 'the cells sum to the digits evaluated');
    // Each row holds every test digit of its true label.
    for (let t = 0; t < 10; t += 1) {
      const row = cells.filter((c) => c.t === t).reduce((sum, c) => sum + c.count, 0);
      assert.equal(row, TEST_LABELS.filter((l) => l === t).length, `row ${t}`);
    }
    // The diagonal over the total is the accuracy shown, and the epoch's test accuracy that
    // the worker measured on its own pass (the status line).
    const diagonal = cells.filter((c) => c.t === c.p).reduce((sum, c) => sum + c.count, 0);
    const shown = Number(/accuracy ([\d.]+) %/.exec(summary)?.[1]);
    assert.ok(Math.abs((100 * diagonal) / total - shown) <= 0.05 + 1e-9, `${diagonal}/${total} vs ${shown} %`);
    assert.match(summary, new RegExp(`${diagonal.toLocaleString('en-US')} right`));
    const epochAccuracy = Number(/test accuracy: ([\d.]+) %/.exec(done)?.[1]);
    assert.ok(Math.abs(epochAccuracy - shown) <= 0.1 + 1e-9, `status ${epochAccuracy} % vs matrix ${shown} %`);
    // The count is in the cell's words too, not only in its shade.
    for (const c of cells) {
      const words = c.count === 1 ? '1 digit' : `${c.count} digits`;
      const right = c.t === c.p ? ', correct' : '';
      assert.equal(c.label, `true ${c.t}, predicted ${c.p}: ${words}${right}`);
    }

    // The largest mistake: its gallery holds digits of that true label only, as many as counted.
    const mistake = cells.filter((c) => c.t !== c.p && c.count > 0)
      .sort((a, b) => b.count - a.count)[0];
    assert.ok(mistake, 'a short run still gets some test digits wrong');
    const button = page.locator(
      `[data-testid="confusion-matrix"] button[data-true="${mistake.t}"][data-pred="${mistake.p}"]`,
    );
    await button.click();
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    const gallery = page.getByTestId('confusion-gallery');
    const links = gallery.locator('a[data-index]');
    const expected = Math.min(mistake.count, GALLERY_CAP);
    await waitForCount(links, expected);
    const indices = await links.evaluateAll((as) => as.map((a) => Number(a.dataset.index)));
    assert.equal(new Set(indices).size, indices.length, 'no digit twice');
    for (const i of indices) {
      assert.equal(TEST_LABELS[i], mistake.t, `test digit ${i} in the gallery of true ${mistake.t}`);
    }
    assert.equal(await gallery.locator('a[data-index] canvas').count(), expected);
    const more = mistake.count - expected;
    if (more > 0) assert.match(await gallery.innerText(), new RegExp(`and ${more.toLocaleString('en-US')} more`));
    else assert.doesNotMatch(await gallery.innerText(), /more/);
    assert.match(await gallery.locator('h3').innerText(),
      new RegExp(`Labelled ${mistake.t}, predicted ${mistake.p}: `));

    // A digit of the gallery leads to its digit page.
    const first = indices[0];
    await links.first().click();
    await page.waitForURL((url) => url.pathname === `/mnist/data/mnist/test/${first}`);
    assert.equal((await page.getByTestId('digit-index').innerText()).trim(), String(first));
    assert.equal((await page.getByTestId('digit-label').innerText()).trim(), String(mistake.t));
  });
});

test('Pause stops the batch counter, Step adds one batch, Resume goes on, Reset returns to idle', async () => {
  await withPage(async (page) => {
    await openAndStart(page, LONG_RUN);
    await waitForStatus(page, /batches done: [1-9]/);
    // The status and the loss chart move while training.
    const early = await batchesDone(page);
    await page.waitForFunction(
      (n) => Number(/batches done: ([\d,]+)/.exec(
        document.querySelector('[data-testid="train-status"]').textContent)?.[1].replace(/,/g, '')) > n,
      early,
    );
    assert.ok((await drawnLines(page, 'loss-chart')) >= 1);

    await page.getByTestId('train-pause').click();
    await waitForStatus(page, /^Paused/);
    const paused = await batchesDone(page);
    await page.waitForTimeout(500);
    assert.equal(await batchesDone(page), paused, 'the counter moved while paused');

    await page.getByTestId('train-step').click();
    await waitForStatus(page, new RegExp(`batches done: ${paused + 1}\\b`));
    await page.waitForTimeout(500);
    assert.equal(await batchesDone(page), paused + 1, 'Step trains exactly one batch');
    assert.match(await status(page), /^Paused/);

    await page.getByTestId('train-resume').click();
    await waitForStatus(page, /^Training/);
    await page.waitForFunction(
      (n) => Number(/batches done: ([\d,]+)/.exec(
        document.querySelector('[data-testid="train-status"]').textContent)?.[1].replace(/,/g, '')) > n + 5,
      paused + 1,
    );

    await page.getByTestId('train-reset').click();
    await waitForStatus(page, /^Ready/);
    assert.doesNotMatch(await status(page), /batches done/);
    assert.equal(await drawnLines(page, 'loss-chart'), 0, 'the loss chart is empty again');
    assert.equal(await page.getByTestId('train-start').isEnabled(), true);
    assert.equal(await page.getByTestId('train-reset').isDisabled(), true);
  });
});

test('the page stays responsive while the worker trains', async () => {
  await withPage(async (page) => {
    await openAndStart(page, LONG_RUN);
    await waitForStatus(page, /^Training · .*batches done: [1-9]/);
    // The main thread answers at once: no frame waits on a batch.
    const lag = await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      setTimeout(() => resolve(performance.now() - t0), 0);
    }));
    assert.ok(lag < 100, `a 0 ms timer waited ${lag} ms`);
    assert.match(await page.getByTestId('train-speed').innerText(), /samples\/s/);
    await page.getByTestId('train-pause').click();
    await waitForStatus(page, /^Paused/);
  });
});

const BAD_LINKS = [
  ['train?lr=-1', /lr="-1".*greater than 0/],
  ['train?opt=nope', /opt="nope".*sgd, momentum or adam/],
  ['train?batch=0', /batch="0"/],
  ['train?hidden=100000', /hidden="100000"/],
  ['train?epochs=1000000', /epochs="1000000".*1 to 100/],
];

for (const [link, message] of BAD_LINKS) {
  test(`a bad setting in the link (${link}) is named and nothing starts`, async () => {
    await withPage(async (page) => {
      await page.goto(appUrl(app.site, link));
      assert.match(await alertText(page), message);
      assert.equal(await page.getByTestId('train-start').isDisabled(), true);
      // Fixing it in the form rewrites the address and enables Start.
      const setting = /train\?(\w+)=/.exec(link)[1];
      const field = page.locator(`[name="${setting}"]`);
      const good = { lr: '0.01', opt: 'sgd', batch: '32', hidden: '32', epochs: '1' }[setting];
      if (await field.evaluate((el) => el.tagName === 'SELECT')) {
        await field.selectOption(good);
      } else {
        await field.fill(good);
        await field.press('Enter');
        await field.blur();
      }
      await page.waitForURL((url) => url.searchParams.get(setting) === good);
      assert.equal(await page.locator('[role="alert"]').count(), 0);
      await page.getByTestId('train-start').waitFor();
      assert.equal(await page.getByTestId('train-start').isEnabled(), true);
    });
  });
}

test('a worker that dies is reported, and a restarted one trains again', async () => {
  // The worker's own uncaught error is in the console on purpose here: only check for panics.
  const { onFreshPage } = await import('../fixture.mjs');
  await onFreshPage(app.browser, async (page) => {
    await openAndStart(page, LONG_RUN);
    await waitForStatus(page, /batches done: [1-9]/);
    // The page has received some weights (it asks for them about once a second).
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="weight-heatmaps"]')?.dataset.step) > 0,
      null, { timeout: TRAIN_TIMEOUT_MS },
    );
    const [worker] = page.workers();
    assert.ok(worker, 'the page runs a worker');
    // An uncaught error inside the worker, as a crash or an out-of-memory abort would throw.
    await worker.evaluate(() => setTimeout(() => { throw new Error('killed by the test'); }, 0));
    assert.match(await alertText(page), /training worker stopped.*killed by the test/);
    assert.match(await status(page), /^Stopped/);
    assert.equal(await page.getByTestId('train-start').isDisabled(), true);
    // What the run showed is kept: its charts and its last weights.
    const lastStep = await page.getByTestId('weight-heatmaps').getAttribute('data-step');
    assert.ok(Number(lastStep) > 0);
    assert.equal(await drawnLines(page, 'loss-chart'), 2);

    await page.getByTestId('train-restart').click();
    await waitForStatus(page, /^Ready/);
    assert.equal(await page.getByTestId('weight-heatmaps').getAttribute('data-step'), lastStep,
      'the restarted worker does not drop the last weights the page holds');
    await page.getByTestId('train-start').click();
    await waitForStatus(page, /^Training · .*batches done: [1-9]/);
    assert.equal(await page.locator('[role="alert"]').count(), 0);
    await page.getByTestId('train-pause').click();
    await waitForStatus(page, /^Paused/);
  }, assertNoPanic);
});

test('the worker is loaded by URLs versioned with its files\' hash (no stale worker after a deploy)', async () => {
  await withPage(async (page) => {
    const requested = [];
    page.context().on('request', (r) => requested.push(new URL(r.url())));
    await page.goto(appUrl(app.site, 'train'));
    await waitForStatus(page, /^Ready/);
    // The version is what scripts/post_build.sh computed from the built files.
    const hash = createHash('sha256');
    for (const file of ['train_worker_loader.js', 'train_worker.js', 'train_worker_bg.wasm']) {
      hash.update(readFileSync(path.join(DIST, file)));
    }
    const version = hash.digest('hex').slice(0, 16);
    const meta = await page.locator('meta[name="mnist-train-worker"]').getAttribute('content');
    assert.equal(meta, `train_worker_loader.js?v=${version}`);
    for (const file of ['train_worker_loader.js', 'train_worker.js', 'train_worker_bg.wasm']) {
      const url = requested.find((u) => u.pathname === `/mnist/${file}`);
      assert.ok(url, `${file} was not requested under /mnist/`);
      assert.equal(url.searchParams.get('v'), version, `${file} requested without the version`);
    }
    // The worker fetched the data from the site's sub-path, as the page told it.
    assert.ok(requested.some((u) => u.pathname === '/mnist/data/mnist/train-images-idx3-ubyte.gz'));
  });
});
