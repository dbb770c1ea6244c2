// Model: Keras-style compile / fit / evaluate / predict over compiled static
// programs. Each program (training step, evaluation, prediction, and a
// training step for a last partial batch) is compiled once and replayed;
// all of them share the model's weights through one ParamStore.
import { InputError, SinapsisError, fmtShape } from '../errors.js';
import type { Device } from '../device.js';
import { HostTensor, tensor } from '../graph/host-tensor.js';
import { sameShape, sizeOf } from '../graph/shape.js';
import { buildPlan } from '../plan/plan.js';
import { Program } from '../exec/program.js';
import { READ_GROUP, type Results } from '../exec/readback.js';
import { StepQueue } from './step-queue.js';
import { ParamStore } from '../exec/param-store.js';
import { batches, batchCount, checkSameRows, gatherRows, seededRandom, shuffledIndices, splitTrainValidation } from '../data/dataset.js';
import { getOptimizer, type Optimizer } from './optimizers.js';
import { canonicalLoss } from './losses.js';
import { canonicalMetric } from './metrics.js';
import { evalGraph, layersOf, targetShape, trace, trainGraph, topology, type Topology } from './programs.js';
import { progressBar, type Callback, type FitParams, type Logs, type TrainingModel } from './callbacks.js';
import type { Layer, SymbolicTensor } from './layers/layer.js';
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

type Data = HostTensor | number[] | number[][] | Float32Array;

const DEFAULT_EVAL_BATCH = 128;

/** A training batch on the GPU whose loss has not been read yet. */
interface SubmittedBatch {
  results: Promise<Results>;
  count: number;
  step: number;
}

