// Runs and models on /train in headless Chromium under /mnist/: the run's model downloads as a
// .mnn file that uploads again as the model in use; bad files are refused with an alert and the
// model is kept; "use in the network view" and the confusion gallery's network links show the
// trained model on /network (also after a reload, from IndexedDB; a fresh browser says it has
// none); a reload of /train keeps the run's curves, its record and its model; two runs overlay;
// a browser without IndexedDB says so and still trains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { appUrl, readLabels, waitForCount, waitForStatus } from '../lib.mjs';
import { testSite, assertNoConsoleErrors } from '../fixture.mjs';

const app = testSite(assertNoConsoleErrors);
const { withPage } = app;

/** 2,000 digits in batches of 100: 20 batches, one epoch. */
const RUN = 'train?hidden=16&batch=100&epochs=1&subset=2000';
const FILE = 'mnist-16-step20.mnn';
/** 784·16 + 16 + 16·10 + 10 */
const PARAMETERS = 12730;
const TEST_LABELS = readLabels('t10k');

const text = async (page, testid) => (await page.getByTestId(testid).innerText()).trim();


/** Opens the short run's page, trains it to the end, and waits until its record and model are kept. */
async function trainToTheEnd(page, runs = 1) {
  if (!page.url().includes('/mnist/train')) {
    await page.goto(appUrl(app.site, RUN));
    await waitForStatus(page, /^Ready/);
  }
  await page.waitForFunction(() => !document.querySelector('[data-testid="train-start"]')?.disabled);
  await page.getByTestId('train-start').click();
  // The click clears the last run's status at once.
  await waitForStatus(page, /^(Training|Finished)/);
  await waitForStatus(page, /^Finished/);
  await waitForCount(page.getByTestId('run-item'), runs);
  await page.getByTestId('model-trained').waitFor();
  assert.match(await text(page, 'model-trained'), new RegExp(FILE.replace(/\./g, '\\.')));
}

function drawnLines(page, testid) {
  return page.locator(`[data-testid="${testid}"] path.series`).evaluateAll(
    (paths) => paths.filter((p) => /L/.test(p.getAttribute('d') ?? '')).length,
  );
}

async function download(page) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('model-download').click(),
  ]);
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

test('the run\'s model downloads as a .mnn file, uploads again as the model in use; bad files keep it', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, RUN));
    await waitForStatus(page, /^Ready/);
    assert.equal(await page.getByTestId('model-download').isDisabled(), true, 'nothing to download yet');
    await trainToTheEnd(page);

    const { name, bytes } = await download(page);
    assert.equal(name, FILE);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'MNNF');
    const noteLength = bytes.readUInt32LE(12 + 2 * 8);
    const note = bytes.subarray(12 + 16 + 4, 12 + 16 + 4 + noteLength).toString('utf8');
    assert.match(note, /\/train\?hidden=16&.*batch=100&epochs=1&.*subset=2000/);
    assert.match(note, /step 20$/);
    assert.equal(bytes.length, 12 + 16 + 4 + noteLength + 4 * PARAMETERS + 4);

    assert.match(await text(page, 'model-in-use'), /the shipped model/);
    const upload = page.getByTestId('model-upload');
    await upload.setInputFiles({ name: 'round-trip.mnn', mimeType: 'application/octet-stream', buffer: bytes });
    await page.waitForFunction(() => /round-trip\.mnn/.test(
      document.querySelector('[data-testid="model-in-use"]')?.textContent ?? ''));
    assert.match(await text(page, 'model-in-use'), /round-trip\.mnn \(784–16–10 · 12,730 parameters\)/);
    assert.equal(await page.locator('[role="alert"]').count(), 0);

    const bad = [
      ['notes.txt', Buffer.from('these are my notes, not a model'), /notes\.txt was not loaded: This is not a model file/],
      ['cut.mnn', bytes.subarray(0, 5000), /cut\.mnn was not loaded: The model file is truncated/],
      ['tiny.mnn', Buffer.from('MNNF'), /tiny\.mnn was not loaded: The model file is too short/],
    ];
    for (const [file, buffer, message] of bad) {
      await upload.setInputFiles({ name: file, mimeType: 'application/octet-stream', buffer });
      const alert = page.getByTestId('model-upload-error');
      await page.waitForFunction((f) => (document.querySelector('[data-testid="model-upload-error"]')
        ?.textContent ?? '').includes(f), file);
      assert.equal(await alert.getAttribute('role'), 'alert');
      assert.match(await alert.innerText(), message);
      assert.match(await text(page, 'model-in-use'), /round-trip\.mnn/, `${file} replaced the model in use`);
    }
    // A good file again clears the alert.
    await upload.setInputFiles({ name: 'again.mnn', mimeType: 'application/octet-stream', buffer: bytes });
    await page.waitForFunction(() => /again\.mnn/.test(
      document.querySelector('[data-testid="model-in-use"]')?.textContent ?? ''));
    assert.equal(await page.getByTestId('model-upload-error').count(), 0);
  });
});

