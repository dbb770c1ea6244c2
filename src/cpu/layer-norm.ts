// CPU reference for layer normalization over the last axis (Keras
// LayerNormalization): the textbook loops.
//
//   x, y, dy, dx [rows, c] (rows: the product of the leading axes), gamma, beta [c]
//
// For each row, with mean and variance over its c values:
//   xhat = (x - mean) / sqrt(var + epsilon),   y = xhat * gamma + beta
// Backward, given dy = d(loss)/dy, with g = dy * gamma and rstd = 1 / sqrt(var + epsilon):
//   dx     = rstd * (g - mean(g) - xhat * mean(g * xhat))    (per row)
//   dgamma = sum over rows of dy * xhat
//   dbeta  = sum over rows of dy
// Sums run in f64 (JavaScript numbers); results are rounded to f32 once.

/** Keras' default epsilon. */
export const LAYER_NORM_EPSILON = 1e-3;

/** Mean and 1 / sqrt(variance + epsilon) of each row: [rows, 2]. */
export function layerNormStats(x: Float32Array, c: number, epsilon = LAYER_NORM_EPSILON): Float32Array {
  const rows = x.length / c;
  const stats = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    const { mean, rstd } = rowStats(x, r * c, c, epsilon);
    stats[2 * r] = mean;
    stats[2 * r + 1] = rstd;
  }
  return stats;
}

function rowStats(x: Float32Array, base: number, c: number, epsilon: number): { mean: number; rstd: number } {
  let sum = 0;
  for (let j = 0; j < c; j++) sum += x[base + j];
  const mean = sum / c;
  let sq = 0;
  for (let j = 0; j < c; j++) sq += (x[base + j] - mean) ** 2;
  return { mean, rstd: 1 / Math.sqrt(sq / c + epsilon) };
}

/** y = (x - mean) / sqrt(var + epsilon) * gamma + beta, per row. */
export function layerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, c: number, epsilon = LAYER_NORM_EPSILON): Float32Array {
  const y = new Float32Array(x.length);
  for (let base = 0; base < x.length; base += c) {
    const { mean, rstd } = rowStats(x, base, c, epsilon);
    for (let j = 0; j < c; j++) y[base + j] = (x[base + j] - mean) * rstd * gamma[j] + beta[j];
  }
  return y;
}

export interface LayerNormGrads {
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
}

/** d(loss)/d(x, gamma, beta) given dy = d(loss)/dy, from the formulas in the header. */
export function layerNormBackward(x: Float32Array, gamma: Float32Array, dy: Float32Array, c: number, epsilon = LAYER_NORM_EPSILON): LayerNormGrads {
  const dx = new Float32Array(x.length);
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  for (let base = 0; base < x.length; base += c) {
    const { mean, rstd } = rowStats(x, base, c, epsilon);
    const xhat = (j: number) => (x[base + j] - mean) * rstd;
    let meanG = 0, meanGX = 0;
    for (let j = 0; j < c; j++) {
      const g = dy[base + j] * gamma[j];
      meanG += g / c;
      meanGX += (g * xhat(j)) / c;
      dgamma[j] += dy[base + j] * xhat(j);
      dbeta[j] += dy[base + j];
    }
    for (let j = 0; j < c; j++) dx[base + j] = rstd * (dy[base + j] * gamma[j] - meanG - xhat(j) * meanGX);
  }
  return { dx, dgamma: Float32Array.from(dgamma), dbeta: Float32Array.from(dbeta) };
}
