// The user's own data (/data/local…), in headless Chromium against the release build under
// /mnist/: a pair of IDX files made here (images of 8×6 pixels, 3 classes) is chosen, checked,
// browsed as a grid and one by one, survives a reload, and is removed; each kind of bad file gets
// a message naming it and its defect, and leaves what was kept alone. No console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { appUrl, waitForCount, waitForStatus, alertText } from '../lib.mjs';
import { testSite, assertNoConsoleErrors } from '../fixture.mjs';

const app = testSite(assertNoConsoleErrors);
const { withPage } = app;

const COUNT = 12;
const ROWS = 8;
const COLS = 6;

function header(words) {
  const b = Buffer.alloc(4 * words.length);
  words.forEach((w, i) => b.writeUInt32BE(w, 4 * i));
  return b;
}

/** Pixel (r, c) of image i. */
const pixel = (i, r, c) => (i * 19 + r * 7 + c * 3) % 256;

function imagesIdx(count = COUNT, rows = ROWS, cols = COLS) {
  const body = Buffer.alloc(count * rows * cols);
  for (let i = 0; i < count; i++) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) body[i * rows * cols + r * cols + c] = pixel(i, r, c);
    }
  }
  return Buffer.concat([header([2051, count, rows, cols]), body]);
}

const LABELS = Array.from({ length: COUNT }, (_, i) => (i * 2) % 3);

function labelsIdx(labels = LABELS) {
  return Buffer.concat([header([2049, labels.length]), Buffer.from(labels)]);
}

const file = (name, buffer) => ({ name, mimeType: 'application/octet-stream', buffer });
const GOOD_IMAGES = file('letters-images-idx3-ubyte.gz', gzipSync(imagesIdx()));
// Labels raw: one file of the pair gzipped, one not.
const GOOD_LABELS = file('letters-labels-idx1-ubyte', labelsIdx());

async function openList(page) {
  await page.goto(appUrl(app.site, 'data/local'));
  await page.getByTestId('local-files').waitFor({ state: 'attached' });
}

async function choose(page, files) {
  await page.getByTestId('local-files').setInputFiles(files);
}

async function keptNames(page) {
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="local-sets"], [data-testid="local-none"]'));
  return page.locator('[data-testid="local-set"]')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-name')));
}

test('a pair of IDX files is added, browsed, kept across a reload and removed', async () => {
  await withPage(async (page) => {
    await openList(page);
    const intro = await page.locator('.local-page').innerText();
    assert.match(intro, /at most 64 MiB once unpacked/, 'the size limit is stated');
    assert.match(intro, /up to 512 pixels/, 'the side limit is stated');
    assert.deepEqual(await keptNames(page), []);
    await choose(page, [GOOD_IMAGES, GOOD_LABELS]);
    const added = page.getByTestId('local-added');
    await added.waitFor();
    assert.match(await added.innerText(), /letters: 12 images of 8×6 pixels, 3 classes/);
    await waitForCount(page.locator('[data-testid="local-set"]'), 1);
    assert.deepEqual(await keptNames(page), ['letters']);

    // The grid: 12 cells with the labels of the file, on a sheet of 8×6 tiles.
    await page.locator('[data-testid="local-set"] a').click();
    await page.waitForURL(/\/mnist\/data\/local\/letters$/);
    const cells = page.locator('[data-testid="digit-grid"] [data-testid="digit-cell"]');
    await waitForCount(cells, COUNT);
    const cellLabels = await cells.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-label'))));
    assert.deepEqual(cellLabels, LABELS);
    assert.match(await page.getByTestId('page-info').innerText(), /Page 1 of 1\b/);
    const sheet = await page.locator('.grid-sheet').evaluate((c) => [c.width, c.height]);
    assert.deepEqual(sheet, [10 * (COLS + 2), 2 * (ROWS + 2)]);

    // One image: its label, its size, its pixels, and why the network cannot read it.
    await cells.nth(5).click();
    await page.waitForURL(/\/mnist\/data\/local\/letters\/5$/);
    await page.getByTestId('digit-label').waitFor();
    assert.equal((await page.getByTestId('digit-label').innerText()).trim(), String(LABELS[5]));
    assert.equal((await page.getByTestId('local-size').innerText()).trim(), '8×6 pixels');
    const shown = await page.locator('.digit-canvas.big').evaluate((c) => ({
      width: c.width,
      height: c.height,
      grey: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)
        .filter((_, k) => k % 4 === 0),
    }));
    assert.equal(shown.width, COLS);
    assert.equal(shown.height, ROWS);
    const expected = [];
    for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) expected.push(255 - pixel(5, r, c));
    assert.deepEqual(shown.grey, expected, 'the pixels of image 5, ink dark on paper');
    const fit = await page.getByTestId('network-fit').innerText();
    assert.match(fit, /28×28 = 784 pixels/);
    assert.match(fit, /8×6 = 48 pixels/);
    assert.match(fit, /not resized/);

    // The network view explains instead of resizing.
    await page.getByTestId('network-link').click();
    await page.waitForURL(/\/network\?sample=local\/letters\/5$/);
    const note = page.getByTestId('local-network-note');
    await note.waitFor();
    assert.match(await note.innerText(), /28×28 = 784 pixels.*8×6 = 48 pixels.*not resized/s);
    assert.equal(await note.getAttribute('role'), 'alert');
    await page.goBack();
    await page.waitForURL(/\/letters\/5$/);
    await page.getByTestId('digit-label').waitFor();

    // → steps to the next image.
    await page.locator('body').press('ArrowRight');
    await page.waitForURL(/\/letters\/6$/);
    await page.waitForFunction((want) =>
      document.querySelector('[data-testid="digit-label"]')?.textContent?.trim() === want, String(LABELS[6]));

    // A reload of the deep link finds the set in IndexedDB.
    await page.reload();
    await page.getByTestId('digit-label').waitFor();
    assert.equal((await page.getByTestId('digit-label').innerText()).trim(), String(LABELS[6]));
    await openList(page);
    assert.deepEqual(await keptNames(page), ['letters']);

    // The same files again get a name of their own.
    await choose(page, [GOOD_LABELS, GOOD_IMAGES]);
    await page.getByTestId('local-added').waitFor();
    await waitForCount(page.locator('[data-testid="local-set"]'), 2);
    assert.deepEqual(await keptNames(page), ['letters', 'letters-2']);

    // Remove both: gone, also after a reload, and their address says so.
    await page.getByRole('button', { name: 'Remove letters-2' }).click();
    await waitForCount(page.locator('[data-testid="local-set"]'), 1);
    await page.getByRole('button', { name: 'Remove letters' }).click();
    await page.getByTestId('local-none').waitFor();
    await page.reload();
    assert.deepEqual(await keptNames(page), []);
    await page.goto(appUrl(app.site, 'data/local/letters'));
    const alert = page.locator('[role="alert"]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /no dataset named "letters"/);
  });
});

