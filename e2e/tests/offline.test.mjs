// Offline use (public/sw.js, src/app/offline.rs): after one visit every kind of deep link loads
// and works with the network off, training included (its training set was cached when it was
// first used); the caches hold only the files the build lists; and a new deploy is noticed with
// a "new version" notice whose Reload brings the new version, never a mix of the two.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile, rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  appUrl, DIST, BASE, launchBrowser, waitForCount, openPage, unexpectedErrors, waitForStatus, TRAIN_TIMEOUT_MS,
} from '../lib.mjs';
import { startServer } from '../server.mjs';

let browser;
let site;
let copy; // a copy of the build, so a test can "deploy" a new version
before(async () => {
  copy = await mkdtemp(path.join(os.tmpdir(), 'mnist-viz-offline-'));
  await cp(DIST, copy, { recursive: true });
  site = await startServer({ dir: copy, base: BASE });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
  if (copy) await rm(copy, { recursive: true, force: true });
});

/** Waits until a service worker controls the page. */
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: TRAIN_TIMEOUT_MS });
}

/** The URL paths in the app's caches, by cache name. */
function cached(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      out[name] = (await cache.keys()).map((r) => new URL(r.url).pathname);
    }
    return out;
  });
}

/** The lists the build wrote into sw.js. */
async function swLists() {
  const sw = await readFile(path.join(copy, 'sw.js'), 'utf8');
  const list = (name) => JSON.parse(sw.match(new RegExp(`const ${name} = (\\[.*\\]);`))[1].replace(/'/g, '"'));
  return { app: list('APP_FILES'), data: list('DATA_FILES'), onInstall: list('DATA_ON_INSTALL'), sw };
}

const SEVEN = (() => {
  const levels = Array.from({ length: 784 }, (_, i) => ((i % 28 > 11 && i % 28 < 15 && i > 120 && i < 700) ? 220 : 0));
  const out = [];
  let blanks = 0;
  const flush = () => { if (blanks) out.push(0, blanks); blanks = 0; };
  for (const v of levels) { if (v === 0) { blanks += 1; if (blanks === 255) flush(); } else { flush(); out.push(v); } }
  flush();
  return Buffer.from(out).toString('base64url');
})();

test('after one visit, every kind of deep link loads and works offline, training included', async () => {
  const { context, page, errors } = await openPage(browser, { serviceWorkers: 'allow' });
  const documents = [];
  page.on('response', (r) => { if (r.request().resourceType() === 'document') documents.push(r.url()); });
  try {
    await page.goto(appUrl(site, ''));
    await controlled(page);
    // The training set is cached when it is first used: open one training digit.
    await page.goto(appUrl(site, 'data/mnist/train/3'));
    await page.getByTestId('digit-label').waitFor();
    const lists = await swLists();
    await page.waitForFunction(async () => {
      for (const name of await caches.keys()) {
        const keys = (await (await caches.open(name)).keys()).map((r) => r.url);
        if (keys.some((u) => u.endsWith('train-images-idx3-ubyte.gz')) && keys.some((u) => u.endsWith('train-labels-idx1-ubyte.gz'))) return true;
      }
      return false;
    }, null, { timeout: TRAIN_TIMEOUT_MS });

    await context.setOffline(true);
    assert.equal(await page.evaluate(() => fetch('https://example.com/').then(() => 'online', () => 'offline')), 'offline');

    await page.goto(appUrl(site, 'data/mnist/test/1234'));
    assert.match(await page.getByTestId('digit-label').innerText(), /^\d$/);
    await page.goto(appUrl(site, 'data/mnist/test?page=2&label=7'));
    await page.locator('[data-testid="digit-cell"]').first().waitFor();
    await page.goto(appUrl(site, 'data/mnist/train/stats'));
    await waitForCount(page.getByTestId('class-stats'), 10);
    await page.goto(appUrl(site, 'network/layer/1/neuron/3?sample=mnist/test/5'));
    await page.waitForFunction(() => /^Predicted: \d/.test(document.querySelector('[data-testid="prediction"]')?.textContent ?? ''));
    await page.goto(appUrl(site, `network?input=${SEVEN}`));
    await page.waitForFunction(() => /^Predicted: \d/.test(document.querySelector('[data-testid="prediction"]')?.textContent ?? ''));
    await page.goto(appUrl(site, 'draw'));
    await page.getByTestId('draw-canvas').waitFor();
    await page.waitForFunction(() => /Read by/.test(document.querySelector('[data-testid="draw-model"]')?.textContent ?? ''));

    // Training, offline: the worker's files, the training and the test set all come from the caches.
    await page.goto(appUrl(site, 'train?hidden=16&epochs=1&subset=1000&batch=50'));
    await waitForStatus(page, /^Ready/);
    await page.getByTestId('train-start').click();
    const done = await waitForStatus(page, /^Finished/);
    assert.match(done, /test accuracy: [\d.]+ %/);

    // Only what the build lists is cached, and the training set only because it was used.
    const all = Object.entries(await cached(page));
    assert.equal(all.length, 2, `two caches: ${all.map(([n]) => n)}`);
    const allowed = new Set([...lists.app, ...lists.data].map((f) => new URL(f, appUrl(site, '')).pathname));
    for (const [name, paths] of all) {
      for (const p of paths) assert.ok(allowed.has(p), `${name} holds ${p}, which the build does not list`);
    }
    const dataCache = all.find(([n]) => n.startsWith('mnist-viz-data-'))[1];
    for (const f of lists.onInstall) assert.ok(dataCache.includes(`${BASE}${f}`), `${f} cached on install`);
    const bound = Number(lists.sw.match(/const BOUND_BYTES = (\d+);/)[1]);
    assert.ok(bound > 10e6 && bound < 200e6, `the stated bound: ${bound} bytes`);
    console.log(`service worker cache bound: ${(bound / 2 ** 20).toFixed(1)} MiB; cached now: ${all.map(([n, p]) => `${n} ${p.length} files`).join(', ')}`);
    assert.deepEqual(unexpectedErrors(errors, documents).filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e.text)), [], 'console errors');
  } finally {
    await context.close();
  }
});