function asTensor(v: Data, what: string): HostTensor {
  if (v instanceof HostTensor) return v;
  if (Array.isArray(v) || v instanceof Float32Array) return tensor(v);
  throw new InputError(`${what}: expected a HostTensor (sn.tensor(data, shape)) or an array, got ${typeof v}`);
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
    this.name = config.name ?? 'model';
    this.topology = topology(inputs, outputs);
    this.layers = layersOf(this.topology);
  }

  get inputShape(): readonly number[] { return this.topology.input.shape; }
  get outputShape(): readonly number[] { return this.topology.output.shape; }

  compile(config: ModelCompileConfig): void {
    if (!config?.device || typeof config.device.assertAlive !== 'function') throw new SinapsisError('model.compile: needs { device } from sn.createDevice()');
    const loss = config.loss === undefined ? undefined : canonicalLoss(config.loss);
    const metrics = (config.metrics ?? []).map(canonicalMetric);
    if (this.compiled && this.compiled.device !== config.device) {
      throw new SinapsisError("model.compile: this model's weights live on another device; save() it and sn.loadModel(bytes, { device }) to move it");
    }
    const optimizer = getOptimizer(config.optimizer ?? 'rmsprop');
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
    let plan;
    if (kind === 'train') {
      const { outputs, loss, updates } = trainGraph(traced, c.loss!, c.metrics);
      plan = buildPlan(traced.graph, { outputs, minimize: { loss, optimizer: c.optimizer }, updates }, c.device.caps);
    } else if (kind === 'eval') {
      plan = buildPlan(traced.graph, evalGraph(traced, c.loss!, c.metrics), c.device.caps);
    } else {
      plan = buildPlan(traced.graph, { outputs: { pred: traced.pred } }, c.device.caps);
    }
    const prog = await Program.create(c.device, plan, c.store);
    // Optimizer steps continue across programs (a partial batch's program shares Adam's t).
    if (kind === 'train') prog.step = this.optimizerStep;
    this.programs.set(key, prog);
    return prog;
  }

  /** Optimizer steps taken so far (Adam's t). */
  private optimizerStep = 0;

  /** Checks x against the model's input shape and y against what the loss expects. */
  private checkData(x: HostTensor, y: HostTensor | undefined, what: string): number {
    const want = this.inputShape;
    if (x.shape.length !== want.length + 1 || !sameShape(x.shape.slice(1), want)) {
      throw new InputError(`${what}: x has shape ${fmtShape(x.shape)}, the model expects [n, ${want.join(', ')}]`);
    }
    const n = x.shape[0];
    if (!y) return n;
    checkSameRows(what, x, y);
    const c = this.needLoss(what);
    const expected = targetShape(c.loss, [n, ...this.outputShape]);
    if (c.loss === 'sparseCategoricalCrossentropy') {
      if (y.size !== n) throw new InputError(`${what}: labels for sparseCategoricalCrossentropy must have shape [${n}] (one class index per sample), got ${fmtShape(y.shape)}`);
      const classes = this.outputShape[this.outputShape.length - 1];
      for (let i = 0; i < y.size; i++) {
        const v = y.data[i];
        if (!Number.isInteger(v) || v < 0 || v >= classes) {
          throw new InputError(`${what}: label ${i} is ${v}; labels must be integers 0..${classes - 1} for a model with ${classes} outputs`);
        }
      }
    } else if (y.size !== sizeOf(expected)) {
      throw new InputError(`${what}: y has shape ${fmtShape(y.shape)}, the loss '${c.loss}' expects ${fmtShape(expected)}`);
    }
    return n;
  }

  async fit(xData: Data, yData: Data, options: FitOptions = {}): Promise<History> {
    const c = this.needLoss('fit');
    let x = asTensor(xData, 'fit x');
    let y = asTensor(yData, 'fit y');
    const epochs = options.epochs ?? 1;
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(epochs) || epochs < 1) throw new InputError(`fit: epochs must be a positive integer, got ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`fit: batchSize must be a positive integer, got ${batchSize}`);
    this.checkData(x, y, 'fit');

    let validation: [HostTensor, HostTensor] | undefined;
    if (options.validationData) {
      validation = [asTensor(options.validationData[0], 'fit validationData x'), asTensor(options.validationData[1], 'fit validationData y')];
      this.checkData(validation[0], validation[1], 'fit validationData');
    } else if (options.validationSplit) {
      const split = splitTrainValidation(x, y, options.validationSplit);
      x = split.train.x;
      y = split.train.y;
      validation = [split.validation.x, split.validation.y];
    }

    const n = x.shape[0];
    const rows = Math.min(batchSize, n);
    const steps = batchCount(n, rows);
    const verbose = options.verbose ?? (typeof process !== 'undefined' && process.stdout?.isTTY ? 1 : 2);
    const callbacks = [...(options.callbacks ?? [])];
    if (verbose > 0 && typeof process !== 'undefined' && process.versions?.node) callbacks.unshift(progressBar(verbose === 1 ? 'bar' : 'line'));
    const params: FitParams = { epochs, steps, samples: n, batchSize: rows, metrics: ['loss', ...c.metrics] };
    for (const cb of callbacks) cb.setModel?.(this, params);

    const rand = options.seed === undefined ? Math.random : seededRandom(options.seed);
    const xRow = sizeOf(x.shape.slice(1));
    const yRow = y.size / n;
    const xBuf = new Float32Array(rows * xRow);
    const yBuf = new Float32Array(rows * yRow);
    // Sparse labels [n] are gathered as rows [n, 1]: one view for the whole run, not one per batch.
    const yRows = y.shape.length === 1 ? new HostTensor(y.data, [n, 1]) : y;
    const history: History = { epoch: [], history: {} };
    // A callback of the caller's that watches single batches may stop training
    // after any of them, so batches then run one at a time; otherwise the
    // losses are read back a group of batches at a time (deferRead), behind
    // the batches being submitted.
    const pipelined = !(options.callbacks ?? []).some((cb) => cb.onBatchEnd);
    this.stopTraining = false;
    for (const cb of callbacks) await cb.onTrainBegin?.();

    let logs: Logs = {};
    for (let epoch = 0; epoch < epochs && !this.stopTraining; epoch++) {
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch);
      const order = options.shuffle === false ? Uint32Array.from({ length: n }, (_, i) => i) : shuffledIndices(n, rand);
      const sums: Record<string, number> = { loss: 0 };
      let seen = 0;
      const finish = async ({ results, count, step }: SubmittedBatch) => {
        const out = await results;
        const batchLoss = out.loss.data[0];
        if (!Number.isFinite(batchLoss)) {
          this.stopTraining = true;
          throw new SinapsisError(`fit: the loss became ${batchLoss} at epoch ${epoch + 1}, batch ${step + 1}; lower the learning rate or check the data`);
        }
        sums.loss += batchLoss * count;
        for (const m of c.metrics) sums[m] = (sums[m] ?? 0) + out[m].data[0];
        seen += count;
        const batchLogs: Logs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / seen]));
        for (const cb of callbacks) await cb.onBatchEnd?.(step, batchLogs);
      };
      const queue = new StepQueue<SubmittedBatch>(pipelined ? READ_GROUP : 0, finish);
      let step = 0;
      for (const { start, count } of batches(n, rows)) {
        const prog = await this.program('train', count);
        const xb = gatherRows(x, order, start, count, xBuf);
        const yb = gatherRows(yRows, order, start, count, yBuf);
        prog.step = this.optimizerStep;
        const { results } = await prog.submit({ x: xb.data, y: yb.data }, { deferRead: pipelined });
        this.optimizerStep = prog.step;
        await queue.push(prog, { results, count, step });
        step++;
        // As Keras: a callback that sets stopTraining stops the run after this batch.
        if (this.stopTraining) break;
      }
      await queue.drain();
      logs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / seen]));
      if (validation) {
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
    const x = asTensor(xData, 'evaluate x');
    const y = asTensor(yData, 'evaluate y');
    const n = this.checkData(x, y, 'evaluate');
    const rows = Math.min(options.batchSize ?? DEFAULT_EVAL_BATCH, n);
    const prog = await this.program('eval', rows);
    const xRow = sizeOf(x.shape.slice(1));
    const yRow = y.size / n;
    const mask = new Float32Array(rows);
    const sums: Record<string, number> = { loss: 0 };
    let penalty = 0;
    const xb = new Float32Array(rows * xRow);
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
    const x = asTensor(xData, 'predict x');
    const n = this.checkData(x, undefined, 'predict');
    const rows = Math.min(options.batchSize ?? DEFAULT_EVAL_BATCH, n);
    const prog = await this.program('predict', rows);
    const xRow = sizeOf(x.shape.slice(1));
    const outRow = sizeOf(this.outputShape);
    const out = new Float32Array(n * outRow);
    const xb = new Float32Array(rows * xRow);
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

  setWeights(weights: Record<string, HostTensor | Float32Array>): void {
    const c = this.compiled;
    const unknown = c ? Object.keys(weights).filter((n) => !this.weightNames.includes(n)) : [];
    if (unknown.length) throw new InputError(`setWeights: the model has no weight ${unknown.map((n) => `'${n}'`).join(', ')} (its weights: ${this.weightNames.join(', ')})`);
    for (const [name, v] of Object.entries(weights)) {
      const data = v instanceof HostTensor ? v.data : v;
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

  setOptimizerState(step: number, state: Record<string, HostTensor>): void {
    const c = this.need('setOptimizerState');
    this.optimizerStep = step;
    for (const [name, v] of Object.entries(state)) {
      const [layer, weight] = name.split('/');
      const p = `${layer}/${weight}`;
      c.store.get(name, c.store.shapeOf(p) ?? v.shape, () => v.data);
      c.store.write(name, v.data);
    }
  }

  /** safetensors bytes with the model config in the metadata; in Node, a path also writes the file atomically. */
  async save(pathOrOptions?: string | { path?: string; includeOptimizer?: boolean }): Promise<Uint8Array> {
    const opts = typeof pathOrOptions === 'string' ? { path: pathOrOptions } : pathOrOptions ?? {};
    const bytes = await encodeModel(this, opts.includeOptimizer ?? false);
    if (opts.path) {
      const { writeFileAtomic } = await import('../data/atomic-file.js');
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
    this.disposePrograms();
    this.compiled?.store.dispose();
    this.compiled = undefined;
  }
}

/** sn.model({ inputs, outputs }): a functional model, for graphs that are not a chain. */
export function model(config: { inputs: SymbolicTensor; outputs: SymbolicTensor; name?: string }): Model {
  return new Model(config);
}
