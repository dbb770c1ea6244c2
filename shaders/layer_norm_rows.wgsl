// Layer normalization over the last axis (Keras LayerNormalization), one
// thread per row, barrier-free. Three kernels of one template (sections()
// in src/ops/kernel.ts), one output each:
//   FORWARD: out = (x - mean) * rstd * gamma + beta              [ROWS, C]
//   DX:      out = rstd * (g - mean(g) - xhat * mean(g * xhat))   [ROWS, C]
//            with g = dy * gamma, xhat = (x - mean) * rstd
//   STATS:   out = (mean, rstd) per row                          [ROWS, 2]
//            (what layer_norm_param_grads.wgsl reads)
// where mean and var are over the row's C values and rstd = 1 / sqrt(var + EPS).
// Layout: x, dy and the [ROWS, C] outputs row-major (ROWS = the product of
// the leading axes), gamma and beta [C].
// Bindings: FORWARD: x, gamma, beta (read), out (write);
//           DX: x, gamma, dy (read), out (write); STATS: x (read), out (write).
// Mapping: one thread per row, r = gid.x + gid.y * ROW (linearGrid in
// src/ops/kernel.ts). Each thread reads its row in a few sweeps: mean and
// variance together (Welford), then (DX) the two means of g, then the
// results. Rows are short in transformers (the model width), so the later
// sweeps hit the cache. (On SwiftShader every access is a bounds-checked
// per-lane gather or scatter, which is most of these kernels' time there:
// 3x less on a device without robustness.)
override ROWS: u32;
override C: u32;
override EPS: f32 = 0.001;
/** Threads per row of the 2-D grid. */
override ROW: u32;
override WG: u32 = 64;

@group(0) @binding(0) var<storage, read> x: array<f32>;
// #if FORWARD
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
// #endif
// #if DX
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
// #endif
// #if STATS
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
// #endif

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x + gid.y * ROW;
  if (r >= ROWS) { return; }
  let base = r * C;
  let inv_c = 1.0 / f32(C);
  // Welford's running mean and sum of squared deviations: one sweep, and no
  // cancellation when |mean| >> std (as a sum of squares minus the squared
  // sum would have).
  var mean = 0.0;
  var m2 = 0.0;
  for (var j = 0u; j < C; j++) {
    let xj = x[base + j];
    let d = xj - mean;
    mean += d / f32(j + 1u);
    m2 += d * (xj - mean);
  }
  let rstd = inverseSqrt(m2 * inv_c + EPS);
// #if FORWARD
  for (var j = 0u; j < C; j++) { out[base + j] = (x[base + j] - mean) * rstd * gamma[j] + beta[j]; }
// #endif
// #if DX
  var sg = 0.0;
  var sgx = 0.0;
  for (var j = 0u; j < C; j++) {
    let g = dy[base + j] * gamma[j];
    sg += g;
    sgx += g * (x[base + j] - mean) * rstd;
  }
  let mg = sg * inv_c;
  let mgx = sgx * inv_c;
  for (var j = 0u; j < C; j++) {
    let xhat = (x[base + j] - mean) * rstd;
    out[base + j] = rstd * (dy[base + j] * gamma[j] - mg - xhat * mgx);
  }
// #endif
// #if STATS
  out[2u * r] = mean;
  out[2u * r + 1u] = rstd;
// #endif
}
