// sn.layers: one line per layer, its factory (the Keras name users call).
// Making a factory also registers its class under the class's saved name
// (Layer.className), so a saved model's layers are rebuilt from the same
// table.
import { NameTable } from '../../names.js';
import type { Layer } from './layer.js';
import { Activation, Dense, Dropout, Flatten, Reshape } from './core.js';
import { AveragePooling2D, Conv2D, GlobalAveragePooling2D, MaxPooling2D } from './conv.js';
import { Add, BatchNormalization, Concatenate } from './merge-norm.js';
import { Embedding, PositionEmbedding } from './embedding.js';
import { LayerNormalization } from './layer-normalization.js';
import { MultiHeadAttention } from './multi-head-attention.js';

export { Layer, SymbolicTensor, input, type LayerConfig, type LayerContext } from './layer.js';
export * from './core.js';
export * from './conv.js';
export * from './merge-norm.js';
export * from './embedding.js';
export * from './layer-normalization.js';
export * from './multi-head-attention.js';

type LayerClass = (new (...args: never[]) => Layer) & { readonly className: string };

/** Saved class name -> a factory that rebuilds the layer from its saved config. */
const registry = new NameTable<(config: never) => Layer>('layer class', {});

/** `sn.layers.<name>(config)` for a layer class; registers the class for loading. */
function factory<C extends LayerClass>(cls: C): (...config: ConstructorParameters<C>) => InstanceType<C> {
  const make = (...config: ConstructorParameters<C>) => new cls(...config) as InstanceType<C>;
  registry.set(cls.className, make as unknown as (config: never) => Layer);
  return make;
}

export const dense = factory(Dense);
export const activation = factory(Activation);
export const flatten = factory(Flatten);
export const reshape = factory(Reshape);
export const dropout = factory(Dropout);
export const conv2d = factory(Conv2D);
export const maxPool2d = factory(MaxPooling2D);
export const maxPooling2d = maxPool2d;
export const avgPool2d = factory(AveragePooling2D);
export const averagePooling2d = avgPool2d;
export const globalAveragePooling2d = factory(GlobalAveragePooling2D);
export const batchNormalization = factory(BatchNormalization);
export const add = factory(Add);
export const concatenate = factory(Concatenate);
export const embedding = factory(Embedding);
export const positionEmbedding = factory(PositionEmbedding);
export const layerNormalization = factory(LayerNormalization);
export const multiHeadAttention = factory(MultiHeadAttention);

/** A layer rebuilt from its saved class name and config; an unknown class is an InputError listing the known ones. */
export function layerFromConfig(className: unknown, config: Record<string, unknown>): Layer {
  return registry.get(className)(config as never);
}
