// The "Layer health" section of /train in headless Chromium under /mnist/: a ReLU run draws the
// per-layer norms, update ratio and dead-unit charts and one activation histogram per layer whose
// bars change as training goes on; a tanh run says the dead-unit fraction applies to ReLU instead
// of drawing that chart. No console errors (the fixture checks every page).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUrl, waitForCount, TRAIN_TIMEOUT_MS, waitForStatus } from '../lib.mjs';
import { testSite, assertNoConsoleErrors } from '../fixture.mjs';

const app = testSite(assertNoConsoleErrors);
const { withPage } = app;

/** 784-32-16-10 ReLU, 5 epochs of 60,000 digits in batches of 10: 30,000 batches (several seconds,
 *  paused long before the end), a probe every 100. */
const RELU_RUN = 'train?hidden=32,16&act=relu&batch=10&epochs=5&subset=60000';
/** 784-16-10 tanh, 2,000 digits in batches of 10: 200 batches, probes after 100 and 200. */
const TANH_RUN = 'train?hidden=16&act=tanh&batch=10&epochs=1&subset=2000';
const PROBE = 128;
/** Batches between probes (RunOptions::default().probe_every). */
const PROBE_EVERY = 100;


async function openAndStart(page, link) {
  await page.goto(appUrl(app.site, link));
  await waitForStatus(page, /^Ready/);
  await page.getByTestId('train-start').click();
}

/** Paths of a chart drawn with at least two points (an "L"). */
function drawnLines(page, testid) {
  return page.locator(`[data-testid="${testid}"] path.series`).evaluateAll(
    (paths) => paths.filter((p) => /L/.test(p.getAttribute('d') ?? '')).length,
  );
}

/** Waits until layer 0's latest histogram is from after batch `step` or later. */
async function waitForProbe(page, step) {
  await page.waitForFunction(
    (s) => Number(document.querySelector('[data-testid="activation-histogram"][data-layer="0"]')
      ?.getAttribute('data-step') ?? 0) >= s,
    step,
    { timeout: TRAIN_TIMEOUT_MS },
  );
}

/** Every histogram: its layer, step, bar labels and heights, and the heat strip's columns. */
function histograms(page) {
  return page.getByTestId('activation-histogram').evaluateAll((figures) => figures.map((f) => ({
    layer: f.getAttribute('data-layer'),
    step: Number(f.getAttribute('data-step')),
    labels: [...f.querySelectorAll('g.bar')].map((g) => g.getAttribute('aria-label')),
    titles: [...f.querySelectorAll('g.bar > title')].map((t) => t.textContent),
    heights: [...f.querySelectorAll('rect.bar-fill')].map((r) => r.getAttribute('height')).join(' '),
    columns: f.querySelector('canvas.heat-canvas')?.width ?? 0,
  })));
}

/** Waits until every histogram shows the last probe of the run as its status line has it (the
 *  section redraws at most twice a second, so it can be a moment behind the status). */
async function settled(page) {
  const text = await page.getByTestId('train-status').innerText();
  const done = Number(/batches done: ([\d,]+)/.exec(text)?.[1].replace(/,/g, ''));
  const probe = Math.floor(done / PROBE_EVERY) * PROBE_EVERY;
  await page.waitForFunction(
    (step) => {
      const figures = [...document.querySelectorAll('[data-testid="activation-histogram"]')];
      return figures.length > 0 && figures.every((f) => Number(f.getAttribute('data-step')) === step);
    },
    probe,
    { timeout: TRAIN_TIMEOUT_MS },
  );
  return probe;
}

async function pause(page) {
  await page.getByTestId('train-pause').click();
  await waitForStatus(page, /^Paused/);
  return settled(page);
}

