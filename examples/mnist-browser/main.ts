// MNIST in the browser: the page's wiring. It fetches the MNIST files served
// with it, trains the chosen model with sinapsis on WebGPU (navigator.gpu),
// and shows live curves, the throughput, a grid of test digits with their
// predictions, and a pad to draw a digit on. The settings live in the URL.
// For tests, the page's state is window.__sinapsis.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import * as sn from '../../src/index.js';
import { CHOICES, parseSettings, toQuery, type Settings } from './settings.js';
import { loadMnist, rows, type Mnist } from './data.js';
import { modelChoices, makeOptimizer, paramCount } from './models.js';
import { Trainer, type Exclusive, type Split } from './trainer.js';
import { MetricChart } from './charts.js';
import { DrawingPad, ProbabilityBars, paintDigit } from './draw.js';

type Status = 'loading' | 'ready' | 'training' | 'paused' | 'done' | 'error' | 'no-webgpu';

/** What tests (and the curious, from the console) can read. */
interface PageState {
  status: Status;
  message: string;
  settings: Settings;
  device: sn.DeviceInfo | null;
  epoch: number;
  samplesSeen: number;
  samplesPerSecond: number | null;
  loss: number | null;
  trainAccuracy: number | null;
  valAccuracy: number | null;
  /** Test accuracy after the last completed epoch. */
  accuracy: number | null;
  /** The drawn digit's prediction, of drawing number `version` (a drawing changes as it is drawn). */
  drawn: { digit: number; probabilities: number[]; version: number } | null;
  /** Counts the pad's changes: the prediction is of the finished drawing once drawn.version reaches it. */
  padVersion: number;
  /** Mistakes among the test digits shown. */
  gridMistakes: number | null;
}

declare global {
  interface Window { __sinapsis: PageState }
}

const GRID = 64;
const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};
const pct = (v: number | null | undefined) => (v == null ? '–' : `${(v * 100).toFixed(1)}%`);
const int = (v: number) => Math.round(v).toLocaleString('en-US');

const { settings, warnings } = parseSettings(location.search);
for (const w of warnings) console.warn(`settings: ${w}`);
const state: PageState = {
  status: 'loading', message: '', settings, device: null, epoch: 0, samplesSeen: 0, samplesPerSecond: null,
  loss: null, trainAccuracy: null, valAccuracy: null, accuracy: null, drawn: null, padVersion: 0, gridMistakes: null,
};
window.__sinapsis = state;

function setStatus(status: Status, message: string): void {
  state.status = status;
  state.message = message;
  const el = $('status');
  el.dataset.status = status;
  el.textContent = message;
}

// ------------------------------------------------------------ model access

/** One model call at a time: a reset must not dispose a model that a prediction is using. */
let tail: Promise<unknown> = Promise.resolve();
const exclusive: Exclusive = (fn) => {
  const run = tail.then(() => fn());
  tail = run.catch(() => undefined);
  return run;
};

// ------------------------------------------------------------ controls

const choices = modelChoices();

function fillSelect<T extends string | number>(id: keyof Settings, values: readonly T[], label: (v: T) => string = String): void {
  const select = $<HTMLSelectElement>(id);
  const current = settings[id] as T;
  const all = values.includes(current) ? [...values] : [...values, current].sort((a, b) => (a < b ? -1 : 1));
  select.replaceChildren(...all.map((v) => new Option(label(v), String(v), false, v === current)));
}

function setupControls(): void {
  const models = $<HTMLSelectElement>('model');
  models.replaceChildren(
    ...choices.map((c) => {
      const o = new Option(c.label, c.id, false, c.id === settings.model);
      o.disabled = !c.build;
      if (c.missing) o.title = c.missing;
      return o;
    }),
  );
  if (!choices.some((c) => c.id === settings.model && c.build)) {
    console.warn(`settings: model '${settings.model}' is not available; using 'mlp'`);
    settings.model = 'mlp';
    models.value = 'mlp';
  }
  fillSelect('optimizer', CHOICES.optimizer);
  fillSelect('lr', CHOICES.lr);
  fillSelect('batch', CHOICES.batch);
  fillSelect('epochs', CHOICES.epochs);
  fillSelect('train', CHOICES.train, (v) => int(v));

  // Changing the model, the optimizer or the data starts over; the rest applies while training.
  const restart: (keyof Settings)[] = ['model', 'optimizer', 'train'];
  for (const key of ['model', 'optimizer', 'lr', 'batch', 'epochs', 'train'] as const) {
    $<HTMLSelectElement>(key).addEventListener('change', (e) => {
      const raw = (e.target as HTMLSelectElement).value;
      (settings as unknown as Record<string, unknown>)[key] = key === 'model' || key === 'optimizer' ? raw : Number(raw);
      history.replaceState(null, '', toQuery(settings));
      if (restart.includes(key)) void reset();
      else if (key === 'epochs' && session) {
        const t = session.trainer;
        targetEpochs = Math.max(settings.epochs, t.epoch + (t.offset > 0 ? 1 : 0));
        if (state.status === 'done' && t.epoch < targetEpochs) {
          setStatus('paused', `${targetEpochs - t.epoch} more epoch${targetEpochs - t.epoch === 1 ? '' : 's'} to go: press Start.`);
          $('start').textContent = 'Start';
        }
      }
      updateProgress();
    });
  }
  $('start').addEventListener('click', () => void startOrPause());
  $('reset').addEventListener('click', () => void reset());
  history.replaceState(null, '', toQuery(settings));
}

