// Fashion-MNIST everywhere MNIST is, in headless Chromium under /mnist/: deep links to its grid,
// an item, its statistics, the network view and a neuron page show its class names (T-shirt/top …
// Ankle boot), the network view shows the model shipped for it, the home page and the footer offer
// and credit it, /train?data=fashion-mnist trains on it, and no page logs a console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alertText, appUrl, gridIndices, measures, readLabels, waitForCount, waitForStatus,
} from '../lib.mjs';
import { testSite, assertNoConsoleErrors } from '../fixture.mjs';

/** Fashion-MNIST's class names by label (its SOURCE.md). */
const NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
  'Bag', 'Ankle boot'];
const labels = readLabels('t10k', 'fashion-mnist');
const app = testSite(assertNoConsoleErrors);
const { withPage } = app;

const GRAPH = 'svg[data-testid="network-graph"]';
const text = (page, testid) => page.getByTestId(testid).innerText();

test('the Fashion-MNIST grid shows class names on its cells and its label filter', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/fashion-mnist/test'));
    assert.deepEqual(await gridIndices(page), Array.from({ length: 100 }, (_, i) => i));
    const cells = await page.locator('[data-testid="digit-cell"]').evaluateAll((els) =>
      els.map((el) => [Number(el.getAttribute('data-label')), el.textContent]));
    assert.deepEqual(cells.map(([l]) => l), Array.from(labels.subarray(0, 100)), 'labels of the label file');
    for (const [l, name] of cells) assert.equal(name, NAMES[l]);
    assert.match(await page.locator('h1').innerText(), /Fashion-MNIST test set/);
    const measure = await measures(page, 'first-grid-paint');
    assert.ok(measure[0] > 0);

    // The filter's links are named by class; "Ankle boot" keeps only label 9.
    const filter = page.locator('nav.label-filter a');
    assert.deepEqual((await filter.allInnerTexts()).map((t) => t.trim()), ['All', ...NAMES]);
    await filter.filter({ hasText: 'Ankle boot' }).click();
    await page.waitForURL(/label=9/);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="digit-cell"]')]
      .every((c) => c.getAttribute('data-label') === '9'));
    const texts = await page.locator('[data-testid="digit-cell"]').allTextContents();
    assert.equal(texts.length, 100);
    assert.ok(texts.every((t) => t === 'Ankle boot'), texts.join(','));
  });
});

test('a Fashion-MNIST item page shows its class name as the label', async () => {
  await withPage(async (page) => {
    for (const i of [0, 1, 9999]) {
      await page.goto(appUrl(app.site, `data/fashion-mnist/test/${i}`));
      const label = page.getByTestId('digit-label');
      await label.waitFor();
      assert.equal((await label.innerText()).trim(), NAMES[labels[i]], `item ${i}`);
    }
    assert.equal(NAMES[labels[0]], 'Ankle boot', 'the first test item is an ankle boot');
    // Its network link names the Fashion-MNIST sample.
    assert.match(await page.getByTestId('network-link').getAttribute('href'),
      /network\?sample=fashion-mnist\/test\/9999$/);
  });
});

test('the Fashion-MNIST statistics count 1,000 test items per class, named', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/fashion-mnist/test/stats'));
    const cards = page.getByTestId('class-stats');
    await waitForCount(cards, 10);
    const seen = await cards.evaluateAll((els) => els.map((el) => [
      Number(el.getAttribute('data-label')), Number(el.getAttribute('data-count')),
      el.querySelector('.class-name').textContent]));
    assert.deepEqual(seen, NAMES.map((name, l) => [l, 1000, name]));
    // Each card links to its class's grid.
    assert.match(await cards.nth(9).locator('a').getAttribute('href'), /data\/fashion-mnist\/test\?(page=1&)?label=9$/);
  });
});

test('the network view of a Fashion-MNIST item uses the Fashion-MNIST model and class names', async () => {
  await withPage(async (page) => {
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(appUrl(app.site, 'network?sample=fashion-mnist/test/0'));
    await page.locator(`${GRAPH} g[data-layer="0"] [data-neuron]`).first().waitFor({ state: 'attached' });
    await page.waitForFunction(() => /Fashion-MNIST/.test(
      document.querySelector('[data-testid="model-name"]')?.textContent ?? ''));
    assert.match(await text(page, 'sample'), /Fashion-MNIST test item 0 of 10000 \(labelled Ankle boot\)/);
    // The shipped Fashion-MNIST model reads the first test item right.
    await page.waitForFunction(() => /Predicted: /.test(
      document.querySelector('[data-testid="prediction"]')?.textContent ?? ''));
    assert.match(await text(page, 'prediction'), /^Predicted: Ankle boot \(\d+\.\d %\)$/);
    // The output neurons are labelled with the class names, in order.
    const outNames = await page.locator(`${GRAPH} .out-name`).allTextContents();
    assert.deepEqual(outNames, NAMES);
    const desc = await page.locator('#network-description').textContent();
    assert.match(desc, /\(labelled Ankle boot\) is predicted as Ankle boot/);
    await measures(page, 'network-first-paint');
    const count = (file) => requests.filter((p) => p.endsWith(file)).length;
    assert.equal(count('data/models/fashion.mnn'), 1, requests.join(' '));
    assert.equal(count('data/models/default.mnn'), 0, 'the MNIST model is not downloaded');
    assert.equal(count('data/fashion-mnist/t10k-images-idx3-ubyte.gz'), 1);
    assert.equal(count('data/mnist/t10k-images-idx3-ubyte.gz'), 0);

    // Back to an MNIST sample in the same view: the MNIST model replaces the Fashion one.
    await page.goto(appUrl(app.site, 'network?sample=mnist/test/0'));
    await page.waitForFunction(() => /^Predicted: 7 /.test(
      document.querySelector('[data-testid="prediction"]')?.textContent ?? ''));
    assert.doesNotMatch(await text(page, 'model-name'), /Fashion/);
  });
});

