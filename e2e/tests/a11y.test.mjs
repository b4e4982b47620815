// Accessibility of every route: axe-core finds no serious or critical violation in the light and
// the dark theme; at 375 × 667 (a phone) no route scrolls sideways; the header's theme toggle is
// remembered across a reload and applied before the app runs (no flash of the other theme).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { appUrl, REPO, waitForStatus, TRAIN_TIMEOUT_MS } from '../lib.mjs';
import { testSite, assertNoConsoleErrors } from '../fixture.mjs';

const app = testSite(assertNoConsoleErrors);
const { withPage } = app;
const AXE = path.join(REPO, 'e2e', 'node_modules', 'axe-core', 'axe.min.js');

/** Every route, and what shows once it has drawn its content. */
const ROUTES = [
  ['', (page) => page.getByRole('heading', { level: 1 }).waitFor()],
  ['data/mnist/test', (page) => page.locator('[data-testid="digit-cell"][data-index="99"]').waitFor()],
  ['data/mnist/test/stats', (page) => page.locator('[data-testid="class-stats"][data-label="9"]').waitFor()],
  ['data/mnist/test/0', (page) => page.getByTestId('digit-label').waitFor()],
  ['network', (page) => graphDrawn(page)],
  ['network/layer/1', async (page) => {
    await graphDrawn(page);
    await page.getByTestId('layer-detail').waitFor();
  }],
  ['network/layer/1/neuron/0', async (page) => {
    await graphDrawn(page);
    await page.getByTestId('neuron-detail').waitFor();
  }],
  ['train', (page) => waitForStatus(page, /^Ready/, TRAIN_TIMEOUT_MS)],
  ['draw', (page) => page.getByTestId('draw-canvas').waitFor()],
];

async function graphDrawn(page) {
  await page.locator('svg[data-testid="network-graph"] g[data-layer="0"] [data-neuron]').first()
    .waitFor({ state: 'attached' });
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="prediction"]')?.textContent ?? ''));
}

/** Opens `route` in the system theme `scheme` and waits for its content. */
async function open(page, route, ready, scheme) {
  await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
  await page.goto(appUrl(app.site, route));
  await ready(page);
}

/** axe's violations on the page: { id, impact, help, targets }. Its default rules, and the
 *  touch target size of WCAG 2.2 AA (24 × 24 px), which axe leaves off by default. */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() => window.axe.run(document, {
    resultTypes: ['violations'],
    rules: { 'target-size': { enabled: true } },
  }));
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  }));
}

for (const scheme of ['light', 'dark']) {
  for (const [route, ready] of ROUTES) {
    test(`axe: /${route} in the ${scheme} theme has no serious or critical violation`, async (t) => {
      await withPage(async (page) => {
        await open(page, route, ready, scheme);
        const shown = await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme);
        assert.equal(shown, scheme, 'the page shows the system theme');
        const violations = await axeViolations(page);
        const severe = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        for (const v of violations.filter((v) => !severe.includes(v))) {
          t.diagnostic(`${v.impact} ${v.id}: ${v.help} — ${v.targets.join(', ')}`);
        }
        assert.deepEqual(severe, [], `serious or critical axe violations on /${route} (${scheme})`);
      });
    });
  }
}

test('/train after a short run (charts, confusion matrix and its gallery, weights, layer health): axe in both themes, no sideways scroll at 375 px', async (t) => {
  await withPage(async (page) => {
    await page.setViewportSize({ width: 375, height: 667 });
    await open(page, 'train?hidden=32&batch=50&epochs=1&subset=2000',
      (p) => waitForStatus(p, /^Ready/, TRAIN_TIMEOUT_MS), 'light');
    await page.getByTestId('train-start').click();
    await waitForStatus(page, /^Finished/, TRAIN_TIMEOUT_MS);
    await page.locator('[data-testid="confusion-matrix"] .confusion-cell[data-true="3"][data-pred="5"]').click();
    await page.getByTestId('confusion-gallery').waitFor();
    await page.getByTestId('layer-health').waitFor();
    await page.getByTestId('weight-heatmaps').waitFor();
    // The heatmaps' values by keyboard: focus, then → and ↓ move between units.
    await page.getByTestId('weight-heatmaps').focus();
    const readout = page.locator('.weight-tiles .chart-readout');
    await page.waitForFunction(() => /^Unit 1: weights from -?[\d.]+ to -?[\d.]+/.test(document.querySelector('.weight-tiles .chart-readout').textContent));
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    assert.match(await readout.innerText(), /^Unit 12: weights from/);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 375, 'no sideways scroll');
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      const violations = await axeViolations(page);
      const severe = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      for (const v of violations.filter((v) => !severe.includes(v))) {
        t.diagnostic(`${scheme}: ${v.impact} ${v.id}: ${v.help} — ${v.targets.join(', ')}`);
      }
      assert.deepEqual(severe, [], `serious or critical axe violations on /train after a run (${scheme})`);
    }
  });
});

