// CPU reference for reductions over a set of axes.
import type { Shape } from '../graph/shape.js';
import { sizeOf, stridesOf } from '../graph/shape.js';

export function reduce(x: Float32Array, shape: Shape, axes: readonly number[], kind: 'sum' | 'max'): Float32Array {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(sizeOf(kept)).fill(kind === 'sum' ? 0 : -Infinity);
  const inStrides = stridesOf(shape);
  const outStrides = stridesOf(kept);
  for (let i = 0; i < x.length; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(i / inStrides[d]) % shape[d];
      if (kept[d] !== 1) o += c * outStrides[d];
    }
    out[o] = kind === 'sum' ? out[o] + x[i] : Math.max(out[o], x[i]);
  }
  return Float32Array.from(out);
}
