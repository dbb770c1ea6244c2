// What dense and conv2d layers share: a kernel with its initializer and
// optional penalty, an optional bias, and an activation.
import type { Shape } from '../../graph/shape.js';
import type { Tensor } from '../../graph/tensor.js';
import * as ops from '../../ops/index.js';
import { getActivation } from '../activations.js';
import { getInitializer, type InitializerLike } from '../initializers.js';
import { getRegularizer, penalty, type Regularizer } from '../regularizers.js';
import { booleanOption, numberOption } from '../../options.js';
import { Layer, type LayerConfig, type LayerContext } from './layer.js';

export interface KernelLayerConfig extends LayerConfig {
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  kernelRegularizer?: Regularizer | 'l1' | 'l2' | 'l1l2';
  /** Seed for the kernel initializer (reproducible weights). */
  seed?: number;
}

export abstract class KernelLayer extends Layer {
  readonly activation: string;
  readonly useBias: boolean;
  private readonly regularizer: Regularizer | undefined;

  private readonly kernelConfig: KernelLayerConfig;

  /** `keys`: the subclass's own options, besides the ones every kernel layer takes. */
  constructor(kernelConfig: KernelLayerConfig | undefined, prefix: string, keys: readonly string[]) {
    super(kernelConfig, prefix, ['activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'seed', ...keys]);
    const c = kernelConfig ?? {};
    const where = `${prefix} layer '${this.name}'`;
    this.activation = c.activation ?? 'linear';
    getActivation(this.activation);
    this.useBias = booleanOption(where, 'useBias', c.useBias, true);
    this.regularizer = getRegularizer(c.kernelRegularizer);
    numberOption(where, 'seed', c.seed, 0);
    // Names are looked up now, so a typo fails where it was written.
    if (c.kernelInitializer !== undefined) getInitializer(c.kernelInitializer);
    if (c.biasInitializer !== undefined) getInitializer(c.biasInitializer);
    this.kernelConfig = c;
  }

  /** The kernel weight; its penalty (if any) joins the training loss. */
  protected kernel(ctx: LayerContext, shape: Shape): Tensor {
    const w = ctx.param(this, 'kernel', shape, getInitializer(this.kernelConfig.kernelInitializer ?? 'glorotUniform', this.kernelConfig.seed));
    const p = this.regularizer && penalty(this.regularizer, w);
    if (p) ctx.addLoss(p);
    return w;
  }

  /** Bias over the last axis, then the activation. */
  protected biasAndActivation(y: Tensor, ctx: LayerContext, units: number): Tensor {
    const withBias = this.useBias ? ops.add(y, ctx.param(this, 'bias', [units], getInitializer(this.kernelConfig.biasInitializer ?? 'zeros'))) : y;
    return getActivation(this.activation)(withBias);
  }

  protected kernelLayerConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { ...this.baseConfig(), activation: this.activation, useBias: this.useBias };
    if (this.regularizer) c.kernelRegularizer = this.regularizer;
    if (typeof this.kernelConfig.kernelInitializer === 'string') c.kernelInitializer = this.kernelConfig.kernelInitializer;
    if (typeof this.kernelConfig.biasInitializer === 'string') c.biasInitializer = this.kernelConfig.biasInitializer;
    return c;
  }
}