test('a ReLU run charts every layer and its activation histograms change as it trains', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, RELU_RUN));
    await waitForStatus(page, /^Ready/);
    const section = page.getByTestId('layer-health');
    assert.match(await section.innerText(), /Layer health[\s\S]*Nothing measured yet/);
    await page.getByTestId('train-start').click();
    // Two probes: every line has a segment.
    await waitForProbe(page, 200);
    await pause(page);

    // Two layers and the output: weight and gradient norm each, one ratio each, dead units for
    // the two ReLU layers.
    assert.equal(await drawnLines(page, 'layer-norms-chart'), 6);
    assert.equal(await drawnLines(page, 'layer-ratio-chart'), 3);
    assert.equal(await drawnLines(page, 'layer-dead-chart'), 2);
    const legend = await page.locator('[data-testid="layer-ratio-chart"] .legend').allInnerTexts();
    assert.deepEqual(legend, ['layer 1 (32 units)', 'layer 2 (16 units)', 'output layer (10 units)']);
    assert.match(await section.innerText(), /1e-3/);
    assert.equal(await page.getByTestId('layer-dead-note').count(), 0);
    // The charts' tables list the values for screen readers.
    assert.ok((await page.locator('[data-testid="layer-ratio-chart"] tbody tr').count()) >= 6);

    const first = await histograms(page);
    assert.deepEqual(first.map((h) => h.layer), ['0', '1', '2']);
    for (const [i, h] of first.entries()) {
      assert.equal(h.labels.length, 32, `layer ${i}: one bar per bin`);
      assert.deepEqual(h.titles, h.labels, 'each bar says its value on hover');
      const counts = h.labels.map((l) => {
        const m = /^value range -?[\d.]+…-?[\d.]+: ([\d,]+) activations$/.exec(l);
        assert.ok(m, l);
        return Number(m[1].replace(/,/g, ''));
      });
      // Every activation of the probe batch is counted once.
      assert.equal(counts.reduce((a, b) => a + b, 0), PROBE * [32, 16, 10][i]);
      assert.ok(h.columns >= 2, `layer ${i}: the heat strip has a column per histogram`);
    }
    // The table of a histogram is built when opened: a row per value range.
    const details = page.locator('[data-testid="activation-histogram"][data-layer="1"] details');
    await details.locator('summary').click();
    await waitForCount(details.locator('table tbody tr'), 32);
    assert.match(await details.locator('thead').innerText(), /value range[\s\S]*after batch [\d,]+/);

    // Focus on a bar reads its value out.
    const bar = page.locator('[data-testid="activation-histogram"][data-layer="0"] g.bar').first();
    await bar.focus();
    const readout = page.locator('[data-testid="activation-histogram"][data-layer="0"] .chart-readout');
    assert.equal(await readout.innerText(), first[0].labels[0]);

    await page.getByTestId('train-resume').click();
    await waitForProbe(page, first[0].step + 200);
    await pause(page);
    const later = await histograms(page);
    for (const [i, h] of later.entries()) {
      assert.ok(h.step > first[i].step, `layer ${i}: a later histogram`);
      assert.ok(h.columns >= 2 && h.columns <= 200, `layer ${i}: ${h.columns} columns, thinned to 200 at most`);
    }
    assert.ok(
      later.some((h, i) => h.heights !== first[i].heights),
      'the histograms changed as the network trained',
    );
    await page.getByTestId('train-reset').click();
    await waitForStatus(page, /^Ready/);
    assert.equal(await page.getByTestId('activation-histogram').count(), 0, 'Reset clears the section');
  });
});

test('a tanh run says the dead-unit fraction applies to ReLU instead of drawing it', async () => {
  await withPage(async (page) => {
    await openAndStart(page, TANH_RUN);
    await waitForStatus(page, /^Finished/);
    assert.equal(await settled(page), 200);
    assert.equal(await drawnLines(page, 'layer-norms-chart'), 4);
    assert.equal(await drawnLines(page, 'layer-ratio-chart'), 2);
    assert.equal(await page.getByTestId('layer-dead-chart').count(), 0);
    const note = await page.getByTestId('layer-dead-note').innerText();
    assert.match(note, /applies to ReLU/);
    assert.match(note, /tanh/);
    const h = await histograms(page);
    assert.equal(h.length, 2);
    assert.equal(h[0].step, 200);
    // tanh's range: the first bar starts at -1.
    assert.match(h[0].labels[0], /^value range -1…/);
  });
});
