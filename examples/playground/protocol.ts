// The messages between the page and its worker. The page owns the
// experiment (state, data, initial weights) and the layout; the worker owns
// the engine and the GPU: it builds the programs, trains, paints the
// canvases the page handed over (heatmap, loss curve, links, thumbnails) and
// sends the page small frames (epoch, losses, weights) no faster than the
// page takes them. Every session has an id, so messages about an experiment
// the page has already replaced are dropped.
import type { BackpropValues, NetworkSpec } from './network.js';
import type { NetworkGeometry, WeightRef } from './paint.js';

export interface SessionConfig {
  id: number;
  spec: Omit<NetworkSpec, 'batchRows'>;
  /** Training points' features [n, inputs] and labels, in TensorFlow Playground's order. */
  trainX: Float32Array;
  trainT: Float32Array;
  batchSize: number;
}

export type CourseGraph = 'one' | 'two';

/** The diagram's canvases, transferred to the worker, and where things are on them. */
export interface NetworkSurfaces {
  network: OffscreenCanvas;
  geometry: NetworkGeometry;
  thumbs: { layer: number; index: number; canvas: OffscreenCanvas }[];
}

/** What the output heatmap shows and how: the hovered neuron (layer 0: an input feature) or the output. */
export interface ViewOptions {
  hover?: { layer: number; index: number };
  discretize: boolean;
  selected?: WeightRef;
}

export type ToWorker =
  /** Once: the heatmap (grid x grid) and the loss curve's canvas (width x height CSS pixels, scale canvas pixels each). */
  | { type: 'outputs'; heatmap: OffscreenCanvas; grid: number; chart: OffscreenCanvas; chartWidth: number; chartHeight: number; scale: number }
  | { type: 'session'; session: SessionConfig; surfaces: NetworkSurfaces }
  | { type: 'view'; view: ViewOptions }
  | { type: 'play' }
  | { type: 'pause' }
  /** One epoch, then pause (TensorFlow Playground's step button). */
  | { type: 'step' }
  | { type: 'learningRate'; value: number }
  /** The page has drawn the last frame: the next one may come. */
  | { type: 'drawn' }
  /** Send the backprop view's values with every frame (or stop). */
  | { type: 'backprop'; on: boolean }
  | { type: 'graph'; request: number; graph: CourseGraph; inputs: Record<string, number> };

export interface LossPoint { epoch: number; train: number; test: number }

export interface Frame {
  type: 'frame';
  session: number;
  /** Epochs trained, and the losses after them. */
  epoch: number;
  train: number;
  test: number;
  /** Losses of every epoch since the previous frame. */
  history: LossPoint[];
  /** Per layer, [fanIn, fanOut] row-major. */
  weights: Float32Array[];
  biases: Float32Array[];
  backprop?: BackpropValues;
  /** Epochs per second over the last second of training, or undefined when not training. */
  epochsPerSecond?: number;
  playing: boolean;
}

/** One node of a course graph, for drawing: its name, the named nodes it reads, its value and adjoints. */
export interface GraphNode { name: string; inputs: string[]; value: number; adjoint: Record<string, number> }

export type FromWorker =
  | { type: 'ready'; device: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean } }
  | { type: 'no-webgpu'; message: string }
  | { type: 'session'; session: number; compileMs: number }
  | Frame
  | { type: 'graph'; request: number; graph: CourseGraph; nodes: GraphNode[] }
  | { type: 'error'; session?: number; message: string };