test('"use in the network view" opens /network with the trained model; back to the shipped one sticks', async () => {
  await withPage(async (page) => {
    await trainToTheEnd(page);
    await page.getByTestId('model-use').click();
    await page.waitForURL((url) => url.pathname === '/mnist/network' && url.searchParams.get('model') === 'trained');
    await page.getByTestId('chosen-model-note').waitFor();
    assert.match(await text(page, 'chosen-model-note'), new RegExp(`Showing ${FILE.replace(/\./g, '\\.')} \\(784–16–10`));
    await page.waitForFunction(() => /784–16–10/.test(
      document.querySelector('[data-testid="model-name"]')?.textContent ?? ''));
    assert.match(await text(page, 'model-name'), new RegExp(FILE.replace(/\./g, '\\.')));

    await page.getByTestId('back-to-shipped').click();
    await page.waitForFunction(() => /the shipped model/.test(
      document.querySelector('[data-testid="model-name"]')?.textContent ?? ''));
    assert.equal(await page.getByTestId('chosen-model-note').count(), 0);
    assert.equal(new URL(page.url()).searchParams.get('model'), null, 'the link no longer asks for it');
    await page.reload();
    await page.waitForFunction(() => /the shipped model \(784–256–128–10\)/.test(
      document.querySelector('[data-testid="model-name"]')?.textContent ?? ''));
    assert.equal(await page.getByTestId('chosen-model-note').count(), 0);
  });
});

test('a gallery digit links to the network view with the trained model, which survives a reload', async () => {
  let href;
  await withPage(async (page) => {
    await trainToTheEnd(page);
    await page.getByTestId('confusion-matrix').waitFor();
    await page.locator('[data-testid="confusion-matrix"] button[data-true="1"][data-pred="1"]').click();
    const links = page.locator('[data-testid="confusion-gallery"] a[data-network-index]');
    await links.first().waitFor();
    const index = Number(await links.first().getAttribute('data-network-index'));
    assert.equal(TEST_LABELS[index], 1);
    href = await links.first().getAttribute('href');
    assert.equal(href, `/mnist/network?sample=mnist/test/${index}&model=trained`);
    // The digit-page links are still the gallery's only a[data-index].
    assert.equal(await page.locator('[data-testid="confusion-gallery"] a[data-index]').count(), await links.count());

    await links.first().click();
    await page.waitForURL((url) => url.pathname === '/mnist/network' && url.searchParams.get('model') === 'trained');
    const shown = async () => {
      await page.waitForFunction(() => /784–16–10/.test(
        document.querySelector('[data-testid="model-name"]')?.textContent ?? ''));
      assert.match(await text(page, 'sample'), new RegExp(`digit ${index}\\b`));
      assert.match(await text(page, 'chosen-model-note'), /Showing mnist-16-step20\.mnn/);
    };
    await shown();
    await page.reload();
    await shown();
    assert.equal(await page.locator('[role="alert"]').count(), 0);
  });
  // Another browser has no trained model: it says so and shows the shipped one.
  await withPage(async (page) => {
    await page.goto(new URL(href, app.site.url).href);
    const notice = page.getByTestId('model-notice');
    await notice.waitFor();
    assert.equal(await notice.getAttribute('role'), 'alert');
    assert.match(await notice.innerText(), /trained model is not available in this browser/);
    await page.waitForFunction(() => /the shipped model/.test(
      document.querySelector('[data-testid="model-name"]')?.textContent ?? ''));
  });
});