/** Each bad pair, the file to blame and the words of its defect. */
const BAD = [
  {
    what: 'not IDX',
    files: [file('notes.txt', Buffer.from('these are my holiday notes, not images')), GOOD_LABELS],
    blame: 'notes.txt',
    message: /not an IDX file/,
  },
  {
    what: 'truncated (gzip cut short)',
    files: [(() => {
      const gz = gzipSync(imagesIdx());
      return file('cut-images.idx3.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    })(), GOOD_LABELS],
    blame: 'cut-images.idx3.gz',
    message: /truncated/,
  },
  {
    what: 'truncated (raw file cut short)',
    files: [file('short-images.idx3', imagesIdx().subarray(0, 200)), GOOD_LABELS],
    blame: 'short-images.idx3',
    message: /truncated.*592 bytes.*only 200/,
  },
  {
    what: 'dimensions that do not match the length',
    files: [file('wide-images.idx3', Buffer.concat([
      header([2051, COUNT, ROWS, COLS]), Buffer.alloc(COUNT * ROWS * (COLS + 1), 9)])), GOOD_LABELS],
    blame: 'wide-images.idx3',
    message: /dimensions do not match its length/,
  },
  {
    what: 'counts that disagree',
    files: [GOOD_IMAGES, file('eleven-labels.idx1', labelsIdx(LABELS.slice(0, 11)))],
    blame: 'eleven-labels.idx1',
    message: /11 labels.*12 images/,
  },
  {
    what: 'beyond the size limit',
    files: [file('huge-images.idx3', header([2051, 100000, 100, 100])), GOOD_LABELS],
    blame: 'huge-images.idx3',
    message: /100,000 images of 100×100.*more than the limit of 64 MiB/,
  },
  {
    what: 'images wider than the side limit',
    files: [file('wide.idx3', Buffer.concat([header([2051, 1, 1, 600]), Buffer.alloc(600, 1)])),
      file('one-label.idx1', labelsIdx([0]))],
    blame: 'wide.idx3',
    message: /1×600 pixels, larger than the limit of 512×512/,
  },
];

test('each bad file is named with its defect, and what was kept stays', async () => {
  await withPage(async (page) => {
    await openList(page);
    await choose(page, [GOOD_IMAGES, GOOD_LABELS]);
    await page.getByTestId('local-added').waitFor();
    await waitForCount(page.locator('[data-testid="local-set"]'), 1);
    for (const bad of BAD) {
      await choose(page, bad.files);
      const errors = page.getByTestId('local-errors');
      // The message of this pair, not the one before.
      await page.locator(`[data-testid="local-error"][data-file="${bad.blame}"]`).waitFor();
      const items = page.locator('[data-testid="local-error"]');
      assert.equal(await items.count(), 1, bad.what);
      assert.equal(await items.first().getAttribute('data-file'), bad.blame, bad.what);
      const text = await items.first().innerText();
      assert.ok(text.startsWith(`${bad.blame}: `), `${bad.what}: ${text}`);
      assert.match(text, bad.message, bad.what);
      assert.equal(await errors.getAttribute('role'), 'alert');
      assert.deepEqual(await keptNames(page), ['letters'], `${bad.what}: nothing lost`);
    }
    // One file alone is refused too.
    await choose(page, [GOOD_IMAGES]);
    assert.match(await page.locator('[data-testid="local-error"]').innerText(), /choose two files/);
    // The kept set still opens.
    await page.goto(appUrl(app.site, 'data/local/letters/11'));
    await page.getByTestId('digit-label').waitFor();
    assert.equal((await page.getByTestId('digit-label').innerText()).trim(), String(LABELS[11]));
  });
});

test('a set of 28×28 images with many classes is browsed like the built-in ones', async () => {
  await withPage(async (page) => {
    const count = 130;
    const labels = Array.from({ length: count }, (_, i) => (i * 37) % 200);
    await openList(page);
    await choose(page, [
      file('big-classes-images-idx3-ubyte', imagesIdx(count, 28, 28)),
      file('big-classes-labels-idx1-ubyte.gz', gzipSync(labelsIdx(labels))),
    ]);
    await page.getByTestId('local-added').waitFor();
    const classes = Math.max(...labels) + 1;
    assert.match(await page.getByTestId('local-added').innerText(),
      new RegExp(`130 images of 28×28 pixels, ${classes} classes`));
    await page.goto(appUrl(app.site, 'data/local/big-classes?page=2'));
    const cells = page.locator('[data-testid="digit-cell"]');
    await waitForCount(cells, 30);
    const shown = await cells.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-label'))));
    assert.deepEqual(shown, labels.slice(100));
    assert.match(await page.getByTestId('page-info').innerText(), /Page 2 of 2\b/);
    // The label filter: one class, a class without images, a label the set does not have.
    const withLabel = (l) => labels.flatMap((x, i) => (x === l ? [i] : []));
    for (const l of [0, 5, 199]) {
      await page.goto(appUrl(app.site, `data/local/big-classes?label=${l}`));
      const want = withLabel(l);
      assert.ok(want.length > 0);
      await waitForCount(cells, want.length);
      assert.deepEqual(await cells.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-index')))), want);
      assert.equal(await page.locator('.label-filter [aria-current="page"]').innerText(), String(l));
    }
    assert.equal(withLabel(1).length, 0);
    await page.goto(appUrl(app.site, 'data/local/big-classes?label=1'));
    await page.getByText('No images have this label.').waitFor();
    await page.goto(appUrl(app.site, 'data/local/big-classes?label=200'));
    assert.match(await page.locator('[role="alert"]').innerText(), /Label "200" does not exist: the labels of this set are 0–199/);
    await page.goto(appUrl(app.site, 'data/local/big-classes?page=3'));
    assert.match(await page.locator('[role="alert"]').innerText(), /Page 3 does not exist/);
    await page.goto(appUrl(app.site, 'data/local/big-classes/129'));
    await page.getByTestId('digit-label').waitFor();
    assert.equal((await page.getByTestId('digit-label').innerText()).trim(), String(labels[129]));
    assert.match(await page.getByTestId('network-fit').innerText(), /28×28 size, so the network can read them/);
    // The network reads it: the graph of the shipped model, with its 784 inputs, and a prediction.
    await page.getByTestId('network-link').click();
    await page.waitForURL(/\/network\?sample=local\/big-classes\/129$/);
    await page.getByTestId('prediction').waitFor();
    assert.match(await page.getByTestId('prediction').innerText(), /Predicted: \d \(\d+\.\d %\)/);
    assert.match(await page.getByTestId('sample').innerText(), new RegExp(`Image 129 .*big-classes.*labelled ${labels[129]}`));
    await page.locator('svg[data-testid="network-graph"]').waitFor();
    assert.equal(await page.locator('svg[data-testid="network-graph"] g[data-layer="0"] [data-neuron]').count(), 784);
    assert.equal(await page.getByTestId('local-network-note').count(), 0);
    await page.goto(appUrl(app.site, 'network?sample=local/big-classes/999'));
    assert.match(await page.getByTestId('local-network-note').innerText(), /no image "999"/);
    await page.goto(appUrl(app.site, 'data/local/big-classes/130'));
    assert.match(await page.locator('[role="alert"]').innerText(), /no image "130".*0–129/);
  });
});

test('files dropped on the drop zone are added like chosen ones', async () => {
  await withPage(async (page) => {
    await openList(page);
    await page.evaluate(([images, labels]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(images)], 'dropped-images-idx3-ubyte.gz'));
      dt.items.add(new File([new Uint8Array(labels)], 'dropped-labels-idx1-ubyte'));
      const zone = document.querySelector('[data-testid="local-drop"]');
      const init = { dataTransfer: dt, bubbles: true, cancelable: true };
      zone.dispatchEvent(new DragEvent('dragover', init));
      zone.dispatchEvent(new DragEvent('drop', init));
    }, [Array.from(GOOD_IMAGES.buffer), Array.from(GOOD_LABELS.buffer)]);
    await page.getByTestId('local-added').waitFor();
    assert.match(await page.getByTestId('local-added').innerText(), /dropped: 12 images of 8×6 pixels, 3 classes/);
    await waitForCount(page.locator('[data-testid="local-set"]'), 1);
    assert.deepEqual(await keptNames(page), ['dropped']);
  });
});

/** 28×28 images of three shapes (a horizontal bar, a vertical bar, a box), shifted about. */
function shapesIdx(count) {
  const body = Buffer.alloc(count * 784);
  const labels = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 3;
    const dx = (i * 7) % 9;
    const dy = (i * 5) % 9;
    labels.push(kind);
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const y = r - dy;
        const x = c - dx;
        const on = kind === 0 ? (y >= 8 && y < 12 && x >= 4 && x < 18)
          : kind === 1 ? (x >= 8 && x < 12 && y >= 4 && y < 18)
            : ((y === 6 || y === 16) && x >= 6 && x <= 16) || ((x === 6 || x === 16) && y >= 6 && y <= 16);
        if (on) body[i * 784 + r * 28 + c] = 230;
      }
    }
  }
  return [Buffer.concat([header([2051, count, 28, 28]), body]), labelsIdx(labels)];
}

