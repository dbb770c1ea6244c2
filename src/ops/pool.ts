// 2-D max and average pooling, channels-last, and their backward ops.
// Gradient rules, all exact:
//   y   = maxPool2d(x)            dx = maxPool2dGrad(x, dy)
//   dx  = maxPool2dGrad(x, dy)    d dy = maxPool2dGradGrad(x, g); none to x (the routing is piecewise constant in x)
//   out = maxPool2dGradGrad(x, g) d g = maxPool2dGrad(x, h);      none to x
//   y   = avgPool2d(x)            dx = avgPool2dGrad(dy)
//   dx  = avgPool2dGrad(dy)       d dy = avgPool2d(g)  (the two are adjoint linear maps)
// Max routing is recomputed from x in every kernel (the first largest cell of
// each window), so no argmax tensor is kept between passes.
import poolWgsl from '../../shaders/pool.wgsl';
import { ShapeError, fmtShape } from '../errors.js';
import { checkShape, sameShape, type Shape } from '../graph/shape.js';
import type { Attrs, Tensor } from '../graph/tensor.js';
import * as cpu from '../cpu/pool.js';
import type { Pool2dGeometry } from '../cpu/pool.js';
import { epilogueParts, fill, linearGrid } from './kernel.js';
import type { Epilogue, KernelSpec } from '../graph/kernel-binding.js';
import { apply, checkTensor, defineOp, scoped } from '../graph/op-registry.js';
import { POOL_GEOMETRY, geometryOverrides, pair, padding, pool2dGeometry, type Pair, type Padding, type PoolAttrs } from './window.js';

const POOL_OVERRIDES = geometryOverrides(POOL_GEOMETRY);

export interface Pool2dOptions {
  /** Window size: a number or [rows, columns] (default 2). */
  poolSize?: Pair;
  /** Step between windows: a number or [rows, columns] (default: poolSize). */
  strides?: Pair;
  /** 'valid' (default) or 'same' (output size ceil(input / stride); padding cells take no part). */
  padding?: Padding;
}

const poolAttrs = (attrs: Attrs): PoolAttrs => attrs as unknown as PoolAttrs;

function normalize(op: string, o: Pool2dOptions): PoolAttrs {
  const poolSize = pair(op, 'poolSize', o.poolSize, 2);
  return { poolSize, strides: o.strides === undefined ? poolSize : pair(op, 'strides', o.strides, 1), padding: padding(op, o.padding) };
}

const optionsOf = (node: Tensor): Pool2dOptions => {
  const a = poolAttrs(node.attrs);
  return { poolSize: a.poolSize, strides: a.strides, padding: a.padding };
};

const outShape = (g: Pool2dGeometry) => [g.batch, g.outH, g.outW, g.channels];

function checkSame(op: string, what: string, want: Shape, got: Shape): void {
  if (!sameShape(want, got)) throw new ShapeError(`${op}: ${what} must be ${fmtShape(want)}, got ${fmtShape(got)}`);
}

/**
 * Channels are contiguous (NHWC): when C % 4 == 0 the kernels read and write
 * vec4s, 4 channels per unit sharing one window's index arithmetic; else f32s.
 */
function units(g: Pool2dGeometry): { lanes: number; types: Record<string, string> } {
  return g.channels % 4 === 0
    ? {
        lanes: 4,
        types: {
          TYPES: 'alias T = vec4f;\nalias TU = vec4u;',
          PICK: 'fn pick(i: vec4u) -> vec4f { return vec4f(g[i.x].x, g[i.y].y, g[i.z].z, g[i.w].w); }',
        },
      }
    : { lanes: 1, types: { TYPES: 'alias T = f32;\nalias TU = u32;', PICK: 'fn pick(i: u32) -> f32 { return g[i]; }' } };
}

