// The bad paths: unknown pages, links with bad parameters, a corrupt data file and a failed
// download. Each must end in a role="alert" message that says what is wrong, never a blank page
// or a panic, and the app must stay usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appUrl, alertText, gridIndices,
} from '../lib.mjs';
import { testSite, assertNoPanic } from '../fixture.mjs';

const IMAGES = 'data/mnist/t10k-images-idx3-ubyte.gz';
const LABELS = 'data/mnist/t10k-labels-idx1-ubyte.gz';

const app = testSite(assertNoPanic);
/** Runs `body` on a fresh page; fails when the app threw or panicked. */
const { withPage } = app;

/** True when an anchor on the page leads to the app's home (the site root). */
async function homeLink(page) {
  const home = app.site.url;
  const anchors = page.locator('a[href]');
  const hrefs = await anchors.evaluateAll((els) => els.map((el) => el.href));
  const i = hrefs.findIndex((h) => h === home || h === home.replace(/\/$/, ''));
  return i >= 0 ? anchors.nth(i) : null;
}

test('an unknown page says so and links home', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'no/such/page'));
    const text = await alertText(page);
    assert.match(text, /not found|no such|doesn.t exist|does not exist/i);
    const link = await homeLink(page);
    assert.ok(link, 'a link to the home page');
    await link.click();
    await page.waitForURL(app.site.url);
    assert.equal(await page.locator('[role="alert"]').count(), 0);
  });
});

const BAD_LINKS = [
  ['data/mnist/test/10000', /9,?999/],
  ['data/mnist/test/-1', /9,?999/],
  ['data/mnist/test/abc', /9,?999/],
  ['data/mnist/test?page=0', /page/i],
  ['data/mnist/test?page=9999', /page/i],
  ['data/mnist/test?label=12', /\b0\b.*\b9\b|label|digit/i],
  ['data/nope/test', /nope|dataset/i],
];

for (const [link, helpful] of BAD_LINKS) {
  test(`a bad link (${link}) explains what is wrong`, async () => {
    await withPage(async (page) => {
      await page.goto(appUrl(app.site, link));
      const text = await alertText(page);
      assert.match(text, helpful, `alert text: ${text}`);
      assert.equal(await page.locator('[data-testid="digit-cell"]').count(), 0);
    });
  });
}

test('a corrupt images file names the file, offers Retry, and navigation still works', async () => {
  app.site.override(IMAGES, 'corrupt');
  try {
    await withPage(async (page) => {
      await page.goto(appUrl(app.site, 'data/mnist/test'));
      const text = await alertText(page);
      assert.match(text, /t10k-images-idx3-ubyte\.gz/);
      assert.equal(await page.locator('[data-testid="digit-cell"]').count(), 0);
      await page.getByRole('button', { name: /retry/i }).waitFor();

      const link = await homeLink(page);
      assert.ok(link, 'a link to the home page');
      await link.click();
      await page.waitForURL(app.site.url);
      await page.waitForFunction(() => document.body.innerText.trim().length > 0);
    });
  } finally {
    app.site.override(IMAGES, null);
  }
});

test('a failed download shows an alert, and Retry succeeds once the file is back', async () => {
  app.site.override(LABELS, 'missing');
  try {
    await withPage(async (page) => {
      await page.goto(appUrl(app.site, 'data/mnist/test'));
      const text = await alertText(page);
      assert.match(text, /t10k-labels-idx1-ubyte\.gz|labels/i, `alert text: ${text}`);
      const retry = page.getByRole('button', { name: /retry/i });
      await retry.waitFor();

      app.site.override(LABELS, null);
      await retry.click();
      assert.equal((await gridIndices(page)).length, 100);
      assert.equal(await page.locator('[role="alert"]').count(), 0);
    });
  } finally {
    app.site.override(LABELS, null);
  }
});
