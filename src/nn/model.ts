// Model: Keras-style compile / fit / evaluate / predict over compiled static
// programs. Each program (training step, evaluation, prediction, and a
// training step for a last partial batch) is compiled once and replayed;
// all of them share the model's weights through one ParamStore.
import { InputError, SinapsisError, fmtShape } from '../errors.js';
import type { Device } from '../device.js';
import { HostTensor } from '../graph/host-tensor.js';
import { sameShape, sizeOf, type Shape } from '../graph/shape.js';
import type { PlanRequest } from '../plan/plan.js';
import { buildProgram } from '../compile.js';
import { Program } from '../exec/program.js';
import { READ_GROUP, type Results } from '../exec/readback.js';
import { StepQueue } from './step-queue.js';
import { ParamStore } from '../exec/param-store.js';
import { batches, batchCount, checkSameRows, gatherRows, seededRandom, shuffledIndices, splitTrainValidation } from '../data/dataset.js';
import { getOptimizer, type Optimizer } from '../optimizers/index.js';
import { canonicalLoss, getLoss } from './losses.js';
import { canonicalMetric } from './metrics.js';
import { evalGraph, layersOf, targetShape, trace, trainGraph, topology, type Topology } from './programs.js';
import { TerminateOnNaN, progressBar, type Callback, type FitParams, type Logs, type TrainingModel } from './callbacks.js';
import { toHostData, toInputData, type Data } from './data.js';
import { booleanOption, checkOptions, countOption, numberOption, show } from '../options.js';
import { SymbolicTensor, type Layer } from './layers/layer.js';
import { encodeModel } from './serialize.js';

export interface ModelCompileConfig {
  device: Device;
  optimizer?: Optimizer | string;
  /** Needed for fit and evaluate; a model compiled without one can still predict. */
  loss?: string;
  metrics?: string[];
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Fraction of the samples (the last ones, before shuffling) held out for validation. */
  validationSplit?: number;
  validationData?: [HostTensor, HostTensor];
  shuffle?: boolean;
  callbacks?: Callback[];
  /** 0 silent, 1 progress bar, 2 one line per epoch; default: bar in a terminal, lines otherwise. */
  verbose?: 0 | 1 | 2;
  /** Seed for the shuffling order. */
  seed?: number;
}

export interface History {
  epoch: number[];
  history: Record<string, number[]>;
}

/** x as fit, evaluate and predict hold it: floats, or int32 ids for a model whose input is int32. */
type XData = HostTensor<Float32Array | Int32Array>;

const DEFAULT_EVAL_BATCH = 128;
const FIT_OPTIONS = ['epochs', 'batchSize', 'validationSplit', 'validationData', 'shuffle', 'callbacks', 'verbose', 'seed'] as const;
const EVAL_OPTIONS = ['batchSize'] as const;

/** A training batch on the GPU whose loss has not been read yet. */
interface SubmittedBatch {
  results: Promise<Results>;
  count: number;
  batch: number;
}

interface Compiled {
  device: Device;
  optimizer: Optimizer;
  loss: string | undefined;
  metrics: ('accuracy' | 'mse' | 'mae')[];
  store: ParamStore;
}

export class Model implements TrainingModel {
  readonly name: string;
  readonly topology: Topology;
  readonly layers: Layer[];
  stopTraining = false;
  protected compiled: Compiled | undefined;
  private readonly programs = new Map<string, Program>();
  /** Values for weights not yet on the GPU (set before the first program was built, or loaded). */
  private readonly pending = new Map<string, Float32Array>();

