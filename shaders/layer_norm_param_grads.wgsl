// Layer normalization, gradients of its parameters: column sums over rows
//   out[0, j] = dgamma_j = sum_r dy[r, j] * xhat[r, j],  xhat = (x - mean_r) * rstd_r
//   out[1, j] = dbeta_j  = sum_r dy[r, j]
// one kernel writing both, as [2, C], since they share every load of dy.
// Layout: x and dy [ROWS, C] row-major, stats [ROWS, 2] = (mean, rstd) per
// row (the STATS kernel of layer_norm_rows.wgsl), out [2, C].
// Bindings: x (read), dy (read), stats (read), out (write).
// Mapping: one thread per column j = gid.x + gid.y * ROW, walking every row
// (neighbouring threads read neighbouring columns: coalesced on GPUs);
// barrier-free. A column is a sum of ROWS terms in f32.
override ROWS: u32;
override C: u32;
/** Threads per row of the 2-D grid. */
override ROW: u32;
override WG: u32 = 64;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x + gid.y * ROW;
  if (j >= C) { return; }
  var dg = 0.0;
  var db = 0.0;
  for (var r = 0u; r < ROWS; r++) {
    let g = dy[r * C + j];
    dg += g * (x[r * C + j] - stats[2u * r]) * stats[2u * r + 1u];
    db += g;
  }
  out[j] = dg;
  out[C + j] = db;
}
