// Softmax / log-softmax along the last axis, numerically stable: the row
// maximum is subtracted before exponentiating.
// Layout: x and out are [ROWS, C] row-major. Bindings: x (read), out (write).
// Mapping: one thread per row, index = gid.x + gid.y * ROW (rows are many and
// short in classifiers; no barriers needed).
override WG: u32 = 64;
override ROWS: u32;
override C: u32;
override ROW: u32;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x + gid.y * ROW;
  if (r >= ROWS) { return; }
  let base = r * C;
  var m = x[base];
  for (var j = 1u; j < C; j++) { m = max(m, x[base + j]); }
  var s = 0.0;
  for (var j = 0u; j < C; j++) { s += exp(x[base + j] - m); }
  {{WRITE}}
}