function enableControls(on: boolean): void {
  for (const id of ['start', 'reset', 'model', 'optimizer', 'lr', 'batch', 'epochs', 'train']) ($(id) as HTMLButtonElement).disabled = !on;
}

// ------------------------------------------------------------ the session: data, model, trainer

let device: sn.Device;
let mnist: Mnist | undefined;
let loadedTrainRows = 0;
let targetEpochs = settings.epochs;

interface Session {
  model: sn.Model;
  trainer: Trainer;
  test: Split;
}
let session: Session | undefined;

const charts = {} as { loss: MetricChart; acc: MetricChart };
let grid: { cells: HTMLElement[]; preds: HTMLElement[]; labels: number[] } | undefined;
let pad: DrawingPad;
let bars: ProbabilityBars;

async function ensureData(): Promise<Mnist> {
  const need = settings.train + settings.val;
  if (!mnist || loadedTrainRows < need) {
    setStatus('loading', `Loading MNIST (${int(need)} training and ${int(settings.test)} test images)…`);
    mnist = await loadMnist('data/', need, settings.test);
    loadedTrainRows = need;
  }
  return mnist;
}

async function newSession(): Promise<Session> {
  const data = await ensureData();
  const available = data.train.x.shape[0];
  const trainN = Math.min(settings.train, available);
  const valN = Math.min(settings.val, available - trainN);
  const train = { x: rows(data.train.x, 0, trainN), y: rows(data.train.y, 0, trainN) };
  const val = valN > 0 ? { x: rows(data.train.x, trainN, valN), y: rows(data.train.y, trainN, valN) } : undefined;
  const test = { x: data.test.x, y: data.test.y };

  const choice = choices.find((c) => c.id === settings.model && c.build)!;
  const model = choice.build!(settings.seed);
  const optimizer = makeOptimizer(settings.optimizer, settings.lr);
  setStatus('loading', 'Compiling the model…');
  await exclusive(async () => model.compile({ device, optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] }));
  $('s-params').textContent = int(paramCount(model));

  const trainer = new Trainer(model, optimizer, { train, val, test }, settings.seed, () => settings, exclusive, {
    chunk: (r) => {
      state.epoch = r.epoch;
      state.samplesSeen = r.samples;
      state.loss = r.loss;
      state.trainAccuracy = r.accuracy;
      if (trainer.samplesPerSecond !== undefined) state.samplesPerSecond = trainer.samplesPerSecond;
      charts.loss.add({ epoch: r.epoch, train: r.loss });
      charts.acc.add({ epoch: r.epoch, train: r.accuracy });
      showStats();
      updateProgress();
      void predictDrawn();
    },
    validation: async (epoch, m) => {
      state.valAccuracy = m.accuracy;
      charts.loss.add({ epoch, val: m.loss });
      charts.acc.add({ epoch, val: m.accuracy });
      showStats();
      await updateGrid();
    },
    epochEnd: async (epochs, t) => {
      state.accuracy = t.accuracy;
      charts.loss.add({ epoch: epochs, test: t.loss });
      charts.acc.add({ epoch: epochs, test: t.accuracy });
      showStats();
      updateProgress();
      await updateGrid();
    },
  });
  session = { model, trainer, test };
  buildGrid(test);
  await updateGrid();
  void predictDrawn();
  return session;
}

