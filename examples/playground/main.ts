// The playground page: the experiment's state (from the URL hash), its data
// and initial weights (TensorFlow Playground's, from the seeded generator),
// and the views. Everything numeric about the network happens in the
// worker (worker.ts) on WebGPU, and the worker also paints the canvases
// that change while training (handed over with transferControlToOffscreen):
// a frame costs this thread a few text updates, so the page stays
// responsive. For tests (and the curious), window.__playground holds the
// page's state.
import './style.css';
import { annotations, describe, type NetworkNames } from './backprop-view.js';
import { Controls } from './controls.js';
import { generateData, seededRandom, type DataSplit, type Random } from './datasets.js';
import { experiment } from './experiment.js';
import { FEATURES, activeFeatures, featureMatrix, gridPoints, type FeatureId } from './features.js';
import { GraphView, COURSE_GRAPHS } from './graph-view.js';
import { Heatmap } from './heatmap.js';
import { NetworkView, type NeuronRef, type Selection } from './network-view.js';
import type { CourseGraph, Frame, FromWorker, GraphNode, NetworkSurfaces, SessionConfig, ToWorker } from './protocol.js';
import { MAX_LAYERS, MAX_NEURONS, datasetOf, newSeed, parseHash, toHash, type PlaygroundState } from './state.js';

type Status = 'loading' | 'compiling' | 'ready' | 'training' | 'paused' | 'error' | 'no-webgpu';

interface PageState {
  status: Status;
  message: string;
  device: string | null;
  state: PlaygroundState;
  /** The session the losses belong to (a new one starts with every reset). */
  session: number;
  epoch: number;
  trainLoss: number | null;
  testLoss: number | null;
  epochsPerSecond: number | null;
  compileMs: number | null;
  frames: number;
  /** The longest time drawing one frame took, in ms. */
  drawMs: number;
  playing: boolean;
  /** Loss after every epoch of this session that the page received. */
  history: { epoch: number; train: number; test: number }[];
  graphs: Partial<Record<CourseGraph, GraphNode[]>>;
  backprop: { loss: number; count: number } | null;
}

declare global {
  interface Window { __playground: PageState }
}

/** Grid points per side for the heatmap and the thumbnails (computed by the engine: 2,500 points per frame). */
const GRID = 50;
const HEATMAP_PX = 300;
const CHART = { width: 300, height: 70 };

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

const parsed = parseHash(location.hash);
for (const w of parsed.warnings) console.warn(`playground: ${w}`);
const state = parsed.state;
const extra = parsed.extra;
if (!state.seed) state.seed = newSeed();
if (!FEATURES.some((f) => state[f.id])) {
  console.warn('playground: no input feature is on; using X1');
  state.x = true;
}

const page: PageState = {
  status: 'loading', message: '', device: null, state, session: 0, epoch: 0, trainLoss: null, testLoss: null,
  epochsPerSecond: null, compileMs: null, frames: 0, drawMs: 0, playing: false, history: [], graphs: {}, backprop: null,
};
window.__playground = page;

function setStatus(status: Status, message: string): void {
  page.status = status;
  page.message = message;
  const el = $('status');
  el.dataset.status = status;
  el.textContent = message;
}

const writeHash = () => history.replaceState(null, '', `${location.pathname}${location.search}${toHash(state, extra)}`);

// ------------------------------------------------------------ the worker

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

// ------------------------------------------------------------ data and session

let random: Random = seededRandom(state.seed);
let data: DataSplit = generateData(datasetOf(state), state.noise, state.percTrainData, random);
let names: NetworkNames;
let session = 0;
let workerReady = false;
/** The session made before the worker was ready (its weights are drawn once, at reset, as TensorFlow Playground's). */
let prepared: { config: SessionConfig; surfaces: NetworkSurfaces; transfer: Transferable[] } | undefined;

/** TensorFlow Playground's generateData(): a new seed drawn from the current stream, then the points from it. */
function regenerateData(): void {
  state.seed = newSeed(random);
  random = seededRandom(state.seed);
  data = generateData(datasetOf(state), state.noise, state.percTrainData, random);
}

