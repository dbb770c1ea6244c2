// sn.ops: every graph op as a function of graph tensors (names and options as
// in TensorFlow.js). Importing this module registers every op, and the
// common ones as Tensor methods (methods.ts).
import './methods.js';
export {
  neg, square, sqrt, exp, log, abs, sign, step, relu, sigmoid, tanh, leakyRelu, elu, softplus, pow, broadcastTo,
  sin, cos, erf, gelu, silu, where, stopGradient,
  add, sub, mul, div, maximum, minimum, greater, greaterEqual, less, lessEqual, equal,
  type Operand,
} from './elementwise.js';
export { sum, mean, max, sumTo, type ReduceOptions } from './reduce.js';
export { matmul, type MatmulOptions } from './matmul.js';
export { reshape, transpose, slice, pad, concat } from './shape-ops.js';
export { softmax, logSoftmax } from './softmax.js';
export { dropoutMask } from './random.js';
export { gather, gatherGrad, oneHot } from './gather.js';
export { dotProductAttention, composedAttention, type AttentionOptions } from './attention.js';
export { layerNorm, composedLayerNorm, type LayerNormOptions } from './layer-norm.js';
export { softmaxCrossEntropy } from './losses.js';
export { conv2d, conv2dBackpropInput, conv2dBackpropFilter, type Conv2dOptions } from './conv.js';
export { maxPool2d, avgPool2d, maxPool2dGrad, maxPool2dGradGrad, avgPool2dGrad, type Pool2dOptions } from './pool.js';
