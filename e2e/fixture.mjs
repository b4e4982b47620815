// The per-file fixture of the e2e tests: one site and one browser for a test file, and fresh pages
// checked for console errors or panics. Apart from lib.mjs because it registers node:test hooks.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startSite, openPage, unexpectedErrors } from './lib.mjs';

/** A test file's fixture: the site and the browser, started before the file's tests and closed
 *  after them (`app.site`, `app.browser`), and `app.withPage(body)`, which runs `body(page)` on a
 *  fresh page, then `check(errors, documentUrls)`. With `alsoAtRoot` the build is also served
 *  at the site root (`app.site.rootUrl`). */
export function testSite(check, { alsoAtRoot = false } = {}) {
  const app = { site: null, browser: null };
  before(async () => {
    app.site = await startSite({ alsoAtRoot });
    app.browser = await launchBrowser();
  });
  after(async () => {
    await app.browser?.close();
    await app.site?.close();
  });
  app.withPage = (body) => onFreshPage(app.browser, body, check);
  return app;
}

/** Runs `body(page)` on a fresh page (cold cache), then `check(errors, documentUrls)`. */
export async function onFreshPage(browser, body, check) {
  const { context, page, errors } = await openPage(browser);
  const documents = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'document') documents.push(r.url());
  });
  try {
    await body(page);
    check(errors, documents);
  } finally {
    await context.close();
  }
}

/** The app neither threw nor panicked (a panic shows up as an uncaught exception). */
export function assertNoPanic(errors) {
  const uncaught = errors.filter((e) => e.text.startsWith('uncaught:') || /panicked/.test(e.text));
  assert.deepEqual(uncaught, [], 'the app threw or panicked');
}

/** No console error but the 404 status of a deep-linked document (see `unexpectedErrors`). */
export function assertNoConsoleErrors(errors, documents) {
  assert.deepEqual(unexpectedErrors(errors, documents), [], 'console errors on a good path');
}
