// The network visualizer: the graph for a sample, deep links to a layer and a neuron, the sample
// switch (keys and links), keyboard navigation, a bad model upload, and bad links — which must end
// in a role="alert" message, never a panic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appUrl, alertText, readLabels, waitForCount, measures,
} from '../lib.mjs';
import {
  testSite, onFreshPage, assertNoPanic, assertNoConsoleErrors,
} from '../fixture.mjs';

const labels = readLabels('t10k');
const app = testSite(assertNoPanic);
/** Runs `body` on a fresh page; fails when the app threw or panicked. */
const { withPage } = app;

const GRAPH = 'svg[data-testid="network-graph"]';

/** Waits for the graph; returns [layer, neuron count] of every drawn layer, in order. */
async function layerWidths(page) {
  await page.locator(`${GRAPH} g[data-layer="0"] [data-neuron]`).first().waitFor({ state: 'attached' });
  return page.locator(`${GRAPH} g[data-layer]`).evaluateAll((gs) =>
    gs.map((g) => [Number(g.getAttribute('data-layer')), g.querySelectorAll('[data-neuron]').length]));
}

/** The digit in the prediction text, once it shows one. */
async function predicted(page) {
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="prediction"]')?.textContent ?? ''));
  return Number((await page.locator('[data-testid="prediction"]').innerText()).match(/\d/)[0]);
}

/** Waits until the hover/focus line names layer `l` and neuron `j`. */
function infoShows(page, l, j) {
  return page.waitForFunction(([l, j]) => new RegExp(`Layer ${l} .*neuron ${j}:`)
    .test(document.querySelector('[data-testid="neuron-info"]').textContent), [l, j]);
}

test('/network draws every layer of the model for the default test digit', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'network'));
    const widths = await layerWidths(page);
    assert.ok(widths.length >= 3, `at least input, one hidden and output layer: ${JSON.stringify(widths)}`);
    assert.deepEqual(widths.map(([l]) => l), widths.map((_, i) => i), 'one g per layer, numbered from 0');
    assert.equal(widths[0][1], 784, 'the input is the 28×28 image');
    assert.equal(widths.at(-1)[1], 10, 'ten outputs');
    for (const [, n] of widths.slice(1, -1)) assert.ok(n >= 1);
    // The default sample is test digit 0, a clear 7 that a trained model gets right.
    assert.equal(labels[0], 7);
    assert.equal(await predicted(page), 7);
    // Edges are drawn, and the legend explains them.
    assert.ok(await page.locator(`${GRAPH} .edges path`).count() > 0, 'edges drawn');
    assert.match(await page.locator('[data-testid="legend"]').innerText(), /positive.*negative/s);
    // A text description for screen readers names the prediction.
    const desc = await page.locator('#network-description').textContent();
    assert.match(desc, /predicted as 7/);
    const first = await measures(page, 'network-first-paint');
    assert.ok(first[0] > 0);
    assert.equal(await page.locator('[role="alert"]').count(), 0);
  });
});

test('/network downloads the model and the test split once each, starting before the app runs', async () => {
  await withPage(async (page) => {
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(appUrl(app.site, 'network?sample=mnist/test/5'));
    await layerWidths(page);
    await measures(page, 'network-first-paint');
    const count = (file) => requests.filter((p) => p.endsWith(file)).length;
    for (const file of ['data/models/default.mnn', 'data/mnist/t10k-images-idx3-ubyte.gz', 'data/mnist/t10k-labels-idx1-ubyte.gz']) {
      assert.equal(count(file), 1, `${file} requested once (the preload is reused): ${requests.join(' ')}`);
    }
    // The preloads start while the wasm downloads, not after the app has started.
    const starts = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('resource')
      .map((e) => [e.name.split('/').pop(), e.startTime])));
    const wasm = Object.entries(starts).find(([n]) => n.endsWith('.wasm'))[1];
    // The app's own download of the split starts where the measure fetch:mnist/test starts.
    const appFetch = (await measures(page, 'fetch:mnist/test')).length
      && await page.evaluate(() => performance.getEntriesByName('fetch:mnist/test', 'measure')[0].startTime);
    assert.ok(starts['default.mnn'] < appFetch && starts['t10k-images-idx3-ubyte.gz'] < appFetch,
      `downloads start (${starts['default.mnn']}, ${starts['t10k-images-idx3-ubyte.gz']} ms) before the app asks (${appFetch} ms; wasm at ${wasm} ms)`);
  });
});