  constructor(config: { inputs: SymbolicTensor; outputs: SymbolicTensor; name?: string }) {
    if (!config?.inputs || !config.outputs) throw new SinapsisError('model: needs { inputs, outputs } (one input and one output tensor)');
    if (Array.isArray(config.inputs) || Array.isArray(config.outputs)) {
      if ((config.inputs as unknown as unknown[]).length !== 1 || (config.outputs as unknown as unknown[]).length !== 1) {
        throw new SinapsisError('model: this version supports models with one input and one output');
      }
    }
    const inputs = Array.isArray(config.inputs) ? config.inputs[0] : config.inputs;
    const outputs = Array.isArray(config.outputs) ? config.outputs[0] : config.outputs;
    if (!(inputs instanceof SymbolicTensor)) throw new SinapsisError(`model: inputs must be a tensor from sn.input({ shape }), got ${show(inputs)}`);
    if (!(outputs instanceof SymbolicTensor)) throw new SinapsisError(`model: outputs must be a tensor made by applying layers (layer.apply(x)), got ${show(outputs)}`);
    if (config.name !== undefined && typeof config.name !== 'string') throw new InputError(`model: name must be a string, got ${show(config.name)}`);
    this.name = config.name ?? 'model';
    this.topology = topology(inputs, outputs);
    this.layers = layersOf(this.topology);
  }

  get inputShape(): readonly number[] { return this.topology.input.shape; }
  get outputShape(): readonly number[] { return this.topology.output.shape; }

  compile(config: ModelCompileConfig): void {
    if (this.fitting) throw new SinapsisError('model.compile: the model is training (fit() has not finished); compile it before or after');
    if (this.disposed) throw new SinapsisError('model.compile: the model was disposed (dispose() released its weights); load or build it again');
    const o = checkOptions('model.compile', config, ['device', 'optimizer', 'loss', 'metrics']);
    if (!o.device || typeof o.device.assertAlive !== 'function') throw new SinapsisError('model.compile: needs { device } from sn.createDevice()');
    const loss = o.loss === undefined ? undefined : canonicalLoss(o.loss);
    // One name for one metric, as TF.js accepts.
    const given: unknown = typeof o.metrics === 'string' ? [o.metrics] : o.metrics ?? [];
    if (!Array.isArray(given)) throw new InputError(`model.compile: metrics must be an array of names such as ['accuracy'], got ${show(o.metrics)}`);
    const metrics = given.map((m) => canonicalMetric(m));
    if (this.compiled && this.compiled.device !== config.device) {
      throw new SinapsisError("model.compile: this model's weights live on another device; save() it and sn.loadModel(bytes, { device }) to move it");
    }
    const optimizer = getOptimizer(o.optimizer ?? 'rmsprop');
    // As Keras: a new optimizer starts from fresh state; compiling again with the same object keeps its state.
    const freshOptimizer = this.compiled?.optimizer !== optimizer;
    this.disposePrograms();
    const store = this.compiled?.store ?? new ParamStore(config.device);
    this.compiled = { device: config.device, optimizer, loss, metrics: [...new Set(metrics)], store };
    this.createWeights();
    if (freshOptimizer) {
      this.optimizerStep = 0;
      for (const w of this.weightNames) {
        for (const st of optimizer.state) {
          const name = `${w}/${st.name}`;
          if (store.has(name)) store.write(name, new Float32Array(sizeOf(store.shapeOf(name)!)).fill(st.init));
        }
      }
    }
  }

  /** Names of the model's weights in the store (which also holds optimizer state such as 'dense_1/kernel/m'). */
  private weightNames: string[] = [];

  /** Puts every weight on the GPU now, so getWeights/setWeights/save work before the first fit. */
  private createWeights(): void {
    const c = this.need();
    const traced = trace(this.topology, 1, false, (n) => this.takePending(n));
    this.weightNames = traced.graph.params.map((p) => p.name!);
    for (const p of traced.graph.params) {
      const init = traced.graph.paramInfo.get(p)!.init;
      c.store.get(p.name!, p.shape, () => init(p.shape));
    }
  }

  private takePending(name: string): Float32Array | undefined {
    const v = this.pending.get(name);
    if (v && v.length) {
      this.pending.delete(name);
      return v;
    }
    return undefined;
  }

  private need(what = 'this'): Compiled {
    if (this.disposed) throw new SinapsisError(`model.${what}: the model was disposed (dispose() released its weights); load or build it again`);
    if (!this.compiled) throw new SinapsisError(`model: call model.compile({ device, ... }) before ${what}`);
    return this.compiled;
  }