test('a 28×28 set trains on /train, its last seventh tested, and its gallery shows its own images', async () => {
  await withPage(async (page) => {
    await openList(page);
    const [images, labels] = shapesIdx(350);
    await choose(page, [file('shapes-images-idx3-ubyte.gz', gzipSync(images)), file('shapes-labels-idx1-ubyte', labels)]);
    await page.getByTestId('local-added').waitFor();
    await page.goto(appUrl(app.site, 'data/local/shapes'));
    const train = page.getByTestId('local-train');
    await train.waitFor();
    await train.click();
    await page.waitForURL(/\/mnist\/train\?.*data=local:shapes/);
    await waitForStatus(page, /^Ready: 300 training images of your set “shapes”/);
    assert.equal(await page.locator('select[name="data"]').inputValue(), 'local:shapes');
    await page.getByTestId('train-start').click();
    const done = await waitForStatus(page, /^Finished/);
    const accuracy = Number(/test accuracy: ([\d.]+) %/.exec(done)?.[1]);
    assert.ok(accuracy > 80, `three shapes are told apart: ${accuracy} % (${done})`);
    // 50 held-out images in the matrix; a cell's gallery shows the set's own images.
    await page.getByTestId('confusion-matrix').waitFor();
    assert.match(await page.getByTestId('confusion-summary').innerText(), /\b50\b/);
    await page.locator('[data-testid="confusion-matrix"] button[data-true="1"][data-pred="1"]').click();
    const first = page.locator('[data-testid="confusion-gallery"] a[data-index]').first();
    await first.waitFor();
    const index = Number(await first.getAttribute('data-index'));
    assert.ok(index >= 300 && index < 350, `a held-out image: ${index}`);
    assert.match(await first.getAttribute('href'), new RegExp(`/mnist/data/local/shapes/${index}$`));
  });
});

test('a set of another size says why it cannot be trained on, and a link to a missing set is an alert', async () => {
  await withPage(async (page) => {
    await openList(page);
    await choose(page, [GOOD_IMAGES, GOOD_LABELS]);
    await page.getByTestId('local-added').waitFor();
    await page.goto(appUrl(app.site, 'data/local/letters'));
    assert.match(await page.getByTestId('local-train-why').innerText(), /6×8 pixels.*28×28/);
    assert.equal(await page.getByTestId('local-train').count(), 0);
    await page.goto(appUrl(app.site, 'train?data=local:letters'));
    assert.match(await alertText(page), /cannot be trained on.*28×28/);
    await page.goto(appUrl(app.site, 'train?data=local:nothing-here'));
    assert.match(await alertText(page), /keeps no set called “nothing-here”/);
  });
});
