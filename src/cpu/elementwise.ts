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
