// What dense and conv2d layers share: a kernel with its initializer and
// optional penalty, an optional bias, and an activation.
import type { Shape } from '../../graph/shape.js';
import type { Tensor } from '../../graph/tensor.js';
import * as ops from '../../ops/index.js';
import { getActivation } from '../activations.js';
import { getInitializer, type InitializerLike } from '../initializers.js';
import { getRegularizer, penalty, type Regularizer } from '../regularizers.js';
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

  constructor(className: string, private readonly kernelConfig: KernelLayerConfig, prefix: string) {
    super(className, kernelConfig, prefix);
    this.activation = kernelConfig.activation ?? 'linear';
    getActivation(this.activation);
    this.useBias = kernelConfig.useBias ?? true;
    this.regularizer = getRegularizer(kernelConfig.kernelRegularizer);
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
