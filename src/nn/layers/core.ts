// Core layers: dense, activation, flatten, reshape, dropout.
import { InputError, ShapeError, fmtShape } from '../../errors.js';
import { numberOption, show } from '../../options.js';
import type { Tensor } from '../../graph/tensor.js';
import * as ops from '../../ops/index.js';
import { getActivation } from '../activations.js';
import { Layer, single, type LayerConfig, type LayerContext } from './layer.js';
import { KernelLayer, type KernelLayerConfig } from './kernel-layer.js';

export interface DenseConfig extends KernelLayerConfig {
  units: number;
}

/** y = activation(x W + b), applied to the last axis. */
export class Dense extends KernelLayer {
  static override readonly className = 'Dense';
  readonly units: number;

  constructor(config: DenseConfig) {
    super(config, 'dense', ['units']);
    if (config?.units === undefined) throw new InputError(`dense layer '${this.name}': units is missing (the output size), e.g. sn.layers.dense({ units: 10 })`);
    this.units = numberOption(`dense layer '${this.name}'`, 'units', config.units, 0, { min: 1, integer: true });
  }

  call(inputs: readonly Tensor[], ctx: LayerContext): Tensor {
    const x = single(inputs);
    if (x.rank < 2) throw new ShapeError('dense needs inputs with at least one axis');
    const inDim = x.shape[x.rank - 1];
    const w = this.kernel(ctx, [inDim, this.units]);
    const flat = x.rank === 2 ? x : ops.reshape(x, [-1, inDim]);
    const y = this.biasAndActivation(ops.matmul(flat, w), ctx, this.units);
    return x.rank === 2 ? y : ops.reshape(y, [...x.shape.slice(0, -1), this.units]);
  }

  getConfig() {
    return { ...this.kernelLayerConfig(), units: this.units };
  }
}

export class Activation extends Layer {
  static override readonly className = 'Activation';
  readonly activation: string;
  constructor(config: LayerConfig & { activation: string }) {
    super(config, 'activation', ['activation']);
    if (config?.activation === undefined) throw new InputError(`activation layer '${this.name}': activation is missing, e.g. sn.layers.activation({ activation: 'relu' })`);
    this.activation = config.activation;
    getActivation(this.activation);
  }
  call(inputs: readonly Tensor[]): Tensor { return getActivation(this.activation)(single(inputs)); }
  getConfig() { return { ...this.baseConfig(), activation: this.activation }; }
}

export class Flatten extends Layer {
  static override readonly className = 'Flatten';
  constructor(config: LayerConfig = {}) { super(config, 'flatten'); }
  call(inputs: readonly Tensor[]): Tensor {
    const x = single(inputs);
    return ops.reshape(x, [x.shape[0], -1]);
  }
  getConfig() { return this.baseConfig(); }
}

export class Reshape extends Layer {
  static override readonly className = 'Reshape';
  readonly targetShape: number[];
  constructor(config: LayerConfig & { targetShape: number[] }) {
    super(config, 'reshape', ['targetShape']);
    const t: unknown = config?.targetShape;
    if (!Array.isArray(t) || t.some((d) => !Number.isInteger(d) || (d <= 0 && d !== -1)) || t.filter((d) => d === -1).length > 1) {
      throw new InputError(`reshape layer '${this.name}': targetShape must be an array of positive integers (one of them may be -1), got ${JSON.stringify(t) ?? show(t)}`);
    }
    this.targetShape = [...t] as number[];
  }
  call(inputs: readonly Tensor[]): Tensor {
    const x = single(inputs);
    // Checked per sample, as the layer's targetShape is given (the op would name the batched shapes).
    const sample = x.shape.slice(1);
    const known = this.targetShape.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
    const size = sample.reduce((a, d) => a * d, 1);
    if (this.targetShape.includes(-1) ? size % known !== 0 : size !== known) throw new ShapeError(`cannot reshape a sample of shape ${fmtShape(sample)} to ${fmtShape(this.targetShape)}`);
    return ops.reshape(x, [x.shape[0], ...this.targetShape]);
  }
  getConfig() { return { ...this.baseConfig(), targetShape: this.targetShape }; }
}

/** Zeroes a random fraction `rate` of its inputs during training, scaling the rest by 1/(1-rate); identity at inference. */
export class Dropout extends Layer {
  static override readonly className = 'Dropout';
  readonly rate: number;
  readonly seed: number;
  constructor(config: LayerConfig & { rate: number; seed?: number }) {
    super(config, 'dropout', ['rate', 'seed']);
    const where = `dropout layer '${this.name}'`;
    if (config?.rate === undefined) throw new InputError(`${where}: rate is missing (the fraction of inputs to drop), e.g. sn.layers.dropout({ rate: 0.2 })`);
    this.rate = numberOption(where, 'rate', config.rate, 0, { min: 0, max: 1, below: true });
    this.seed = numberOption(where, 'seed', config.seed, Math.floor(Math.random() * 2 ** 31), { integer: true });
  }
  call(inputs: readonly Tensor[], ctx: LayerContext): Tensor {
    const x = single(inputs);
    if (!ctx.training || this.rate === 0) return x;
    return ops.mul(x, ops.dropoutMask(ctx.graph, x.shape, this.rate, this.seed));
  }
  getConfig() { return { ...this.baseConfig(), rate: this.rate, seed: this.seed }; }
}
