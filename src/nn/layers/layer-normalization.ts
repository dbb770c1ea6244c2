// layerNormalization: each sample's vector along the last axis normalised to
// mean 0 and variance 1, then scaled by gamma and shifted by beta, as one
// fused kernel (ops.layerNorm).
import { InputError, ShapeError } from '../../errors.js';
import { booleanOption, numberOption, show } from '../../options.js';
import type { Tensor } from '../../graph/tensor.js';
import * as ops from '../../ops/index.js';
import { getInitializer } from '../initializers.js';
import { Layer, single, type LayerConfig, type LayerContext } from './layer.js';

export interface LayerNormalizationConfig extends LayerConfig {
  /** The axis normalised over, counting the batch axis (Keras): -1, the last, is the one the kernel takes. */
  axis?: number;
  epsilon?: number;
  /** Learn beta, the shift. */
  center?: boolean;
  /** Learn gamma, the scale. */
  scale?: boolean;
}

export class LayerNormalization extends Layer {
  static override readonly className = 'LayerNormalization';
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;

  constructor(config: LayerNormalizationConfig = {}) {
    super(config, 'layer_normalization', ['axis', 'epsilon', 'center', 'scale']);
    const where = `layer_normalization layer '${this.name}'`;
    if (config?.axis !== undefined && (!Number.isInteger(config.axis) || config.axis === 0)) {
      throw new InputError(`${where}: axis must be -1 (the last axis) or the last axis's index counting the batch axis, got ${show(config.axis)}`);
    }
    this.axis = config?.axis ?? -1;
    this.epsilon = numberOption(where, 'epsilon', config?.epsilon, 1e-3, { min: 0, above: true });
    this.center = booleanOption(where, 'center', config?.center, true);
    this.scale = booleanOption(where, 'scale', config?.scale, true);
  }

  call(inputs: readonly Tensor[], ctx: LayerContext): Tensor {
    const x = single(inputs);
    if (x.rank < 2) throw new ShapeError('needs samples with at least one axis');
    if (this.axis !== -1 && this.axis !== x.rank - 1) {
      throw new ShapeError(`normalises over the last axis only (axis -1 or ${x.rank - 1} for inputs of rank ${x.rank}), got axis ${this.axis}`);
    }
    const c = x.shape[x.rank - 1];
    const gamma = this.scale ? ctx.param(this, 'gamma', [c], getInitializer('ones')) : ctx.graph.constant(new Float32Array(c).fill(1), [c]);
    const beta = this.center ? ctx.param(this, 'beta', [c], getInitializer('zeros')) : ctx.graph.constant(new Float32Array(c), [c]);
    return ops.layerNorm(x, gamma, beta, { epsilon: this.epsilon });
  }

  getConfig() {
    return { ...this.baseConfig(), axis: this.axis, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}
