// The app's own router (src/app/router.rs) in headless Chromium, under /mnist/: following links
// without reloading, the history (back and forward), and the address as the only state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUrl, gridIndices, measures, readLabels } from '../lib.mjs';
import { testSite, assertNoConsoleErrors } from '../fixture.mjs';

const app = testSite(assertNoConsoleErrors);
const { withPage } = app;

/** Marks the current document; the mark survives only as long as the page is not reloaded. */
const markDocument = (page) => page.evaluate(() => { window.__sameDocument = true; });
const sameDocument = (page) => page.evaluate(() => window.__sameDocument === true);

test('links move between pages without reloading and keep the sub-path', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, ''));
    await page.getByRole('link', { name: 'Test set' }).first().waitFor();
    await markDocument(page);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Test set' }).click();
    assert.deepEqual((await gridIndices(page)).slice(0, 3), [0, 1, 2]);
    assert.equal(new URL(page.url()).pathname, '/mnist/data/mnist/test');

    await page.locator('[data-testid="digit-cell"][data-index="7"]').click();
    await page.getByTestId('digit-label').waitFor();
    assert.equal(new URL(page.url()).pathname, '/mnist/data/mnist/test/7');
    assert.match(await page.getByTestId('digit-index').innerText(), /\b7\b/);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Network' }).click();
    await page.locator('svg[data-testid="network-graph"]').waitFor();
    assert.equal(new URL(page.url()).pathname, '/mnist/network');

    assert.ok(await sameDocument(page), 'following a link reloaded the page');
  });
});

test('back and forward restore the views of the history', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/mnist/test?page=2'));
    await page.getByTestId('page-info').waitFor();
    assert.match(await page.getByTestId('page-info').innerText(), /Page 2 of 100\b/);
    await markDocument(page);

    await page.locator('[data-testid="digit-cell"][data-index="150"]').click();
    await page.getByTestId('digit-label').waitFor();
    assert.match(await page.getByTestId('digit-index').innerText(), /\b150\b/);

    await page.goBack();
    await page.getByTestId('page-info').waitFor();
    assert.match(await page.getByTestId('page-info').innerText(), /Page 2 of 100\b/);
    assert.deepEqual((await gridIndices(page)).slice(0, 2), [100, 101]);

    await page.goForward();
    await page.getByTestId('digit-label').waitFor();
    assert.match(await page.getByTestId('digit-index').innerText(), /\b150\b/);
    assert.ok(await sameDocument(page), 'back/forward reloaded the page');
  });
});

test('a trailing slash names the same page, and a reload keeps the view', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/mnist/test/?page=3&label=4'));
    await page.getByTestId('page-info').waitFor();
    const labels = await page
      .locator('[data-testid="digit-cell"]')
      .evaluateAll((cells) => [...new Set(cells.map((c) => c.dataset.label))]);
    assert.deepEqual(labels, ['4']);
    assert.match(await page.getByTestId('page-info').innerText(), /Page 3 of \d+/);

    await page.reload();
    await page.getByTestId('page-info').waitFor();
    assert.match(await page.getByTestId('page-info').innerText(), /Page 3 of \d+/);
  });
});

/** Clicks `selector` with a synthetic click (`init`: modifier keys) and says whether the router
 *  took it (prevented the browser's own navigation). The browser's navigation is stopped after
 *  the router has seen the click, so the page stays either way. */
const routerTakes = (page, selector, init = {}) => page.evaluate(([sel, opts]) => {
  let taken = null;
  const after = (e) => { taken = e.defaultPrevented; e.preventDefault(); };
  window.addEventListener('click', after);
  document.querySelector(sel).dispatchEvent(
    new MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ...opts }));
  window.removeEventListener('click', after);
  return taken;
}, [selector, init]);

test('the router takes plain clicks on its own links only', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'data/mnist/test'));
    await page.getByTestId('page-info').waitFor();
    await page.evaluate(() => {
      const away = document.createElement('a');
      away.id = 'other-origin';
      away.href = 'https://example.invalid/elsewhere';
      away.textContent = 'elsewhere';
      document.querySelector('main').append(away);
    });
    const cell = '[data-testid="digit-cell"][data-index="3"]';
    assert.equal(await routerTakes(page, cell, { ctrlKey: true }), false, 'ctrl-click');
    assert.equal(await routerTakes(page, cell, { metaKey: true }), false, 'meta-click');
    assert.equal(await routerTakes(page, cell, { shiftKey: true }), false, 'shift-click');
    assert.equal(await routerTakes(page, 'footer a[rel="external"]'), false, 'rel="external"');
    assert.equal(await routerTakes(page, '#other-origin'), false, 'another origin');
    assert.equal(new URL(page.url()).pathname, '/mnist/data/mnist/test');
    assert.equal(await routerTakes(page, cell), true, 'a plain click on an app link');
    await page.getByTestId('digit-label').waitFor();
    assert.equal(new URL(page.url()).pathname, '/mnist/data/mnist/test/3');
  });
});

test('the main navigation marks the current page with aria-current', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'network'));
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Network' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Network' }).getAttribute('aria-current'), 'page');
    assert.equal(await nav.getByRole('link', { name: 'Home' }).getAttribute('aria-current'), null);
    await nav.getByRole('link', { name: 'Test set' }).click();
    await page.getByTestId('page-info').waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Test set' }).getAttribute('aria-current'), 'page');
    assert.equal(await nav.getByRole('link', { name: 'Network' }).getAttribute('aria-current'), null);
  });
});

test('leaving a page stops the download it started; coming back starts it again', async () => {
  await withPage(async (page) => {
    const requested = [];
    const aborted = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    page.on('requestfailed', (r) => aborted.push([new URL(r.url()).pathname, r.failure()?.errorText]));
    await page.goto(appUrl(app.site, ''));
    await measures(page, 'fetch:mnist/test');
    // Slow the network down so the training set (9.7 MB) is still downloading when we leave.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 20, downloadThroughput: 256 * 1024, uploadThroughput: -1,
    });
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Training set' }).click();
    await page.waitForFunction(() => /Loading|%|MB|KB/i.test(document.querySelector('main').textContent));
    await nav.getByRole('link', { name: 'Home' }).click();
    await page.waitForFunction(() => location.pathname === '/mnist/');
    const images = '/mnist/data/mnist/train-images-idx3-ubyte.gz';
    const deadline = Date.now() + 10_000;
    while (!aborted.some(([p]) => p === images) && Date.now() < deadline) await page.waitForTimeout(100);
    assert.ok(aborted.some(([p, why]) => p === images && /ABORT/i.test(why ?? '')),
      `the training images download was stopped: ${JSON.stringify(aborted)}`);

    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
    });
    await nav.getByRole('link', { name: 'Training set' }).click();
    assert.deepEqual((await gridIndices(page)).slice(0, 3), [0, 1, 2]);
    const labels = readLabels('train');
    const first = await page.locator('[data-testid="digit-cell"]').first().getAttribute('data-label');
    assert.equal(Number(first), labels[0]);
    assert.equal(requested.filter((p) => p === images).length, 2, 'requested again after the stop');
  });
});
