// The experiment's network as sinapsis programs, built from the public graph
// API (g.param, ops, g.grad, sn.compile with minimize). Four programs share
// one parameter store (the store option of sn.compile), so they all see the
// weights the training steps update, with no copies:
//   train     one optimizer step on one batch (no readback while playing)
//   losses    TensorFlow Playground's train and test loss over every point
//   grid      every neuron's output over the heatmap grid (the heatmap and
//             the neuron thumbnails)
//   backprop  one batch's forward values and adjoints (dE/dnode, dE/dw)
// The loss is TensorFlow Playground's: 0.5 (output - label)^2, averaged over
// a batch, plus rate * sum |w| (L1) or rate * sum w^2 / 2 (L2) over the
// weights (not the biases). With plain SGD its update is then the same as
// TensorFlow Playground's hand-written one. A batch has a fixed number of
// rows and a weight per row (1/count, 0 for unused rows), so batches of
// different sizes (the remainder of an epoch carried into the next one, as
// TensorFlow Playground does) run in one compiled program.
import * as sn from '../../src/index.js';
import type { Params } from './model.js';
import type { Activation, OptimizerName, Regularization } from './state.js';

export interface NetworkSpec {
  /** Neurons per layer: inputs, hidden layers, one output. */
  sizes: number[];
  activation: Activation;
  /** tanh for classification (labels -1 and 1), linear for regression, as TensorFlow Playground. */
  outputActivation: 'tanh' | 'linear';
  regularization: Regularization;
  regularizationRate: number;
  optimizer: OptimizerName;
  learningRate: number;
  /** Dropout rate after each hidden layer while training; 0 is none. */
  dropout: number;
  batchNorm: boolean;
  /** Rows of a training batch. */
  batchRows: number;
  /** Features of every training point, then of every test point, row-major. */
  evalX: Float32Array;
  /** Their labels. */
  evalT: Float32Array;
  trainCount: number;
  /** Features of the grid points, row-major. */
  gridX: Float32Array;
  params: Params;
}

/** One training batch: features [rows, inputs], labels [rows], weights [rows] (1/count, 0 for padding). */
export type Batch = { x: Float32Array; t: Float32Array; w: Float32Array };

export interface LayerTensors { z: sn.Tensor; a: sn.Tensor }

/** Keras' batch normalisation epsilon; the moving averages use momentum 0.9 (not Keras' 0.99): an epoch here is only ~25 steps. */
const BN_EPSILON = 1e-3;
const BN_MOMENTUM = 0.9;
/** leakyRelu's slope for negative inputs (TensorFlow.js' default). */
const LEAKY_ALPHA = 0.2;
const DROPOUT_SEED = 7;

export function makeOptimizer(name: OptimizerName, learningRate: number) {
  const o = sn.optimizers;
  switch (name) {
    case 'sgd': return o.sgd({ learningRate });
    case 'momentum': return o.sgd({ learningRate, momentum: 0.9 });
    case 'nesterov': return o.sgd({ learningRate, momentum: 0.9, nesterov: true });
    case 'adagrad': return o.adagrad({ learningRate });
    case 'adadelta': return o.adadelta({ learningRate });
    case 'rmsprop': return o.rmsprop({ learningRate });
    case 'adam': return o.adam({ learningRate });
  }
}

function activate(t: sn.Tensor, a: Activation): sn.Tensor {
  switch (a) {
    case 'linear': return t;
    case 'tanh': return t.tanh();
    case 'relu': return t.relu();
    case 'sigmoid': return t.sigmoid();
    case 'leakyRelu': return t.leakyRelu(LEAKY_ALPHA);
    case 'elu': return t.elu();
    case 'softplus': return t.softplus();
  }
}

/** The graph: parameters, and the forward pass in training or inference mode. */
class NetworkGraph {
  readonly g = sn.graph();
  readonly weights: sn.Tensor[] = [];
  readonly biases: sn.Tensor[] = [];
  readonly updates: { param: sn.Tensor; value: sn.Tensor }[] = [];
  private readonly norm: { gamma: sn.Tensor; beta: sn.Tensor; mean: sn.Tensor; variance: sn.Tensor }[] = [];

  constructor(readonly spec: NetworkSpec) {
    const { sizes, params } = spec;
    for (let l = 1; l < sizes.length; l++) {
      this.weights.push(this.g.param(`w${l}`, [sizes[l - 1], sizes[l]], params.weights[l - 1]));
      this.biases.push(this.g.param(`b${l}`, [sizes[l]], params.biases[l - 1]));
      if (spec.batchNorm && l < sizes.length - 1) {
        const n = sizes[l];
        this.norm.push({
          gamma: this.g.param(`gamma${l}`, [n], new Float32Array(n).fill(1)),
          beta: this.g.param(`beta${l}`, [n], new Float32Array(n)),
          mean: this.g.param(`movingMean${l}`, [n], new Float32Array(n), { trainable: false }),
          variance: this.g.param(`movingVariance${l}`, [n], new Float32Array(n).fill(1), { trainable: false }),
        });
      }
    }
  }

