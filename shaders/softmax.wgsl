// Softmax along the last axis and the losses built on it, numerically
// stable: each row's maximum is subtracted before exponentiating, and the
// cross-entropy never forms softmax(z) itself, so large logits cannot
// overflow.
// Layout: x (values or logits) and labels are [ROWS, C] row-major; out is
// [ROWS, C] (softmax, log_softmax) or [ROWS] (softmax_xent).
// Bindings: x (read), labels (read), out (write); each entry point binds
// what it uses.
// Entry points, one thread per row (rows are many and short in classifiers;
// no barriers), row index = gid.x + gid.y * ROW:
//   softmax       out = exp(x - m) / s, m the row maximum, s = sum exp(x - m);
//                 with LOG, out = log softmax = x - m - log(s)
//   softmax_xent  out[r] = sum_j labels[r, j] (logsumexp(x[r, :]) - x[r, j])
//                 = -sum_j labels log softmax(x)
override WG: u32 = 64;
override ROWS: u32;
override C: u32;
override ROW: u32;
override LOG: bool = false;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

/** The row starting at `base`: its maximum m and s = sum of exp(x - m). */
fn max_and_sum(base: u32) -> vec2f {
  var m = x[base];
  for (var j = 1u; j < C; j++) { m = max(m, x[base + j]); }
  var s = 0.0;
  for (var j = 0u; j < C; j++) { s += exp(x[base + j] - m); }
  return vec2f(m, s);
}

/** log sum exp of the row starting at `base`. */
fn logsumexp(base: u32) -> f32 {
  let ms = max_and_sum(base);
  return ms.x + log(ms.y);
}

@compute @workgroup_size(WG)
fn softmax(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x + gid.y * ROW;
  if (r >= ROWS) { return; }
  let base = r * C;
  let ms = max_and_sum(base);
  let inv = 1.0 / ms.y;
  let ls = log(ms.y);
  for (var j = 0u; j < C; j++) {
    let d = x[base + j] - ms.x;
    out[base + j] = select(exp(d) * inv, d - ls, LOG);
  }
}

@compute @workgroup_size(WG)
fn softmax_xent(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x + gid.y * ROW;
  if (r >= ROWS) { return; }
  let lse = logsumexp(r * C);
  let base = r * C;
  var l = 0.0;
  for (var j = 0u; j < C; j++) { l += labels[base + j] * (lse - x[base + j]); }
  out[r] = l;
}
