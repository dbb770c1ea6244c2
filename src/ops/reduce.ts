// Reductions: sum and max over axes (mean is sum times 1/n), and sumTo, the
// un-broadcasting step that every broadcasting op's gradient ends with.
import reduceWgsl from '../../shaders/reduce.wgsl';
import reduceWgWgsl from '../../shaders/reduce_wg.wgsl';
import { normalizeAxes, sameShape, sizeOf, stridesOf, type Shape } from '../graph/shape.js';
import type { Attrs, Tensor } from '../graph/tensor.js';
import { reduce as cpuReduce } from '../cpu/reduce.js';
import { fill, indexFn, linearGrid } from './kernel.js';
import type { KernelSpec, Prologue } from '../graph/kernel-binding.js';
import { apply, checkTensor, defineOp } from '../graph/op-registry.js';
import { reshape } from './shape-ops.js';

export interface ReduceOptions {
  axis?: number | readonly number[];
  keepDims?: boolean;
}

const axesOf = (attrs: Attrs) => attrs.axes as number[];

// The elementwise ops the gradient rules below use, built by name through the
// registry: src/ops/elementwise.ts defines them, and its own gradients end
// with sumTo (below), so importing it here would close an import cycle.
const binary = (op: 'mul' | 'div' | 'equal', a: Tensor, b: Tensor) => apply(op, [a, b]);
const broadcastTo = (t: Tensor, shape: Shape) => (sameShape(t.shape, shape) ? t : apply('broadcastTo', [t], { shape: [...shape] }));

function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Output shape with reduced axes kept as 1: the shape that broadcasts back to the input. */
const keptShape = (x: Tensor, axes: readonly number[]) => reducedShape(x.shape, axes, true);

/** The input read as itself, x[i]. */
const READ_X = '@group(0) @binding(1) var<storage, read> x: array<f32>;\nfn load(i: u32) -> f32 { return x[i]; }';

/**
 * Split the input's strides into the kept and the reduced axes for the two
 * index functions. With a prologue, the input's values are computed by the
 * fused chain instead of read (x is not bound).
 */
function reduceKernel(node: Tensor, kind: 'sum' | 'max', prologue?: Prologue): KernelSpec {
  const x = node.inputs[0];
  const axes = axesOf(node.attrs);
  const strides = stridesOf(x.shape);
  const keptDims = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const redDims = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
  const n = sizeOf(keptDims);
  const r = sizeOf(redDims);
  const vars = {
    INDEX_BASE: indexFn('base_of', keptDims, strides),
    INDEX_R: indexFn('roff', redDims, strides),
    COMBINE: kind === 'sum' ? 'acc + v' : 'max(acc, v)',
    FINISH: 'acc',
    IDLE: kind === 'sum' ? '0.0' : 'acc',
    LOAD: prologue ? prologue.wgsl(1) : READ_X,
  };
  const label = prologue ? `${prologue.label}+${kind}` : kind;
  const bindings: KernelSpec['bindings'] = prologue ? { out: 'out' } : { x: 0, out: 'out' };
  const extraBindings = prologue?.operands;
  // A long reduction into few outputs would leave most of the GPU idle with one thread per output.
  if (n < 64 && r >= 1024) {
    return { label: `${label}_wg`, shader: fill(reduceWgWgsl, vars), constants: { R: r }, bindings, extraBindings, workgroups: [n, 1, 1] };
  }
  const { workgroups, rowThreads } = linearGrid(n);
  return { label, shader: fill(reduceWgsl, vars), constants: { N: n, R: r, ROW: rowThreads }, bindings, extraBindings, workgroups };
}

defineOp({
  name: 'sum',
  shape: ([x], attrs) => reducedShape(x, axesOf(attrs), attrs.keepDims as boolean),
  cpu: ([x], [xs], _o, attrs) => cpuReduce(x, xs, axesOf(attrs), 'sum'),
  grad: (dy, node) => {
    const x = node.inputs[0];
    return [broadcastTo(reshape(dy, keptShape(x, axesOf(node.attrs))), x.shape)];
  },
  kernel: (node, _caps, _epilogue, prologue) => reduceKernel(node, 'sum', prologue),
  prologue: true,
});

