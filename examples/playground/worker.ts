// The page's worker: the engine and the GPU live here, so training never
// blocks the page (navigator.gpu exists in dedicated workers). It runs one
// session (experiment) at a time; playing trains epoch after epoch and,
// at most every FRAME_MS and once the page has taken the previous frame,
// computes the grid outputs, paints the page's canvases (painter.ts) and
// sends the page the numbers it shows. Messages are handled one at a time,
// in order, so a new session never overlaps the old one's disposal.
import * as sn from '../../src/index.js';
import { graphOne, graphTwo, walkThrough, type NamedGraph } from '../graph-basics/graphs.js';
import { Painter } from './painter.js';
import type { Frame, FromWorker, GraphNode, LossPoint, NetworkSurfaces, SessionConfig, ToWorker } from './protocol.js';
import { Trainer } from './trainer.js';

/** Frames at most this often: each computes the grid outputs and repaints every canvas. */
const FRAME_MS = 60;
/** Grid points per side of the heatmaps (set by the page's 'outputs' message). */
let gridSide = 50;
const painter = new Painter();

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

let device: sn.Device | undefined;
let trainer: Trainer | undefined;
let session = 0;
let playing = false;
let stepping = false;
let loop: Promise<void> | undefined;
let drawn = true;
let lastFrame = 0;
let backpropOn = false;
let history: LossPoint[] = [];
/** Epoch count and time of recent epochs, for epochs per second. */
let rate: { epoch: number; time: number }[] = [];

async function startSession(config: SessionConfig, surfaces: NetworkSurfaces): Promise<void> {
  await stop();
  await trainer?.dispose();
  trainer = undefined;
  session = config.id;
  history = [];
  rate = [];
  painter.session(surfaces, config.spec.gridX, config.spec.sizes[0], gridSide);
  const t0 = performance.now();
  trainer = await Trainer.create(device!, config.spec, config.trainX, config.trainT, config.batchSize);
  post({ type: 'session', session: config.id, compileMs: performance.now() - t0 });
  drawn = true;
  await sendFrame(await trainer.flush());
}

async function sendFrame(latest: LossPoint): Promise<void> {
  const t = trainer!;
  const id = session;
  const [grid, params, backprop] = await Promise.all([t.gridOutputs(), t.params(), backpropOn ? t.backprop() : undefined]);
  if (id !== session) return;
  if (history.at(-1)?.epoch !== latest.epoch) history.push(latest);
  painter.frame({ grid, weights: params.weights, biases: params.biases }, history);
  const now = performance.now();
  rate = rate.filter((r) => now - r.time < 1000);
  const frame: Frame = {
    type: 'frame', session: id, epoch: latest.epoch, train: latest.train, test: latest.test, history,
    weights: params.weights, biases: params.biases, backprop,
    epochsPerSecond: playing && rate.length > 1 ? ((rate.at(-1)!.epoch - rate[0].epoch) * 1000) / (rate.at(-1)!.time - rate[0].time) : undefined,
    playing: playing && !stepping,
  };
  history = [];
  drawn = false;
  lastFrame = now;
  post(frame);
}

/** Trains until paused (or for one epoch when stepping); frames go out as the page keeps up. */
async function run(): Promise<void> {
  const t = trainer!;
  const id = session;
  while (playing && id === session) {
    const done = await t.epochStep();
    if (done) history.push(done);
    rate.push({ epoch: t.epoch, time: performance.now() });
    if (stepping) playing = false;
    if (!playing || (drawn && performance.now() - lastFrame >= FRAME_MS)) {
      const latest = await t.flush();
      if (id === session) await sendFrame(latest);
    }
    // Let messages (pause, a learning rate) in between epochs.
    await new Promise((r) => setTimeout(r, 0));
  }
  stepping = false;
}

function play(step: boolean): void {
  if (!trainer || loop) return;
  playing = true;
  stepping = step;
  loop = run().catch(fail).finally(() => { loop = undefined; });
}

async function stop(): Promise<void> {
  playing = false;
  await loop;
}

function fail(e: unknown): void {
  console.error(e);
  post({ type: 'error', session, message: e instanceof Error ? e.message : String(e) });
}

/** A course graph's nodes, the named nodes each reads, their values and adjoints, computed by the engine. */
async function courseGraph(make: () => NamedGraph, inputs: Record<string, number>): Promise<GraphNode[]> {
  const ng = make();
  const names = new Map([...Object.entries(ng.nodes)].map(([name, t]) => [t, name]));
  const rows = await walkThrough(device!, ng, inputs);
  return rows.map((r) => ({ ...r, inputs: ng.nodes[r.name].inputs.flatMap((t) => names.get(t) ?? []) }));
}

let queue: Promise<void> = Promise.resolve();

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'outputs':
      gridSide = m.grid;
      painter.outputs(m.heatmap, m.grid, m.chart, m.chartWidth, m.chartHeight, m.scale);
      return;
    case 'view':
      painter.setView(m.view);
      return;
    case 'session': return startSession(m.session, m.surfaces);
    case 'play': return play(false);
    case 'step': return play(true);
    case 'pause':
      // A pause during a step is a no-op: the step ends by itself.
      playing = false;
      return;
    case 'learningRate':
      if (trainer) trainer.learningRate = m.value;
      return;
    case 'drawn':
      drawn = true;
      return;
    case 'backprop':
      backpropOn = m.on;
      if (m.on && trainer && !loop) await sendFrame(await trainer.flush());
      return;
    case 'graph': {
      const nodes = await courseGraph(m.graph === 'one' ? graphOne : graphTwo, m.inputs);
      post({ type: 'graph', request: m.request, graph: m.graph, nodes });
      return;
    }
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  // Play, pause, the learning rate and "drawn" act at once; the rest waits its turn.
  if (m.type === 'pause' || m.type === 'learningRate' || m.type === 'drawn' || m.type === 'view' || m.type === 'outputs') {
    void handle(m);
    return;
  }
  queue = queue.then(() => handle(m)).catch(fail);
};

async function init(): Promise<void> {
  if (!(navigator as Navigator & { gpu?: GPU }).gpu) {
    post({ type: 'no-webgpu', message: 'navigator.gpu is undefined in this worker' });
    return;
  }
  try {
    device = await sn.createDevice();
  } catch (e) {
    post({ type: 'no-webgpu', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  void device.gpu.lost.then((info) => {
    if (info.reason !== 'destroyed') post({ type: 'error', message: `the GPU device was lost (${info.message}); reload the page` });
  });
  const i = device.info;
  post({ type: 'ready', device: { vendor: i.vendor, architecture: i.architecture, description: i.description, isFallbackAdapter: i.isFallbackAdapter } });
}

queue = init().catch(fail);