/** The epilogue of the max-pooling backward template, applied to each lane of a unit of `lanes` channels. */
function unitEpilogue(lanes: number, fused: Epilogue | undefined): { extra: Record<string, string>; extraBindings?: Readonly<Record<string, Tensor>>; suffix: string } {
  const { wgsl, extraBindings, suffix } = epilogueParts(fused, 3);
  const epi = lanes === 4
    ? 'fn epi(v: vec4f, u: u32) -> vec4f { return vec4f(epilogue(v.x, 4u * u), epilogue(v.y, 4u * u + 1u), epilogue(v.z, 4u * u + 2u), epilogue(v.w, 4u * u + 3u)); }'
    : 'fn epi(v: f32, u: u32) -> f32 { return epilogue(v, u); }';
  return { extra: { EPILOGUE: wgsl, EPI: epi }, extraBindings, suffix };
}

/**
 * Entry point, shader, override constants and grid of a pooling kernel
 * (shaders/pool.wgsl) writing `count` values, PER = 4 units per thread,
 * with a fused epilogue where the max-pooling gradient takes one.
 */
function poolKernel(entryPoint: string, g: Pool2dGeometry, count: number, fused?: Epilogue) {
  const { lanes, types } = units(g);
  const { extra, extraBindings, suffix } = unitEpilogue(lanes, fused);
  const n = count / lanes;
  const { workgroups, rowThreads } = linearGrid(Math.ceil(n / 4));
  return {
    entryPoint,
    suffix,
    extraBindings,
    shader: fill(poolWgsl, { ...types, ...extra, GEOMETRY: POOL_OVERRIDES }),
    constants: {
      H: g.inH, W: g.inW, CT: g.channels / lanes, PH: g.poolH, PW: g.poolW, OH: g.outH, OW: g.outW,
      SH: g.strideH, SW: g.strideW, PT: g.padTop, PL: g.padLeft, COUNT: n, ROW: rowThreads,
    },
    workgroups,
  };
}

const label = (op: string, g: Pool2dGeometry) => `${op} ${g.poolH}x${g.poolW}`;

// ------------------------------------------------------------------ forward

const forward = {
  maxPool2d: { entryPoint: 'max_pool', cpu: cpu.maxPool2d },
  avgPool2d: { entryPoint: 'avg_pool', cpu: cpu.avgPool2d },
};

for (const [name, row] of Object.entries(forward)) {
  defineOp({
    name,
    shape: ([x], attrs) => outShape(pool2dGeometry(name, x, poolAttrs(attrs))),
    cpu: ([x], [xs], _o, attrs) => row.cpu(x, pool2dGeometry(name, xs, poolAttrs(attrs))),
    grad: (dy, node) => {
      const x = node.inputs[0];
      return [name === 'maxPool2d' ? maxPool2dGrad(x, dy, optionsOf(node)) : avgPool2dGrad(dy, x.shape, optionsOf(node))];
    },
    kernel: (node): KernelSpec => {
      const g = pool2dGeometry(name, node.inputs[0].shape, poolAttrs(node.attrs));
      const { suffix, ...kernel } = poolKernel(row.entryPoint, g, node.size);
      return { label: label(name, g) + suffix, ...kernel, bindings: { x: 0, out: 'out' } };
    },
  });
}

// ------------------------------------------------------------------ max pooling backward

defineOp({
  name: 'maxPool2dGrad',
  shape: ([x, dy], attrs) => {
    checkSame('maxPool2dGrad', 'dy', outShape(pool2dGeometry('maxPool2dGrad', x, poolAttrs(attrs))), dy);
    return x;
  },
  cpu: ([x, dy], [xs], _o, attrs) => cpu.maxPool2dGrad(x, dy, pool2dGeometry('maxPool2dGrad', xs, poolAttrs(attrs))),
  grad: (ddx, node) => [null, maxPool2dGradGrad(node.inputs[0], ddx, optionsOf(node))],
  // The activation's backward that usually follows (relu: dy * step(y)) runs in this kernel's store.
  epilogue: true,
  kernel: (node, _caps, fused): KernelSpec => {
    const g = pool2dGeometry('maxPool2dGrad', node.shape, poolAttrs(node.attrs));
    // Windows that do not overlap tile dx: one thread per window writes its tile (a quarter of the gather's loads for 2 x 2).
    const tiles = g.strideH >= g.poolH && g.strideW >= g.poolW;
    const { suffix, ...kernel } = poolKernel(tiles ? 'max_grad_tiles' : 'max_grad', g, tiles ? node.inputs[1].size : node.size, fused);
    return { label: label('maxPool2dGrad', g) + suffix, ...kernel, bindings: { x: 0, g: 1, out: 'out' } };
  },
});

