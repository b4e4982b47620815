// Shared pieces of the e2e tests and the benchmark: where the build is, the browser, the server,
// the expected data (read from the repo's MNIST files) and waiting on the app's test hooks.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.join(here, '..');
/** The release build to test, made by `trunk build --release --public-url /mnist/`. */
export const DIST = process.env.E2E_DIST ?? path.join(REPO, 'dist');
export const BASE = '/mnist/';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** How long to wait for the app to show something (the first load compiles the wasm). */
export const UI_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 20000);

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** The release build under /mnist/ and, with `alsoAtRoot`, at the site root as well. */
export function startSite({ alsoAtRoot = false } = {}) {
  return startServer({ dir: DIST, base: BASE, alsoAtRoot });
}

/** Labels of an IDX1 label file (gzip) of the repo, e.g. 't10k' → Uint8Array(10000). */
export function readLabels(stem, dataset = 'mnist') {
  const raw = gunzipSync(readFileSync(path.join(REPO, 'data', dataset, `${stem}-labels-idx1-ubyte.gz`)));
  const magic = raw.readUInt32BE(0);
  const count = raw.readUInt32BE(4);
  if (magic !== 2049 || raw.length !== 8 + count) throw new Error(`bad label file ${stem}`);
  return raw.subarray(8);
}

/**
 * A fresh page in a fresh context (cold cache), recording console errors and page errors.
 * `errors` holds { text, url } for console.error messages and uncaught exceptions.
 * Service workers are blocked unless `serviceWorkers: 'allow'`: the app's worker (public/sw.js)
 * would answer requests that a test routes or overrides; e2e/tests/offline.test.mjs allows it.
 */
export async function openPage(browser, { serviceWorkers = 'block' } = {}) {
  const context = await browser.newContext({ serviceWorkers });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push({ text: msg.text(), url: msg.location()?.url ?? '' });
  });
  page.on('pageerror', (err) => errors.push({ text: `uncaught: ${err.message}`, url: '' }));
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  return { context, page, errors };
}

/**
 * Console errors other than the one a GitHub-Pages-style host causes on purpose: a deep link is
 * answered by 404.html with status 404, and Chromium logs that document's status as an error.
 */
export function unexpectedErrors(errors, documentUrls) {
  const documents = new Set(documentUrls);
  return errors.filter(
    (e) => !(documents.has(e.url) && /status of 404/.test(e.text)),
  );
}

/** The absolute URL of an app path ('data/mnist/test?page=2') on the test site. */
export function appUrl(site, appPath = '') {
  return new URL(appPath.replace(/^\//, ''), site.url).href;
}

/** Waits until the grid shows `count` cells (a full page by default); returns their indices. */
export async function gridIndices(page, count = 100) {
  const cells = page.locator('[data-testid="digit-grid"] [data-testid="digit-cell"]');
  await waitForCount(cells, count);
  return cells.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-index'))));
}

/** Waits until a locator matches exactly `count` elements. */
export async function waitForCount(locator, count, timeout = UI_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  let seen = -1;
  while (Date.now() < deadline) {
    seen = await locator.count();
    if (seen === count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${count} elements for ${locator}, saw ${seen} after ${timeout} ms`);
}

/** Waits for a performance measure (at least `atLeast` entries); returns their durations. */
export async function measures(page, name, atLeast = 1, timeout = UI_TIMEOUT_MS) {
  await page.waitForFunction(
    ([n, k]) => performance.getEntriesByName(n, 'measure').length >= k,
    [name, atLeast],
    { timeout },
  );
  return page.evaluate((n) => performance.getEntriesByName(n, 'measure').map((e) => e.duration), name);
}

/** Durations of a measure now, without waiting ([] when there is none). */
export function measuresNow(page, name) {
  return page.evaluate((n) => performance.getEntriesByName(n, 'measure').map((e) => e.duration), name);
}

/** The text of the first role="alert" element once it is visible. */
export async function alertText(page) {
  const alert = page.locator('[role="alert"]').first();
  await alert.waitFor({ state: 'visible' });
  return (await alert.innerText()).trim();
}

/** How long a training test waits for the worker (the first load also compiles its wasm). */
export const TRAIN_TIMEOUT_MS = 60000;

/** Waits until /train's status line matches `pattern`; returns the line. */
export async function waitForStatus(page, pattern, timeout = TRAIN_TIMEOUT_MS) {
  await page.waitForFunction(
    ([re, flags]) => new RegExp(re, flags).test(
      document.querySelector('[data-testid="train-status"]')?.textContent ?? ''),
    [pattern.source, pattern.flags],
    { timeout },
  );
  return page.getByTestId('train-status').innerText();
}
