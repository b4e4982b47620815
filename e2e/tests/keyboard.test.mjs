// A keyboard-only walk (issue 12): browse → digit → network → train with Tab, Enter and the
// arrow keys alone, never the mouse; every stop has a visible focus indicator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUrl, waitForStatus } from '../lib.mjs';
import { testSite, assertNoConsoleErrors } from '../fixture.mjs';

const app = testSite(assertNoConsoleErrors);
const { withPage } = app;

/**
 * Presses Tab until the focused element matches `selector` (at most `max` presses), then checks
 * that it shows a focus indicator (an outline or a box shadow).
 */
async function tabTo(page, selector, max = 400) {
  for (let n = 0; n < max; n++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);
    if (hit) {
      const ring = await page.evaluate(() => {
        const s = getComputedStyle(document.activeElement);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
      });
      assert.ok(ring, `${selector} has a visible focus indicator`);
      return n + 1;
    }
  }
  throw new Error(`Tab never reached ${selector} in ${max} presses`);
}

test('browse → digit → network → train, by keyboard alone', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, ''));
    await page.locator('nav[aria-label="Main"]').waitFor();

    // The header's "Test set" link opens the grid.
    await tabTo(page, 'nav[aria-label="Main"] a[href$="/data/mnist/test"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/mnist\/data\/mnist\/test$/);

    // A digit of the grid opens its page; → steps to the next digit.
    await page.locator('[data-testid="digit-cell"]').first().waitFor();
    await tabTo(page, 'a.digit-cell');
    const first = await page.evaluate(() => document.activeElement.getAttribute('data-index'));
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/mnist/data/mnist/test/${first}$`));
    await page.getByTestId('digit-label').waitFor();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(new RegExp(`/mnist/data/mnist/test/${Number(first) + 1}$`));

    // Its link into the network; in the graph the arrows move between neurons and Enter opens one.
    await tabTo(page, '[data-testid="network-link"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/mnist\/network\?sample=mnist\/test\//);
    await page.locator('svg[data-testid="network-graph"]').waitFor();
    await tabTo(page, 'svg[data-testid="network-graph"], svg[data-testid="network-graph"] *');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    const neuron = await page.evaluate(() => document.activeElement.id);
    assert.match(neuron, /^nn-\d+-\d+$/, `a neuron has the focus: ${neuron}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/mnist\/network\/layer\/\d+\/neuron\/\d+/);
    await page.getByTestId('layer-detail').or(page.locator('[data-testid="neuron-detail"]')).first().waitFor();

    // The header's Train link, then Start.
    await tabTo(page, 'nav[aria-label="Main"] a[href="/mnist/train"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/mnist\/train(\?|$)/);
    await waitForStatus(page, /^Ready/);
    await tabTo(page, '[data-testid="train-start"]');
    await page.keyboard.press('Enter');
    await waitForStatus(page, /^(Training|Finished)/);
    await tabTo(page, '[data-testid="train-pause"]:not([disabled]), [data-testid="train-reset"]:not([disabled])');
  });
});