defineOp({
  name: 'maxPool2dGradGrad',
  shape: ([x, ddx], attrs) => {
    checkSame('maxPool2dGradGrad', 'ddx', x, ddx);
    return outShape(pool2dGeometry('maxPool2dGradGrad', x, poolAttrs(attrs)));
  },
  cpu: ([x, ddx], [xs], _o, attrs) => cpu.maxPool2dGradGrad(x, ddx, pool2dGeometry('maxPool2dGradGrad', xs, poolAttrs(attrs))),
  grad: (h, node) => [null, maxPool2dGrad(node.inputs[0], h, optionsOf(node))],
  kernel: (node): KernelSpec => {
    const g = pool2dGeometry('maxPool2dGradGrad', node.inputs[0].shape, poolAttrs(node.attrs));
    const { suffix, ...kernel } = poolKernel('max_grad_grad', g, node.size);
    return { label: label('maxPool2dGradGrad', g) + suffix, ...kernel, bindings: { x: 0, g: 1, out: 'out' } };
  },
});

// ------------------------------------------------------------------ average pooling backward

defineOp({
  name: 'avgPool2dGrad',
  shape: ([dy], attrs) => {
    const xs = attrs.inputShape as Shape;
    checkSame('avgPool2dGrad', 'dy', outShape(pool2dGeometry('avgPool2dGrad', xs, poolAttrs(attrs))), dy);
    return xs;
  },
  cpu: ([dy], _i, xs, attrs) => cpu.avgPool2dGrad(dy, pool2dGeometry('avgPool2dGrad', xs, poolAttrs(attrs))),
  grad: (ddx, node) => [avgPool2d(ddx, optionsOf(node))],
  kernel: (node): KernelSpec => {
    const g = pool2dGeometry('avgPool2dGrad', node.shape, poolAttrs(node.attrs));
    const { suffix, ...kernel } = poolKernel('avg_grad', g, node.size);
    return { label: label('avgPool2dGrad', g) + suffix, ...kernel, bindings: { g: 0, out: 'out' } };
  },
});

// ------------------------------------------------------------------ public functions

function pool(op: string, x: Tensor, options: Pool2dOptions, extra: Attrs = {}): Tensor {
  checkTensor(op, 'x', x);
  return apply(op, [x], { ...scoped(x.graph, () => normalize(op, options ?? {})), ...extra });
}

/** Max pooling over windows of x [batch, height, width, channels]. */
export function maxPool2d(x: Tensor, options: Pool2dOptions = {}): Tensor {
  return pool('maxPool2d', x, options);
}

/** Average pooling over windows of x [batch, height, width, channels]; a window is averaged over its cells inside the image. */
export function avgPool2d(x: Tensor, options: Pool2dOptions = {}): Tensor {
  return pool('avgPool2d', x, options);
}

/** The gradient of maxPool2d(x) given dy: each window's dy goes to its largest cell of x (the first on ties). */
export function maxPool2dGrad(x: Tensor, dy: Tensor, options: Pool2dOptions = {}): Tensor {
  return apply('maxPool2dGrad', [x, dy], { ...scoped(x.graph, () => normalize('maxPool2dGrad', options)) });
}

/** The adjoint of maxPool2dGrad in dy: each window of x reads ddx at its largest cell. Shape of maxPool2d(x). */
export function maxPool2dGradGrad(x: Tensor, ddx: Tensor, options: Pool2dOptions = {}): Tensor {
  return apply('maxPool2dGradGrad', [x, ddx], { ...scoped(x.graph, () => normalize('maxPool2dGradGrad', options)) });
}

/** The gradient of avgPool2d given dy, for an input of shape `inputShape`. */
export function avgPool2dGrad(dy: Tensor, inputShape: Shape, options: Pool2dOptions = {}): Tensor {
  const xs = scoped(dy.graph, () => checkShape(inputShape, 'avgPool2dGrad (inputShape)'));
  return pool('avgPool2dGrad', dy, options, { inputShape: xs });
}
