// The MNIST page (examples/mnist-browser) in a real browser: Debian's
// Chromium, driven by playwright-core, with WebGPU on SwiftShader. The page
// is served in-process by scripts/serve.mjs on a free port.
//
// It trains the 784-128-10 MLP on the first 2,000 training images for one
// epoch (Adam, learning rate 0.003, batch 32: 63 steps) and must reach
// TEST_ACCURACY on the first 1,000 test images. With seed 1 the page reached
// 0.855 on SwiftShader (validation 0.90); 0.75 leaves room for another
// adapter's rounding and another seed, and still fails a broken gradient,
// data pipeline or preprocessing (chance is 0.10).
// Chromium must be installed (scripts/setup.sh installs it): without it this
// file fails rather than skips. CHROMIUM_PATH overrides /usr/bin/chromium.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { serve, type Server } from '../scripts/serve.mjs';
import { toMnist, resample } from '../examples/mnist-browser/preprocess.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TEST_ACCURACY = 0.75;
const SCREENSHOT = 'dist/screenshots/mnist-browser.png';
const QUERY = '?train=2000&val=500&test=1000&epochs=1&batch=32&lr=0.001&seed=1';
const ARGS = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface PageState {
  status: string;
  message: string;
  device: { vendor: string; architecture: string } | null;
  epoch: number;
  samplesSeen: number;
  samplesPerSecond: number | null;
  valAccuracy: number | null;
  accuracy: number | null;
  drawn: { digit: number; probabilities: number[]; version: number } | null;
  padVersion: number;
  gridMistakes: number | null;
}

let server: Server;
let context: BrowserContext;
let profile: string;
const errors: string[] = [];

const pageState = (page: Page) => page.evaluate(() => (window as unknown as { __sinapsis: PageState }).__sinapsis);

async function waitForStatus(page: Page, statuses: string[], timeout: number): Promise<PageState> {
  try {
    await page.waitForFunction(
      (want) => want.includes((window as unknown as { __sinapsis?: PageState }).__sinapsis?.status ?? ''),
      statuses,
      { timeout, polling: 100 },
    );
  } catch {
    const s = await pageState(page).catch(() => undefined);
    throw new Error(`the page did not reach status ${statuses.join(' or ')} in ${timeout / 1000} s; it is '${s?.status}': ${s?.message}\nconsole errors: ${errors.join('\n') || 'none'}`);
  }
  return pageState(page);
}

function watch(page: Page, label: string): void {
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${label} console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`${label} pageerror: ${e.message}`));
}

// The page's MNIST-style preprocessing, in Node (pure functions).
test('a drawing is cropped, scaled to 20 pixels on its longer side and centred by mass in 28x28', () => {
  const w = 200, h = 150;
  const ink = new Float32Array(w * h);
  // A 40 wide, 100 tall bar in the top-left corner, heavier on its left half.
  for (let y = 10; y < 110; y++) for (let x = 5; x < 45; x++) ink[y * w + x] = x < 25 ? 1 : 0.5;
  const img = toMnist(ink, w, h)!;
  assert.is(img.length, 28 * 28);
  let mass = 0, cx = 0, cy = 0, rowsWithInk = 0, colsWithInk = 0;
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) { const v = img[y * 28 + x]; mass += v; cx += v * (x + 0.5); cy += v * (y + 0.5); }
  for (let y = 0; y < 28; y++) if (img.subarray(y * 28, y * 28 + 28).some((v) => v > 0)) rowsWithInk++;
  for (let x = 0; x < 28; x++) if ([...Array(28).keys()].some((y) => img[y * 28 + x] > 0)) colsWithInk++;
  assert.is(rowsWithInk, 20, 'the longer side is 20 pixels');
  assert.is(colsWithInk, 8, 'the aspect ratio is kept (40:100 -> 8:20)');
  assert.ok(Math.abs(cx / mass - 14) <= 0.5 && Math.abs(cy / mass - 14) <= 0.5, `centre of mass at (${cx / mass}, ${cy / mass})`);
  assert.is(Math.max(...img), 1);
  assert.is(toMnist(new Float32Array(w * h), w, h), undefined, 'an empty pad gives no image');
  // Area averaging keeps the mean intensity.
  const src = Float32Array.from({ length: 35 * 13 }, (_, i) => (i * 7919) % 11 / 10);
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(resample(src, 35, 13, 6, 5)) - mean(src)) < 1e-5);
});

