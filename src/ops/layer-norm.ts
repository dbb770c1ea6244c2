// Layer normalization over the last axis (Keras LayerNormalization) as fused
// kernels, one thread per row: y = (x - mean) / sqrt(var + epsilon) * gamma
// + beta in one pass (Welford), and the backward pass likewise:
//   y   = layerNorm(x, gamma, beta)
//   s   = layerNormStats(x)                    [rows, 2]: mean, 1/sqrt(var + epsilon)
//   dx  = layerNormDx(x, gamma, dy)            per row, recomputing mean and rstd
//   dgb = layerNormParamGrads(x, dy, s)        [2, c]: dgamma, dbeta (column sums)
// The backward ops' own gradients, for second order, come from the same
// normalization written with mean, sub, mul and sqrt, differentiated with
// the inputs and the adjoint cut (stopGradient): slower, and only when asked.
import { ShapeError, fmtShape } from '../errors.js';
import { grad } from '../graph/autodiff.js';
import type { Shape } from '../graph/shape.js';
import type { Attrs, Tensor } from '../graph/tensor.js';
import * as cpu from '../cpu/layer-norm.js';
import { apply, checkTensor, defineOp } from '../graph/op-registry.js';
import { layerNormSpec } from './layer-norm-kernels.js';
import { add, div, mul, sqrt, square, stopGradient, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { concat, reshape, slice } from './shape-ops.js';

export interface LayerNormOptions {
  /** Added to the variance (Keras' default 1e-3). */
  epsilon?: number;
}

const eps = (attrs: Attrs) => attrs.epsilon as number;
const width = (s: Shape) => s[s.length - 1];
const rows = (s: Shape) => s.reduce((a, d) => a * d, 1) / width(s);

/** The normalization from graph ops (mean and variance over the last axis). */
export function composedLayerNorm(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Tensor {
  const centered = sub(x, mean(x, { axis: -1, keepDims: true }));
  const variance = mean(square(centered), { axis: -1, keepDims: true });
  return add(mul(div(centered, sqrt(add(variance, epsilon))), gamma), beta);
}

/** Partial derivatives of a backward op's output (contracted with its adjoint) by its inputs, from the composed form. */
function composedGrad(node: Tensor, adj: Tensor, which: 'dx' | 'params'): (Tensor | null)[] {
  const c = width(node.inputs[0].shape);
  const g = node.graph;
  const cut = (which === 'dx' ? node.inputs : node.inputs.slice(0, 2)).map(stopGradient);
  const [x] = cut;
  const gamma = which === 'dx' ? cut[1] : g.constant(new Float32Array(c).fill(1), [c]);
  const dy = which === 'dx' ? cut[2] : cut[1];
  const beta = g.constant(new Float32Array(c), [c]);
  const [dx, dgamma, dbeta] = grad(sum(mul(composedLayerNorm(x, gamma, beta, eps(node.attrs)), dy)), [x, gamma, beta]);
  const target = which === 'dx' ? dx : concat([reshape(dgamma, [1, c]), reshape(dbeta, [1, c])], 0);
  const grads = grad(sum(mul(target, stopGradient(adj))), cut);
  return which === 'dx' ? grads : [...grads, null];
}

function checkParams(op: string, x: Shape, gamma: Shape, beta?: Shape): void {
  const c = width(x);
  if (x.length < 1 || gamma.length !== 1 || gamma[0] !== c || (beta && (beta.length !== 1 || beta[0] !== c))) {
    throw new ShapeError(`${op}: gamma${beta ? ' and beta' : ''} must be [${c}] (the last axis of x ${fmtShape(x)}), got ${fmtShape(gamma)}${beta ? ` and ${fmtShape(beta)}` : ''}`);
  }
}

defineOp({
  name: 'layerNorm',
  shape: ([x, gamma, beta]) => {
    checkParams('layerNorm', x, gamma, beta);
    return [...x];
  },
  cpu: ([x, gamma, beta], [xs], _o, attrs) => cpu.layerNorm(x, gamma, beta, width(xs), eps(attrs)),
  grad: (dy, node) => {
    const [x, gamma] = node.inputs;
    const c = width(x.shape);
    const stats = apply('layerNormStats', [x], node.attrs);
    const params = apply('layerNormParamGrads', [x, dy, stats], node.attrs);
    return [
      apply('layerNormDx', [x, gamma, dy], node.attrs),
      reshape(slice(params, [0, 0], [1, c]), [c]),
      reshape(slice(params, [1, 0], [1, c]), [c]),
    ];
  },
  kernel: (node) => layerNormSpec('forward', rows(node.shape), width(node.shape), eps(node.attrs)),
});

defineOp({
  name: 'layerNormStats',
  shape: ([x]) => [rows(x), 2],
  cpu: ([x], [xs], _o, attrs) => cpu.layerNormStats(x, width(xs), eps(attrs)),
  // No gradient of its own: layerNormParamGrads takes its gradient from the composed form.
  kernel: (node) => layerNormSpec('stats', node.shape[0], width(node.inputs[0].shape), eps(node.attrs)),
});

defineOp({
  name: 'layerNormDx',
  shape: ([x, gamma, dy]) => {
    checkParams('layerNormDx', x, gamma);
    if (dy.length !== x.length || dy.some((d, i) => d !== x[i])) throw new ShapeError(`layerNormDx: dy ${fmtShape(dy)} must have x's shape ${fmtShape(x)}`);
    return [...x];
  },
  cpu: ([x, gamma, dy], [xs], _o, attrs) => cpu.layerNormBackward(x, gamma, dy, width(xs), eps(attrs)).dx,
  grad: (adj, node) => composedGrad(node, adj, 'dx'),
  kernel: (node) => layerNormSpec('dx', rows(node.shape), width(node.shape), eps(node.attrs)),
});

defineOp({
  name: 'layerNormParamGrads',
  shape: ([x]) => [2, width(x)],
  cpu: ([x, dy], [xs], _o, attrs) => {
    const c = width(xs);
    const { dgamma, dbeta } = cpu.layerNormBackward(x, new Float32Array(c).fill(1), dy, c, eps(attrs));
    const out = new Float32Array(2 * c);
    out.set(dgamma, 0);
    out.set(dbeta, c);
    return out;
  },
  grad: (adj, node) => composedGrad(node, adj, 'params'),
  kernel: (node) => layerNormSpec('paramGrads', rows(node.inputs[0].shape), node.shape[1], eps(node.attrs)),
});

/**
 * (x - mean) / sqrt(variance + epsilon) * gamma + beta over the last axis of
 * x, gamma and beta of that axis's size (Keras' LayerNormalization, epsilon
 * 1e-3 by default).
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, options: LayerNormOptions = {}): Tensor {
  for (const [name, t] of [['x', x], ['gamma', gamma], ['beta', beta]] as const) checkTensor('layerNorm', name, t);
  const epsilon = options?.epsilon ?? cpu.LAYER_NORM_EPSILON;
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) throw new ShapeError(`layerNorm: epsilon must be a positive number, got ${String(options?.epsilon)}`);
  return apply('layerNorm', [x, gamma, beta], { epsilon });
}
