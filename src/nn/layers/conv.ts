// Convolutional layers: conv2d, max/average pooling, global average pooling.
// Channels-last (NHWC) as in Keras and TensorFlow.js.
import { InputError, ShapeError, fmtShape } from '../../errors.js';
import { numberOption } from '../../options.js';
// Options are checked as the ops check theirs (one rule for both).
import { pair, padding as windowPadding, type Pair, type Padding } from '../../ops/window.js';

export type { Padding } from '../../ops/window.js';
import type { Shape } from '../../graph/shape.js';
import type { Tensor } from '../../graph/tensor.js';
import * as ops from '../../ops/index.js';
import { Layer, requireRank, single, type LayerConfig, type LayerContext } from './layer.js';
import { KernelLayer, type KernelLayerConfig } from './kernel-layer.js';

export interface Conv2DConfig extends KernelLayerConfig {
  filters: number;
  kernelSize: Pair;
  strides?: Pair;
  padding?: Padding;
  dilationRate?: Pair;
}

export class Conv2D extends KernelLayer {
  static override readonly className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];

  constructor(config: Conv2DConfig) {
    super(config, 'conv2d', ['filters', 'kernelSize', 'strides', 'padding', 'dilationRate']);
    const where = `conv2d layer '${this.name}'`;
    if (config?.filters === undefined || config.kernelSize === undefined) throw new InputError(`${where}: ${config?.filters === undefined ? 'filters' : 'kernelSize'} is missing, e.g. sn.layers.conv2d({ filters: 32, kernelSize: 3 })`);
    this.filters = numberOption(where, 'filters', config.filters, 0, { min: 1, integer: true });
    this.kernelSize = pair('conv2d', 'kernelSize', config.kernelSize, 0);
    this.strides = pair('conv2d', 'strides', config.strides, 1);
    this.dilationRate = pair('conv2d', 'dilationRate', config.dilationRate, 1);
    this.padding = windowPadding('conv2d', config.padding);
  }

  call(inputs: readonly Tensor[], ctx: LayerContext): Tensor {
    const x = single(inputs);
    requireRank(x, 4, '[height, width, channels]');
    const w = this.kernel(ctx, [...this.kernelSize, x.shape[3], this.filters]);
    const y = ops.conv2d(x, w, { strides: this.strides, padding: this.padding, dilations: this.dilationRate });
    return this.biasAndActivation(y, ctx, this.filters);
  }

  getConfig() {
    return {
      ...this.kernelLayerConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides,
      padding: this.padding, dilationRate: this.dilationRate,
    };
  }
}

export interface Pool2DConfig extends LayerConfig {
  poolSize?: Pair;
  /** Defaults to poolSize. */
  strides?: Pair;
  padding?: Padding;
}

class Pool2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  constructor(prefix: string, private readonly kind: 'max' | 'avg', config: Pool2DConfig) {
    super(config, prefix, ['poolSize', 'strides', 'padding']);
    config ??= {};
    this.poolSize = pair(prefix, 'poolSize', config.poolSize, 2);
    this.strides = config.strides === undefined ? this.poolSize : pair(prefix, 'strides', config.strides, 1);
    this.padding = windowPadding(prefix, config.padding);
  }
  call(inputs: readonly Tensor[]): Tensor {
    const x = single(inputs);
    const o = { poolSize: this.poolSize, strides: this.strides, padding: this.padding };
    return this.kind === 'max' ? ops.maxPool2d(x, o) : ops.avgPool2d(x, o);
  }
  getConfig() {
    return { ...this.baseConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}

export class MaxPooling2D extends Pool2D {
  static override readonly className = 'MaxPooling2D';
  constructor(config: Pool2DConfig = {}) { super('max_pooling2d', 'max', config); }
}

export class AveragePooling2D extends Pool2D {
  static override readonly className = 'AveragePooling2D';
  constructor(config: Pool2DConfig = {}) { super('average_pooling2d', 'avg', config); }
}

/** Mean over height and width: [n, h, w, c] -> [n, c]. */
export class GlobalAveragePooling2D extends Layer {
  static override readonly className = 'GlobalAveragePooling2D';
  constructor(config: LayerConfig = {}) { super(config, 'global_average_pooling2d'); }
  call(inputs: readonly Tensor[]): Tensor {
    const x = single(inputs);
    requireRank(x, 4, '[height, width, channels]');
    return ops.mean(x, { axis: [1, 2] });
  }
  getConfig() { return this.baseConfig(); }
}
