// sn.layers: layer factories (Keras names), and the registry that rebuilds
// layers from a saved config.
import { NameTable } from '../../names.js';
import { Activation, Dense, Dropout, Flatten, Reshape, type DenseConfig } from './core.js';
import type { Layer, LayerConfig } from './layer.js';
import { AveragePooling2D, Conv2D, GlobalAveragePooling2D, MaxPooling2D, type Conv2DConfig, type Pool2DConfig } from './conv.js';
import { Add, BatchNormalization, Concatenate, type BatchNormalizationConfig } from './merge-norm.js';

export { Layer, SymbolicTensor, input, type LayerConfig, type LayerContext } from './layer.js';
export { Activation, Dense, Dropout, Flatten, Reshape, type DenseConfig } from './core.js';
export { AveragePooling2D, Conv2D, GlobalAveragePooling2D, MaxPooling2D, type Conv2DConfig, type Pool2DConfig } from './conv.js';
export { Add, BatchNormalization, Concatenate, type BatchNormalizationConfig } from './merge-norm.js';

export const dense = (config: DenseConfig) => new Dense(config);
export const activation = (config: LayerConfig & { activation: string }) => new Activation(config);
export const flatten = (config: LayerConfig = {}) => new Flatten(config);
export const reshape = (config: LayerConfig & { targetShape: number[] }) => new Reshape(config);
export const dropout = (config: LayerConfig & { rate: number; seed?: number }) => new Dropout(config);
export const conv2d = (config: Conv2DConfig) => new Conv2D(config);
export const maxPool2d = (config: Pool2DConfig = {}) => new MaxPooling2D(config);
export const maxPooling2d = maxPool2d;
export const avgPool2d = (config: Pool2DConfig = {}) => new AveragePooling2D(config);
export const averagePooling2d = avgPool2d;
export const globalAveragePooling2d = (config: LayerConfig = {}) => new GlobalAveragePooling2D(config);
export const batchNormalization = (config: BatchNormalizationConfig = {}) => new BatchNormalization(config);
export const add = (config: LayerConfig = {}) => new Add(config);
export const concatenate = (config: LayerConfig & { axis?: number } = {}) => new Concatenate(config);

type Factory = (config: never) => Layer;
const registry = new NameTable<Factory>('layer class', [
  ['Dense', dense as Factory],
  ['Activation', activation as Factory],
  ['Flatten', flatten as Factory],
  ['Reshape', reshape as Factory],
  ['Dropout', dropout as Factory],
  ['Conv2D', conv2d as Factory],
  ['MaxPooling2D', maxPool2d as Factory],
  ['AveragePooling2D', avgPool2d as Factory],
  ['GlobalAveragePooling2D', globalAveragePooling2d as Factory],
  ['BatchNormalization', batchNormalization as Factory],
  ['Add', add as Factory],
  ['Concatenate', concatenate as Factory],
]);

/** Lets other layer families (conv, pooling, ...) be rebuilt from saved configs. */
export function registerLayer(className: string, factory: Factory): void {
  registry.set(className, factory);
}

/** A layer rebuilt from its saved class name and config; an unknown class is an InputError listing the known ones. */
export function layerFromConfig(className: unknown, config: Record<string, unknown>): Layer {
  return registry.get(className)(config as never);
}
