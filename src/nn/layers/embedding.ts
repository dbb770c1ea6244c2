// Layers that turn token ids into vectors: embedding (a learned row per id)
// and positionEmbedding (a learned row per position).
import { InputError, ShapeError, fmtShape } from '../../errors.js';
import { numberOption } from '../../options.js';
import type { DType, Tensor } from '../../graph/tensor.js';
import * as ops from '../../ops/index.js';
import { getInitializer, type InitializerLike } from '../initializers.js';
import { Layer, single, type LayerConfig, type LayerContext } from './layer.js';

export interface EmbeddingConfig extends LayerConfig {
  /** The number of ids: every id is in 0..inputDim-1. */
  inputDim: number;
  /** The length of each id's vector. */
  outputDim: number;
  /** Keras' default: uniform in [-0.05, 0.05]. */
  embeddingsInitializer?: InitializerLike;
  seed?: number;
}

/** The position of flat element `i` of a sample of `shape` (no batch axis), as [i0, i1, ...]. */
function positionIn(i: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

/** int32 ids [n, ...] -> their rows of `embeddings` [inputDim, outputDim]: [n, ..., outputDim]. */
export class Embedding extends Layer {
  static override readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  private readonly initializer: InitializerLike;
  private readonly seed: number | undefined;

  constructor(config: EmbeddingConfig) {
    super(config, 'embedding', ['inputDim', 'outputDim', 'embeddingsInitializer', 'seed']);
    const where = `embedding layer '${this.name}'`;
    for (const key of ['inputDim', 'outputDim'] as const) {
      if (config?.[key] === undefined) throw new InputError(`${where}: ${key} is missing, e.g. sn.layers.embedding({ inputDim: 86, outputDim: 64 }) (inputDim: the number of ids; outputDim: the vector length)`);
    }
    this.inputDim = numberOption(where, 'inputDim', config.inputDim, 0, { min: 1, integer: true });
    this.outputDim = numberOption(where, 'outputDim', config.outputDim, 0, { min: 1, integer: true });
    this.initializer = config.embeddingsInitializer ?? 'randomUniform';
    getInitializer(this.initializer);
    this.seed = config.seed === undefined ? undefined : numberOption(where, 'seed', config.seed, 0, { integer: true });
  }

  override get inputDType(): DType {
    return 'int32';
  }

  call(inputs: readonly Tensor[], ctx: LayerContext): Tensor {
    const ids = single(inputs);
    if (ids.dtype !== 'int32') {
      throw new ShapeError(`takes int32 ids, got a float32 input; make the model's input with sn.input({ shape: ${fmtShape(ids.shape.slice(1))}, dtype: 'int32' })`);
    }
    const table = ctx.param(this, 'embeddings', [this.inputDim, this.outputDim], getInitializer(this.initializer, this.seed));
    return ops.gather(table, ids, 0);
  }

  /** Every id given to fit/evaluate/predict must name a row: the GPU would read past the table without a word. */
  override checkData(where: string, data: Float32Array | Int32Array, shape: readonly number[]): void {
    const row = shape.slice(1).reduce((a, d) => a * d, 1);
    for (let i = 0; i < data.length; i++) {
      const id = data[i];
      if (id < 0 || id >= this.inputDim) {
        const at = shape.length > 1 ? ` at position ${positionIn(i % row, shape.slice(1))}` : '';
        throw new InputError(`${where} sample ${Math.floor(i / row)}${at} is id ${id}; embedding layer '${this.name}' has ids 0..${this.inputDim - 1} (inputDim ${this.inputDim})`);
      }
    }
  }

  getConfig() {
    const c: Record<string, unknown> = { ...this.baseConfig(), inputDim: this.inputDim, outputDim: this.outputDim };
    if (typeof this.initializer === 'string') c.embeddingsInitializer = this.initializer;
    if (this.seed !== undefined) c.seed = this.seed;
    return c;
  }
}

export interface PositionEmbeddingConfig extends LayerConfig {
  /** The longest sequence: one learned vector per position 0..sequenceLength-1. */
  sequenceLength: number;
  initializer?: InitializerLike;
  seed?: number;
}

/**
 * Learned position vectors (KerasHub's PositionEmbedding): for an input
 * [n, t, d] the output is [n, t, d] holding row p of `embeddings`
 * [sequenceLength, d] at position p. Add it to the input.
 */
export class PositionEmbedding extends Layer {
  static override readonly className = 'PositionEmbedding';
  readonly sequenceLength: number;
  private readonly initializer: InitializerLike;
  private readonly seed: number | undefined;

  constructor(config: PositionEmbeddingConfig) {
    super(config, 'position_embedding', ['sequenceLength', 'initializer', 'seed']);
    const where = `positionEmbedding layer '${this.name}'`;
    if (config?.sequenceLength === undefined) throw new InputError(`${where}: sequenceLength is missing (the longest sequence), e.g. sn.layers.positionEmbedding({ sequenceLength: 128 })`);
    this.sequenceLength = numberOption(where, 'sequenceLength', config.sequenceLength, 0, { min: 1, integer: true });
    this.initializer = config.initializer ?? 'glorotUniform';
    getInitializer(this.initializer);
    this.seed = config.seed === undefined ? undefined : numberOption(where, 'seed', config.seed, 0, { integer: true });
  }

  call(inputs: readonly Tensor[], ctx: LayerContext): Tensor {
    const x = single(inputs);
    if (x.rank < 3) throw new ShapeError(`expects samples of shape [t, d] (or more axes, positions along the first), got ${fmtShape(x.shape.slice(1))}`);
    const t = x.shape[1];
    if (t > this.sequenceLength) throw new ShapeError(`the input has ${t} positions, more than sequenceLength ${this.sequenceLength}`);
    const table = ctx.param(this, 'embeddings', [this.sequenceLength, ...x.shape.slice(2)], getInitializer(this.initializer, this.seed));
    const used = t === this.sequenceLength ? table : ops.slice(table, [0, ...x.shape.slice(2).map(() => 0)], [t, ...x.shape.slice(2)]);
    return ops.broadcastTo(ops.reshape(used, [1, ...used.shape]), x.shape);
  }

  getConfig() {
    const c: Record<string, unknown> = { ...this.baseConfig(), sequenceLength: this.sequenceLength };
    if (typeof this.initializer === 'string') c.initializer = this.initializer;
    if (this.seed !== undefined) c.seed = this.seed;
    return c;
  }
}
