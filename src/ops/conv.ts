// 2-D convolution, channels-last: conv2d and its two backward ops, each with
// its shape rule, CPU reference, gradient rule and kernel. The three ops are
// bilinear and adjoint to one another, so each one's gradient is the other
// two (with the filter or dy taking the place of the adjoint):
//   y  = conv2d(x, f)                 dx = backpropInput(dy, f)   df = backpropFilter(x, dy)
//   dx = backpropInput(dy, f)         ddy = conv2d(g, f)          df = backpropFilter(g, dy)
//   df = backpropFilter(x, dy)        dx = backpropInput(dy, G)   ddy = conv2d(x, G)
// so gradients of gradients stay in this family.
import conv2dWgsl from '../../shaders/conv2d.wgsl';
import conv2dRowsWgsl from '../../shaders/conv2d_rows.wgsl';
import backpropInputWgsl from '../../shaders/conv2d_backprop_input.wgsl';
import backpropInputRowsWgsl from '../../shaders/conv2d_backprop_input_rows.wgsl';
import backpropFilterWgsl from '../../shaders/conv2d_backprop_filter.wgsl';
import { ShapeError, fmtShape } from '../errors.js';
import { checkShape, sameShape, type Shape } from '../graph/shape.js';
import type { Attrs, Tensor } from '../graph/tensor.js';
import * as cpu from '../cpu/conv.js';
import type { Conv2dGeometry } from '../cpu/conv.js';
import { CPU_MIN_WORKGROUPS, MAX_WORKGROUPS_PER_DIM, epilogueParts, fill, linearGrid, sections, unroll } from './kernel.js';
import type { Epilogue, KernelCaps, KernelSpec } from '../graph/kernel-binding.js';
import { apply, checkTensor, defineOp, scoped } from '../graph/op-registry.js';
import { CONV_GEOMETRY, conv2dGeometry, geometryOverrides, pair, padding, type Pair, type Padding, type WindowAttrs } from './window.js';

export interface Conv2dOptions {
  /** Step between windows: a number or [rows, columns] (default 1). */
  strides?: Pair;
  /** 'valid' (default): windows inside the image; 'same': output size ceil(input / stride), zero padding split as TensorFlow does. */
  padding?: Padding;
  /** Spacing of the filter taps: a number or [rows, columns] (default 1). */
  dilations?: Pair;
}

const windowAttrs = (attrs: Attrs): WindowAttrs => attrs as unknown as WindowAttrs;
const shapeAttr = (attrs: Attrs, key: string): Shape => attrs[key] as Shape;

function normalize(op: string, o: Conv2dOptions): WindowAttrs {
  return { strides: pair(op, 'strides', o.strides, 1), dilations: pair(op, 'dilations', o.dilations, 1), padding: padding(op, o.padding) };
}

/** The node's window options, for building its gradient ops. */
const optionsOf = (node: Tensor): Conv2dOptions => {
  const a = windowAttrs(node.attrs);
  return { strides: a.strides, dilations: a.dilations, padding: a.padding };
};

/** Checks that dy has the output shape of the convolution of x by the filter. */
function checkDy(op: string, g: Conv2dGeometry, dy: Shape): void {
  const want = [g.batch, g.outH, g.outW, g.outC];
  if (!sameShape(dy, want)) throw new ShapeError(`${op}: dy must be ${fmtShape(want)} (the conv2d output), got ${fmtShape(dy)}`);
}

/** Override constants of the geometry block shared by the kernels (CONV_GEOMETRY). */
function geometryConstants(g: Conv2dGeometry): Record<string, number> {
  return {
    N: g.batch, H: g.inH, W: g.inW, CIN: g.inC, KH: g.filterH, KW: g.filterW, COUT: g.outC, OH: g.outH, OW: g.outW,
    SH: g.strideH, SW: g.strideW, DH: g.dilationH, DW: g.dilationW, PT: g.padTop, PL: g.padLeft,
  };
}

/** The geometry block of the generic kernels, and of the row kernels (whose KW is a constant of their unrolled taps). */
const GEOMETRY = geometryOverrides(CONV_GEOMETRY);
const ROWS_GEOMETRY = geometryOverrides(CONV_GEOMETRY.filter((n) => n !== 'KW'));

const label = (op: string, g: Conv2dGeometry) => `${op} ${g.filterH}x${g.filterW}`;