test('a Fashion-MNIST neuron page ranks Fashion-MNIST test items, named', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'network/layer/1/neuron/7?sample=fashion-mnist/test/3'));
    const tops = page.getByTestId('top-digit');
    await tops.first().waitFor();
    const hrefs = await tops.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.length > 0);
    for (const h of hrefs) assert.match(h, /sample=fashion-mnist\/test\/\d+$/);
    const label = await tops.first().locator('canvas').getAttribute('aria-label');
    const index = Number(await tops.first().getAttribute('data-index'));
    assert.equal(label, `Test item ${index}, labelled ${NAMES[labels[index]]}`);
    assert.match(await page.locator('h3', { hasText: 'activate it most' }).innerText(), /^Test items that activate/);
    assert.match(await page.getByTestId('next-sample').innerText(), /^Next item →$/);
  });
});

test('the home page offers both datasets and the drawing pad; the footer credits Fashion-MNIST', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, ''));
    const fashion = page.getByTestId('home-fashion');
    await fashion.waitFor();
    const hrefs = await fashion.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const want of [/data\/fashion-mnist\/test$/, /data\/fashion-mnist\/train$/,
      /data\/fashion-mnist\/test\/stats$/, /network\?sample=fashion-mnist\/test\/0$/]) {
      assert.ok(hrefs.some((h) => want.test(h)), `${want} in ${hrefs.join(' ')}`);
    }
    assert.ok(await page.getByTestId('home-draw').isVisible());
    assert.match(await text(page, 'fashion-credit'), /Zalando.*MIT/s);
    await fashion.getByRole('link', { name: 'test set' }).click();
    await page.waitForURL(/data\/fashion-mnist\/test$/);
    await gridIndices(page);
  });
});

test('/train?data=fashion-mnist trains on Fashion-MNIST and names its classes in the confusion matrix', async () => {
  await withPage(async (page) => {
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(appUrl(app.site, 'train?hidden=32&batch=50&epochs=1&subset=2000&data=fashion-mnist'));
    const ready = await waitForStatus(page, /^Ready/);
    assert.match(ready, /60,000 training items of Fashion-MNIST/);
    assert.ok(requests.some((p) => p.endsWith('data/fashion-mnist/train-images-idx3-ubyte.gz')));
    assert.ok(!requests.some((p) => p.endsWith('data/mnist/train-images-idx3-ubyte.gz')), 'no MNIST download');
    await page.getByTestId('train-start').click();
    const done = await waitForStatus(page, /^Finished/);
    const accuracy = Number(/test accuracy: ([\d.]+) %/.exec(done)?.[1]);
    assert.ok(accuracy > 40, `test accuracy ${accuracy} % after one short epoch`);
    const rows = await page.locator('[data-testid="confusion-matrix"] tbody th').allInnerTexts();
    assert.deepEqual(rows.map((r) => r.trim()), NAMES.map((n, l) => `${l} ${n}`));
    const cell = page.locator('[data-testid="confusion-matrix"] button[data-true="9"][data-pred="9"]');
    assert.match(await cell.getAttribute('aria-label'), /^true Ankle boot, predicted Ankle boot: [\d,]+ items?, correct$/);
    await cell.click();
    const gallery = page.getByTestId('confusion-gallery');
    await gallery.locator('a[data-index]').first().waitFor();
    const href = await gallery.locator('a[data-index]').first().getAttribute('href');
    assert.match(href, /data\/fashion-mnist\/test\/\d+$/);
    const index = Number(/(\d+)$/.exec(href)[1]);
    assert.equal(labels[index], 9);
  });
});

test('choosing Fashion-MNIST in /train\'s form loads it in a new worker and puts it in the link', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'train?hidden=32&batch=50&epochs=1&subset=2000'));
    assert.match(await waitForStatus(page, /^Ready/), /training digits of MNIST/);
    await page.locator('select[name="data"]').selectOption('fashion-mnist');
    await page.waitForURL(/data=fashion-mnist/);
    assert.match(await waitForStatus(page, /^Ready: .*Fashion-MNIST/), /60,000 training items of Fashion-MNIST/);
    // And back: MNIST again.
    await page.locator('select[name="data"]').selectOption('mnist');
    await page.waitForURL(/data=mnist/);
    assert.match(await waitForStatus(page, /^Ready: .*of MNIST/), /60,000 training digits of MNIST/);
  });
});

test('a link to a Fashion-MNIST item that does not exist says "item", for the item page and the network view', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/fashion-mnist/test/10000'));
    assert.match(await alertText(page), /There is no item 10000: the test set has items 0–9,999\./);
    await page.goto(appUrl(app.site, 'network?sample=fashion-mnist/train/60000'));
    assert.match(await alertText(page), /There is no item 60000: the training set has items 0–59,999\./);
  });
});
