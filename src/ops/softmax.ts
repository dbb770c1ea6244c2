// softmax and logSoftmax. The kernel works on the last axis; another axis is
// moved last with a transpose and back.
import softmaxWgsl from '../../shaders/softmax.wgsl';
import { normalizeAxis } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { softmax as cpuSoftmax } from '../cpu/softmax.js';
import { linearGrid } from './kernel.js';
import type { KernelSpec } from '../graph/kernel-binding.js';
import { apply, checkTensor, defineOp } from '../graph/op-registry.js';
import { exp, mul, sub } from './elementwise.js';
import { sum } from './reduce.js';
import { transpose } from './shape-ops.js';

function softmaxKernel(node: Tensor, log: boolean): KernelSpec {
  const c = node.shape[node.rank - 1] ?? 1;
  const rows = node.size / c;
  const { workgroups, rowThreads } = linearGrid(rows);
  return {
    label: log ? 'logSoftmax' : 'softmax',
    shader: softmaxWgsl,
    entryPoint: 'softmax',
    constants: { ROWS: rows, C: c, ROW: rowThreads, LOG: log ? 1 : 0 },
    bindings: { x: 0, out: 'out' },
    workgroups,
  };
}

const lastAxis = (t: Tensor) => ({ axis: t.rank - 1, keepDims: true });

defineOp({
  name: 'softmax',
  shape: ([x]) => x,
  cpu: ([x], [xs]) => cpuSoftmax(x, xs[xs.length - 1] ?? 1, false),
  // dx = y * (dy - sum(dy * y)) along the axis.
  grad: (dy, y) => [mul(y, sub(dy, sum(mul(dy, y), lastAxis(y))))],
  kernel: (node) => softmaxKernel(node, false),
});

defineOp({
  name: 'logSoftmax',
  shape: ([x]) => x,
  cpu: ([x], [xs]) => cpuSoftmax(x, xs[xs.length - 1] ?? 1, true),
  // dx = dy - softmax(x) * sum(dy) along the axis, with softmax(x) = exp(y).
  grad: (dy, y) => [sub(dy, mul(exp(y), sum(dy, lastAxis(y))))],
  kernel: (node) => softmaxKernel(node, true),
});

function alongAxis(op: 'softmax' | 'logSoftmax', x: Tensor, axis: number): Tensor {
  checkTensor(op, 'x', x);
  if (x.rank === 0) return apply(op, [x]);
  const a = normalizeAxis(op, axis, x.rank);
  if (a === x.rank - 1) return apply(op, [x]);
  const perm = x.shape.map((_, i) => i);
  perm[a] = x.rank - 1;
  perm[x.rank - 1] = a;
  return transpose(apply(op, [transpose(x, perm)]), perm);
}

export const softmax = (x: Tensor, axis = -1) => alongAxis('softmax', x, axis);
export const logSoftmax = (x: Tensor, axis = -1) => alongAxis('logSoftmax', x, axis);
