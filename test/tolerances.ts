// Every numeric tolerance of the engine-core test suite, in one place, with
// the reasoning behind it. A comparison passes elementwise when
//   |actual - expected| <= atol + rtol * |expected|
// and non-finite expected values must be matched exactly (same infinity, NaN
// for NaN). Each bound below is derived from f32 arithmetic (unit roundoff
// u = 2^-24 ~ 6e-8, one ULP of 1 = 2^-23 ~ 1.2e-7) and the WGSL accuracy
// rules, with a safety margin; each is still orders of magnitude below what
// a real bug does (a wrong index, a missed element, a sign or factor error
// moves results by O(1) relative to the values the tests use, which are
// O(1) themselves).

export interface Tol {
  /** Absolute slack, for results near zero. */
  readonly atol: number;
  /** Relative slack, proportional to the expected value. */
  readonly rtol: number;
}

const ULP1 = 2 ** -23;

/** Exact agreement: data movement (transpose, slice, pad, concat, reshape), comparisons, relu/step/abs/neg/max. */
export const EXACT: Tol = { atol: 0, rtol: 0 };

/**
 * GPU vs CPU reference, one elementwise op. The CPU reference computes in
 * f64 and rounds once; WGSL allows exp within 3 + 2|x| ULP, log 3 ULP (or an
 * absolute 2^-21 for arguments in [0.5, 2]), sqrt/division 2.5 ULP, and
 * tanh/pow are "inherited" from exp/log formulas (a few ULP more after
 * cancellation). Test inputs keep |x| <= ~5, so ~20 ULP relative (2.4e-6)
 * covers every op with a 4x margin; atol = 1e-6 covers results near zero
 * (log near 1, tanh and sin-like values near 0, sigmoid(-80) flushed to 0).
 */
export const ELEMENTWISE: Tol = { atol: 1e-6, rtol: 1e-5 };

/**
 * Sum over R elements of magnitude <= 1. The GPU kernels accumulate in f32
 * (sequentially or in a 64-way tree), the CPU reference in f64: each of the
 * R additions may round by half an ULP of the running sum, and the running
 * sum of R values in [-1, 1] stays well below R. A worst-case linear bound
 * of 2 ULP(1) per element, atol = 2.4e-7 * R, is 7e-4 for R = 3000, while
 * dropping or doubling one element moves the sum by ~0.5.
 */
export function reduction(r: number): Tol {
  return { atol: 2 * ULP1 * Math.max(r, 8), rtol: 1e-5 };
}

/**
 * Matmul with inner dimension K, operands in [-1, 1]: a dot product of K
 * terms, same argument as reduction(K) (f32 accumulation order differs
 * between the register kernel, the tiled kernel and the CPU loop).
 */
export function matmul(k: number): Tol {
  return reduction(k);
}

/**
 * softmax / logSoftmax: exp of values <= 0 after subtracting the row max,
 * a row sum of C <= ~20 terms in (0, 1], one log or one division: a few tens
 * of ULP relative, far under 1e-5; atol = 1e-6 for log-probabilities and
 * probabilities near 0.
 */
export const SOFTMAX: Tol = { atol: 1e-6, rtol: 1e-5 };

/**
 * A GPU result against a closed-form value computed in f64 (known
 * derivatives, softmax of a hand-picked row, rows summing to 1): a short
 * chain of at most ~10 f32 ops or sums of <= 20 terms, i.e. <= ~20 ULP
 * (2.4e-6) relative; 1e-5 relative with a 1e-5 absolute floor.
 */
export const KNOWN: Tol = { atol: 1e-5, rtol: 1e-5 };

/**
 * Whole graphs (a gradient graph of tens of ops, a 20-layer MLP and its
 * backward pass): the per-op errors above compound through depth, about
 * ten ops deep with reductions of length <= 33; 1e-4 relative with a 1e-5
 * absolute floor (gradients near zero) keeps a 10x margin.
 */
export const GRAPH: Tol = { atol: 1e-5, rtol: 1e-4 };

/**
 * Finite differences against the GPU gradient.
 *
 * f = sum(w * op(x)) is differentiated with central differences
 *   (f(x + h e_j) - f(x - h e_j)) / (x_j+ - x_j-)
 * on the CPU interpreter. Two error sources, for f32 data:
 *  - truncation, (h^2 / 6) |f'''|: with h = 1e-2 that is 1.7e-5 |f'''|; test
 *    inputs are chosen so |f'''| <= ~50 (log and 1/x are kept at |x| >= 0.3,
 *    exp at x <= 2), i.e. <= 1e-3 relative to the O(1) gradients;
 *  - rounding: every op output is rounded to f32 (relative u ~ 6e-8), so each
 *    changed term of the sum carries an error of ~u |w y|, divided by 2h:
 *    ~3e-6 per term for h = 1e-2. The helper sums the per-element
 *    differences in f64 (terms that did not change cancel exactly), and
 *    divides by the step actually taken after rounding x +- h to f32.
 * A smaller h trades truncation for rounding (at h = 1e-3 rounding reaches
 * ~3e-5 per term and grows with the number of outputs a perturbed input
 * touches, e.g. a matmul row); h = 1e-2 balances the two for f32.
 * Inputs are kept at least 5h away from kinks (relu/abs/step at 0, max ties,
 * maximum/minimum ties) so the difference quotient never straddles one.
 * Tolerance: 1e-2 relative plus 2e-3 absolute, more than 2x the bound above;
 * a wrong gradient rule (sign, factor 2, a missed broadcast sum, a wrong
 * transpose) is off by O(1).
 */
export const FD_STEP = 1e-2;
export const FINITE_DIFF: Tol = { atol: 2e-3, rtol: 1e-2 };

/**
 * Optimizer step against the CPU: p - lr * g computed in f32 on the GPU from
 * a GPU gradient that itself matches the CPU to GRAPH; with lr <= 0.1 and
 * |p| ~ 1 the update adds at most 1 ULP(p) of rounding.
 */
export const UPDATE: Tol = { atol: 1e-6, rtol: 1e-5 };

/**
 * Convolution kernels against the CPU reference, operands in [-1, 1]: each
 * output of conv2d, of its backprop to the input and of its backprop to the
 * filter is a dot product of at most K terms (filter taps x input channels,
 * taps x output channels, batch x output pixels), summed in a different
 * order on each side (register blocks, a 64-way split of the filter
 * gradient's sum, the CPU's scatter loops): the matmul argument, reduction(K).
 */
export function convolution(k: number): Tol {
  return reduction(k);
}

/**
 * Average pooling and its backward pass: a sum of at most `cells` values
 * (a window, or the windows covering one cell) and one division per term or
 * per sum, in f32 on both sides: reduction(cells) plus the division's
 * 2.5 ULP, inside reduction's 1e-5 relative. Max pooling and its routing
 * (maxPool2dGrad, maxPool2dGradGrad) pick or add the same f32 values in the
 * same window order on both sides: EXACT, except that maxPool2dGrad adds up
 * to `cells` dy values into one cell, again reduction(cells).
 */
export function pooling(cells: number): Tol {
  return reduction(cells);
}