  get trainable(): sn.Tensor[] {
    return [...this.weights, ...this.biases, ...this.norm.flatMap((n) => [n.gamma, n.beta])];
  }

  /**
   * Each layer's total input z (after batch normalisation) and output a.
   * Training mode (`rowWeights` given) normalises with the batch's weighted
   * statistics, records the moving averages' updates, and drops out.
   */
  forward(x: sn.Tensor, rowWeights?: sn.Tensor): LayerTensors[] {
    const { spec } = this;
    const last = this.weights.length - 1;
    const layers: LayerTensors[] = [];
    let h = x;
    this.weights.forEach((w, l) => {
      let z = h.matmul(w).add(this.biases[l]);
      if (l < last && spec.batchNorm) {
        const bn = this.norm[l];
        let mean = bn.mean;
        let variance = bn.variance;
        if (rowWeights) {
          mean = z.mul(rowWeights).sum({ axis: 0 });
          variance = z.sub(mean).square().mul(rowWeights).sum({ axis: 0 });
          this.updates.push({ param: bn.mean, value: bn.mean.mul(BN_MOMENTUM).add(mean.mul(1 - BN_MOMENTUM)) });
          this.updates.push({ param: bn.variance, value: bn.variance.mul(BN_MOMENTUM).add(variance.mul(1 - BN_MOMENTUM)) });
        }
        z = z.sub(mean).div(variance.add(BN_EPSILON).sqrt()).mul(bn.gamma).add(bn.beta);
      }
      const a = activate(z, l < last ? spec.activation : spec.outputActivation);
      layers.push({ z, a });
      h = rowWeights && l < last && spec.dropout > 0 ? a.mul(sn.ops.dropoutMask(this.g, a.shape, spec.dropout, DROPOUT_SEED + l)) : a;
    });
    return layers;
  }

  /** rate * sum R(w) over the weights, or undefined without regularisation. */
  penalty(): sn.Tensor | undefined {
    const { regularization, regularizationRate } = this.spec;
    if (regularization === 'none' || regularizationRate === 0) return undefined;
    const terms = this.weights.map((w) => (regularization === 'L1' ? w.abs().sum() : w.square().sum().mul(0.5)));
    return terms.reduce((a, b) => a.add(b)).mul(regularizationRate);
  }
}

/** What the backprop view shows for one batch; every array row-major [rows, neurons] or [fanIn, fanOut]. */
export interface BackpropValues {
  /** The batch: features [rows, inputs], labels, and how many of its rows are points (the rest is padding). */
  x: Float32Array;
  t: Float32Array;
  count: number;
  /** The batch's loss E (with the penalty). */
  loss: number;
  /** Per layer (hidden layers, then the output): total input, output, and their adjoints dE/dz, dE/da. */
  z: Float32Array[];
  a: Float32Array[];
  dz: Float32Array[];
  da: Float32Array[];
  /** Per layer: the weights and biases and their gradients dE/dw, dE/db. */
  w: Float32Array[];
  b: Float32Array[];
  dw: Float32Array[];
  db: Float32Array[];
}

export class Network {
  private backpropProgram: Promise<sn.Program> | undefined;

  private constructor(
    private readonly device: sn.Device,
    private readonly net: NetworkGraph,
    readonly optimizer: ReturnType<typeof makeOptimizer>,
    readonly train: sn.Program,
    readonly losses: sn.Program,
    readonly grid: sn.Program,
    private readonly trainLayers: LayerTensors[],
    private readonly trainLoss: sn.Tensor,
  ) {}