test('the edge-count control changes how many connections are drawn', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'network?sample=mnist/test/0'));
    const gaps = (await layerWidths(page)).length - 1;
    const drawn = () => page.locator(`${GRAPH} .edges path`).evaluateAll((ps) =>
      ps.reduce((sum, p) => sum + Number(p.getAttribute('data-count')), 0));
    const before = await drawn();
    await page.locator('[data-testid="edge-count"]').fill('20');
    await page.waitForFunction((b) => {
      const ps = [...document.querySelectorAll('svg[data-testid="network-graph"] .edges path')];
      return ps.reduce((s, p) => s + Number(p.getAttribute('data-count')), 0) < b;
    }, before);
    const after = await drawn();
    assert.ok(after <= 20 * gaps, `at most 20 per gap, saw ${after}`);
    assert.ok(after > 0);
  });
});

test('a sample deep link shows that digit; ← and → switch samples and update the prediction', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'network?sample=mnist/test/1'));
    await layerWidths(page);
    assert.match(await page.locator('[data-testid="sample"]').innerText(), /digit 1 of/);
    assert.equal(await predicted(page), labels[1]);
    const fillsOf = () => page.locator(`${GRAPH} g[data-layer="1"] [data-neuron]`).evaluateAll((els) =>
      els.map((e) => e.getAttribute('fill')).join());
    const fills1 = await fillsOf();
    // The input layer is one 28×28 canvas (under transparent hover/focus pixels) painted with the digit.
    const inkOf = () => page.locator(`${GRAPH} g[data-layer="0"] canvas`).evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const dark = [];
      for (let k = 0; k < d.length; k += 4) if (d[k] < 128) dark.push(k / 4);
      return { size: [c.width, c.height], dark: dark.join() };
    });
    const ink1 = await inkOf();
    assert.deepEqual(ink1.size, [28, 28]);
    assert.ok(ink1.dark.split(',').length > 20, 'the digit is drawn in the input image');

    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/sample=mnist\/test\/2$/);
    await page.waitForFunction(() => /digit 2 of/.test(document.querySelector('[data-testid="sample"]').textContent));
    assert.equal(await predicted(page), labels[2]);
    assert.notEqual(await fillsOf(), fills1, 'activations changed');
    assert.notEqual((await inkOf()).dark, ink1.dark, 'the input image shows the new digit');
    const renders = await measures(page, 'network-render');
    assert.ok(renders.length >= 1 && renders.every((d) => d >= 0));

    await page.keyboard.press('ArrowLeft');
    await page.waitForURL(/sample=mnist\/test\/1$/);
    await page.waitForFunction(() => /digit 1 of/.test(document.querySelector('[data-testid="sample"]').textContent));
    assert.equal(await fillsOf(), fills1, 'back to the same activations');
    assert.equal((await inkOf()).dark, ink1.dark, 'back to the same input image');

    await page.locator('[data-testid="next-sample"]').click();
    await page.waitForURL(/sample=mnist\/test\/2$/);
  });
});

test('the network\'s good paths log no console errors', async () => {
  await onFreshPage(app.browser, async (page) => {
    await page.goto(appUrl(app.site, 'network?sample=mnist/test/3'));
    await page.locator('[data-testid="prediction"]').waitFor();
    await page.keyboard.press('ArrowRight');
    await measures(page, 'network-render');
    await page.goto(appUrl(app.site, 'network/layer/2'));
    await page.locator(GRAPH).waitFor();
    await page.goto(appUrl(app.site, 'network/layer/1/neuron/7'));
    await page.locator('[data-testid="top-digit"]').first().waitFor();
  }, assertNoConsoleErrors);
});

test('the digit page links to that digit in the network', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/mnist/test/1234'));
    await page.getByRole('link', { name: /see it in the network/i }).click();
    await page.waitForURL(/\/network\?sample=mnist\/test\/1234$/);
    await layerWidths(page);
    await page.waitForFunction(() => /digit 1234 of/.test(document.querySelector('[data-testid="sample"]')?.textContent ?? ''));
  });
});

test('/network/layer/1 focuses the layer and lists its values', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'network/layer/1?sample=mnist/test/0'));
    const widths = await layerWidths(page);
    const detail = page.locator('[data-testid="layer-detail"]');
    await detail.waitFor();
    assert.match(await detail.locator('h2').innerText(), /Layer 1/);
    await waitForCount(detail.locator('tbody tr'), widths[1][1]);
    // Each row links to its neuron page.
    await detail.locator('tbody tr a').nth(3).click();
    await page.waitForURL(/\/network\/layer\/1\/neuron\/3\?sample=mnist\/test\/0$/);
    await page.locator('[data-testid="neuron-detail"]').waitFor();
  });
});

