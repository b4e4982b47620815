// The good paths of the data browser, in headless Chromium against the release build served
// under /mnist/ like GitHub Pages: deep links, paging, the label filter, the performance entries,
// and no console errors on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appUrl, gridIndices, measures, readLabels,
} from '../lib.mjs';
import { testSite, assertNoConsoleErrors } from '../fixture.mjs';

const labels = readLabels('t10k');
const app = testSite(assertNoConsoleErrors);
/** Runs `body` on a fresh page and then asserts that no unexpected console error was logged. */
const { withPage } = app;

function range(from, to) {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

test('a deep link to a digit opened directly shows that digit and its label', async () => {
  await withPage(async (page) => {
    const response = await page.goto(appUrl(app.site, 'data/mnist/test/1234'));
    // The host answers a deep link with 404.html (status 404), which boots the app.
    assert.equal(response.status(), 404);
    const index = page.getByTestId('digit-index');
    const label = page.getByTestId('digit-label');
    await label.waitFor();
    assert.match(await index.innerText(), /\b1,?234\b/);
    assert.match(await label.innerText(), new RegExp(`\\b${labels[1234]}\\b`));
  });
});

test('deep links to other digits show their own labels', async () => {
  await withPage(async (page) => {
    for (const i of [0, 9999]) {
      await page.goto(appUrl(app.site, `data/mnist/test/${i}`));
      const label = page.getByTestId('digit-label');
      await label.waitFor();
      assert.match(await page.getByTestId('digit-index').innerText(), new RegExp(`\\b${i.toLocaleString('en-US')}\\b|\\b${i}\\b`));
      assert.match(await label.innerText(), new RegExp(`\\b${labels[i]}\\b`));
    }
  });
});

test('the grid pages through the test set 100 at a time', async () => {
  await withPage(async (page) => {
    const response = await page.goto(appUrl(app.site, 'data/mnist/test'));
    assert.equal(response.status(), 404, 'a GitHub-Pages-style host has no file at this path');
    assert.deepEqual(await gridIndices(page), range(0, 100));
    const info = page.getByTestId('page-info');
    assert.match(await info.innerText(), /Page 1 of 100\b/);

    // The cells carry the labels of the label file.
    const cellLabels = await page
      .locator('[data-testid="digit-cell"]')
      .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-label'))));
    assert.deepEqual(cellLabels, Array.from(labels.subarray(0, 100)));

    // The → key flips to the next page, and the URL follows.
    await page.locator('body').press('ArrowRight');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="page-info"]')?.textContent?.includes('Page 2 of 100'));
    assert.deepEqual(await gridIndices(page), range(100, 200));
    assert.match(page.url(), /[?&]page=2\b/);

    // ← goes back.
    await page.locator('body').press('ArrowLeft');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="page-info"]')?.textContent?.includes('Page 1 of 100'));
    assert.deepEqual(await gridIndices(page), range(0, 100));
  });
});

test('?page=N opens that page directly, the last one partly filled', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/mnist/test?page=2'));
    assert.deepEqual(await gridIndices(page), range(100, 200));
    assert.match(await page.getByTestId('page-info').innerText(), /Page 2 of 100\b/);
    await page.goto(appUrl(app.site, 'data/mnist/test?page=100'));
    assert.deepEqual(await gridIndices(page), range(9900, 10000));
  });
});

test('?label=3 shows only threes and pages within them', async () => {
  const threes = [];
  labels.forEach((l, i) => { if (l === 3) threes.push(i); });
  const pages = Math.ceil(threes.length / 100);
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/mnist/test?label=3'));
    assert.deepEqual(await gridIndices(page), threes.slice(0, 100));
    const cellLabels = await page
      .locator('[data-testid="digit-cell"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-label')));
    assert.ok(cellLabels.every((l) => l === '3'), `labels: ${cellLabels.join(',')}`);
    assert.match(await page.getByTestId('page-info').innerText(), new RegExp(`Page 1 of ${pages}\\b`));

    // The last page of the filter holds the remaining threes.
    await page.goto(appUrl(app.site, `data/mnist/test?label=3&page=${pages}`));
    const rest = threes.slice((pages - 1) * 100);
    assert.deepEqual(await gridIndices(page, rest.length), rest);
  });
});

test('clicking a cell opens that digit', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/mnist/test?page=3'));
    await gridIndices(page);
    await page.locator('[data-testid="digit-cell"][data-index="234"]').click();
    const label = page.getByTestId('digit-label');
    await label.waitFor();
    assert.match(page.url(), /\/mnist\/data\/mnist\/test\/234\b/);
    assert.match(await label.innerText(), new RegExp(`\\b${labels[234]}\\b`));
  });
});

test('loading the grid records fetch, decode and first-paint measures', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/mnist/test'));
    await gridIndices(page);
    for (const name of ['fetch:mnist/test', 'decode:mnist/test', 'first-grid-paint']) {
      const durations = await measures(page, name);
      assert.ok(durations.length >= 1 && durations.every((d) => d >= 0), `${name}: ${durations}`);
    }
  });
});

