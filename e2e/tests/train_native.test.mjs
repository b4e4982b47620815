// The same settings and seed train the same network in the browser as natively: the native
// trainer (src/bin/train.rs, with --portable-kernels, whose rounding matches the browser's wasm
// simd128 kernels: multiply then add, in the same order) prints the /train link of its run; the
// test trains that link in the browser's worker, downloads the model and compares every weight
// and bias with the native model's, bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appUrl, REPO, TRAIN_TIMEOUT_MS, waitForStatus } from '../lib.mjs';
import { testSite, assertNoConsoleErrors } from '../fixture.mjs';

const app = testSite(assertNoConsoleErrors);
const { withPage } = app;
const TIMEOUT_MS = TRAIN_TIMEOUT_MS;

/** The parameters of a .mnn file (docs/model-format.md) as raw little-endian f32 bytes, and the
 * layer sizes. */
function parameters(bytes) {
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'MNNF');
  const layers = bytes.readUInt16LE(6);
  let inputs = bytes.readUInt32LE(8);
  let at = 12;
  const sizes = [inputs];
  let count = 0;
  for (let l = 0; l < layers; l += 1) {
    const outputs = bytes.readUInt32LE(at);
    sizes.push(outputs);
    count += outputs * inputs + outputs;
    inputs = outputs;
    at += 8;
  }
  const note = bytes.readUInt32LE(at);
  at += 4 + note;
  assert.equal(bytes.length, at + 4 * count + 4, 'parameters then the checksum');
  return { sizes, raw: bytes.subarray(at, at + 4 * count) };
}

test('a run trained in the browser equals the native trainer\'s with the same settings', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mnist-native-'));
  const nativeFile = path.join(dir, 'native.mnn');
  const printed = execFileSync('cargo', [
    'run', '--quiet', '--bin', 'train', '--',
    '--arch', '784-16-10', '--optimizer', 'sgd', '--lr', '0.1', '--batch', '50', '--epochs', '1',
    '--subset', '1000', '--seed', '5', '--portable-kernels', '--quiet', '--out', nativeFile,
  ], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const link = /the same run in the browser: \/(train\?\S+)/.exec(printed)?.[1];
  assert.ok(link, `the trainer prints its /train link:\n${printed}`);

  await withPage(async (page) => {
    await page.goto(appUrl(app.site, link));
    await waitForStatus(page, /^Ready/);
    await page.getByTestId('train-start').click();
    await waitForStatus(page, /^Finished/);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT_MS }),
      page.getByTestId('model-download').click(),
    ]);
    const browserFile = path.join(dir, 'browser.mnn');
    await download.saveAs(browserFile);
    const browser = parameters(readFileSync(browserFile));
    const native = parameters(readFileSync(nativeFile));
    assert.deepEqual(browser.sizes, [784, 16, 10]);
    assert.deepEqual(browser.sizes, native.sizes);
    if (!browser.raw.equals(native.raw)) {
      let worst = 0;
      let differ = 0;
      for (let i = 0; i < browser.raw.length; i += 4) {
        const d = Math.abs(browser.raw.readFloatLE(i) - native.raw.readFloatLE(i));
        if (d > 0) differ += 1;
        worst = Math.max(worst, d);
      }
      assert.fail(`${differ} of ${browser.raw.length / 4} parameters differ, by up to ${worst}`);
    }
  });
});
