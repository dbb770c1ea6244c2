// Central finite differences of a CPU reference function, for checking the
// CPU references' own backward formulas (no GPU involved): with f =
// sum_k w_k y_k for a fixed random w, df/dx_j ~ (f(x + h e_j) - f(x - h e_j))
// / (x_j+ - x_j-). h and the tolerance are FD_STEP and FINITE_DIFF of
// tolerances.ts (the same f32 truncation/rounding argument applies: the
// references round every output to f32).
import { FD_STEP } from './tolerances.js';

/**
 * df/dx_j for the indices j of x, where y = forward() reads x (mutated in
 * place here and restored) and f = sum_k w_k y_k, summed in f64.
 */
export function centralDifferences(forward: () => Float32Array, x: Float32Array, w: Float32Array, indices: readonly number[], h = FD_STEP): number[] {
  return indices.map((j) => {
    const x0 = x[j];
    const xp = Math.fround(x0 + h), xm = Math.fround(x0 - h);
    x[j] = xp;
    const yp = forward();
    x[j] = xm;
    const ym = forward();
    x[j] = x0;
    let s = 0;
    for (let k = 0; k < yp.length; k++) s += w[k] * (yp[k] - ym[k]);
    return s / (xp - xm);
  });
}

/** 0 .. n-1. */
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Max |a - e| and max |a - e| / |e| (over e != 0), for the report lines. */
export function errors(a: ArrayLike<number>, e: ArrayLike<number>): { abs: number; rel: number } {
  let abs = 0, rel = 0;
  for (let i = 0; i < e.length; i++) {
    const d = Math.abs(a[i] - e[i]);
    abs = Math.max(abs, d);
    if (e[i] !== 0) rel = Math.max(rel, d / Math.abs(e[i]));
  }
  return { abs, rel };
}
