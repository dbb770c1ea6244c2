// CPU reference for data movement: transpose, slice, pad, concat.
import type { Shape } from '../graph/shape.js';
import { sizeOf, stridesOf } from '../graph/shape.js';

/** Calls f(outIndex, coords) for every element of `shape`, in row-major order. */
function forEachCoord(shape: Shape, f: (i: number, coords: number[]) => void): void {
  const n = sizeOf(shape);
  const coords = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    f(i, coords);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coords[d] < shape[d]) break;
      coords[d] = 0;
    }
  }
}

const offset = (coords: readonly number[], strides: readonly number[]) => coords.reduce((s, c, d) => s + c * strides[d], 0);

export function transpose(x: Float32Array, shape: Shape, perm: readonly number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const out = new Float32Array(x.length);
  forEachCoord(outShape, (i, c) => {
    out[i] = x[perm.reduce((s, p, d) => s + c[d] * inStrides[p], 0)];
  });
  return out;
}

export function slice(x: Float32Array, shape: Shape, begin: readonly number[], size: readonly number[]): Float32Array {
  const inStrides = stridesOf(shape);
  const out = new Float32Array(sizeOf(size));
  forEachCoord(size, (i, c) => {
    out[i] = x[offset(c.map((v, d) => v + begin[d]), inStrides)];
  });
  return out;
}

export function pad(x: Float32Array, shape: Shape, before: readonly number[], after: readonly number[]): Float32Array {
  const outShape = shape.map((d, i) => d + before[i] + after[i]);
  const inStrides = stridesOf(shape);
  const out = new Float32Array(sizeOf(outShape));
  forEachCoord(outShape, (i, c) => {
    const src = c.map((v, d) => v - before[d]);
    if (src.every((v, d) => v >= 0 && v < shape[d])) out[i] = x[offset(src, inStrides)];
  });
  return out;
}

export function concat(xs: readonly Float32Array[], shapes: readonly Shape[], axis: number): Float32Array {
  const outShape = [...shapes[0]];
  outShape[axis] = shapes.reduce((s, sh) => s + sh[axis], 0);
  const outStrides = stridesOf(outShape);
  const out = new Float32Array(sizeOf(outShape));
  let start = 0;
  xs.forEach((x, k) => {
    forEachCoord(shapes[k], (i, c) => {
      out[offset(c, outStrides) + start * outStrides[axis]] = x[i];
    });
    start += shapes[k][axis];
  });
  return out;
}
