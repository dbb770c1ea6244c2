// Fused loss kernels. softmaxCrossEntropy(z, y) = -sum(y * logSoftmax(z)) over
// the last axis, in one pass per row; its gradient, built from graph ops, is
// (softmax(z) - y * sum(y)) * dy, so it can be differentiated again.
import softmaxWgsl from '../../shaders/softmax.wgsl';
import { ShapeError, fmtShape } from '../errors.js';
import { sameShape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { softmax as cpuSoftmax } from '../cpu/softmax.js';
import { linearGrid } from './kernel.js';
import { apply, defineOp } from '../graph/op-registry.js';
import { mul, sub } from './elementwise.js';
import { sum } from './reduce.js';
import { reshape } from './shape-ops.js';
import { logSoftmax, softmax } from './softmax.js';

defineOp({
  name: 'softmaxCrossEntropy',
  shape: ([z, y]) => {
    if (!sameShape(z, y) || z.length === 0) throw new ShapeError(`softmaxCrossEntropy: logits ${fmtShape(z)} and labels ${fmtShape(y)} must have the same shape`);
    return z.slice(0, -1);
  },
  cpu: ([z, y], [zs]) => {
    const c = zs[zs.length - 1];
    const logp = cpuSoftmax(z, c, true);
    const out = new Float32Array(z.length / c);
    for (let r = 0; r < out.length; r++) {
      let l = 0;
      for (let j = 0; j < c; j++) l -= y[r * c + j] * logp[r * c + j];
      out[r] = l;
    }
    return out;
  },
  grad: (dy, node) => {
    const [z, y] = node.inputs;
    const d = reshape(dy, [...dy.shape, 1]);
    const ySum = sum(y, { axis: -1, keepDims: true });
    // d/dz = softmax(z) * sum(y) - y ; d/dy = lse - z = -logSoftmax(z)
    return [mul(sub(mul(softmax(z), ySum), y), d), mul(sub(0, logSoftmax(z)), d)];
  },
  kernel: (node) => {
    const z = node.inputs[0];
    const c = z.shape[z.rank - 1];
    const rows = node.size;
    const { workgroups, rowThreads } = linearGrid(rows);
    return { label: 'softmaxCrossEntropy', shader: softmaxWgsl, entryPoint: 'softmax_xent', constants: { ROWS: rows, C: c, ROW: rowThreads }, bindings: { x: 0, labels: 1, out: 'out' }, workgroups };
  },
});

/** Per-row cross-entropy of labels y against softmax(logits): shape of logits without its last axis. */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  return apply('softmaxCrossEntropy', [logits, labels]);
}
