// The drawing pad (/draw): a digit drawn with the mouse is read by the shipped model as it is
// drawn, the four preprocessing steps are shown, Undo and Clear work, the page survives a deep
// link and a reload, and a failed model download ends in an alert with Retry. "See it in the
// network" carries the drawing in the link (`/network?input=…`): the network view reads the same
// 784 grey levels after a reload, and a cut, unreadable or wrong-length code is an alert. Prints
// the median time of one update (preprocess + predict + paint, the `draw:update` measure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUrl, alertText } from '../lib.mjs';
import {
  testSite, onFreshPage, assertNoPanic, assertNoConsoleErrors,
} from '../fixture.mjs';

const app = testSite(assertNoConsoleErrors);
const { withPage } = app;

const CANVAS = '[data-testid="draw-canvas"]';
const PREDICTION = '[data-testid="draw-prediction"]';

/** Draws one stroke through `points` (fractions of the canvas' width and height). */
async function stroke(page, points) {
  const box = await page.locator(CANVAS).boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 12 });
  await page.mouse.up();
}

/** Waits for two animation frames: the update asked for by the last move has run. */
const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** The prediction text once the pad has read the drawing (it starts with a digit). */
async function prediction(page) {
  await frames(page);
  await page.waitForFunction((sel) => /^\d/.test(document.querySelector(sel)?.textContent ?? ''), PREDICTION);
  return (await page.locator(PREDICTION).innerText()).trim();
}

/** For each step canvas: its size and how many of its pixels have ink (are not white). */
function steps(page) {
  return page.locator('[data-testid="preprocess-steps"] canvas').evaluateAll((canvases) => canvases.map((c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    let mass = 0;
    let mx = 0;
    let my = 0;
    for (let i = 0; i < data.length; i += 4) {
      const grey = 255 - data[i];
      if (grey > 0) ink += 1;
      mass += grey;
      mx += grey * ((i / 4) % c.width);
      my += grey * Math.floor(i / 4 / c.width);
    }
    const com = mass > 0 ? [mx / mass, my / mass] : null;
    return { width: c.width, height: c.height, ink, com, url: c.toDataURL() };
  }));
}

/** The ten probability rows: [digit, percent] from their text. */
function bars(page) {
  return page.locator('[data-testid="draw-probabilities"] li').evaluateAll((lis) => lis.map((li) => [
    Number(li.querySelector('.bar-digit').textContent),
    Number.parseFloat(li.querySelector('.bar-value').textContent),
  ]));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const ONE = [[0.52, 0.12], [0.5, 0.5], [0.47, 0.88]];
const SEVEN_BAR = [[0.25, 0.18], [0.75, 0.18]];
const SEVEN_LEG = [[0.75, 0.18], [0.55, 0.5], [0.4, 0.88]];

test('a drawn 1 and 7 are read as 1 and 7, with the four steps shown', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'draw'));
    await page.locator(CANVAS).waitFor();
    assert.match(await page.locator(PREDICTION).innerText(), /^Draw a digit/);
    assert.equal(await page.locator('[data-testid="draw-probabilities"]').count(), 0, 'no bars before drawing');
    assert.equal(await page.locator(CANVAS).evaluate((c) => getComputedStyle(c).touchAction), 'none');

    await stroke(page, ONE);
    const one = await prediction(page);
    assert.match(one, /^1 — \d+\.\d %$/, `a vertical stroke is a 1: ${one}`);
    const shown = await steps(page);
    assert.equal(shown.length, 4, 'four step images');
    for (const s of shown) assert.ok(s.ink > 0, `a step image is blank: ${JSON.stringify({ ...s, url: undefined })}`);
    assert.deepEqual([shown[0].width, shown[0].height], [280, 280], 'step 1: the whole canvas');
    assert.ok(shown[1].height > shown[1].width * 3, 'step 2: cropped to a tall thin stroke');
    assert.equal(shown[2].height, 20, 'step 3: fitted into 20 px high');
    assert.ok(shown[2].width < 10, 'step 3: and kept thin');
    assert.deepEqual([shown[3].width, shown[3].height], [28, 28], 'step 4: the 28×28 input');
    const [cx, cy] = shown[3].com;
    assert.ok(Math.abs(cx - 14) <= 0.5 && Math.abs(cy - 14) <= 0.5, `step 4: centre of mass at (14, 14): ${cx}, ${cy}`);
    const rows = await bars(page);
    assert.deepEqual(rows.map(([d]) => d), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'ten probability rows');
    const total = rows.reduce((t, [, p]) => t + p, 0);
    assert.ok(Math.abs(total - 100) < 1, `the probabilities add up to 100 %: ${total}`);
    const best = rows.reduce((a, b) => (b[1] > a[1] ? b : a));
    assert.equal(best[0], 1, 'the longest bar is the 1');

    await page.getByTestId('draw-clear').click();
    await frames(page);
    await stroke(page, SEVEN_BAR);
    await stroke(page, SEVEN_LEG);
    const seven = await prediction(page);
    assert.match(seven, /^7 — /, `a bar and a diagonal are a 7: ${seven}`);
    const [sx, sy] = (await steps(page))[3].com;
    assert.ok(Math.abs(sx - 14) <= 0.5 && Math.abs(sy - 14) <= 0.5, `the 7's centre of mass at (14, 14): ${sx}, ${sy}`);

    const updates = await page.evaluate(() => performance.getEntriesByName('draw:update', 'measure').map((e) => e.duration));
    assert.ok(updates.length > 5, `updates measured: ${updates.length}`);
    const ms = median(updates);
    console.log(`draw:update median ${ms.toFixed(2)} ms over ${updates.length} updates (max ${Math.max(...updates).toFixed(2)} ms; target ≤ 16 ms)`);
    assert.ok(ms < 100, `an update takes ${ms} ms`);
  });
});