/** TensorFlow Playground's reset(): a new network (weights drawn from the stream), epoch 0. */
function startSession(): void {
  writeHash();
  const ex = experiment(state, data, random, GRID);
  const { features, sizes, spec } = ex;
  const outputActivation = spec.outputActivation;
  session++;
  names = {
    inputs: features.map((f) => f.label), sizes, activation: state.activation, outputActivation,
    penalty: state.regularization === 'none' || state.regularizationRate === 0 ? '' : `${state.regularizationRate} · ${state.regularization === 'L1' ? 'Σ|w|' : '½Σw²'}`,
  };
  Object.assign(page, { session, epoch: 0, trainLoss: null, testLoss: null, epochsPerSecond: null, compileMs: null, playing: false, history: [], backprop: null });
  latest = undefined;
  selection = undefined;
  hovered = undefined;
  renderBackprop();
  controls.sync(state);
  controls.setPlaying(false);
  heatmap.setPoints(data.train, state.showTestData ? data.test : []);
  const { surfaces, transfer } = network.build(FEATURES.map((f) => ({ ...f, active: state[f.id] })), state.networkShape, featureValues, $('network-box').clientWidth || 600);
  $('epoch').textContent = '0';
  $('train-loss').textContent = '–';
  $('test-loss').textContent = '–';
  $('rate').textContent = '–';
  const config: SessionConfig = { id: session, spec, trainX: ex.trainX, trainT: ex.trainT, batchSize: state.batchSize };
  prepared = { config, surfaces, transfer };
  if (workerReady) sendSession();
}

/** Hands the prepared session to the worker (at once, or when it is ready). */
function sendSession(): void {
  if (!prepared) return;
  controls.setEnabled(false);
  setStatus('compiling', 'Compiling the network for WebGPU…');
  send({ type: 'session', session: prepared.config, surfaces: prepared.surfaces }, prepared.transfer);
  send({ type: 'backprop', on: backpropWanted() });
  sendView();
  prepared = undefined;
}

// ------------------------------------------------------------ views

const featureValues = new Map<FeatureId, Float32Array>(FEATURES.map((f) => [f.id, featureMatrix(gridPoints(GRID), [f])]));
const heatmap = new Heatmap(GRID, HEATMAP_PX);
$('heatmap-box').append(heatmap.root);
const chartCanvas = document.createElement('canvas');
const scale = Math.min(2, globalThis.devicePixelRatio || 1);
chartCanvas.className = 'loss-chart';
chartCanvas.width = Math.round(CHART.width * scale);
chartCanvas.height = Math.round(CHART.height * scale);
chartCanvas.style.width = `${CHART.width}px`;
chartCanvas.style.height = `${CHART.height}px`;
$('chart-box').append(chartCanvas);
{
  const hm = heatmap.values.transferControlToOffscreen();
  const ch = chartCanvas.transferControlToOffscreen();
  send({ type: 'outputs', heatmap: hm, grid: GRID, chart: ch, chartWidth: CHART.width, chartHeight: CHART.height, scale }, [hm, ch]);
}

let latest: Frame | undefined;
let hovered: NeuronRef | undefined;
let selection: Selection | undefined;

/** What the worker's heatmap shows: the hovered neuron (or input), else the output; and the selected link. */
function sendView(): void {
  const s = selection;
  send({ type: 'view', view: { hover: hovered, discretize: state.discretize, selected: s?.kind === 'weight' ? { layer: s.layer, from: s.from, to: s.to } : undefined } });
}

