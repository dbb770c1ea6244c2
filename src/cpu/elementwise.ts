// CPU reference for elementwise maps with NumPy broadcasting.
import type { Shape } from '../graph/shape.js';
import { broadcastStrides, sizeOf, stridesOf } from '../graph/shape.js';

/** Offset into an input of shape `inShape` for each flat index of `outShape`. */
export function broadcastOffsets(inShape: Shape, outShape: Shape): Int32Array {
  const n = sizeOf(outShape);
  const strides = broadcastStrides(inShape, outShape);
  const outStrides = stridesOf(outShape);
  const offsets = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let rem = i;
    let off = 0;
    for (let d = 0; d < outShape.length; d++) {
      const c = Math.floor(rem / outStrides[d]);
      rem -= c * outStrides[d];
      off += c * strides[d];
    }
    offsets[i] = off;
  }
  return offsets;
}

export function unaryMap(x: Float32Array, xShape: Shape, outShape: Shape, f: (v: number) => number): Float32Array {
  const idx = broadcastOffsets(xShape, outShape);
  const out = new Float32Array(idx.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x[idx[i]]);
  return out;
}

export function binaryMap(
  a: Float32Array, aShape: Shape, b: Float32Array, bShape: Shape, outShape: Shape, f: (x: number, y: number) => number,
): Float32Array {
  const ia = broadcastOffsets(aShape, outShape);
  const ib = broadcastOffsets(bShape, outShape);
  const out = new Float32Array(ia.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a[ia[i]], b[ib[i]]);
  return out;
}

export function ternaryMap(
  c: Float32Array, cShape: Shape, a: Float32Array, aShape: Shape, b: Float32Array, bShape: Shape, outShape: Shape, f: (c: number, x: number, y: number) => number,
): Float32Array {
  const ic = broadcastOffsets(cShape, outShape);
  const ia = broadcastOffsets(aShape, outShape);
  const ib = broadcastOffsets(bShape, outShape);
  const out = new Float32Array(ic.length);
  for (let i = 0; i < out.length; i++) out[i] = f(c[ic[i]], a[ia[i]], b[ib[i]]);
  return out;
}

/**
 * The error function, to about 1e-15: its Maclaurin series below |x| = 4
 * (terms alternate; the largest, near x = 4, is about 1e5, so double
 * precision keeps 1e-11), and +-1 beyond, where erfc(4) = 1.5e-8 is below
 * float32's spacing at 1.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 4) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