test('the training grid shows the training digits, each file downloaded once, from before the app asks', async () => {
  const trainLabels = readLabels('train');
  await withPage(async (page) => {
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(appUrl(app.site, 'data/mnist/train?page=600'));
    assert.deepEqual(await gridIndices(page), range(59_900, 60_000));
    const shown = await page.locator('[data-testid="digit-cell"]')
      .evaluateAll((els) => els.map((el) => [Number(el.dataset.index), Number(el.dataset.label)]));
    for (const [index, label] of shown) assert.equal(label, trainLabels[index], `train digit ${index}`);
    for (const file of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']) {
      const n = requests.filter((p) => p.endsWith(`data/mnist/${file}`)).length;
      assert.equal(n, 1, `${file} requested once: ${requests.join(' ')}`);
    }
    assert.equal(requests.filter((p) => p.includes('t10k-')).length, 0, 'the test split is not loaded');
    const start = await page.evaluate(() => performance.getEntriesByType('resource')
      .find((e) => e.name.endsWith('train-images-idx3-ubyte.gz')).startTime);
    const appAsks = (await measures(page, 'fetch:mnist/train')).length
      && await page.evaluate(() => performance.getEntriesByName('fetch:mnist/train', 'measure')[0].startTime);
    assert.ok(start < appAsks, `the download starts (${start} ms) before the app asks (${appAsks} ms)`);
  });
});

test('the home page renders without errors', async () => {
  await withPage(async (page) => {
    const response = await page.goto(app.site.url);
    assert.equal(response.status(), 200);
    await page.waitForFunction(() => document.body.innerText.trim().length > 0);
    assert.equal(await page.locator('[role="alert"]').count(), 0);
  });
});

/** Index, label and href of every cell of the grid, in order. */
function cellsOf(page) {
  return page.locator('[data-testid="digit-grid"] [data-testid="digit-cell"]').evaluateAll((els) =>
    els.map((el) => ({
      index: Number(el.getAttribute('data-index')),
      label: Number(el.getAttribute('data-label')),
      href: new URL(el.getAttribute('href'), location.href).pathname,
      text: el.textContent.trim(),
    })));
}

/** What the cells of `indices` must show. */
function expectedCells(indices) {
  return indices.map((i) => ({
    index: i, label: labels[i], href: `/mnist/data/mnist/test/${i}`, text: String(labels[i]),
  }));
}

async function waitForPageInfo(page, text) {
  await page.waitForFunction(
    (t) => document.querySelector('[data-testid="page-info"]')?.textContent?.trim() === t, text);
}

test('a flip by key or pager link updates every cell, its link and the URL', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/mnist/test?page=5'));
    await gridIndices(page);
    assert.deepEqual(await cellsOf(page), expectedCells(range(400, 500)));
    const flips = async () => (await page.evaluate(() => performance.getEntriesByName('grid-paint', 'measure').length));
    const before = await flips();

    await page.locator('body').press('PageDown');
    await waitForPageInfo(page, 'Page 6 of 100');
    assert.deepEqual(await cellsOf(page), expectedCells(range(500, 600)));
    assert.match(page.url(), /[?&]page=6\b/);

    await page.locator('body').press('PageUp');
    await page.locator('body').press('PageUp');
    await waitForPageInfo(page, 'Page 4 of 100');
    assert.deepEqual(await cellsOf(page), expectedCells(range(300, 400)));

    await page.locator('.pagination a[rel="next"]').click();
    await waitForPageInfo(page, 'Page 5 of 100');
    assert.deepEqual(await cellsOf(page), expectedCells(range(400, 500)));
    assert.match(page.url(), /[?&]page=5\b/);
    // The pager's own links follow the page.
    const pager = await page.locator('.pagination a').evaluateAll((els) =>
      els.map((el) => `${el.getAttribute('rel')} ${new URL(el.href).search}`));
    assert.deepEqual(pager, ['prev ?page=4', 'next ?page=6']);

    // Every flip recorded one grid-paint measure.
    await measures(page, 'grid-paint', before + 4);

    // A cell clicked after flips opens the digit it shows.
    await page.locator('[data-testid="digit-cell"][data-index="457"]').click();
    await page.getByTestId('digit-label').waitFor();
    assert.match(page.url(), /\/mnist\/data\/mnist\/test\/457\b/);
  });
});

test('flipping onto the last page of a label shows only the digits left, and back again', async () => {
  const ones = [];
  labels.forEach((l, i) => { if (l === 1) ones.push(i); });
  const pages = Math.ceil(ones.length / 100);
  const rest = ones.slice((pages - 1) * 100);
  assert.ok(rest.length > 0 && rest.length < 100, 'the test set has a partial last page of ones');
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, `data/mnist/test?label=1&page=${pages - 1}`));
    await gridIndices(page);
    assert.deepEqual(await cellsOf(page), expectedCells(ones.slice((pages - 2) * 100, (pages - 1) * 100)));

    await page.locator('body').press('ArrowRight');
    await waitForPageInfo(page, `Page ${pages} of ${pages}`);
    assert.deepEqual(await gridIndices(page, rest.length), rest);
    assert.deepEqual(await cellsOf(page), expectedCells(rest));
    assert.match(page.url(), new RegExp(`[?&]page=${pages}\\b`));
    assert.match(page.url(), /[?&]label=1\b/);
    // The sheet has as many tile rows as the cells need.
    const height = await page.locator('[data-testid="digit-grid"] canvas').evaluate((c) => c.height);
    assert.equal(height, Math.ceil(rest.length / 10) * 30);
    // No next page: → does nothing, the pager shows no next link.
    assert.equal(await page.locator('.pagination a[rel="next"]').count(), 0);

    await page.locator('body').press('ArrowLeft');
    await waitForPageInfo(page, `Page ${pages - 1} of ${pages}`);
    assert.deepEqual(await cellsOf(page), expectedCells(ones.slice((pages - 2) * 100, (pages - 1) * 100)));
    const fullHeight = await page.locator('[data-testid="digit-grid"] canvas').evaluate((c) => c.height);
    assert.equal(fullHeight, 300);
  });
});