function showStats(): void {
  $('s-samples').textContent = int(state.samplesSeen);
  $('s-rate').textContent = state.samplesPerSecond == null ? '–' : int(state.samplesPerSecond);
  $('s-loss').textContent = state.loss == null ? '–' : state.loss.toFixed(4);
  $('s-acc').textContent = pct(state.trainAccuracy);
  $('s-val').textContent = pct(state.valAccuracy);
  $('s-test').textContent = pct(state.accuracy);
}

function updateProgress(): void {
  const t = session?.trainer;
  const done = t ? t.epoch + t.offset / Math.max(1, settings.train) : 0;
  $('progress').style.width = `${Math.min(100, (100 * done) / Math.max(1, targetEpochs))}%`;
  $('s-epoch').textContent = `${t ? t.epoch : 0} / ${targetEpochs}`;
}

// ------------------------------------------------------------ start / pause / reset

async function startOrPause(): Promise<void> {
  if (!session) return;
  const { trainer } = session;
  if (trainer.running) {
    $('start').textContent = 'Pausing…';
    await trainer.pause();
    return;
  }
  if (trainer.epoch >= targetEpochs) targetEpochs = trainer.epoch + settings.epochs;
  else targetEpochs = Math.max(settings.epochs, trainer.epoch + (trainer.offset > 0 ? 1 : 0));
  $('start').textContent = 'Pause';
  setStatus('training', `Training ${choices.find((c) => c.id === settings.model)!.label} with ${settings.optimizer}, learning rate ${settings.lr}, batch size ${settings.batch}…`);
  updateProgress();
  try {
    const how = await trainer.run(() => targetEpochs);
    if (session?.trainer !== trainer) return; // reset while training
    if (how === 'paused') setStatus('paused', `Paused after ${int(trainer.samplesSeen)} samples. Start goes on from the next batch.`);
    else setStatus('done', `Done: ${trainer.epoch} epoch${trainer.epoch === 1 ? '' : 's'}, test accuracy ${pct(state.accuracy)}. Start trains ${settings.epochs} more.`);
  } catch (e) {
    fail(e);
  } finally {
    if (session?.trainer === trainer) $('start').textContent = trainer.epoch >= targetEpochs ? 'Train more' : 'Start';
  }
}

async function reset(): Promise<void> {
  enableControls(false);
  setStatus('loading', 'Starting over…');
  const old = session;
  session = undefined;
  if (old) {
    await old.trainer.pause();
    await exclusive(async () => old.model.dispose());
  }
  Object.assign(state, { epoch: 0, samplesSeen: 0, samplesPerSecond: null, loss: null, trainAccuracy: null, valAccuracy: null, accuracy: null, gridMistakes: null });
  targetEpochs = settings.epochs;
  charts.loss.clear();
  charts.acc.clear();
  showStats();
  try {
    await newSession();
  } catch (e) {
    fail(e);
    return;
  }
  $('start').textContent = 'Start';
  setStatus('ready', `Ready: ${int(Math.min(settings.train, loadedTrainRows))} training images. Press Start.`);
  updateProgress();
  enableControls(true);
}

function fail(e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  console.error(e);
  setStatus('error', `Error: ${msg}`);
}

// ------------------------------------------------------------ test digits

function buildGrid(test: Split): void {
  const count = Math.min(GRID, test.x.shape[0]);
  const root = $('digits');
  const cells: HTMLElement[] = [];
  const preds: HTMLElement[] = [];
  const labels: number[] = [];
  root.replaceChildren();
  for (let i = 0; i < count; i++) {
    const cell = document.createElement('div');
    cell.className = 'digit';
    const canvas = document.createElement('canvas');
    paintDigit(canvas, test.x.data, i * 28 * 28);
    const pred = document.createElement('span');
    pred.className = 'pred';
    pred.textContent = '·';
    const truth = document.createElement('span');
    truth.className = 'truth';
    labels.push(test.y.data[i]);
    truth.textContent = String(test.y.data[i]);
    cell.append(canvas, pred, truth);
    root.append(cell);
    cells.push(cell);
    preds.push(pred);
  }
  grid = { cells, preds, labels };
}

async function updateGrid(): Promise<void> {
  const s = session;
  if (!s || !grid) return;
  const probs = await s.trainer.predictTest(grid.cells.length);
  let mistakes = 0;
  grid.cells.forEach((cell, i) => {
    const p = probs.data.subarray(i * 10, i * 10 + 10);
    const digit = p.indexOf(Math.max(...p));
    const wrong = digit !== grid!.labels[i];
    if (wrong) mistakes++;
    cell.classList.toggle('wrong', wrong);
    grid!.preds[i].textContent = String(digit);
    cell.title = `label ${grid!.labels[i]}, predicted ${digit} (${pct(p[digit])})`;
  });
  state.gridMistakes = mistakes;
}