test('a reload of /train keeps the run (curves, record) and its model', async () => {
  await withPage(async (page) => {
    await trainToTheEnd(page);
    const before = await page.getByTestId('run-item').innerText();
    await page.reload();
    await page.getByTestId('restored-run').waitFor();
    assert.match(await text(page, 'restored-run'), /784–16–10 · relu · adam, lr 0\.002 · batch 100 · 1 epoch · 2,000 digits/);
    assert.match(await text(page, 'restored-run'), /\d+\.\d % on the test set/);
    assert.equal(await drawnLines(page, 'loss-chart'), 1, 'the smoothed loss is drawn again');
    const rows = await page.locator('[data-testid="accuracy-chart"] tbody tr').allInnerTexts();
    assert.ok(rows.some((r) => /test \(epoch\)\s+20\s+[\d.]+ %/.test(r)), rows.join(' | '));
    await waitForCount(page.getByTestId('run-item'), 1);
    assert.equal(await page.getByTestId('run-item').innerText(), before, 'the same record is listed');
    // The model is back too: downloadable with its name, and usable in the network view.
    await page.getByTestId('model-trained').waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="model-download"]')?.disabled);
    const { name, bytes } = await download(page);
    assert.equal(name, FILE);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'MNNF');
    await page.getByTestId('model-use').click();
    await page.waitForURL((url) => url.pathname === '/mnist/network');
    await page.getByTestId('chosen-model-note').waitFor();
    // Starting a new run replaces the restored curves.
    await page.goto(appUrl(app.site, RUN));
    await page.getByTestId('restored-run').waitFor();
    await waitForStatus(page, /^Ready/);
    await page.getByTestId('train-start').click();
    await waitForStatus(page, /^(Training|Finished)/);
    // Gone with the new run's Started.
    await page.getByTestId('restored-run').waitFor({ state: 'detached' });
  });
});

test('two runs overlay their curves; a deleted run leaves the list and the overlay', async () => {
  await withPage(async (page) => {
    await trainToTheEnd(page, 1);
    await trainToTheEnd(page, 2);
    const items = page.getByTestId('run-item');
    const boxes = page.getByTestId('run-overlay');
    assert.equal(await page.getByTestId('overlay-loss-chart').count(), 0);
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByTestId('overlay-loss-chart').waitFor();
    assert.equal(await drawnLines(page, 'overlay-loss-chart'), 2, 'both runs\' losses drawn');
    assert.equal(await page.locator('[data-testid="overlay-accuracy-chart"] path.series').count(), 2);
    assert.match(await items.nth(0).innerText(), /Overlay A/);
    assert.match(await items.nth(1).innerText(), /Overlay B/);
    const names = await page.locator('[data-testid="overlay-loss-chart"] tbody').innerText();
    assert.match(names, /loss A/);
    assert.match(names, /loss B/);

    await items.nth(0).getByTestId('run-delete').click();
    await waitForCount(items, 1);
    assert.equal(await drawnLines(page, 'overlay-loss-chart'), 1);
    assert.match(await items.nth(0).innerText(), /Overlay A/);
    await page.reload();
    await waitForCount(page.getByTestId('run-item'), 1);
  });
});

test('without IndexedDB the page says so in one line and still trains', async () => {
  await withPage(async (page) => {
    await page.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { get() { return undefined; } });
    });
    await page.goto(appUrl(app.site, RUN));
    const line = page.getByTestId('storage-status');
    await line.waitFor();
    assert.equal(await line.getAttribute('role'), 'status');
    assert.match(await line.innerText(), /not kept after a reload/);
    await waitForStatus(page, /^Ready/);
    await page.getByTestId('train-start').click();
    await waitForStatus(page, /^Finished/);
    // The model is still downloadable from the run.
    const { name } = await download(page);
    assert.equal(name, FILE);
  });
});
