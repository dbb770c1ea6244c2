// Layers that merge branches (add for residual blocks, concatenate) and
// batch normalization.
import { ShapeError, fmtShape } from '../../errors.js';
import { sameShape } from '../../graph/shape.js';
import type { Tensor } from '../../graph/tensor.js';
import * as ops from '../../ops/index.js';
import { getInitializer } from '../initializers.js';
import { booleanOption, numberOption } from '../../options.js';
import { Layer, single, type LayerConfig, type LayerContext } from './layer.js';

/** Elementwise sum of its inputs (all of one shape): the join of a residual block. */
export class Add extends Layer {
  static override readonly className = 'Add';
  constructor(config: LayerConfig = {}) { super(config, 'add'); }
  call(inputs: readonly Tensor[]): Tensor {
    if (inputs.length < 2) throw new ShapeError(`needs at least two inputs, got ${inputs.length}`);
    // Not broadcast, as Keras: a residual branch of another shape is a mistake.
    if (!inputs.every((t) => sameShape(t.shape, inputs[0].shape))) throw new ShapeError(`inputs must have one shape, got ${inputs.map((t) => fmtShape(t.shape.slice(1))).join(', ')}`);
    return inputs.slice(1).reduce((a, b) => ops.add(a, b), inputs[0]);
  }
  getConfig() { return this.baseConfig(); }
}

/** Joins its inputs along `axis` (default: the last, channels). */
export class Concatenate extends Layer {
  static override readonly className = 'Concatenate';
  readonly axis: number;
  constructor(config: LayerConfig & { axis?: number } = {}) {
    super(config, 'concatenate', ['axis']);
    this.axis = numberOption(`concatenate layer '${this.name}'`, 'axis', config?.axis, -1, { integer: true });
  }
  /** The axis within a sample (no batch axis). */
  private sampleAxis(rank: number): number {
    const a = this.axis < 0 ? this.axis + rank : this.axis - 1;
    if (a < 0 || a >= rank) throw new ShapeError(`axis ${this.axis} is out of range for samples of rank ${rank} (axis 0 is the batch)`);
    return a;
  }
  call(inputs: readonly Tensor[]): Tensor {
    if (inputs.length < 2) throw new ShapeError(`needs at least two inputs, got ${inputs.length}`);
    return ops.concat(inputs, this.sampleAxis(inputs[0].rank - 1) + 1);
  }
  getConfig() { return { ...this.baseConfig(), axis: this.axis }; }
}

export interface BatchNormalizationConfig extends LayerConfig {
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

/**
 * Batch normalization over the last axis (Keras): in training, normalizes with
 * the batch mean and (biased) variance and moves the running averages
 * (moving = momentum * moving + (1 - momentum) * batch); at inference, uses
 * the running averages. Written in graph ops, so its gradient (for the input,
 * gamma and beta) comes from the autodiff.
 */
export class BatchNormalization extends Layer {
  static override readonly className = 'BatchNormalization';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  constructor(config: BatchNormalizationConfig = {}) {
    super(config, 'batch_normalization', ['momentum', 'epsilon', 'center', 'scale']);
    const where = `batch_normalization layer '${this.name}'`;
    this.momentum = numberOption(where, 'momentum', config?.momentum, 0.99, { min: 0, max: 1, below: true });
    this.epsilon = numberOption(where, 'epsilon', config?.epsilon, 1e-3, { min: 0, above: true });
    this.center = booleanOption(where, 'center', config?.center, true);
    this.scale = booleanOption(where, 'scale', config?.scale, true);
  }
  call(inputs: readonly Tensor[], ctx: LayerContext): Tensor {
    const x = single(inputs);
    if (x.rank < 2) throw new ShapeError('needs samples with at least one axis');
    const c = x.shape[x.rank - 1];
    const axes = x.shape.map((_, i) => i).slice(0, -1);
    const movingMean = ctx.param(this, 'movingMean', [c], getInitializer('zeros'), false);
    const movingVar = ctx.param(this, 'movingVariance', [c], getInitializer('ones'), false);
    let mean: Tensor, variance: Tensor;
    if (ctx.training) {
      mean = ops.mean(x, { axis: axes });
      variance = ops.mean(ops.square(ops.sub(x, mean)), { axis: axes });
      const m = this.momentum;
      ctx.addUpdate(movingMean, ops.add(ops.mul(movingMean, m), ops.mul(mean, 1 - m)));
      ctx.addUpdate(movingVar, ops.add(ops.mul(movingVar, m), ops.mul(variance, 1 - m)));
    } else {
      mean = movingMean;
      variance = movingVar;
    }
    let scale = ops.div(1, ops.sqrt(ops.add(variance, this.epsilon)));
    if (this.scale) scale = ops.mul(scale, ctx.param(this, 'gamma', [c], getInitializer('ones')));
    let y = ops.mul(ops.sub(x, mean), scale);
    if (this.center) y = ops.add(y, ctx.param(this, 'beta', [c], getInitializer('zeros')));
    return y;
  }
  getConfig() {
    return { ...this.baseConfig(), momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}