test('Undo removes the last stroke, Clear empties the pad', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'draw'));
    await page.locator(CANVAS).waitFor();
    assert.ok(await page.getByTestId('draw-undo').isDisabled(), 'nothing to undo yet');
    await stroke(page, SEVEN_BAR);
    await prediction(page);
    const barOnly = await steps(page);
    await stroke(page, SEVEN_LEG);
    assert.match(await prediction(page), /^7/);
    const both = await steps(page);
    assert.notEqual(both[3].url, barOnly[3].url, 'the second stroke changes the input');

    await page.getByTestId('draw-undo').click();
    await frames(page);
    const undone = await steps(page);
    assert.equal(undone[3].url, barOnly[3].url, 'after Undo the input is the bar alone again');
    assert.equal(undone[0].url, barOnly[0].url, 'and so is the drawing');
    assert.match(await prediction(page), /^\d — /);

    await page.getByTestId('draw-clear').click();
    await frames(page);
    await page.waitForFunction((sel) => /^Draw a digit/.test(document.querySelector(sel).textContent), PREDICTION);
    assert.equal(await page.locator('[data-testid="draw-probabilities"]').count(), 0, 'no bars after Clear');
    const cleared = await steps(page);
    assert.deepEqual(cleared.map((s) => s.ink), [0, 0, 0, 0], 'the step images are blank');
    const pad = await page.locator(CANVAS).evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      return d.some((v, i) => i % 4 === 0 && v < 255);
    });
    assert.equal(pad, false, 'the pad is blank');
    assert.ok(await page.getByTestId('draw-clear').isDisabled());
  });
});

test('/draw works as a deep link and after a reload, and the home page and the header link to it', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'draw'));
    await page.getByRole('heading', { name: 'Draw a digit' }).waitFor();
    await page.reload();
    await page.locator(CANVAS).waitFor();
    await stroke(page, ONE);
    assert.match(await prediction(page), /^1/);
    assert.match(await page.locator('#draw-help').innerText(), /needs a pointer/);

    await page.goto(appUrl(app.site, ''));
    await page.getByTestId('home-draw').click();
    await page.locator(CANVAS).waitFor();
    assert.equal(new URL(page.url()).pathname, '/mnist/draw');
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Draw' });
    assert.equal(await nav.getAttribute('aria-current'), 'page');
  });
});