test('a new deploy shows a quiet notice; Reload brings the new version and drops the old files', async () => {
  const { context, page, errors } = await openPage(browser, { serviceWorkers: 'allow' });
  try {
    await page.goto(appUrl(site, 'data/mnist/test/7'));
    await controlled(page);
    await page.getByTestId('digit-label').waitFor();
    const before = Object.keys(await cached(page)).find((n) => n.startsWith('mnist-viz-app-'));
    assert.equal(await page.getByTestId('update-notice').count(), 0, 'no notice without a new version');

    // "Deploy": the same files under a new app hash (as a changed build would have).
    const swPath = path.join(copy, 'sw.js');
    const old = await readFile(swPath, 'utf8');
    await writeFile(swPath, old.replace(/const APP_HASH = '([0-9a-f]+)';/, "const APP_HASH = 'feedfacefeedface';"));
    try {
      await page.reload();
      await page.getByTestId('update-notice').waitFor({ timeout: TRAIN_TIMEOUT_MS });
      assert.match(await page.getByTestId('update-notice').innerText(), /new version is available/);
      // Until Reload, the page keeps running the old version.
      assert.ok(Object.keys(await cached(page)).includes(before), 'the old files are kept while the page uses them');
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Reload' }).click()]);
      await page.getByTestId('digit-label').waitFor();
      const names = Object.keys(await cached(page));
      assert.ok(names.includes('mnist-viz-app-feedfacefeedface'), `the new version's cache: ${names}`);
      assert.ok(!names.includes(before), `the old version's cache is gone: ${names}`);
      assert.equal(await page.getByTestId('update-notice').count(), 0, 'no notice after the update');
    } finally {
      await writeFile(swPath, old);
    }
    assert.deepEqual(unexpectedErrors(errors, []).filter((e) => !/status of 404/.test(e.text)), [], 'console errors');
  } finally {
    await context.close();
  }
});
