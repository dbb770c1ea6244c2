// The Keras-style layer API, gathered for src/index.ts.
export * as layers from './layers/index.js';
export { input, SymbolicTensor, Layer } from './layers/layer.js';
export { Model, model, type FitOptions, type History, type ModelCompileConfig } from './model.js';
export { Sequential, sequential } from './sequential.js';
export { loadModel } from './serialize.js';
export type { Data } from './data.js';
export * as callbacks from './callbacks.js';
export * as initializers from './initializers.js';
export * as regularizers from './regularizers.js';
export * as optimizers from '../optimizers/index.js';
export { encodeSafetensors, decodeSafetensors } from './safetensors.js';