  private needLoss(what: string): Compiled & { loss: string } {
    const c = this.need(what);
    if (!c.loss) throw new SinapsisError(`model.${what}: the model was compiled without a loss; compile with { loss: 'sparseCategoricalCrossentropy' } (or another loss)`);
    return c as Compiled & { loss: string };
  }

  private async program(kind: 'train' | 'eval' | 'predict', batch: number): Promise<Program> {
    const key = `${kind}:${batch}`;
    const existing = this.programs.get(key);
    if (existing) return existing;
    const c = this.need();
    const traced = trace(this.topology, batch, kind === 'train', (n) => this.takePending(n));
    let request: PlanRequest;
    if (kind === 'train') {
      const { outputs, loss, updates } = trainGraph(traced, c.loss!, c.metrics);
      request = { outputs, minimize: { loss, optimizer: c.optimizer }, updates };
    } else if (kind === 'eval') {
      request = evalGraph(traced, c.loss!, c.metrics);
    } else {
      request = { outputs: { pred: traced.pred } };
    }
    const prog = await buildProgram(c.device, traced.graph, request, c.store);
    // Optimizer steps continue across programs (a partial batch's program shares Adam's t).
    if (kind === 'train') prog.optimizerStep = this.optimizerStep;
    this.programs.set(key, prog);
    return prog;
  }

  /** Optimizer steps taken so far (Adam's t). */
  private optimizerStep = 0;

  /**
   * x of fit/evaluate/predict, converted and checked: samples of the input's
   * shape, every value finite (or, for an int32 input, an integer), and
   * whatever the layers reading the input check (an embedding's id range).
   */
  private inputData(what: string, value: unknown): XData {
    const input = this.topology.input;
    const x = toInputData(`${what} x`, value, input.shape, input.dtype);
    const want = this.inputShape;
    if (x.shape.length !== want.length + 1 || !sameShape(x.shape.slice(1), want)) {
      throw new InputError(`${what}: x has shape ${fmtShape(x.shape)}, the model expects [n, ${want.join(', ')}]`);
    }
    for (const node of this.topology.nodes) {
      if (node.inputs.includes(input)) node.layer!.checkData?.(`${what} x`, x.data, x.shape);
    }
    return x;
  }

  /** A reusable batch buffer for rows of x, of x's element type. */
  private static batchBuffer(x: XData, length: number): Float32Array | Int32Array {
    return x.data instanceof Int32Array ? new Int32Array(length) : new Float32Array(length);
  }

  /** y of fit/evaluate, converted and checked against x's sample count and what the loss expects. */
  private targetData(what: string, value: unknown, x: XData): HostTensor {
    const c = this.needLoss(what);
    const pred = [x.shape[0], ...this.outputShape];
    const loss = getLoss(c.loss);
    const y = toHostData(`${what} y`, value, loss.targetShape(pred).slice(1));
    checkSameRows(what, x, y);
    loss.checkTargets(what, y, pred);
    return y;
  }

  private disposed = false;

  /** Set while fit() runs: a second fit is refused (they would interleave their steps on one set of weights). */
  private fitting = false;

  async fit(xData: Data, yData: Data, options: FitOptions = {}): Promise<History> {
    if (this.fitting) throw new SinapsisError('fit: this model is already training (an earlier fit() has not finished); await it before calling fit again (predict and evaluate may run meanwhile)');
    this.fitting = true;
    try {
      return await this.train(xData, yData, options);
    } finally {
      this.fitting = false;
    }
  }

