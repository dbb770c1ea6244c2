// Sliding-window geometry shared by convolution and pooling: option
// normalisation (a number or a pair), and the output size and padding of
// 'valid' and 'same' along one axis, as TensorFlow computes them.
import { ShapeError, fmtShape } from '../errors.js';
import type { Shape } from '../graph/shape.js';
import type { Conv2dGeometry } from '../cpu/conv.js';
import type { Pool2dGeometry } from '../cpu/pool.js';

export type Padding = 'valid' | 'same';
export type Pair = number | readonly [number, number];

/** A `number | [number, number]` option as a pair of positive integers; throws naming the op and the option. */
export function pair(op: string, name: string, value: Pair | undefined, fallback: number): [number, number] {
  const v = value ?? fallback;
  const p: unknown[] = typeof v === 'number' ? [v, v] : Array.isArray(v) ? [...v] : [v];
  if (p.length !== 2 || p.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0)) {
    throw new ShapeError(`${op}: ${name} must be a positive integer or a pair of them, got ${JSON.stringify(value)}`);
  }
  return p as [number, number];
}

export function padding(op: string, value: string | undefined): Padding {
  const p = value ?? 'valid';
  if (p !== 'valid' && p !== 'same') throw new ShapeError(`${op}: padding must be 'valid' or 'same', got ${JSON.stringify(value)}`);
  return p;
}

/**
 * One axis of a window of `k` taps `dilation` apart, moved `stride` at a time
 * over `size` cells. 'valid': windows lie inside the input. 'same': out =
 * ceil(size / stride), zero padding added as evenly as possible, the odd cell
 * at the end (bottom/right), as TensorFlow does. `before` is the padding
 * before the first cell: window o covers cells o * stride - before + t * dilation.
 */
export function windowAxis(size: number, k: number, stride: number, dilation: number, pad: Padding): { out: number; before: number } {
  const span = (k - 1) * dilation + 1;
  if (pad === 'valid') return { out: size >= span ? Math.floor((size - span) / stride) + 1 : 0, before: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** Window options as stored in a node's attrs (normalised). */
export interface WindowAttrs {
  strides: [number, number];
  dilations: [number, number];
  padding: Padding;
}

export function conv2dGeometry(op: string, x: Shape, f: Shape, a: WindowAttrs): Conv2dGeometry {
  if (x.length !== 4) throw new ShapeError(`${op}: x must be [batch, height, width, channels], got ${fmtShape(x)}`);
  if (f.length !== 4) throw new ShapeError(`${op}: filter must be [height, width, inChannels, outChannels], got ${fmtShape(f)}`);
  if (x[3] !== f[2]) throw new ShapeError(`${op}: x ${fmtShape(x)} has ${x[3]} channels but filter ${fmtShape(f)} expects ${f[2]} input channels`);
  const rows = windowAxis(x[1], f[0], a.strides[0], a.dilations[0], a.padding);
  const cols = windowAxis(x[2], f[1], a.strides[1], a.dilations[1], a.padding);
  if (rows.out === 0 || cols.out === 0) {
    throw new ShapeError(
      `${op}: filter ${fmtShape(f)} (a ${f[0]}x${f[1]} window, dilations ${fmtShape(a.dilations)}) spans more than x ${fmtShape(x)} (${x[1]}x${x[2]}) with 'valid' padding (empty output)`,
    );
  }
  return {
    batch: x[0], inH: x[1], inW: x[2], inC: x[3],
    filterH: f[0], filterW: f[1], outC: f[3],
    outH: rows.out, outW: cols.out,
    strideH: a.strides[0], strideW: a.strides[1],
    dilationH: a.dilations[0], dilationW: a.dilations[1],
    padTop: rows.before, padLeft: cols.before,
  };
}

/** Pooling windows as stored in a node's attrs (normalised). */
export interface PoolAttrs {
  poolSize: [number, number];
  strides: [number, number];
  padding: Padding;
}

export function pool2dGeometry(op: string, x: Shape, a: PoolAttrs): Pool2dGeometry {
  if (x.length !== 4) throw new ShapeError(`${op}: x must be [batch, height, width, channels], got ${fmtShape(x)}`);
  const rows = windowAxis(x[1], a.poolSize[0], a.strides[0], 1, a.padding);
  const cols = windowAxis(x[2], a.poolSize[1], a.strides[1], 1, a.padding);
  if (rows.out === 0 || cols.out === 0) {
    throw new ShapeError(`${op}: pool size ${fmtShape(a.poolSize)} is larger than x ${fmtShape(x)} with 'valid' padding (empty output)`);
  }
  return {
    batch: x[0], inH: x[1], inW: x[2], channels: x[3],
    poolH: a.poolSize[0], poolW: a.poolSize[1],
    outH: rows.out, outW: cols.out,
    strideH: a.strides[0], strideW: a.strides[1],
    padTop: rows.before, padLeft: cols.before,
  };
}

/**
 * Types of the geometry override constants of the convolution and pooling
 * shaders: sizes and offsets on the image grid are i32 (window positions go
 * negative in the padding), counts of channels and images u32.
 */
const GEOMETRY_TYPES: Readonly<Record<string, 'i32' | 'u32'>> = {
  N: 'u32', CIN: 'u32', COUT: 'u32', CT: 'u32',
  H: 'i32', W: 'i32', KH: 'i32', KW: 'i32', PH: 'i32', PW: 'i32', OH: 'i32', OW: 'i32',
  SH: 'i32', SW: 'i32', DH: 'i32', DW: 'i32', PT: 'i32', PL: 'i32',
};

/** The {{GEOMETRY}} block of a shader: one override declaration per name, typed as GEOMETRY_TYPES says. */
export function geometryOverrides(names: readonly string[]): string {
  return names.map((n) => `override ${n}: ${GEOMETRY_TYPES[n]};`).join('\n');
}

/** The convolution shaders' geometry (x [N, H, W, CIN], f [KH, KW, CIN, COUT], y [N, OH, OW, COUT]; strides, dilations, padding before). */
export const CONV_GEOMETRY = ['N', 'H', 'W', 'CIN', 'KH', 'KW', 'COUT', 'OH', 'OW', 'SH', 'SW', 'DH', 'DW', 'PT', 'PL'] as const;

/** The pooling shaders' geometry (x [n, H, W, CT units], windows PH x PW, y [n, OH, OW, CT]). */
export const POOL_GEOMETRY = ['H', 'W', 'CT', 'PH', 'PW', 'OH', 'OW', 'SH', 'SW', 'PT', 'PL'] as const;
