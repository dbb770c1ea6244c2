// Tolerances of the sequence kernels (attention, layer normalization), in
// one place, with the reasoning. Same convention as tolerances.ts: a value
// passes when |actual - expected| <= atol + rtol |expected|. The CPU
// references compute in f64 and round once; the kernels compute in f32.
// Test data: q, k, v, dO, x, dy in [-1, 1] (gamma, beta in [0.5, 1.5]);
// unit roundoff u = 2^-24, one ULP of 1 = 2^-23 (ULP1).
import type { Tol } from './tolerances.js';

const ULP1 = 2 ** -23;

/**
 * Attention kernels (forward, row statistics, dq, dk, dv) against the CPU
 * reference, head size d, t keys (forward, stats, dq) or queries (dk, dv)
 * summed per output, scale s (1 / sqrt(d) by default).
 *  - A score s q.k is a d-term dot product of values in [-1, 1]: its error
 *    is at most ~d ULP1 * s (the matmul argument, reduction(d) in
 *    tolerances.ts), relative to scores bounded by s d.
 *  - exp(score - m) (or - L) then carries that absolute error as a relative
 *    one, plus WGSL's 3 + 2|x| ULP for exp with |x| <= 2 s d: the weights P
 *    are off by at most (d s + 3 + 4 d s) ULP1 relative.
 *  - Each output sums t weighted terms in f32: 2 ULP1 per term of the
 *    running sum (reduction(t)); the terms are bounded by 1 (forward: a
 *    convex combination of v), by d (dq, dk: dS = P (dO.v - D) with
 *    |dO.v| <= d, times a k or q in [-1, 1], times s), by 1 (dv: P dO).
 *  - The statistics: L = m + log(l) has the score error plus log's 3 ULP,
 *    relative to |L| <= s d + log t; D = dO.o is a d-term dot product.
 * Bound: atol = 2 ULP1 * (t + 5 d s + 3) * m with m = max(1, d s) (the
 * magnitude of the summed terms), rtol = 1e-5. At d = 16, t = 1024 that is
 * 2.5e-4 * 4 = 1e-3 for dq and dk; a wrong index, a missed mask or a wrong
 * rescale moves outputs by O(0.1).
 */
export function attention(d: number, t: number, scale = 1 / Math.sqrt(d)): Tol {
  const ds = d * scale;
  return { atol: 2 * ULP1 * (t + 5 * ds + 3) * Math.max(1, ds), rtol: 1e-5 };
}

/**
 * Layer normalization over rows of c values (forward, dx, and the dgamma /
 * dbeta sums over `rows` rows).
 *  - mean and variance are c-term sums in f32 (reduction(c)); the kernels
 *    use Welford's update (each term a deviation from the running mean), so
 *    the variance has no cancellation; rstd = inverseSqrt(var + eps) adds
 *    2 ULP.
 *  - xhat = (x - mean) rstd is bounded by sqrt(c) (one value can hold the
 *    whole variance), so its absolute error is ~ (c + 4) ULP1 * sqrt(c) at
 *    worst (rstd up to 1 / sqrt(eps) ~ 32 only scales x - mean, whose
 *    relative error is what counts).
 *  - y = xhat gamma + beta, gamma <= 1.5: the same bound times 1.5, plus 1.
 *  - dx = rstd (g - mean(g) - xhat mean(g xhat)): two more c-term sums;
 *    rstd is ~1.7 for uniform [-1, 1] data.
 *  - dgamma, dbeta: rows-term sums of dy xhat, dy.
 *  - Data far from zero (|x| up to xmax, the mean near it): the mean's
 *    c-term sum is off by up to c ULP1 xmax, and x - mean carries that
 *    absolute error into xhat times rstd (<= 2 for the tests' data, whose
 *    spread is that of uniform [-1, 1]): 2 c ULP1 xmax more.
 * Bound: atol = 2 ULP1 * (c + rows + 8) * (1 + sqrt(c)) * 4 (the 4 covering
 * gamma, rstd and the product of two such errors) + 2 c ULP1 xmax * 2,
 * rtol = 1e-5: 1.6e-3 for c = 100 and 37 rows, 1.9e-3 for c = 33, 9 rows at
 * xmax = 101; a wrong mean, epsilon or index is off by > 1e-2.
 */
export function layerNorm(c: number, rows: number, xmax = 1): Tol {
  return { atol: 2 * ULP1 * (c + rows + 8) * (1 + Math.sqrt(c)) * 4 + 4 * c * ULP1 * xmax, rtol: 1e-5 };
}