  static async build(device: sn.Device, spec: NetworkSpec): Promise<Network> {
    const net = new NetworkGraph(spec);
    const { g } = net;
    const inputs = spec.sizes[0];
    const rows = spec.batchRows;

    // Training: one batch in, one optimizer step.
    const x = g.input('x', [rows, inputs]);
    const t = g.input('t', [rows, 1]);
    const w = g.input('w', [rows, 1]);
    const layers = net.forward(x, w);
    const out = layers[layers.length - 1].a;
    let loss = out.sub(t).square().mul(w).sum().mul(0.5);
    const penalty = net.penalty();
    if (penalty) loss = loss.add(penalty);
    const optimizer = makeOptimizer(spec.optimizer, spec.learningRate);
    // No outputs: the loss value is never read while training, so its two reductions are left out of the step.
    const train = await sn.compile(device, g, { outputs: {}, minimize: { loss, optimizer, params: net.trainable }, updates: net.updates });
    const store = train.store;
    const programs: sn.Program[] = [train];
    try {
      // TensorFlow Playground's losses: mean 0.5 (output - label)^2 over the training and the test points.
      const n = spec.evalT.length;
      const evalOut = net.forward(g.constant(spec.evalX, [n, inputs])).at(-1)!.a;
      const se = evalOut.sub(g.constant(spec.evalT, [n, 1])).square().mul(0.5);
      const trainLoss = se.slice([0, 0], [spec.trainCount, 1]).mean();
      const testLoss = se.slice([spec.trainCount, 0], [n - spec.trainCount, 1]).mean();
      const losses = await sn.compile(device, g, { outputs: { train: trainLoss, test: testLoss }, store });
      programs.push(losses);

      // Every neuron over the grid, layer by layer.
      const gridRows = spec.gridX.length / inputs;
      const gridLayers = net.forward(g.constant(spec.gridX, [gridRows, inputs]));
      const grid = await sn.compile(device, g, { outputs: Object.fromEntries(gridLayers.map((l, i) => [`a${i + 1}`, l.a])), store });
      programs.push(grid);
      return new Network(device, net, optimizer, train, losses, grid, layers, loss);
    } catch (e) {
      for (const p of programs.reverse()) p.dispose();
      throw e;
    }
  }

  get layerCount(): number {
    return this.net.weights.length;
  }

  /** One optimizer step, submitted without waiting for the GPU or reading anything back. */
  async step(batch: Batch): Promise<void> {
    await this.train.submit(batch, { read: [] });
  }

  /** Submits the loss evaluation; `losses` resolves when its values are back (wrapped: an async function would wait for it). */
  async submitLosses(): Promise<{ losses: Promise<{ train: number; test: number }> }> {
    const { results } = await this.losses.submit();
    return { losses: results.then((r) => ({ train: r.train.data[0], test: r.test.data[0] })) };
  }

  /** Every neuron's output over the grid: one [gridPoints, neurons] array per layer. */
  async gridOutputs(): Promise<Float32Array[]> {
    const r = await this.grid.run();
    return Array.from({ length: this.layerCount }, (_, i) => r[`a${i + 1}`].data);
  }

  /** The current weights and biases, per layer. */
  async params(): Promise<{ weights: Float32Array[]; biases: Float32Array[] }> {
    const p = await this.train.params();
    return {
      weights: Array.from({ length: this.layerCount }, (_, i) => p[`w${i + 1}`].data),
      biases: Array.from({ length: this.layerCount }, (_, i) => p[`b${i + 1}`].data),
    };
  }

  /** Forward values and adjoints of one batch, from the current parameters (no update). Compiled on first use. */
  async backprop(batch: Batch): Promise<BackpropValues> {
    this.backpropProgram ??= this.compileBackprop();
    const prog = await this.backpropProgram;
    const r = await prog.run(batch);
    const L = this.layerCount;
    const per = (k: string) => Array.from({ length: L }, (_, i) => r[`${k}${i + 1}`].data);
    const params = await this.params();
    const count = batch.w.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
    return { x: batch.x, t: batch.t, count, loss: r.loss.data[0], z: per('z'), a: per('a'), dz: per('dz'), da: per('da'), w: params.weights, b: params.biases, dw: per('dw'), db: per('db') };
  }

  private compileBackprop(): Promise<sn.Program> {
    const { g } = this.net;
    const L = this.trainLayers;
    const zs = L.map((l) => l.z);
    const as = L.map((l) => l.a);
    const grads = g.grad(this.trainLoss, [...zs, ...as, ...this.net.weights, ...this.net.biases]);
    const outputs: Record<string, sn.Tensor> = { loss: this.trainLoss };
    L.forEach((_, i) => {
      const n = L.length;
      outputs[`z${i + 1}`] = zs[i];
      outputs[`a${i + 1}`] = as[i];
      outputs[`dz${i + 1}`] = grads[i];
      outputs[`da${i + 1}`] = grads[n + i];
      outputs[`dw${i + 1}`] = grads[2 * n + i];
      outputs[`db${i + 1}`] = grads[3 * n + i];
    });
    return sn.compile(this.device, g, { outputs, store: this.train.store });
  }

  /** Releases every GPU buffer (the training program, which owns the store, last). */
  async dispose(): Promise<void> {
    const bp = await this.backpropProgram?.catch(() => undefined);
    bp?.dispose();
    this.grid.dispose();
    this.losses.dispose();
    this.train.dispose();
  }
}