/**
 * Register blocks: `rows` pixels (or filter rows) x `groups` groups of 4
 * channels per thread. 'large' (8 x 16) for CPU drivers, where a load costs
 * far more than a multiply-add; 'small' (4 x 4) for GPUs, keeping the
 * register count low (measurements: docs/tuning.md). Channel groups never
 * exceed what the channel count needs.
 */
type Blocks = 'large' | 'small';
function blocks(size: Blocks, channels: number): { rows: number; groups: number } {
  return size === 'large' ? { rows: 8, groups: Math.min(4, Math.ceil(channels / 4)) } : { rows: 4, groups: 1 };
}

/** The fixed rule's block size and kernels: the CPU driver's where kernels run on the CPU (caps.matmul 'register'). */
const onCpu = (caps: KernelCaps) => caps.matmul === 'register';

/**
 * Most input values one output pixel may take for the fully unrolled kernel
 * (KH x KW x CIN): first layers up to 3x3 on RGB or 5x5 on one channel. Every
 * value is a line of the shader, and compile time grows with them.
 */
const UNROLLED_TAPS_MAX = 27;

/**
 * Whether conv2d forward can use the UNROLLED section of
 * shaders/conv2d.wgsl (every tap unrolled, no masks): no padding taken
 * (every window inside the image) and at most UNROLLED_TAPS_MAX values per
 * window. The rule takes it on CPU drivers (MNIST's first layer 4x faster,
 * docs/tuning.md).
 */
function unpaddedFewValues(g: Conv2dGeometry): boolean {
  const inside = (out: number, stride: number, filter: number, dilation: number, size: number) => (out - 1) * stride + (filter - 1) * dilation <= size - 1;
  return g.padTop === 0 && g.padLeft === 0 && g.filterH * g.filterW * g.inC <= UNROLLED_TAPS_MAX &&
    inside(g.outH, g.strideH, g.filterH, g.dilationH, g.inH) && inside(g.outW, g.strideW, g.filterW, g.dilationW, g.inW);
}

/**
 * WGSL vec4 of four columns, `load('x')` .. `load('w')`; with fewer than 4
 * channels in all (one column group) only those are loaded (on CPU drivers
 * the duplicate loads of clamped columns cost more than the arithmetic).
 */
function columns(channels: number, load: (lane: string) => string): string {
  const n = Math.min(channels, 4);
  if (n === 1) return `vec4f(${load('x')})`;
  return `vec4f(${['x', 'y', 'z', 'w'].map((c, k) => (k < n ? load(c) : '0.0')).join(', ')})`;
}

// ------------------------------------------------------------------ conv2d

defineOp({
  name: 'conv2d',
  shape: ([x, f], attrs) => {
    const g = conv2dGeometry('conv2d', x, f, windowAttrs(attrs));
    return [g.batch, g.outH, g.outW, g.outC];
  },
  cpu: ([x, f], [xs, fs], _o, attrs) => cpu.conv2d(x, f, conv2dGeometry('conv2d', xs, fs, windowAttrs(attrs))),
  grad: (dy, node) => {
    const [x, f] = node.inputs;
    const o = optionsOf(node);
    return [conv2dBackpropInput(dy, f, x.shape, o), conv2dBackpropFilter(x, dy, f.shape, o)];
  },
  epilogue: true,
  variants: {
    kernels: {
      unrolled: (node, _caps, fused) => conv2dKernel(convGeometry(node), true, 'large', fused),
      rows: (node, _caps, fused) => conv2dRowsKernel(convGeometry(node), fused),
      large: (node, _caps, fused) => conv2dKernel(convGeometry(node), false, 'large', fused),
      small: (node, _caps, fused) => conv2dKernel(convGeometry(node), false, 'small', fused),
    },
    candidates: (node) => {
      const g = convGeometry(node);
      return [...(unpaddedFewValues(g) ? ['unrolled'] : []), ...(unitSteps(g) ? ['rows'] : []), 'large', 'small'];
    },
    choose: (node, caps) => {
      const g = convGeometry(node);
      return !onCpu(caps) ? 'small' : unpaddedFewValues(g) ? 'unrolled' : unitSteps(g) ? 'rows' : 'large';
    },
  },
});

function convGeometry(node: Tensor): Conv2dGeometry {
  const [x, f] = node.inputs;
  return conv2dGeometry('conv2d', x.shape, f.shape, windowAttrs(node.attrs));
}