const network = new NetworkView(GRID, {
  toggleFeature: (id) => {
    if (state[id] && activeFeatures(state).length === 1) {
      setStatus(page.status, 'The network needs at least one input feature.');
      return;
    }
    state[id] = !state[id];
    reset();
  },
  addNeuron: (layer) => { if (state.networkShape[layer] < MAX_NEURONS) { state.networkShape[layer]++; reset(); } },
  removeNeuron: (layer) => { if (state.networkShape[layer] > 1) { state.networkShape[layer]--; reset(); } },
  hover: (n) => { hovered = n; sendView(); },
  select: (s) => {
    selection = s;
    send({ type: 'backprop', on: backpropWanted() });
    sendView();
    renderBackprop();
  },
  weight: (layer, from, to) => {
    const w = latest?.weights[layer - 1];
    const fanOut = latest?.biases[layer - 1]?.length;
    return w && fanOut ? w[from * fanOut + to] : undefined;
  },
});
$('network-box').append(network.root);

const backpropWanted = () => selection !== undefined || $<HTMLInputElement>('backprop-on').checked;

/** Losses as plain numbers (three decimals, as TensorFlow Playground; more when they are that small). */
const lossText = (v: number) => (!Number.isFinite(v) ? String(v) : v >= 0.001 || v === 0 ? v.toFixed(3) : v.toFixed(6));

function draw(frame: Frame): void {
  latest = frame;
  page.frames++;
  page.epoch = frame.epoch;
  page.trainLoss = frame.train;
  page.testLoss = frame.test;
  page.playing = frame.playing;
  page.history.push(...frame.history);
  if (frame.epochsPerSecond !== undefined) page.epochsPerSecond = frame.epochsPerSecond;
  $('epoch').textContent = String(frame.epoch);
  $('train-loss').textContent = lossText(frame.train);
  $('test-loss').textContent = lossText(frame.test);
  $('rate').textContent = frame.epochsPerSecond === undefined ? '–' : frame.epochsPerSecond.toFixed(1);
  renderBackprop();
  controls.setPlaying(frame.playing);
  if ((page.status === 'training' || page.status === 'paused') && !frame.playing) setStatus('paused', `Paused at epoch ${frame.epoch}.`);
}

/** While training, the backprop table is rewritten at most this often (parsing its HTML is a frame's dearest step). */
const PANEL_MS = 400;
let panelAt = 0;

function renderBackprop(): void {
  const bp = latest?.backprop;
  const now = performance.now();
  if (page.playing && bp && selection && now - panelAt < PANEL_MS) return;
  panelAt = now;
  page.backprop = bp ? { loss: bp.loss, count: bp.count } : null;
  network.annotate(bp && $<HTMLInputElement>('backprop-on').checked ? annotations(bp, names.sizes, 0) : undefined);
  const html = !selection ? BACKPROP_HINT : !bp ? '<p class="hint">Computing…</p>' : describe(bp, names, selection, state.learningRate);
  // Parsing HTML is the dearest thing a frame could do: only when the text changed.
  if (html !== panelHtml) $('backprop-panel').innerHTML = panelHtml = html;
}
const BACKPROP_HINT = '<p class="hint">Click a neuron or a link of the network: its forward values and the adjoints dE/d(node) that backpropagation computes for the next batch the optimizer trains on appear here, computed by the same engine on the GPU.</p>';
let panelHtml = '';

// ------------------------------------------------------------ course graphs

const graphViews = new Map<CourseGraph, GraphView>();
let graphRequest = 0;
const graphTimers = new Map<CourseGraph, ReturnType<typeof setTimeout>>();
for (const g of Object.keys(COURSE_GRAPHS) as CourseGraph[]) {
  const view = new GraphView(g, (inputs) => {
    clearTimeout(graphTimers.get(g));
    graphTimers.set(g, setTimeout(() => send({ type: 'graph', request: ++graphRequest, graph: g, inputs }), 120));
  });
  graphViews.set(g, view);
  $('graphs').append(view.root);
}

// ------------------------------------------------------------ controls

function reset(): void {
  send({ type: 'pause' });
  startSession();
}

