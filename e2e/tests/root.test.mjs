// The same build served at the site root ("/", `<base href="/">`), as a build without
// --public-url would be: links, deep links and data downloads must work there as under /mnist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridIndices, readLabels } from '../lib.mjs';
import { testSite, assertNoConsoleErrors } from '../fixture.mjs';

const app = testSite(assertNoConsoleErrors, { alsoAtRoot: true });
const { withPage } = app;
const at = (appPath) => new URL(appPath, app.site.rootUrl).href;
const TEST_LABELS = readLabels('t10k');

test('at the root, links stay at the root and deep links open their view', async () => {
  await withPage(async (page) => {
    await page.goto(at('/'));
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Test set' }).click();
    assert.deepEqual((await gridIndices(page)).slice(0, 3), [0, 1, 2]);
    assert.equal(new URL(page.url()).pathname, '/data/mnist/test');
    assert.equal(await nav.getByRole('link', { name: 'Test set' }).getAttribute('href'), '/data/mnist/test');

    await page.locator('[data-testid="digit-cell"][data-index="7"]').click();
    await page.getByTestId('digit-label').waitFor();
    assert.equal(new URL(page.url()).pathname, '/data/mnist/test/7');
    assert.equal(await page.getByTestId('digit-label').innerText(), String(TEST_LABELS[7]));

    await page.goto(at('/network/layer/1/neuron/7'));
    await page.locator('svg[data-testid="network-graph"]').waitFor();
    await page.getByTestId('neuron-detail').waitFor();
    const requests = app.site.requests.filter((p) => p.startsWith('/data/'));
    assert.ok(requests.includes('/data/models/default.mnn'), `model fetched at the root: ${requests}`);
  });
});

test('at the root, an unknown path is the not-found page with a link home', async () => {
  await withPage(async (page) => {
    await page.goto(at('/no/such/page'));
    const alert = page.locator('[role="alert"]').first();
    await alert.waitFor();
    assert.match(await alert.innerText(), /not found/i);
    assert.equal(await page.locator('main a', { hasText: 'home page' }).getAttribute('href'), '/');
  });
});