/** shaders/conv2d.wgsl: every tap unrolled, or looped, with blocks of `size`. */
function conv2dKernel(g: Conv2dGeometry, unrolled: boolean, size: Blocks, fused: Epilogue | undefined): KernelSpec {
  const { wgsl: epilogue, extraBindings, suffix } = epilogueParts(fused, 3);
  const { rows, groups } = blocks(size, g.outC);
  const cb = Math.ceil(g.outC / (4 * groups));
  const { workgroups, rowThreads } = linearGrid(Math.ceil((g.batch * g.outH * g.outW) / rows) * cb);
  const filterAt = unrolled ? 'u32(($y * KW + $k) * i32(CIN) + $c) * COUT' : 'fo';
  const shader = unroll(fill(sections(conv2dWgsl, { UNROLLED: unrolled }), {
    PX: rows, CV: groups, W: columns(g.outC, (c) => `f[${filterAt} + col$v.${c}]`),
    EPILOGUE: epilogue, GEOMETRY,
  }), unrolled ? { y: g.filterH, k: g.filterW, c: g.inC, p: rows, v: groups } : { p: rows, v: groups });
  return {
    label: label(unrolled ? 'conv2d unrolled' : 'conv2d', g) + suffix,
    shader,
    constants: { ...geometryConstants(g), CB: cb, ROW: rowThreads },
    bindings: { x: 0, f: 1, y: 'out' },
    extraBindings,
    workgroups,
  };
}

// ------------------------------------------------------------------ backprop to the input

defineOp({
  name: 'conv2dBackpropInput',
  shape: ([dy, f], attrs) => {
    const xs = shapeAttr(attrs, 'inputShape');
    checkDy('conv2dBackpropInput', conv2dGeometry('conv2dBackpropInput', xs, f, windowAttrs(attrs)), dy);
    return xs;
  },
  cpu: ([dy, f], [, fs], xs, attrs) => cpu.conv2dBackpropInput(dy, f, conv2dGeometry('conv2dBackpropInput', xs, fs, windowAttrs(attrs))),
  // Linear in dy (its adjoint is the forward convolution) and in f; ddx is the adjoint of this op's output dx.
  grad: (ddx, node) => {
    const [dy, f] = node.inputs;
    const o = optionsOf(node);
    return [conv2d(ddx, f, o), conv2dBackpropFilter(ddx, dy, f.shape, o)];
  },
  variants: {
    kernels: {
      rows: (node) => backpropInputRowsKernel(inputGeometry(node)),
      large: (node) => backpropInputKernel(inputGeometry(node), 'large'),
      small: (node) => backpropInputKernel(inputGeometry(node), 'small'),
    },
    candidates: (node) => [...(unitSteps(inputGeometry(node)) ? ['rows'] : []), 'large', 'small'],
    choose: (node, caps) => (!onCpu(caps) ? 'small' : unitSteps(inputGeometry(node)) ? 'rows' : 'large'),
  },
});

function inputGeometry(node: Tensor): Conv2dGeometry {
  return conv2dGeometry('conv2dBackpropInput', node.shape, node.inputs[1].shape, windowAttrs(node.attrs));
}

/** shaders/conv2d_backprop_input.wgsl with blocks of `size`. */
function backpropInputKernel(g: Conv2dGeometry, size: Blocks): KernelSpec {
  const { rows, groups } = blocks(size, g.inC);
  const cb = Math.ceil(g.inC / (4 * groups));
  const { workgroups, rowThreads } = linearGrid(Math.ceil((g.batch * g.inH * g.inW) / rows) * cb);
  return {
    label: label('conv2dBackpropInput', g),
    shader: unroll(fill(backpropInputWgsl, { PX: rows, CV: groups, W: columns(g.inC, (c) => `f[fr$v.${c} + co]`), GEOMETRY }), { p: rows, v: groups }),
    constants: { ...geometryConstants(g), CB: cb, ROW: rowThreads },
    bindings: { dy: 0, f: 1, dx: 'out' },
    workgroups,
  };
}

/** Pixels per thread of the row-reusing kernel, at most: each adds CV accumulators and a segment value. */
const ROWS_MAX_PIXELS = 14;

/**
 * Whether conv2d and conv2dBackpropInput can run their row kernels,
 * shaders/conv2d_rows.wgsl and shaders/conv2d_backprop_input_rows.wgsl:
 * stride and dilation 1, where each loaded value meets a run of consecutive
 * pixels of a row. The rule takes them on CPU drivers (MNIST conv2 1.5x
 * faster, docs/tuning.md).
 */
