// sn.layers: layer factories (Keras names), and the registry that rebuilds
// layers from a saved config.
import { FormatError } from '../../errors.js';
import { Activation, Dense, Dropout, Flatten, Reshape, type DenseConfig } from './core.js';
import type { Layer, LayerConfig } from './layer.js';

export { Layer, SymbolicTensor, input, type LayerConfig, type LayerContext } from './layer.js';
export { Activation, Dense, Dropout, Flatten, Reshape, type DenseConfig } from './core.js';

export const dense = (config: DenseConfig) => new Dense(config);
export const activation = (config: LayerConfig & { activation: string }) => new Activation(config);
export const flatten = (config: LayerConfig = {}) => new Flatten(config);
export const reshape = (config: LayerConfig & { targetShape: number[] }) => new Reshape(config);
export const dropout = (config: LayerConfig & { rate: number; seed?: number }) => new Dropout(config);

type Factory = (config: never) => Layer;
const registry = new Map<string, Factory>([
  ['Dense', dense as Factory],
  ['Activation', activation as Factory],
  ['Flatten', flatten as Factory],
  ['Reshape', reshape as Factory],
  ['Dropout', dropout as Factory],
]);

/** Lets other layer families (conv, pooling, ...) be rebuilt from saved configs. */
export function registerLayer(className: string, factory: Factory): void {
  registry.set(className, factory);
}

export function layerFromConfig(className: string, config: Record<string, unknown>): Layer {
  const make = registry.get(className);
  if (!make) throw new FormatError(`model config: unknown layer class '${className}'`);
  return make(config as never);
}