test('/network/layer/1/neuron/7 shows the neuron, its 28×28 weights and its top test digits', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'network/layer/1/neuron/7'));
    await layerWidths(page);
    const detail = page.locator('[data-testid="neuron-detail"]');
    await detail.waitFor();
    assert.match(await detail.locator('h2').innerText(), /Layer 1.*neuron 7/);
    const values = await detail.locator('[data-testid="neuron-values"]').innerText();
    assert.match(values, /activation a = -?\d/);
    assert.match(values, /pre-activation z = -?\d/);
    assert.match(values, /bias = -?\d/);
    assert.equal(await detail.locator('[data-testid="weight-heatmap"] rect').count(), 784);
    // The same weights as numbers, 28 rows of 28, matching the heatmap's titles.
    const table = detail.getByTestId('weight-table');
    assert.equal(await table.locator('tr').count(), 28);
    assert.equal(await table.locator('td').count(), 784);
    const title = await detail.locator('[data-testid="weight-heatmap"] rect').nth(30).locator('title').textContent();
    const cell = await table.locator('tr').nth(1).locator('td').nth(2).textContent();
    const w = Number(title.match(/w = (-?[\d.]+)/)[1]);
    assert.ok(Math.abs(Number(cell) - w) <= 0.00051, `pixel 30 is row 1, column 2: ${cell} vs ${w}`);
    // The ranking runs over the 10,000 test digits once.
    const top = detail.locator('[data-testid="top-digit"]');
    await waitForCount(top, 12, 60000);
    const indices = await top.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))));
    assert.equal(new Set(indices).size, 12);
    assert.ok(indices.every((i) => i >= 0 && i < 10000));
    const acts = await top.evaluateAll((els) => els.map((e) => Number(e.textContent.match(/a = (-?[\d.]+)/)[1])));
    assert.deepEqual(acts, [...acts].sort((a, b) => b - a), 'strongest first');
  });
});

test('the output layer and the input layer have neuron pages too', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'network'));
    const last = (await layerWidths(page)).length - 1;
    await page.goto(appUrl(app.site, `network/layer/${last}/neuron/9?sample=mnist/test/0`));
    const detail = page.locator('[data-testid="neuron-detail"]');
    await detail.waitFor();
    assert.match(await detail.locator('h2').innerText(), new RegExp(`Layer ${last} \\(output\\), neuron 9`));
    await page.goto(appUrl(app.site, 'network/layer/0/neuron/350'));
    await detail.waitFor();
    assert.match(await detail.locator('[data-testid="neuron-values"]').innerText(), /row 12, column 14/);
  });
});

test('hovering and the keyboard show a neuron’s z, a and bias', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'network?sample=mnist/test/0'));
    await layerWidths(page);
    const info = page.locator('[data-testid="neuron-info"]');
    await page.locator(`${GRAPH} g[data-layer="2"] [data-neuron="1"]`).hover({ force: true });
    await infoShows(page, 2, 1);
    assert.match(await info.innerText(), /z = -?\d.*a = -?\d.*bias = -?\d/);

    // Keyboard: from the graph, ↓ moves to the next neuron of the layer, → to the next layer.
    await page.mouse.move(0, 0);
    await page.locator(GRAPH).focus();
    const [l0, j0] = (await info.innerText()).match(/Layer (\d+).*neuron (\d+):/).slice(1).map(Number);
    await page.keyboard.press('ArrowDown');
    await infoShows(page, l0, j0 + 1);
    assert.equal(await page.evaluate(() => document.activeElement.id), `nn-${l0}-${j0 + 1}`, 'DOM focus moved');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((l) => new RegExp(`Layer ${l + 1} `)
      .test(document.querySelector('[data-testid="neuron-info"]').textContent), l0);
    assert.match(page.url(), /sample=mnist\/test\/0$/, 'arrows inside the graph do not switch samples');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/network/layer/${l0 + 1}/neuron/\\d+`));
  });
});

test('a file that is not a model gives an alert and keeps the current model', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'network?sample=mnist/test/0'));
    const widths = await layerWidths(page);
    await page.locator('[data-testid="model-upload"]').setInputFiles({
      name: 'broken.mnn', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all'),
    });
    const text = await alertText(page);
    assert.match(text, /broken\.mnn/);
    assert.deepEqual(await layerWidths(page), widths);
    assert.equal(await predicted(page), 7);
  });
});

const BAD_LINKS = [
  ['network/layer/99', /layer/i],
  ['network/layer/abc', /layer/i],
  ['network/layer/-1', /layer/i],
  ['network/layer/1/neuron/100000', /neuron/i],
  ['network/layer/1/neuron/x', /neuron/i],
  ['network?sample=mnist/test/10000', /9,?999/],
  ['network?sample=mnist/test/abc', /sample|dataset\/split\/index/i],
  ['network?sample=nope/test/1', /nope|dataset/i],
];

for (const [link, helpful] of BAD_LINKS) {
  test(`a bad network link (${link}) explains what is wrong`, async () => {
    await withPage(async (page) => {
      await page.goto(appUrl(app.site, link));
      const text = await alertText(page);
      assert.match(text, helpful, `alert text: ${text}`);
    });
  });
}