test.before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: the browser test needs it (run scripts/setup.sh, or apt-get install chromium, or set CHROMIUM_PATH)`);
  }
  server = await serve({ port: 0, root: 'dist/mnist-browser' });
  profile = mkdtempSync(join(tmpdir(), 'sinapsis-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
});

test.after(async () => {
  await context?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('the page trains the MLP in Chromium on WebGPU, pauses between batches, recognises a drawn 1, with no console errors', async () => {
  const page = await context.newPage();
  watch(page, 'mnist');
  await page.goto(server.url + QUERY);

  // Ready: the device is shown and the URL's settings are in the controls.
  const ready = await waitForStatus(page, ['ready', 'error', 'no-webgpu'], 30_000);
  assert.is(ready.status, 'ready', ready.message);
  assert.ok(ready.device, 'window.__sinapsis.device is set');
  assert.match(await page.textContent('#device') ?? '', /WebGPU: .+/);
  assert.is(await page.inputValue('#batch'), '32');
  assert.is(await page.inputValue('#train'), '2000');
  assert.is(await page.locator('#model option[value=cnn]').count(), 1, 'the model list offers the convnet entry');

  // A setting changed in the page goes to the URL (without restarting: the learning rate applies live).
  await page.selectOption('#lr', '0.003');
  assert.match(page.url(), /[?&]lr=0\.003(&|$)/);

  // Train; a heartbeat measures how long the page's main thread ever stays busy.
  await page.evaluate(() => {
    const w = window as unknown as { __gap: number };
    w.__gap = 0;
    let last = performance.now();
    setInterval(() => { const now = performance.now(); w.__gap = Math.max(w.__gap, now - last); last = now; }, 20);
  });
  await page.click('#start');
  await page.waitForFunction(() => (window as unknown as { __sinapsis: PageState }).__sinapsis.samplesSeen >= 300, null, { timeout: 30_000, polling: 50 });

  // Pause stops after the batch in flight, and nothing trains until Start.
  await page.click('#start');
  const paused = await waitForStatus(page, ['paused', 'done', 'error'], 10_000);
  assert.is(paused.status, 'paused', paused.message);
  await page.waitForTimeout(400);
  const still = await pageState(page);
  assert.is(still.samplesSeen, paused.samplesSeen, 'no samples trained while paused');
  assert.ok(paused.samplesSeen < 2000, `paused mid-epoch (${paused.samplesSeen} samples)`);

  await page.click('#start');
  const done = await waitForStatus(page, ['done', 'error'], 60_000);
  assert.is(done.status, 'done', done.message);
  assert.is(done.samplesSeen, 2000, 'one epoch of 2000 samples, none lost or repeated across the pause');
  assert.ok(done.accuracy !== null && done.accuracy > TEST_ACCURACY, `test accuracy ${done.accuracy} > ${TEST_ACCURACY}`);
  assert.ok(done.valAccuracy !== null && done.valAccuracy > TEST_ACCURACY, `validation accuracy ${done.valAccuracy}`);
  assert.ok((done.samplesPerSecond ?? 0) > 0, 'samples/s measured');
  assert.match(await page.textContent('#s-test') ?? '', /^\d+\.\d%$/);
  assert.is(await page.locator('#digits .digit').count(), 64);
  assert.ok(done.gridMistakes !== null && done.gridMistakes < 64 * 0.35, `${done.gridMistakes} mistakes among 64 test digits`);
  const gap = await page.evaluate(() => (window as unknown as { __gap: number }).__gap);
  console.log(`  page: test accuracy ${(done.accuracy! * 100).toFixed(1)}%, ${Math.round(done.samplesPerSecond!)} samples/s, longest main-thread stall ${Math.round(gap)} ms`);
  assert.ok(gap < 2000, `the page froze for ${Math.round(gap)} ms while training`);

  // Draw a 1: one vertical stroke down the middle of the pad.
  const box = (await page.locator('#pad').boundingBox())!;
  const x = box.x + box.width * 0.52;
  await page.mouse.move(x, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(x - i * 0.8, box.y + box.height * (0.15 + (0.7 * i) / 12));
  await page.mouse.up();
  // The pad hands its image over once per animation frame, and a prediction
  // may be of a stroke half drawn (under load, frames come late): wait two
  // frames for the last change, then for the prediction of that drawing.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForFunction(() => {
    const s = (window as unknown as { __sinapsis: PageState }).__sinapsis;
    return s.drawn !== null && s.drawn.version === s.padVersion;
  }, null, { timeout: 10_000 });
  const drawn = (await pageState(page)).drawn!;
  const sum = drawn.probabilities.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-3, `probabilities sum to ${sum}`);
  assert.is(drawn.digit, 1, `the drawn 1 was read as ${drawn.digit} (${drawn.probabilities.map((p) => p.toFixed(2)).join(' ')})`);
  assert.is(await page.textContent('#guess'), '1');

  mkdirSync('dist/screenshots', { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.ok(statSync(SCREENSHOT).size > 10_000, 'screenshot written');

  // Reset in the middle of training, then a new optimizer (which starts over too).
  await page.click('#start');
  await page.waitForFunction(() => (window as unknown as { __sinapsis: PageState }).__sinapsis.samplesSeen > 2000, null, { timeout: 30_000, polling: 50 });
  await page.click('#reset');
  const afterReset = await waitForStatus(page, ['ready', 'error'], 20_000);
  assert.is(afterReset.status, 'ready', afterReset.message);
  assert.is(afterReset.samplesSeen, 0);
  assert.is(afterReset.accuracy, null);
  await page.selectOption('#optimizer', 'sgd');
  assert.match(page.url(), /[?&]optimizer=sgd(&|$)/);
  const afterSwitch = await waitForStatus(page, ['ready', 'error'], 20_000);
  assert.is(afterSwitch.status, 'ready', afterSwitch.message);
  await page.close();
  assert.equal(errors, [], 'no console errors or page errors');
});

test('without WebGPU the page says what to enable instead of going blank', async () => {
  const page = await context.newPage();
  const before = errors.length;
  watch(page, 'no-webgpu');
  await page.addInitScript(() => { delete (Navigator.prototype as { gpu?: unknown }).gpu; });
  await page.goto(server.url);
  const s = await waitForStatus(page, ['no-webgpu', 'ready', 'error'], 10_000);
  assert.is(s.status, 'no-webgpu', s.message);
  assert.ok(await page.isVisible('#nogpu'));
  assert.match(await page.textContent('#nogpu') ?? '', /--enable-unsafe-webgpu/);
  assert.not.ok(await page.isVisible('#app'));
  await page.close();
  assert.equal(errors.slice(before), []);
});

test.run();