// ------------------------------------------------------------ drawing

let drawn: Float32Array | undefined;
let drawDirty = false;
let predicting = false;

/** Predicts the drawn digit; the latest drawing wins, one prediction in flight at a time. */
async function predictDrawn(): Promise<void> {
  drawDirty = true;
  if (predicting) return;
  predicting = true;
  try {
    while (drawDirty) {
      drawDirty = false;
      const image = drawn;
      const version = state.padVersion;
      const s = session;
      if (!image || !s) continue;
      const out = await exclusive(() => s.model.predict(new sn.HostTensor(image, [1, 28, 28, 1])));
      if (drawn === undefined) continue; // cleared meanwhile
      const probs = out.data.slice(0, 10);
      const digit = probs.indexOf(Math.max(...probs));
      bars.show(probs);
      $('guess').textContent = String(digit);
      state.drawn = { digit, probabilities: Array.from(probs), version };
    }
  } catch (e) {
    if (session) fail(e);
  } finally {
    predicting = false;
  }
}

function setupDrawing(): void {
  bars = new ProbabilityBars($('probs'));
  pad = new DrawingPad($<HTMLCanvasElement>('pad'), (image) => {
    drawn = image;
    state.padVersion++;
    $('pad-hint').hidden = image !== undefined;
    paintDigit($<HTMLCanvasElement>('preview'), image);
    if (!image) {
      bars.show(undefined);
      $('guess').textContent = '?';
      state.drawn = null;
      return;
    }
    void predictDrawn();
  });
  $('clear').addEventListener('click', () => pad.clear());
}

// ------------------------------------------------------------ no WebGPU

function showNoWebGPU(detail: string): void {
  setStatus('no-webgpu', 'WebGPU is not available in this browser.');
  enableControls(false);
  $('app').hidden = true;
  const box = $('nogpu');
  box.hidden = false;
  const insecure = !window.isSecureContext
    ? `<li>This page is not a secure context: WebGPU needs <code>https://</code> or <code>http://localhost</code>. Open it through <code>npm run demo</code>'s address.</li>`
    : '';
  box.innerHTML = `
    <h2>This page needs WebGPU</h2>
    <p>sinapsis runs every step of training in WebGPU compute shaders, and this browser gave no WebGPU device.</p>
    <ul>
      ${insecure}
      <li><b>Chrome or Edge 113+</b> (Windows, macOS, ChromeOS, Android): WebGPU is on by default; update the browser and check <code>chrome://gpu</code>.</li>
      <li><b>Chrome on Linux</b>: enable <code>chrome://flags/#enable-unsafe-webgpu</code> (and <code>#enable-vulkan</code>), or start it with
        <code>--enable-unsafe-webgpu</code>; without a GPU add <code>--use-webgpu-adapter=swiftshader</code>.</li>
      <li><b>Firefox</b>: WebGPU is on in recent releases on Windows; elsewhere set <code>dom.webgpu.enabled</code> in <code>about:config</code>.</li>
      <li><b>Safari</b>: Safari 26 has WebGPU; on older versions enable it under Develop › Feature Flags.</li>
    </ul>
    <p class="detail"></p>`;
  box.querySelector('.detail')!.textContent = `Details: ${detail}`;
}

// ------------------------------------------------------------ start-up

async function main(): Promise<void> {
  setupControls();
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    showNoWebGPU('navigator.gpu is undefined.');
    return;
  }
  try {
    device = await sn.createDevice();
  } catch (e) {
    showNoWebGPU(e instanceof Error ? e.message : String(e));
    return;
  }
  state.device = device.info;
  const i = device.info;
  const name = [i.vendor, i.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  $('device').textContent = `WebGPU: ${name}${i.description ? ` (${i.description})` : ''}${i.isFallbackAdapter ? ' · fallback' : ''}`;
  void device.gpu.lost.then((info) => {
    if (info.reason !== 'destroyed') setStatus('error', `The GPU device was lost (${info.message}); reload the page.`);
  });

  charts.loss = new MetricChart($('loss-chart'), 'Loss', false);
  charts.acc = new MetricChart($('acc-chart'), 'Accuracy', true);
  setupDrawing();
  await reset();
  if (settings.autostart && session) void startOrPause();
}

main().catch(fail);