  private async train(xData: Data, yData: Data, options: FitOptions): Promise<History> {
    const c = this.needLoss('fit');
    const o = checkOptions('fit', options, FIT_OPTIONS);
    const epochs = countOption('fit', 'epochs', o.epochs, 1);
    const batchSize = countOption('fit', 'batchSize', o.batchSize, 32);
    const shuffle = booleanOption('fit', 'shuffle', o.shuffle, true);
    const seed = o.seed === undefined ? undefined : numberOption('fit', 'seed', o.seed, 0);
    const verbose = numberOption('fit', 'verbose', o.verbose, typeof process !== 'undefined' && process.stdout?.isTTY ? 1 : 2, { min: 0, max: 2, integer: true });
    if (o.callbacks !== undefined && (!Array.isArray(o.callbacks) || o.callbacks.some((cb) => typeof cb !== 'object' || cb === null))) {
      throw new InputError(`fit: callbacks must be an array of callback objects (sn.callbacks.earlyStopping(...), ...), got ${show(o.callbacks)}`);
    }
    let x = this.inputData('fit', xData);
    let y = this.targetData('fit', yData, x);

    let validation: [XData, HostTensor] | undefined;
    if (o.validationData !== undefined) {
      if (!Array.isArray(o.validationData) || o.validationData.length !== 2) throw new InputError(`fit: validationData must be [x, y], got ${show(o.validationData)}`);
      const vx = this.inputData('fit validationData', o.validationData[0]);
      validation = [vx, this.targetData('fit validationData', o.validationData[1], vx)];
    }
    const split = numberOption('fit', 'validationSplit', o.validationSplit, 0, { min: 0, max: 1, below: true });
    if (split > 0) {
      if (validation) throw new InputError('fit: give validationData or validationSplit, not both');
      const parts = splitTrainValidation(x, y, split);
      x = parts.train.x;
      y = parts.train.y;
      validation = [parts.validation.x, parts.validation.y];
    }

    const n = x.shape[0];
    const rows = Math.min(batchSize, n);
    const steps = batchCount(n, rows);
    const callbacks = [...(o.callbacks ?? [])];
    if (verbose > 0 && typeof process !== 'undefined' && process.versions?.node) callbacks.unshift(progressBar(verbose === 1 ? 'bar' : 'line'));
    const params: FitParams = { epochs, steps, samples: n, batchSize: rows, metrics: ['loss', ...c.metrics] };
    for (const cb of callbacks) cb.setModel?.(this, params);
    const terminateOnNaN = callbacks.find((cb): cb is TerminateOnNaN => cb instanceof TerminateOnNaN);

    const rand = seed === undefined ? Math.random : seededRandom(seed);
    const xRow = sizeOf(x.shape.slice(1));
    const yRow = y.size / n;
    const xBuf = Model.batchBuffer(x, rows * xRow);
    const yBuf = new Float32Array(rows * yRow);
    // Sparse labels [n] are gathered as rows [n, 1]: one view for the whole run, not one per batch.
    const yRows = y.shape.length === 1 ? new HostTensor(y.data, [n, 1]) : y;
    const history: History = { epoch: [], history: {} };
    // A callback of the caller's that watches single batches may stop training
    // after any of them, so batches then run one at a time; otherwise the
    // losses are read back a group of batches at a time (deferRead), behind
    // the batches being submitted.
    const pipelined = !(o.callbacks ?? []).some((cb) => cb.onBatchEnd);
    this.stopTraining = false;
    for (const cb of callbacks) await cb.onTrainBegin?.();

    let logs: Logs = {};
    for (let epoch = 0; epoch < epochs && !this.stopTraining; epoch++) {
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch);
      const order = shuffle ? shuffledIndices(n, rand) : Uint32Array.from({ length: n }, (_, i) => i);
      const sums: Record<string, number> = { loss: 0 };
      let seen = 0;
      let diverged = false;
      const finish = async ({ results, count, batch }: SubmittedBatch) => {
        const out = await results;
        if (diverged) return;
        const batchLoss = out.loss.data[0];
        if (!Number.isFinite(batchLoss)) {
          this.stopTraining = true;
          diverged = true;
          if (terminateOnNaN) return terminateOnNaN.terminated(epoch, batch, batchLoss);
          throw new SinapsisError(`fit: the loss became ${batchLoss} at epoch ${epoch + 1}, batch ${batch + 1}; lower the learning rate or check the data (sn.callbacks.terminateOnNaN() stops the run instead of failing)`);
        }
        sums.loss += batchLoss * count;
        for (const m of c.metrics) sums[m] = (sums[m] ?? 0) + out[m].data[0];
        seen += count;
        const batchLogs: Logs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / seen]));
        for (const cb of callbacks) await cb.onBatchEnd?.(batch, batchLogs);
      };
      const queue = new StepQueue<SubmittedBatch>(pipelined ? READ_GROUP : 0, finish);
      let batch = 0;
      for (const { start, count } of batches(n, rows)) {
        const prog = await this.program('train', count);
        const xb = gatherRows(x, order, start, count, xBuf);
        const yb = gatherRows(yRows, order, start, count, yBuf);
        prog.optimizerStep = this.optimizerStep;
        const { results } = await prog.submit({ x: xb.data, y: yb.data }, { deferRead: pipelined });
        this.optimizerStep = prog.optimizerStep;
        await queue.push(prog, { results, count, batch });
        batch++;
        // As Keras: a callback that sets stopTraining stops the run after this batch.
        if (this.stopTraining) break;
      }
      await queue.drain();
      logs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / seen]));
      if (diverged) logs.loss = terminateOnNaN!.stoppedAt!.loss;
      // As Keras: the epoch a diverged run stopped in is still logged (with its non-finite loss), without validation.
      if (validation && !diverged) {
        const v = await this.evaluate(validation[0], validation[1]);
        for (const [k, val] of Object.entries(v)) logs[`val${k[0].toUpperCase()}${k.slice(1)}`] = val;
      }
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs);
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(logs);
    return history;
  }

  /** Mean loss (with weight penalties, as Keras) and metrics over the whole set. */
  async evaluate(xData: Data, yData: Data, options: { batchSize?: number } = {}): Promise<Record<string, number>> {
    const c = this.needLoss('evaluate');
    const o = checkOptions('evaluate', options, EVAL_OPTIONS);
    const batchSize = countOption('evaluate', 'batchSize', o.batchSize, DEFAULT_EVAL_BATCH);
    const x = this.inputData('evaluate', xData);
    const y = this.targetData('evaluate', yData, x);
    const n = x.shape[0];
    const rows = Math.min(batchSize, n);
    const prog = await this.program('eval', rows);
    const xRow = sizeOf(x.shape.slice(1));
    const yRow = y.size / n;
    const mask = new Float32Array(rows);
    const sums: Record<string, number> = { loss: 0 };
    let penalty = 0;
    const xb = Model.batchBuffer(x, rows * xRow);
    const yb = new Float32Array(rows * yRow);
    const add = async (results: Promise<Results>) => {
      const out = await results;
      sums.loss += out.loss.data[0];
      if (out.penalty) penalty = out.penalty.data[0];
      for (const m of c.metrics) sums[m] = (sums[m] ?? 0) + out[m].data[0];
    };
    // Batches are submitted ahead of reading their sums, which come back a group at a time.
    const queue = new StepQueue(READ_GROUP, add);
    for (const { start, count } of batches(n, rows)) {
      // The last batch is padded: its extra rows repeat stale data and are masked out.
      xb.set(x.data.subarray(start * xRow, (start + count) * xRow));
      yb.set(y.data.subarray(start * yRow, (start + count) * yRow));
      mask.fill(1, 0, count).fill(0, count);
      const { results } = await prog.submit({ x: xb, y: yb, mask }, { deferRead: true });
      await queue.push(prog, results);
    }
    await queue.drain();
    const result: Record<string, number> = {};
    for (const [k, v] of Object.entries(sums)) result[k] = v / n;
    result.loss += penalty;
    return result;
  }

  /** Predictions for every sample: HostTensor [n, ...outputShape]. */
  async predict(xData: Data, options: { batchSize?: number } = {}): Promise<HostTensor> {
    this.need('predict');
    const o = checkOptions('predict', options, EVAL_OPTIONS);
    const batchSize = countOption('predict', 'batchSize', o.batchSize, DEFAULT_EVAL_BATCH);
    const x = this.inputData('predict', xData);
    const n = x.shape[0];
    const rows = Math.min(batchSize, n);
    const prog = await this.program('predict', rows);
    const xRow = sizeOf(x.shape.slice(1));
    const outRow = sizeOf(this.outputShape);
    const out = new Float32Array(n * outRow);
    const xb = Model.batchBuffer(x, rows * xRow);
    const store = async ({ results, start, count }: { results: Promise<Results>; start: number; count: number }) => {
      out.set((await results).pred.data.subarray(0, count * outRow), start * outRow);
    };
    const queue = new StepQueue(READ_GROUP, store);
    for (const { start, count } of batches(n, rows)) {
      xb.set(x.data.subarray(start * xRow, (start + count) * xRow));
      const { results } = await prog.submit({ x: xb }, { deferRead: true });
      await queue.push(prog, { results, start, count });
    }
    await queue.drain();
    return new HostTensor(out, [n, ...this.outputShape]);
  }

  /** Every weight by name ('dense_1/kernel'). */
  async getWeights(): Promise<Record<string, HostTensor>> {
    return this.need('getWeights').store.read(this.weightNames);
  }

  /** Shapes of the model's weights by name, from its graph (no device needed). */
  weightShapes(): Map<string, Shape> {
    this.shapes ??= new Map(trace(this.topology, 1, false, () => undefined).graph.params.map((p) => [p.name!, p.shape]));
    return this.shapes;
  }
  private shapes: Map<string, Shape> | undefined;

  /** Overwrites weights by name, before or after compile; unknown names and wrong sizes are InputErrors naming the weight. */
  setWeights(weights: Record<string, HostTensor | Float32Array>): void {
    if (weights === null || typeof weights !== 'object') throw new InputError(`setWeights: expected an object of weights by name ({ 'dense_1/kernel': tensor, ... }), got ${show(weights)}`);
    const shapes = this.weightShapes();
    const checked: [string, Float32Array][] = [];
    for (const [name, v] of Object.entries(weights)) {
      const shape = shapes.get(name);
      if (!shape) throw new InputError(`setWeights: the model has no weight '${name}' (its weights: ${[...shapes.keys()].join(', ')})`);
      const data = v instanceof HostTensor ? v.data : v;
      if (!(data instanceof Float32Array)) throw new InputError(`setWeights: weight '${name}' must be a HostTensor or a Float32Array, got ${show(v)}`);
      if (v instanceof HostTensor && !sameShape(v.shape, shape)) throw new InputError(`setWeights: weight '${name}' has shape ${fmtShape(shape)}, got a tensor of shape ${fmtShape(v.shape)}`);
      if (data.length !== sizeOf(shape)) throw new InputError(`setWeights: weight '${name}' has shape ${fmtShape(shape)} (${sizeOf(shape)} values), got ${data.length} values`);
      checked.push([name, data]);
    }
    const c = this.compiled;
    for (const [name, data] of checked) {
      if (c) c.store.write(name, data);
      else this.pending.set(name, data);
    }
  }

  /** Optimizer state and step, for save({ includeOptimizer: true }). */
  async optimizerState(): Promise<{ step: number; state: Record<string, HostTensor> }> {
    const c = this.need('optimizerState');
    const names = this.weightNames.flatMap((w) => c.optimizer.state.map((st) => `${w}/${st.name}`)).filter((n) => c.store.has(n));
    return { step: this.optimizerStep, state: await c.store.read(names) };
  }

  /**
   * Restores the optimizer's step count and state ('dense_1/kernel/m', ...):
   * every entry must be a state of this optimizer for one of the model's
   * weights, of that weight's shape; nothing is written unless all are.
   */
  setOptimizerState(step: number, state: Record<string, HostTensor>): void {
    const c = this.need('setOptimizerState');
    if (!Number.isInteger(step) || step < 0) throw new InputError(`setOptimizerState: the step must be a non-negative integer, got ${show(step)}`);
    const shapes = this.weightShapes();
    const stateNames = c.optimizer.state.map((st) => st.name);
    const entries = Object.entries(state).map(([name, v]) => {
      const cut = name.lastIndexOf('/');
      const weight = name.slice(0, cut);
      const shape = shapes.get(weight);
      if (cut < 0 || !shape || !stateNames.includes(name.slice(cut + 1))) {
        throw new InputError(`setOptimizerState: '${name}' is not a state of this optimizer (${c.optimizer.name} keeps ${stateNames.map((s) => `'<weight>/${s}'`).join(', ') || 'no state'}) for a weight of the model`);
      }
      if (!(v instanceof HostTensor) || !sameShape(v.shape, shape)) throw new InputError(`setOptimizerState: '${name}' must have its weight's shape ${fmtShape(shape)}, got ${v instanceof HostTensor ? fmtShape(v.shape) : show(v)}`);
      return [name, shape, v] as const;
    });
    this.optimizerStep = step;
    for (const [name, shape, v] of entries) {
      c.store.get(name, shape, () => v.data);
      c.store.write(name, v.data);
    }
  }

  /** safetensors bytes with the model config in the metadata; in Node, a path also writes the file atomically. */
  async save(pathOrOptions?: string | { path?: string; includeOptimizer?: boolean }): Promise<Uint8Array> {
    const opts = typeof pathOrOptions === 'string' ? { path: pathOrOptions } : checkOptions('save', pathOrOptions, ['path', 'includeOptimizer']);
    if (opts.path !== undefined && (typeof opts.path !== 'string' || opts.path === '')) throw new InputError(`save: path must be a file path (a non-empty string), got ${show(opts.path)}`);
    const bytes = await encodeModel(this, booleanOption('save', 'includeOptimizer', opts.includeOptimizer, false));
    if (opts.path) {
      const { writeFileAtomic } = await import('../atomic-file.js');
      await writeFileAtomic(opts.path, bytes);
    }
    return bytes;
  }

  /** The compile settings that save() records. */
  get compileConfig(): { loss?: string; metrics: string[]; optimizer: { name: string; config: Record<string, number | boolean> } } | undefined {
    const c = this.compiled;
    return c && { loss: c.loss, metrics: c.metrics, optimizer: { name: c.optimizer.name, config: { ...c.optimizer.config } } };
  }

  /** Layers, output shapes and parameter counts as a table. */
  summary(): string {
    const lines = [`Model: ${this.name}`, `${'Layer (type)'.padEnd(32)}${'Output shape'.padEnd(24)}Params`];
    let total = 0;
    const traced = trace(this.topology, 1, false, () => undefined);
    for (const node of this.topology.nodes) {
      const l = node.layer!;
      const count = traced.graph.params.filter((p) => p.name!.startsWith(`${l.name}/`)).reduce((s, p) => s + p.size, 0);
      total += count;
      lines.push(`${`${l.name} (${l.className})`.padEnd(32)}${`[null, ${node.shape.join(', ')}]`.padEnd(24)}${count}`);
    }
    lines.push(`Total params: ${total}`);
    return lines.join('\n');
  }

  /** Dispatches one training step records (for benchmarks). */
  async trainStepProgram(batchSize: number): Promise<Program> {
    this.needLoss('trainStepProgram');
    return this.program('train', batchSize);
  }

  private disposePrograms(): void {
    for (const p of this.programs.values()) p.dispose();
    this.programs.clear();
  }

  /** Releases every GPU buffer of the model (programs and weights). */
  dispose(): void {
    this.disposed = true;
    this.disposePrograms();
    this.compiled?.store.dispose();
    this.compiled = undefined;
  }
}

/** sn.model({ inputs, outputs }): a functional model, for graphs that are not a chain. */
export function model(config: { inputs: SymbolicTensor; outputs: SymbolicTensor; name?: string }): Model {
  return new Model(config);
}