test('a failed model download says so with Retry, and Retry loads it', async () => {
  await onFreshPage(app.browser, async (page) => {
    let fail = true;
    await page.route('**/data/models/default.mnn', (route) => (fail
      ? route.fulfill({ status: 503, body: 'down' })
      : route.continue()));
    await page.goto(appUrl(app.site, 'draw'));
    assert.match(await alertText(page), /model could not be loaded/i);
    await stroke(page, ONE);
    await frames(page);
    assert.match(await page.locator(PREDICTION).innerText(), /No model/);
    fail = false;
    await page.getByRole('button', { name: 'Retry' }).click();
    assert.match(await prediction(page), /^1/);
    assert.equal(await page.locator('[role="alert"]').count(), 0);
  }, assertNoPanic);
});

// The time of an update is a figure (printed here, reported in the README), not a pass mark: a
// timed assertion would fail on a busy machine, not on slow code.
test('a long scribble is read as it is drawn, one measured update per frame', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'draw'));
    await page.locator(CANVAS).waitFor();
    await stroke(page, ONE);
    await prediction(page);
    const box = await page.locator(CANVAS).boundingBox();
    for (let s = 0; s < 10; s++) {
      const y = box.y + 20 + s * 24;
      await page.mouse.move(box.x + 20, y);
      await page.mouse.down();
      for (let k = 0; k < 40; k++) {
        await page.mouse.move(box.x + (k % 2 ? 260 : 20), y + k * 0.5, { steps: 3 });
      }
      await page.mouse.up();
    }
    await prediction(page);
    const updates = await page.evaluate(() => performance.getEntriesByName('draw:update', 'measure').map((e) => e.duration));
    const ms = median(updates);
    console.log(`draw:update, long scribble (11 strokes, ~1,200 points): median ${ms.toFixed(2)} ms over ${updates.length} updates (max ${Math.max(...updates).toFixed(2)} ms)`);
    assert.ok(updates.length > 50, `updates measured: ${updates.length}`);
  });
});

test('a pen or a finger draws too (pointer events of another type and id)', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'draw'));
    await page.locator(CANVAS).waitFor();
    await page.locator(CANVAS).evaluate((canvas) => {
      const r = canvas.getBoundingClientRect();
      const fire = (type, pointerType, id, x, y) => canvas.dispatchEvent(new PointerEvent(type, {
        pointerId: id, pointerType, isPrimary: true, button: type === 'pointermove' ? -1 : 0,
        clientX: r.left + x * r.width, clientY: r.top + y * r.height, bubbles: true, cancelable: true,
      }));
      // A pen draws the stem of a 1; a finger, at the same time, is ignored while not its stroke.
      fire('pointerdown', 'pen', 7, 0.5, 0.12);
      for (let k = 1; k <= 20; k++) {
        fire('pointermove', 'pen', 7, 0.5 - k * 0.002, 0.12 + k * 0.038);
        fire('pointermove', 'touch', 9, 0.1, 0.1 + k * 0.01);
      }
      fire('pointerup', 'pen', 7, 0.46, 0.88);
    });
    assert.match(await prediction(page), /^1 — /);
    const shown = await steps(page);
    assert.ok(shown[1].height > shown[1].width * 3, 'one tall stroke: the finger\'s moves drew nothing');
    // Then a finger draws a second stroke.
    await page.locator(CANVAS).evaluate((canvas) => {
      const r = canvas.getBoundingClientRect();
      const fire = (type, x, y) => canvas.dispatchEvent(new PointerEvent(type, {
        pointerId: 9, pointerType: 'touch', isPrimary: true, button: type === 'pointermove' ? -1 : 0,
        clientX: r.left + x * r.width, clientY: r.top + y * r.height, bubbles: true, cancelable: true,
      }));
      fire('pointerdown', 0.2, 0.9);
      fire('pointermove', 0.5, 0.9);
      fire('pointermove', 0.8, 0.9);
      fire('pointerup', 0.8, 0.9);
    });
    await frames(page);
    const after = await steps(page);
    assert.ok(after[1].width > shown[1].width * 3, 'the finger\'s stroke widened the ink');
  });
});

/** The grey levels of an `?input=` code (URL-safe base64 of bytes; `0, n` is a run of n blanks). */
function decodeInput(code) {
  const bytes = Buffer.from(code, 'base64url');
  const levels = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) levels.push(...new Array(bytes[++i]).fill(0));
    else levels.push(bytes[i]);
  }
  return levels;
}

