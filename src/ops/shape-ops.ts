// Data movement: reshape (a view: no kernel), transpose, slice, pad, concat.
import padWgsl from '../../shaders/pad.wgsl';
import copyIntoWgsl from '../../shaders/copy_into.wgsl';
import { ShapeError, fmtShape } from '../errors.js';
import { normalizeAxis, sizeOf, stridesOf, type Shape } from '../graph/shape.js';
import type { Attrs, Tensor } from '../graph/tensor.js';
import * as cpu from '../cpu/shape-ops.js';
import { elementwiseGrid, fill, indexFn, linearGrid } from './kernel.js';
import type { KernelSpec } from '../graph/kernel-binding.js';
import { apply, checkTensor, defineOp } from '../graph/op-registry.js';
import { copyShader } from './fused.js';

const nums = (attrs: Attrs, key: string) => attrs[key] as number[];

defineOp({
  name: 'reshape',
  view: true,
  // A view of any element type (ids are reshaped before a gather).
  dtypes: { inputs: ['any'], output: ([d]) => d },
  shape: (_inputs, attrs) => nums(attrs, 'shape'),
  cpu: ([x]) => x.slice(),
  grad: (dy, node) => [reshape(dy, node.inputs[0].shape)],
});

/** Reshape; one dimension may be -1 (inferred). Shares the input's buffer. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkTensor('reshape', 'x', x);
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number')) throw new ShapeError(`reshape: shape must be an array of integers (one may be -1), got ${JSON.stringify(shape) ?? String(shape)}`);
  const wanted = [...shape];
  const unknown = wanted.indexOf(-1);
  if (unknown !== wanted.lastIndexOf(-1)) throw new ShapeError(`reshape: at most one dimension may be -1, got ${fmtShape(shape)}`);
  if (unknown >= 0) {
    const known = sizeOf(wanted.filter((_, i) => i !== unknown));
    if (known <= 0 || x.size % known !== 0) throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`);
    wanted[unknown] = x.size / known;
  }
  if (wanted.some((d) => !Number.isInteger(d) || d <= 0) || sizeOf(wanted) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`);
  }
  if (wanted.length === x.rank && wanted.every((d, i) => d === x.shape[i])) return x;
  return apply('reshape', [x], { shape: wanted });
}

/** A gather kernel: out[i] = x[index_e0(i)], the copy template of src/ops/fused.ts. */
function gatherKernel(label: string, node: Tensor, indexSource: string): KernelSpec {
  const { workgroups, rowThreads } = elementwiseGrid(node.size);
  return {
    label,
    shader: copyShader(indexSource),
    constants: { N: node.size, ROW: rowThreads },
    bindings: { e0: 0, out: 'out' },
    workgroups,
  };
}

defineOp({
  name: 'transpose',
  shape: ([x], attrs) => nums(attrs, 'perm').map((p) => x[p]),
  cpu: ([x], [xs], _o, attrs) => cpu.transpose(x, xs, nums(attrs, 'perm')),
  grad: (dy, node) => {
    const perm = nums(node.attrs, 'perm');
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [transpose(dy, inverse)];
  },
  kernel: (node) => {
    const inStrides = stridesOf(node.inputs[0].shape);
    return gatherKernel('transpose', node, indexFn('index_e0', node.shape, nums(node.attrs, 'perm').map((p) => inStrides[p])));
  },
});

/** Permute axes; the default reverses them. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? [...perm] : x.shape.map((_, i) => x.rank - 1 - i);
  const sorted = [...p].sort((a, b) => a - b);
  if (p.length !== x.rank || sorted.some((v, i) => v !== i)) {
    throw new ShapeError(`transpose: perm ${fmtShape(p)} is not a permutation of the ${x.rank} axes of ${fmtShape(x.shape)}`);
  }
  if (p.every((v, i) => v === i)) return x;
  return apply('transpose', [x], { perm: p });
}

defineOp({
  name: 'slice',
  shape: (_inputs, attrs) => nums(attrs, 'size'),
  cpu: ([x], [xs], _o, attrs) => cpu.slice(x, xs, nums(attrs, 'begin'), nums(attrs, 'size')),
  grad: (dy, node) => {
    const x = node.inputs[0];
    const begin = nums(node.attrs, 'begin');
    const size = nums(node.attrs, 'size');
    return [pad(dy, x.shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as [number, number]))];
  },
  kernel: (node) => {
    const x = node.inputs[0];
    const inStrides = stridesOf(x.shape);
    const start = nums(node.attrs, 'begin').reduce((s, b, d) => s + b * inStrides[d], 0);
    const index = `${indexFn('index_inner', node.shape, inStrides)}\nfn index_e0(i: u32) -> u32 { return index_inner(i) + ${start}u; }`;
    return gatherKernel('slice', node, index);
  },
});

/** The block of `size` starting at `begin`; a size of -1 runs to the end of that axis. */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  checkTensor('slice', 'x', x);
  if (!Array.isArray(begin) || begin.length > x.rank || (size !== undefined && (!Array.isArray(size) || size.length > x.rank))) {
    throw new ShapeError(`slice: begin ${JSON.stringify(begin)} and size ${JSON.stringify(size)} must be arrays of at most ${x.rank} integers for x ${fmtShape(x.shape)}`);
  }
  const b = x.shape.map((_, i) => begin[i] ?? 0);
  const s = x.shape.map((d, i) => (size?.[i] === undefined || size[i] === -1 ? d - b[i] : size[i]));
  for (let i = 0; i < x.rank; i++) {
    if (!Number.isInteger(b[i]) || !Number.isInteger(s[i]) || b[i] < 0 || s[i] <= 0 || b[i] + s[i] > x.shape[i]) {
      throw new ShapeError(`slice: begin ${fmtShape(b)} size ${fmtShape(s)} does not fit in ${fmtShape(x.shape)} (axis ${i})`);
    }
  }
  if (s.every((d, i) => d === x.shape[i])) return x;
  return apply('slice', [x], { begin: b, size: s });
}