defineOp({
  name: 'max',
  shape: ([x], attrs) => reducedShape(x, axesOf(attrs), attrs.keepDims as boolean),
  cpu: ([x], [xs], _o, attrs) => cpuReduce(x, xs, axesOf(attrs), 'max'),
  // The gradient goes to the maximal elements, split evenly between ties.
  grad: (dy, node) => {
    const x = node.inputs[0];
    const axes = axesOf(node.attrs);
    const kept = keptShape(x, axes);
    const mask = binary('equal', x, broadcastTo(reshape(node, kept), x.shape));
    const count = sum(mask, { axis: axes, keepDims: true });
    return [binary('mul', broadcastTo(reshape(dy, kept), x.shape), binary('div', mask, count))];
  },
  kernel: (node, _caps, _epilogue, prologue) => reduceKernel(node, 'max', prologue),
  prologue: true,
});

function reduceOp(op: 'sum' | 'max', x: Tensor, options: ReduceOptions): Tensor {
  const axes = normalizeAxes(op, options.axis, x.rank);
  const keepDims = options.keepDims ?? false;
  if (axes.length === 0) return x;
  return twoPass(op, x, axes, keepDims) ?? apply(op, [x], { axes, keepDims });
}

/**
 * A long reduction over the leading axes into few outputs (a conv layer's
 * bias gradient: [batch, h, w, c] -> [c]) as two passes over a
 * [chunks, chunk, rest] view: chunks x rest threads each fold `chunk`
 * values, then rest threads fold the chunks. One pass would leave each of
 * the few threads a serial walk over the whole batch, and the
 * one-workgroup-per-output kernel pays workgroup barriers, which CPU
 * drivers run slowly (docs/tuning.md). Undefined (one pass) when the reduction is short,
 * the outputs many, or the length has no divisor near its square root.
 */
function twoPass(op: 'sum' | 'max', x: Tensor, axes: readonly number[], keepDims: boolean): Tensor | undefined {
  const lead = axes.length;
  if (!axes.every((a, i) => a === i)) return undefined;
  const length = sizeOf(x.shape.slice(0, lead));
  const rest = x.shape.slice(lead);
  if (length < 4096 || sizeOf(rest) > 4096) return undefined;
  const chunk = divisorNear(length, Math.round(Math.sqrt(length)));
  if (chunk === undefined) return undefined;
  const parts = apply(op, [reshape(x, [length / chunk, chunk, ...rest])], { axes: [1], keepDims: false });
  const total = apply(op, [parts], { axes: [0], keepDims: false });
  return keepDims ? reshape(total, [...axes.map(() => 1), ...rest]) : total;
}

/** The divisor of n closest to `target`, if one lies within a factor of 4 of it. */
function divisorNear(n: number, target: number): number | undefined {
  for (let d = 0; d <= target * 3; d++) {
    for (const c of [target - d, target + d]) {
      if (c >= target / 4 && c <= target * 4 && c > 1 && n % c === 0) return c;
    }
  }
  return undefined;
}

export function sum(x: Tensor, options: ReduceOptions = {}): Tensor {
  checkTensor('sum', 'x', x);
  return reduceOp('sum', x, options);
}

export function max(x: Tensor, options: ReduceOptions = {}): Tensor {
  checkTensor('max', 'x', x);
  return reduceOp('max', x, options);
}

export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  checkTensor('mean', 'x', x);
  const axes = normalizeAxes('mean', options.axis, x.rank);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  if (axes.length === 0) return x;
  const total = sum(x, options);
  return binary('mul', total, total.graph.constant(1 / count));
}

/** Sum `t` down to `shape` (the inverse of broadcasting `shape` up to t.shape). */
export function sumTo(t: Tensor, shape: Shape): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const lead = t.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < t.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && t.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? sum(t, { axis: axes, keepDims: true }) : t;
  return reshape(summed, shape);
}