/** The same packing, for codes the tests make up. */
function encodeInput(levels) {
  const out = [];
  let blanks = 0;
  const flush = () => { if (blanks) out.push(0, blanks); blanks = 0; };
  for (const v of levels) {
    if (v === 0) { blanks += 1; if (blanks === 255) flush(); } else { flush(); out.push(v); }
  }
  flush();
  return Buffer.from(out).toString('base64url');
}

/** The network view's prediction line once the graph has read its input. */
async function networkPrediction(page) {
  await page.waitForFunction(() => /^Predicted: \d/.test(document.querySelector('[data-testid="prediction"]')?.textContent ?? ''));
  return (await page.getByTestId('prediction').innerText()).trim();
}

test('"See it in the network" carries the drawing in the link, and a reload shows the same input', async () => {
  await withPage(async (page) => {
    await page.goto(appUrl(app.site, 'draw'));
    await page.locator(CANVAS).waitFor();
    assert.equal(await page.getByTestId('draw-to-network').count(), 0, 'no link before drawing');
    await stroke(page, SEVEN_BAR);
    await stroke(page, SEVEN_LEG);
    const read = await prediction(page);
    const [, digit, pct] = read.match(/^(\d) — (\d+\.\d) %$/);
    assert.match(await page.getByTestId('draw-model').innerText(), /Read by the shipped model/);
    // The input the pad shows (step 4, drawn dark on white: grey = 255 − red).
    const input = await page.locator('[data-testid="preprocess-steps"] canvas').nth(3).evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, 28, 28).data;
      return Array.from({ length: 784 }, (_, i) => 255 - d[i * 4]);
    });

    await page.getByTestId('draw-to-network').click();
    await page.waitForURL(/\/mnist\/network\?input=/);
    const code = new URL(page.url()).searchParams.get('input');
    assert.match(code, /^[A-Za-z0-9_-]+$/, 'the code is URL-safe');
    assert.ok(code.length < 1046, `packed: ${code.length} characters`);
    assert.deepEqual(decodeInput(code), input, 'the link holds exactly the 784 grey levels the pad showed');
    const line = await networkPrediction(page);
    assert.equal(line, `Predicted: ${digit} (${pct} %)`, 'the network view reads it as the pad did');
    assert.match(await page.getByTestId('sample').innerText(), /drawing/);

    await page.reload();
    assert.equal(await networkPrediction(page), line, 'a reload reads the same input');
    assert.equal(new URL(page.url()).searchParams.get('input'), code);

    // A layer of the drawing, then one of its neurons: the drawing stays in the link.
    await page.goto(appUrl(app.site, `network/layer/1?input=${code}`));
    const neuron = page.getByTestId('layer-detail').locator('tbody a').first();
    await neuron.waitFor();
    await neuron.click();
    await page.waitForURL(/\/network\/layer\/1\/neuron\/\d+\?input=/);
    assert.equal(new URL(page.url()).searchParams.get('input'), code);
    assert.equal(await networkPrediction(page), line);
  });
});

test('a cut, unreadable or wrong-length drawing in the link is an alert, not a panic', async () => {
  await withPage(async (page) => {
    const seven = Array.from({ length: 784 }, (_, i) => ((i % 28 > 8 && i % 28 < 12) ? 200 : 0));
    const code = encodeInput(seven);
    // The code itself is fine.
    await page.goto(appUrl(app.site, `network?input=${code}`));
    await networkPrediction(page);
    assert.equal(await page.locator('[role="alert"]').count(), 0);
    const cases = [
      [code.slice(0, Math.floor(code.length / 2)), /cut off/],
      ['not*a$drawing', /cannot be read/],
      [encodeInput(new Array(900).fill(9)), /900 grey levels.*784/],
      [encodeInput(new Array(100).fill(9)), /cut off.*100 of the 784/],
    ];
    for (const [bad, message] of cases) {
      await page.goto(appUrl(app.site, `network?input=${encodeURIComponent(bad)}`));
      assert.match(await alertText(page), message, bad);
      assert.equal(await page.getByTestId('prediction').count(), 0, 'nothing is predicted from a bad code');
    }
  });
});