defineOp({
  name: 'pad',
  shape: ([x], attrs) => x.map((d, i) => d + nums(attrs, 'before')[i] + nums(attrs, 'after')[i]),
  cpu: ([x], [xs], _o, attrs) => cpu.pad(x, xs, nums(attrs, 'before'), nums(attrs, 'after')),
  grad: (dy, node) => [slice(dy, nums(node.attrs, 'before'), node.inputs[0].shape)],
  kernel: (node) => {
    const x = node.inputs[0];
    const before = nums(node.attrs, 'before');
    const inStrides = stridesOf(x.shape);
    const lines = ['fn source(i: u32) -> i32 {', '  var q = i;', '  var r = 0i;'];
    for (let d = node.rank - 1; d >= 0; d--) {
      lines.push(`  { let c = i32(q % ${node.shape[d]}u) - ${before[d]}i; q = q / ${node.shape[d]}u;`);
      lines.push(`    if (c < 0i || c >= ${x.shape[d]}i) { return -1i; } r += c * ${inStrides[d]}i; }`);
    }
    lines.push('  return r;', '}');
    const { workgroups, rowThreads } = linearGrid(node.size);
    return {
      label: 'pad',
      shader: fill(padWgsl, { SOURCE: lines.join('\n') }),
      constants: { N: node.size, ROW: rowThreads },
      bindings: { x: 0, out: 'out' },
      workgroups,
    };
  },
});

/** Zero padding, `paddings[i] = [before, after]` for axis i. */
export function pad(x: Tensor, paddings: readonly (readonly [number, number])[]): Tensor {
  if (paddings.length !== x.rank || paddings.some((p) => p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))) {
    throw new ShapeError(`pad: need one [before, after] pair of non-negative integers per axis of ${fmtShape(x.shape)}, got ${JSON.stringify(paddings)}`);
  }
  if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
  return apply('pad', [x], { before: paddings.map((p) => p[0]), after: paddings.map((p) => p[1]) });
}

defineOp({
  name: 'concat',
  shape: (inputs, attrs) => {
    const axis = attrs.axis as number;
    const first = inputs[0];
    for (const s of inputs) {
      if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i])) {
        throw new ShapeError(`concat: shapes ${inputs.map(fmtShape).join(', ')} differ outside axis ${axis}`);
      }
    }
    const out = [...first];
    out[axis] = inputs.reduce((n, s) => n + s[axis], 0);
    return out;
  },
  cpu: (xs, shapes, _o, attrs) => cpu.concat(xs, shapes, attrs.axis as number),
  grad: (dy, node) => {
    const axis = node.attrs.axis as number;
    let start = 0;
    return node.inputs.map((x) => {
      const begin = x.shape.map((_, i) => (i === axis ? start : 0));
      start += x.shape[axis];
      return slice(dy, begin, x.shape);
    });
  },
  // One dispatch per input, each writing its block of the output.
  kernel: (node) => {
    const axis = node.attrs.axis as number;
    const outStrides = stridesOf(node.shape);
    let start = 0;
    return node.inputs.map((x, k) => {
      const { workgroups, rowThreads } = linearGrid(x.size);
      const spec: KernelSpec = {
        label: 'concat',
        shader: fill(copyIntoWgsl, { INDEX_OUT: indexFn('index_out', x.shape, outStrides) }),
        constants: { N: x.size, ROW: rowThreads, OFFSET: start * outStrides[axis] },
        bindings: { x: k, out: 'out' },
        workgroups,
      };
      start += x.shape[axis];
      return spec;
    });
  },
});

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ShapeError('concat: needs an array of at least one tensor');
  xs.forEach((x, i) => checkTensor('concat', `xs[${i}]`, x));
  if (xs.length === 1) return xs[0];
  const a = normalizeAxis('concat', axis, xs[0].rank);
  return apply('concat', xs, { axis: a });
}
