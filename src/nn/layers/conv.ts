// Convolutional layers: conv2d, max/average pooling, global average pooling.
// Channels-last (NHWC) as in Keras and TensorFlow.js.
import { InputError, ShapeError, fmtShape } from '../../errors.js';
import { numberOption } from '../../options.js';
import { pair as windowPair } from '../../ops/window.js';
import type { Shape } from '../../graph/shape.js';
import type { Tensor } from '../../graph/tensor.js';
import * as ops from '../../ops/index.js';
import { Layer, single, type LayerConfig, type LayerContext } from './layer.js';
import { KernelLayer, type KernelLayerConfig } from './kernel-layer.js';

export type Padding = 'valid' | 'same';
type Pair = number | [number, number];

/** A `number | [number, number]` option, checked as the ops check theirs (a pair of positive integers). */
const pair = (v: Pair | undefined, fallback: number, what: string): [number, number] => {
  const [op, name] = what.split(': ');
  return windowPair(op, name, v, fallback);
};

/** Output length of a window sweep along one axis (TensorFlow's rule). */
export function sweptLength(size: number, window: number, stride: number, dilation: number, padding: Padding): number {
  if (padding === 'same') return Math.ceil(size / stride);
  const extent = (window - 1) * dilation + 1;
  return Math.floor((size - extent) / stride) + 1;
}

function checkPadding(p: unknown): Padding {
  if (p === undefined) return 'valid';
  if (p !== 'valid' && p !== 'same') throw new ShapeError(`padding must be 'valid' or 'same', got ${JSON.stringify(p)}`);
  return p;
}

function spatial(x: Shape, window: [number, number], strides: [number, number], dilations: [number, number], padding: Padding, what: string): [number, number] {
  if (x.length !== 3) throw new ShapeError(`${what} expects samples of shape [height, width, channels], got ${fmtShape(x)}`);
  const oh = sweptLength(x[0], window[0], strides[0], dilations[0], padding);
  const ow = sweptLength(x[1], window[1], strides[1], dilations[1], padding);
  if (oh <= 0 || ow <= 0) throw new ShapeError(`${what}: a ${window[0]}x${window[1]} window (dilation ${dilations.join('x')}) does not fit in a ${x[0]}x${x[1]} image with 'valid' padding`);
  return [oh, ow];
}

export interface Conv2DConfig extends KernelLayerConfig {
  filters: number;
  kernelSize: Pair;
  strides?: Pair;
  padding?: Padding;
  dilationRate?: Pair;
}

export class Conv2D extends KernelLayer {
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];

  constructor(config: Conv2DConfig) {
    super('Conv2D', config, 'conv2d', ['filters', 'kernelSize', 'strides', 'padding', 'dilationRate']);
    const where = `conv2d layer '${this.name}'`;
    if (config?.filters === undefined || config.kernelSize === undefined) throw new InputError(`${where}: ${config?.filters === undefined ? 'filters' : 'kernelSize'} is missing, e.g. sn.layers.conv2d({ filters: 32, kernelSize: 3 })`);
    this.filters = numberOption(where, 'filters', config.filters, 0, { min: 1, integer: true });
    this.kernelSize = pair(config.kernelSize, 0, 'conv2d: kernelSize');
    this.strides = pair(config.strides, 1, 'conv2d: strides');
    this.dilationRate = pair(config.dilationRate, 1, 'conv2d: dilationRate');
    this.padding = checkPadding(config.padding);
  }

  outputShape(inputs: readonly Shape[]): Shape {
    const x = single(this, inputs);
    const [oh, ow] = spatial(x, this.kernelSize, this.strides, this.dilationRate, this.padding, 'conv2d');
    return [oh, ow, this.filters];
  }

  call([x]: readonly Tensor[], ctx: LayerContext): Tensor {
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
  constructor(className: string, prefix: string, private readonly kind: 'max' | 'avg', config: Pool2DConfig) {
    super(className, config, prefix, ['poolSize', 'strides', 'padding']);
    config ??= {};
    this.poolSize = pair(config.poolSize, 2, `${prefix}: poolSize`);
    this.strides = config.strides === undefined ? this.poolSize : pair(config.strides, 1, `${prefix}: strides`);
    this.padding = checkPadding(config.padding);
  }
  outputShape(inputs: readonly Shape[]): Shape {
    const x = single(this, inputs);
    const [oh, ow] = spatial(x, this.poolSize, this.strides, [1, 1], this.padding, this.className);
    return [oh, ow, x[2]];
  }
  call([x]: readonly Tensor[]): Tensor {
    const o = { poolSize: this.poolSize, strides: this.strides, padding: this.padding };
    return this.kind === 'max' ? ops.maxPool2d(x, o) : ops.avgPool2d(x, o);
  }
  getConfig() {
    return { ...this.baseConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}

export class MaxPooling2D extends Pool2D {
  constructor(config: Pool2DConfig = {}) { super('MaxPooling2D', 'max_pooling2d', 'max', config); }
}

export class AveragePooling2D extends Pool2D {
  constructor(config: Pool2DConfig = {}) { super('AveragePooling2D', 'average_pooling2d', 'avg', config); }
}

/** Mean over height and width: [n, h, w, c] -> [n, c]. */
export class GlobalAveragePooling2D extends Layer {
  constructor(config: LayerConfig = {}) { super('GlobalAveragePooling2D', config, 'global_average_pooling2d'); }
  outputShape(inputs: readonly Shape[]): Shape {
    const x = single(this, inputs);
    if (x.length !== 3) throw new ShapeError(`expects samples of shape [height, width, channels], got ${fmtShape(x)}`);
    return [x[2]];
  }
  call([x]: readonly Tensor[]): Tensor { return ops.mean(x, { axis: [1, 2] }); }
  getConfig() { return this.baseConfig(); }
}