function unitSteps(g: Conv2dGeometry): boolean {
  return g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1;
}

/**
 * The row kernels' blocks: a row of `width` pixels split into equal blocks
 * of at most ROWS_MAX_PIXELS, the held channels into blocks of CV groups of
 * 4 as in the generic kernels (blocks()). A whole 13-pixel row per thread
 * beat blocks of 7 (docs/tuning.md).
 */
function rowBlocks(width: number, channels: number): { blocksPerRow: number; px: number; cv: number; cb: number } {
  const blocksPerRow = Math.ceil(width / ROWS_MAX_PIXELS);
  const cv = Math.min(4, Math.ceil(channels / 4));
  return { blocksPerRow, px: Math.ceil(width / blocksPerRow), cv, cb: Math.ceil(channels / (4 * cv)) };
}

/** The row kernels' multiply-adds, one line per pixel p and group v: pixel p at tap k reads segment value segment(p, k). */
function rowMultiplyAdds(px: number, cv: number, kw: number, segment: (p: number, k: number) => number): string {
  return Array.from({ length: px * cv }, (_, i) => {
    const p = Math.floor(i / cv);
    const v = i % cv;
    return `      acc${p}_${v} += ${Array.from({ length: kw }, (_, k) => `s${segment(p, k)} * w${k}_${v}`).join(' + ')};`;
  }).join('\n');
}

/** The input gradient's row kernel: input channels held (f32 accumulators for a single one), output channels summed. */
function backpropInputRowsKernel(g: Conv2dGeometry): KernelSpec {
  const { blocksPerRow, px, cv, cb } = rowBlocks(g.inW, g.inC);
  const kw = g.filterW;
  const one = g.inC === 1;
  const tap = one ? 'f[fk$k + co]' : columns(g.inC, (lane) => `f[fk$k + rowoff$v.${lane} + co]`);
  const accumulate = rowMultiplyAdds(px, cv, kw, (p, k) => p + kw - 1 - k);
  const shader = unroll(fill(backpropInputRowsWgsl, { PX: px, CV: cv, KW: kw, ACC: one ? 'f32' : 'vec4f', TAP: tap, ACCUMULATE: accumulate, LANE: one ? 'accs[k]' : 'accs[k][c]', GEOMETRY: ROWS_GEOMETRY }), { p: px, v: cv, j: px + kw - 1, k: kw });
  const { workgroups, rowThreads } = linearGrid(g.batch * g.inH * blocksPerRow * cb);
  return {
    label: label('conv2dBackpropInput rows', g),
    shader,
    constants: { ...rowConstants(g), XB: blocksPerRow, CB: cb, ROW: rowThreads },
    bindings: { dy: 0, f: 1, dx: 'out' },
    workgroups,
  };
}

/** conv2d's row kernel, where the window is not fully unrolled: output channels held, input channels summed. */
function conv2dRowsKernel(g: Conv2dGeometry, fused: Epilogue | undefined): KernelSpec {
  const { wgsl: epilogue, extraBindings, suffix } = epilogueParts(fused, 3);
  const { blocksPerRow, px, cv, cb } = rowBlocks(g.outW, g.outC);
  const kw = g.filterW;
  const tap = columns(g.outC, (lane) => `f[fk$k + ci * COUT + col$v.${lane}]`);
  const accumulate = rowMultiplyAdds(px, cv, kw, (p, k) => p + k);
  const shader = unroll(fill(conv2dRowsWgsl, { PX: px, CV: cv, KW: kw, TAP: tap, ACCUMULATE: accumulate, EPILOGUE: epilogue, GEOMETRY: ROWS_GEOMETRY }), { p: px, v: cv, j: px + kw - 1, k: kw });
  const { workgroups, rowThreads } = linearGrid(g.batch * g.outH * blocksPerRow * cb);
  return {
    label: label('conv2d rows', g) + suffix,
    shader,
    constants: { ...rowConstants(g), XB: blocksPerRow, CB: cb, ROW: rowThreads },
    bindings: { x: 0, f: 1, y: 'out' },
    extraBindings,
    workgroups,
  };
}

/** geometryConstants less KW, a constant of the row kernels' unrolled taps. */
function rowConstants(g: Conv2dGeometry): Record<string, number> {
  const { KW: _kw, ...rest } = geometryConstants(g);
  return rest;
}

