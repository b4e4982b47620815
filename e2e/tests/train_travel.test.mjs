// Time travel on /train in headless Chromium under /mnist/: after a short run the scrubber holds
// the worker's snapshots; moving it back shows the weights of that moment (the first-layer
// heatmaps change, the charts get a cursor at that step, the confusion matrix is the one of
// those weights), and "Back to now" returns to the live weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUrl, TRAIN_TIMEOUT_MS, waitForStatus } from '../lib.mjs';
import { testSite, assertNoConsoleErrors } from '../fixture.mjs';

const app = testSite(assertNoConsoleErrors);
const { withPage } = app;

/** 2 epochs of 2,000 digits in batches of 50: 40 batches an epoch, 80 in all; snapshots at
 * steps 0, 40 (epoch 1) and 80 (epoch 2). */
const RUN = 'train?hidden=20&batch=50&epochs=2&subset=2000&seed=3';
const TIMEOUT_MS = TRAIN_TIMEOUT_MS;

const heatmaps = (page) => page.getByTestId('weight-heatmaps');

async function waitForAttr(locator, name, value) {
  await locator.page().waitForFunction(
    ([el, n, v]) => el?.getAttribute(n) === v,
    [await locator.elementHandle(), name, value],
    { timeout: TIMEOUT_MS },
  );
}

const pixels = (page) => heatmaps(page).evaluate((c) => c.toDataURL());

const summary = (page) => page.getByTestId('confusion-summary').innerText();

test('scrubbing back shows the weights, the matrix and the chart cursor of that moment', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, RUN));
    await waitForStatus(page, /^Ready/);
    await page.getByTestId('train-start').click();
    await waitForStatus(page, /^Finished/);
    const scrubber = page.getByTestId('snapshot-scrubber');
    // The snapshots 0, 40, 80 and "now".
    await page.waitForFunction(
      () => document.querySelector('[data-testid="snapshot-scrubber"]')?.max === '3',
      null, { timeout: TIMEOUT_MS },
    );
    assert.equal(await scrubber.inputValue(), '3');
    assert.match(await page.getByTestId('scrub-label').innerText(), /^Now: batch 80 · 3 snapshots held/);
    // The live (final) weights: 20 units in 10 columns of 28 px with 2 px gaps → 298 × 58.
    await waitForAttr(heatmaps(page), 'data-step', '80');
    assert.equal(await heatmaps(page).getAttribute('width'), '298');
    assert.equal(await heatmaps(page).getAttribute('height'), '58');
    const now = await pixels(page);
    assert.match(await summary(page), /after epoch 2:/);
    const nowAccuracy = Number(/accuracy ([\d.]+) %/.exec(await summary(page))[1]);
    assert.equal(await page.locator('.chart-cursor').count(), 0, 'no cursor at "now"');
    // What the run holds: the worker's memory as the browser reports it, and the snapshots'
    // bytes (3 snapshots of 784·20 + 20 + 20·10 + 10 = 15,910 parameters, 4 bytes each).
    assert.match(await page.getByTestId('train-memory').innerText(),
      /^Worker memory: \d+\.\d MB · snapshots: 3, 0\.2 MB of 67\.1 MB$/);

    // Back to the initial weights (step 0).
    await scrubber.fill('0');
    await waitForAttr(heatmaps(page), 'data-step', '0');
    assert.match(await page.getByTestId('scrub-label').innerText(), /^Weights at batch 0 \(epoch 1\)/);
    const start = await pixels(page);
    assert.notEqual(start, now, 'the heatmaps show other weights');
    // Both charts mark step 0.
    const cursors = page.locator('.chart-cursor');
    await page.waitForFunction(() => document.querySelectorAll('.chart-cursor').length === 2);
    assert.deepEqual(await cursors.evaluateAll((ls) => ls.map((l) => l.dataset.step)), ['0', '0']);
    // The matrix of the untrained weights: near chance, far below the trained one.
    await page.waitForFunction(
      () => /after batch 0:/.test(document.querySelector('[data-testid="confusion-summary"]')?.textContent ?? ''),
      null, { timeout: TIMEOUT_MS },
    );
    const startAccuracy = Number(/accuracy ([\d.]+) %/.exec(await summary(page))[1]);
    assert.ok(startAccuracy < 30 && nowAccuracy > 60, `untrained ${startAccuracy} % vs trained ${nowAccuracy} %`);

    // Epoch 1's snapshot: its own matrix, between the two.
    await scrubber.fill('1');
    await waitForAttr(heatmaps(page), 'data-step', '40');
    await page.waitForFunction(
      () => /after epoch 1:/.test(document.querySelector('[data-testid="confusion-summary"]')?.textContent ?? ''),
      null, { timeout: TIMEOUT_MS },
    );
    const middle = await pixels(page);
    assert.notEqual(middle, start);
    assert.notEqual(middle, now);

    // Back to now: the final weights and matrix again, no cursor.
    await page.getByTestId('scrub-now').click();
    await waitForAttr(heatmaps(page), 'data-step', '80');
    assert.equal(await pixels(page), now, 'the same final weights, drawn the same');
    assert.match(await summary(page), /after epoch 2:/);
    assert.equal(await scrubber.inputValue(), '3');
    await page.waitForFunction(() => document.querySelectorAll('.chart-cursor').length === 0);
  });
});

test('the heatmaps follow the weights while the network trains', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'train?hidden=16&batch=10&epochs=3&subset=60000'));
    await waitForStatus(page, /^Ready/);
    await page.getByTestId('train-start').click();
    await heatmaps(page).waitFor({ timeout: TIMEOUT_MS });
    const first = Number(await heatmaps(page).getAttribute('data-step'));
    const firstPixels = await pixels(page);
    // A later request (about once a second) brings later weights.
    await page.waitForFunction(
      ([s]) => Number(document.querySelector('[data-testid="weight-heatmaps"]')?.dataset.step) > s,
      [first], { timeout: TIMEOUT_MS },
    );
    assert.notEqual(await pixels(page), firstPixels);
    await page.getByTestId('train-pause').click();
  });
});