const controls = new Controls({
  set: (key, value) => {
    (state as unknown as Record<string, unknown>)[key] = value;
    switch (key) {
      case 'learningRate':
        send({ type: 'learningRate', value: value as number });
        writeHash();
        renderBackprop();
        return;
      case 'showTestData':
        heatmap.setPoints(data.train, state.showTestData ? data.test : []);
        writeHash();
        return;
      case 'discretize':
        sendView();
        writeHash();
        return;
      case 'dataset': case 'regDataset': case 'problem': case 'noise': case 'percTrainData':
        regenerateData();
        reset();
        return;
      default:
        reset();
    }
  },
  play: () => {
    if (page.playing) {
      send({ type: 'pause' });
      return;
    }
    page.playing = true;
    controls.setPlaying(true);
    setStatus('training', 'Training on WebGPU…');
    send({ type: 'play' });
  },
  step: () => {
    setStatus('paused', 'One epoch…');
    send({ type: 'step' });
  },
  reset,
  regenerate: () => {
    regenerateData();
    reset();
  },
  addLayer: () => {
    if (state.networkShape.length >= MAX_LAYERS) return;
    state.networkShape.push(2);
    reset();
  },
  removeLayer: () => {
    if (state.networkShape.length === 0) return;
    state.networkShape.pop();
    reset();
  },
});
$<HTMLInputElement>('backprop-on').addEventListener('change', () => {
  send({ type: 'backprop', on: backpropWanted() });
  renderBackprop();
});

// ------------------------------------------------------------ messages from the worker

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      workerReady = true;
      page.device = [m.device.vendor, m.device.architecture].filter(Boolean).join(' ') || 'unknown adapter';
      $('device').textContent = `WebGPU: ${page.device}${m.device.description ? ` (${m.device.description})` : ''}${m.device.isFallbackAdapter ? ' · fallback' : ''}`;
      sendSession();
      for (const [g, view] of graphViews) send({ type: 'graph', request: ++graphRequest, graph: g, inputs: view.values() ?? COURSE_GRAPHS[g].inputs });
      return;
    case 'no-webgpu':
      showNoWebGPU(m.message);
      return;
    case 'session':
      if (m.session !== session) return;
      page.compileMs = m.compileMs;
      controls.setEnabled(true);
      setStatus('ready', `Ready (compiled in ${Math.round(m.compileMs)} ms). Press play.`);
      return;
    case 'frame': {
      if (m.session !== session) return;
      // Tell the worker when done, so frames never pile up behind a busy page.
      const t0 = performance.now();
      draw(m);
      page.drawMs = Math.max(page.drawMs, performance.now() - t0);
      send({ type: 'drawn' });
      return;
    }
    case 'graph': {
      page.graphs[m.graph] = m.nodes;
      graphViews.get(m.graph)?.render(m.nodes);
      return;
    }
    case 'error':
      if (m.session !== undefined && m.session !== session) return;
      console.error(`playground worker: ${m.message}`);
      setStatus('error', `Error: ${m.message}`);
      controls.setEnabled(true);
      return;
  }
};
worker.onerror = (e) => {
  console.error(e.message);
  setStatus('error', `The worker failed: ${e.message}`);
};

function showNoWebGPU(detail: string): void {
  setStatus('no-webgpu', 'WebGPU is not available in this browser.');
  $('app').hidden = true;
  $('beyond').hidden = true;
  const box = $('nogpu');
  box.hidden = false;
  box.innerHTML = `
    <h2>This page needs WebGPU</h2>
    <p>sinapsis trains in WebGPU compute shaders (in a worker), and this browser gave no WebGPU device.</p>
    <ul>
      <li><b>Chrome or Edge 113+</b>: WebGPU is on by default; update the browser and check <code>chrome://gpu</code>.</li>
      <li><b>Chrome on Linux</b>: enable <code>chrome://flags/#enable-unsafe-webgpu</code>, or start it with <code>--enable-unsafe-webgpu</code>; without a GPU add <code>--use-webgpu-adapter=swiftshader</code>.</li>
      <li><b>Firefox</b> and <b>Safari</b>: recent releases have WebGPU on some systems; elsewhere enable it in the browser's settings.</li>
    </ul>
    <p class="detail"></p>`;
  box.querySelector('.detail')!.textContent = `Details: ${detail}`;
}

// Before the worker is ready: the controls, the points and the network already show.
startSession();