// ------------------------------------------------------------------ backprop to the filter

defineOp({
  name: 'conv2dBackpropFilter',
  shape: ([x, dy], attrs) => {
    const fs = shapeAttr(attrs, 'filterShape');
    checkDy('conv2dBackpropFilter', conv2dGeometry('conv2dBackpropFilter', x, fs, windowAttrs(attrs)), dy);
    return fs;
  },
  cpu: ([x, dy], [xs], fs, attrs) => cpu.conv2dBackpropFilter(x, dy, conv2dGeometry('conv2dBackpropFilter', xs, fs, windowAttrs(attrs))),
  // Linear in x (its adjoint: backprop to the input with ddf as the filter) and in dy (the forward convolution by ddf); ddf is the adjoint of this op's output df.
  grad: (ddf, node) => {
    const [x, dy] = node.inputs;
    const o = optionsOf(node);
    return [conv2dBackpropInput(dy, ddf, x.shape, o), conv2d(x, ddf, o)];
  },
  variants: {
    kernels: { whole: (node) => backpropFilterKernel(filterGeometry(node), true), split: (node) => backpropFilterKernel(filterGeometry(node), false) },
    candidates: () => ['whole', 'split'],
    choose: (_node, caps) => (onCpu(caps) ? 'whole' : 'split'),
  },
});

function filterGeometry(node: Tensor): Conv2dGeometry {
  return conv2dGeometry('conv2dBackpropFilter', node.inputs[0].shape, node.shape, windowAttrs(node.attrs));
}

/** shaders/conv2d_backprop_filter.wgsl: each thread walks a block's whole sum (CPU drivers), or a workgroup splits it (GPUs). */
function backpropFilterKernel(g: Conv2dGeometry, whole: boolean): KernelSpec {
  const rows = g.filterH * g.filterW * g.inC;
  const { rx, groups, rb, cb } = filterBlocks(rows, g.outC, blocks(whole ? 'large' : 'small', g.outC), whole ? WHOLE_SUM_THREADS : 1);
  const count = rb * cb;
  const parts = { r: rx, v: groups };
  if (whole) {
    const wg = wholeSumWorkgroup(count);
    const { workgroups, rowThreads } = linearGrid(count, wg);
    return {
      label: label('conv2dBackpropFilter', g),
      shader: unroll(fill(backpropFilterWgsl, { RX: rx, CV: groups, WG: wg, GEOMETRY, ...WHOLE_SUM }), parts),
      constants: { ...geometryConstants(g), R: rows, RB: rb, CB: cb, GX: rowThreads },
      bindings: { x: 0, dy: 1, df: 'out' },
      workgroups,
    };
  }
  // Threads splitting the sum; their partial sums (rx * groups vec4s each) must fit 16 KiB of workgroup memory.
  const wg = 64;
  const gx = Math.min(count, MAX_WORKGROUPS_PER_DIM);
  return {
    label: label('conv2dBackpropFilter', g),
    shader: unroll(fill(backpropFilterWgsl, { RX: rx, CV: groups, WG: wg, GEOMETRY, ...SPLIT_SUM }), parts),
    constants: { ...geometryConstants(g), R: rows, RB: rb, CB: cb, GX: gx },
    bindings: { x: 0, dy: 1, df: 'out' },
    workgroups: [gx, Math.ceil(count / gx), 1],
  };
}

/** shaders/conv2d_backprop_filter.wgsl, split mode (GPUs): a workgroup shares each block's sum. */
const SPLIT_SUM = {
  SHARED: 'var<workgroup> partial: array<array<vec4f, RX * CV>, WG>;',
  ENTRY: '@compute @workgroup_size(WG)\nfn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) l: u32) {\n  let b = wid.x + wid.y * GX;',
  FIRST: 'l',
  STEP: 'WG',
  FINISH: [
    '  partial[l][$r * CV + $v] = acc$r_$v;',
    '  workgroupBarrier();',
    '  for (var o = l; o < RX * CV * 4u; o += WG) {',
    '    let i = o / (4u * CV);',
    '    let j = o % (4u * CV);',
    '    var s = 0.0;',
    '    for (var k = 0u; k < WG; k++) { s += partial[k][i * CV + j / 4u][j % 4u]; }',
    '    if ((r0 + i < R) & (co0 + j < COUT)) { df[(r0 + i) * COUT + co0 + j] = s; }',
    '  }',
  ].join('\n'),
};