test('at 375 × 667 no route scrolls sideways', async () => {
  await withPage(async (page) => {
    await page.setViewportSize({ width: 375, height: 667 });
    const wide = [];
    for (const [route, ready] of ROUTES) {
      await open(page, route, ready, 'light');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 375) {
        // The widest elements, to say what overflows.
        const culprits = await page.evaluate(() => [...document.querySelectorAll('main *, header *')]
          .filter((e) => e.getBoundingClientRect().right > 376)
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`));
        wide.push(`/${route}: ${width} px (${culprits.join(' ')})`);
      }
    }
    assert.deepEqual(wide, [], 'routes wider than the phone');
  });
});

test('the skip link is the first thing Tab reaches and moves the focus to the content', async () => {
  await withPage(async (page) => {
    await open(page, 'network/layer/1', ROUTES[5][1], 'light');
    await page.keyboard.press('Tab');
    // Read in one go: what has the focus, and where it is on screen.
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      return { text: el.innerText, top: r.top, bottom: r.bottom, height: innerHeight, scrollY };
    });
    assert.equal(focused.text, 'Skip to content');
    assert.ok(focused.top >= 0 && focused.bottom <= focused.height, `the focused skip link is on screen: ${JSON.stringify(focused)}`);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    assert.equal(new URL(page.url()).pathname, '/mnist/network/layer/1', 'the page stays');
  });
});

test('the theme toggle shows the other theme, is remembered across a reload, and applies before the app runs', async () => {
  await withPage(async (page) => {
    await open(page, '', ROUTES[0][1], 'light');
    const toggle = page.getByTestId('theme-toggle');
    const state = () => page.evaluate(() => ({
      attribute: document.documentElement.getAttribute('data-theme'),
      scheme: getComputedStyle(document.documentElement).colorScheme,
      stored: localStorage.getItem('mnist-viz-theme'),
    }));
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    assert.deepEqual(await state(), { attribute: 'light', scheme: 'light', stored: null });

    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await state(), { attribute: 'dark', scheme: 'dark', stored: 'dark' });
    const darkPage = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);

    // Reload with the app's wasm held back: index.html alone must show the stored theme.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route('**/*.wasm', async (route) => {
      await held;
      await route.continue();
    });
    await page.reload({ waitUntil: 'domcontentloaded' });
    assert.equal(await page.locator('#boot').count(), 1, 'the app has not started yet');
    assert.deepEqual(await state(), { attribute: 'dark', scheme: 'dark', stored: 'dark' });
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), darkPage);
    release();
    await page.getByRole('heading', { level: 1 }).waitFor();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true', 'the toggle knows the stored theme');

    // Back to the system's (light) theme: nothing stored, the page follows the system again.
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    assert.deepEqual(await state(), { attribute: 'light', scheme: 'light', stored: null });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => getComputedStyle(document.documentElement).colorScheme === 'dark');
    assert.deepEqual(await state(), { attribute: 'dark', scheme: 'dark', stored: null }, 'without a stored choice the page follows the system');
    await toggle.waitFor();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="theme-toggle"]').getAttribute('aria-pressed') === 'true');
  });
});

/** Waits until the graph is drawn at `percent` % of its box's width. */
function zoomed(page, percent) {
  return page.waitForFunction((p) => {
    const g = document.querySelector('svg[data-testid="network-graph"]');
    return (g?.getAttribute('style') ?? '').includes(`width: ${p}%`)
      && Math.abs(g.getBoundingClientRect().width - g.parentElement.clientWidth * p / 100) < 2;
  }, percent);
}

test('on a phone the network graph zooms to fit its box, and zoomed in it pans by scrolling in its box', async () => {
  await withPage(async (page) => {
    await page.setViewportSize({ width: 375, height: 667 });
    await open(page, 'network', ROUTES[4][1], 'light');
    const box = page.locator('.network-graph-box');
    const overflow = () => box.evaluate((b) => b.scrollWidth - b.clientWidth);
    assert.ok(await overflow() > 0, 'at first the graph is wider than a phone (640 px) and scrolls in its box');
    await page.getByTestId('graph-zoom-fit').click();
    await zoomed(page, 100);
    assert.ok(await overflow() <= 1, 'Fit: the whole graph in the box');
    assert.ok(await page.getByTestId('graph-zoom-out').isDisabled());
    await page.getByTestId('graph-zoom-in').click();
    await zoomed(page, 150);
    await page.getByTestId('graph-zoom-in').click();
    await zoomed(page, 200);
    const wide = await page.getByTestId('network-graph').evaluate((g) => g.getBoundingClientRect().width);
    const inner = await box.evaluate((b) => b.clientWidth);
    assert.ok(Math.abs(wide - 2 * inner) < 2, `200 %: ${wide} px in a ${inner} px box`);
    await box.evaluate((b) => { b.scrollLeft = 200; });
    assert.ok(await box.evaluate((b) => b.scrollLeft) > 0, 'it pans');
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 375, 'the page itself does not scroll sideways');
  });
});
