// Indexing ops: gather (TF.js semantics: the output is x.shape[:axis] +
// indices.shape + x.shape[axis+1:]), its gradient with respect to x (a
// scatter-add of dy into x's shape), and oneHot. Indices are int32 tensors;
// they take no gradient.
//   y  = gather(x, idx)            dx = gatherGrad(dy, idx)
//   dx = gatherGrad(dy, idx)       ddy = gather(ddx, idx)   (the two are adjoint linear maps)
// gatherGrad has two kernels: a segment sum, each element of dx walking every
// index (deterministic; for small vocabularies), and an atomic scatter-add
// (work linear in the indices; for large ones). The rule picks by the work
// each does; a device that autotunes measures them.
import gatherWgsl from '../../shaders/gather.wgsl';
import { ShapeError, fmtShape } from '../errors.js';
import { normalizeAxis, sizeOf, type Shape } from '../graph/shape.js';
import type { Attrs, Tensor } from '../graph/tensor.js';
import * as cpu from '../cpu/gather.js';
import type { GatherGeometry } from '../cpu/gather.js';
import { linearGrid } from './kernel.js';
import type { KernelSpec } from '../graph/kernel-binding.js';
import { apply, checkTensor, defineOp } from '../graph/op-registry.js';

/** x's shape around the gather axis, and the number of indices. */
function geometry(xShape: Shape, indicesShape: Shape, axis: number): GatherGeometry {
  return { outer: sizeOf(xShape.slice(0, axis)), dim: xShape[axis], inner: sizeOf(xShape.slice(axis + 1)), count: sizeOf(indicesShape) };
}

const axisOf = (attrs: Attrs) => attrs.axis as number;
const gatheredShape = (xShape: Shape, indicesShape: Shape, axis: number) => [...xShape.slice(0, axis), ...indicesShape, ...xShape.slice(axis + 1)];

/** One kernel of shaders/gather.wgsl over `n` threads. */
function kernel(label: string, entryPoint: string, n: number, g: GatherGeometry, bindings: KernelSpec['bindings'], depth = 1): KernelSpec {
  const { workgroups, rowThreads } = linearGrid(n);
  return {
    label, shader: gatherWgsl, entryPoint, bindings, workgroups,
    constants: { OUTER: g.outer, DIM: g.dim, INNER: g.inner, COUNT: g.count, DEPTH: depth, N: n, ROW: rowThreads },
  };
}

defineOp({
  name: 'gather',
  dtypes: { inputs: ['float32', 'int32'], output: () => 'float32' },
  shape: ([x, idx], attrs) => gatheredShape(x, idx, axisOf(attrs)),
  cpu: ([x, idx], [xs, is], _o, attrs) => cpu.gather(x, idx, geometry(xs, is, axisOf(attrs))),
  grad: (dy, node) => {
    const [x, idx] = node.inputs;
    return [gatherGrad(dy, idx, x.shape, axisOf(node.attrs)), null];
  },
  kernel: (node) => {
    const [x, idx] = node.inputs;
    return kernel('gather', 'gather', node.size, geometry(x.shape, idx.shape, axisOf(node.attrs)), { x: 0, indices: 1, out: 'out' });
  },
});

/**
 * The segment sum reads every index once per element of dx (DIM * INNER *
 * OUTER threads, COUNT loads each); the atomic one adds each element of dy
 * once. The rule takes the segment sum while its extra loads stay within a
 * small factor of the atomic kernel's work (a character vocabulary), the
 * atomic one past that.
 */
const SEGMENT_SUM_MAX_DIM = 256;

defineOp({
  name: 'gatherGrad',
  dtypes: { inputs: ['float32', 'int32'], output: () => 'float32' },
  shape: ([dy, idx], attrs) => {
    const xs = attrs.xShape as Shape;
    const want = gatheredShape(xs, idx, axisOf(attrs));
    if (dy.length !== want.length || dy.some((d, i) => d !== want[i])) throw new ShapeError(`gatherGrad: dy must be ${fmtShape(want)} (the gather output), got ${fmtShape(dy)}`);
    return xs;
  },
  cpu: ([dy, idx], [, is], xs, attrs) => cpu.gatherGrad(dy, idx, geometry(xs, is, axisOf(attrs))),
  grad: (ddx, node) => [gather(ddx, node.inputs[1], axisOf(node.attrs)), null],
  variants: {
    kernels: {
      segments: (node) => kernel('gatherGrad segments', 'scatter_rows', node.size, geometryOfGrad(node), { x: 0, indices: 1, out: 'out' }),
      atomic: (node) => {
        const g = geometryOfGrad(node);
        return [
          kernel('gatherGrad zero', 'scatter_zero', node.size, g, { sums: 'out' }),
          kernel('gatherGrad atomic', 'scatter_atomic', node.inputs[0].size, g, { x: 0, indices: 1, sums: 'out' }),
        ];
      },
    },
    candidates: () => ['segments', 'atomic'],
    choose: (node) => (geometryOfGrad(node).dim <= SEGMENT_SUM_MAX_DIM ? 'segments' : 'atomic'),
  },
});

function geometryOfGrad(node: Tensor): GatherGeometry {
  return geometry(node.shape, node.inputs[1].shape, axisOf(node.attrs));
}

defineOp({
  name: 'oneHot',
  dtypes: { inputs: ['int32'], output: () => 'float32' },
  shape: ([idx], attrs) => [...idx, attrs.depth as number],
  cpu: ([idx], _s, _o, attrs) => cpu.oneHot(idx, attrs.depth as number),
  kernel: (node) => {
    const idx = node.inputs[0];
    const g = { outer: 1, dim: 1, inner: 1, count: idx.size };
    return kernel('oneHot', 'one_hot', node.size, g, { indices: 0, out: 'out' }, node.attrs.depth as number);
  },
});

/** Rows (along `axis`, default 0) of x picked by int32 `indices`: shape x.shape[:axis] + indices.shape + x.shape[axis+1:] (TF.js's gather). */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  checkTensor('gather', 'x', x);
  checkTensor('gather', 'indices', indices);
  const a = normalizeAxis('gather', axis, x.rank);
  return apply('gather', [x, indices], { axis: a });
}

/** The gradient of gather(x, indices, axis) with respect to x of shape `xShape`, given dy: a scatter-add. */
export function gatherGrad(dy: Tensor, indices: Tensor, xShape: Shape, axis = 0): Tensor {
  checkTensor('gatherGrad', 'dy', dy);
  return apply('gatherGrad', [dy, indices], { axis: normalizeAxis('gatherGrad', axis, xShape.length), xShape: [...xShape] });
}

/** One-hot rows of `depth` for int32 `indices`: shape indices.shape + [depth], float32 (an index outside [0, depth) gives zeros). */
export function oneHot(indices: Tensor, depth: number): Tensor {
  checkTensor('oneHot', 'indices', indices);
  if (!Number.isInteger(depth) || depth < 1) throw new ShapeError(`oneHot: depth must be a positive integer, got ${String(depth)}`);
  return apply('oneHot', [indices], { depth });
}