/** Whole mode (CPU drivers): one thread walks a block's whole sum; no barrier, no workgroup memory. */
const WHOLE_SUM = {
  SHARED: '',
  ENTRY: '@compute @workgroup_size(WG)\nfn main(@builtin(global_invocation_id) gid: vec3u) {\n  let b = gid.x + gid.y * GX;',
  FIRST: '0u',
  STEP: '1u',
  FINISH: [
    '  var accs: array<vec4f, RX * CV>;',
    '  accs[$r * CV + $v] = acc$r_$v;',
    '  for (var o = 0u; o < RX * CV * 4u; o++) {',
    '    let i = o / (4u * CV);',
    '    let j = o % (4u * CV);',
    '    if ((r0 + i < R) & (co0 + j < COUT)) { df[(r0 + i) * COUT + co0 + j] = accs[i * CV + j / 4u][j % 4u]; }',
    '  }',
  ].join('\n'),
};

/** Whole-sum mode: at least this many threads (SwiftShader runs 4 per SIMD group, and more narrower blocks lost: docs/tuning.md). */
const WHOLE_SUM_THREADS = 8;

/**
 * Whole-sum mode's workgroup: 16 threads, halved (down to one SIMD group of
 * 4) until there are CPU_MIN_WORKGROUPS. SwiftShader runs a workgroup on
 * one worker thread, so the first MNIST layer's 8 threads in one workgroup
 * of 16 kept one of two cores idle (docs/tuning.md).
 */
function wholeSumWorkgroup(threads: number): number {
  let wg = 16;
  while (wg > 4 && Math.ceil(threads / wg) < CPU_MIN_WORKGROUPS) wg /= 2;
  return wg;
}

/**
 * Blocks of df: as few row blocks as the block height allows, split evenly
 * (9 rows: 2 blocks of 5, not 8 + 1); then, while there are fewer than
 * `minThreads` blocks, narrower blocks (fewer column groups first).
 */
function filterBlocks(rows: number, outC: number, start: { rows: number; groups: number }, minThreads: number) {
  let { rows: height, groups } = start;
  for (;;) {
    const rx = Math.ceil(rows / Math.ceil(rows / height));
    const rb = Math.ceil(rows / rx);
    const cb = Math.ceil(outC / (4 * groups));
    if (rb * cb >= minThreads || (groups === 1 && rx === 1)) return { rx, groups, rb, cb };
    if (groups > 1) groups = Math.ceil(groups / 2);
    else height = Math.ceil(rx / 2);
  }
}

// ------------------------------------------------------------------ public functions

/**
 * 2-D convolution. x [batch, height, width, inChannels], filter [filterHeight,
 * filterWidth, inChannels, outChannels] -> [batch, outHeight, outWidth, outChannels].
 */
export function conv2d(x: Tensor, filter: Tensor, options: Conv2dOptions = {}): Tensor {
  checkTensor('conv2d', 'x', x);
  checkTensor('conv2d', 'filter', filter);
  const attrs = scoped(x.graph, () => normalize('conv2d', options));
  return apply('conv2d', [x, filter], { ...attrs });
}

/**
 * The gradient of conv2d with respect to its input x (of shape `inputShape`),
 * given dy, the gradient with respect to its output: a transposed convolution
 * of dy with the filter.
 */
export function conv2dBackpropInput(dy: Tensor, filter: Tensor, inputShape: Shape, options: Conv2dOptions = {}): Tensor {
  checkTensor('conv2dBackpropInput', 'dy', dy);
  const attrs = scoped(dy.graph, () => ({ ...normalize('conv2dBackpropInput', options), inputShape: checkShape(inputShape, 'conv2dBackpropInput (inputShape)') }));
  return apply('conv2dBackpropInput', [dy, filter], attrs);
}

/**
 * The gradient of conv2d with respect to its filter (of shape `filterShape`),
 * given the input x and dy, the gradient with respect to its output.
 */
export function conv2dBackpropFilter(x: Tensor, dy: Tensor, filterShape: Shape, options: Conv2dOptions = {}): Tensor {
  checkTensor('conv2dBackpropFilter', 'x', x);
  const attrs = scoped(x.graph, () => ({ ...normalize('conv2dBackpropFilter', options), filterShape: checkShape(filterShape, 'conv2dBackpropFilter (filterShape)') }));
  return apply('conv2dBackpropFilter', [x, dy], attrs);
}
