// Average pooling backward: each window's dy is shared equally by the cells
// of the window inside the image (the count the forward pass divided by).
// A gather: one thread per input unit sums dy / count over the windows that
// contain it (no atomics, no scatter).
// Layout: dy [N, OH, OW, C] -> dx [N, H, W, C], read in units of T: vec4f
// (4 channels) when C % 4 == 0, else f32; CT = channels / units. Windows as
// in pool.wgsl.
// Bindings: dy (read), dx (write).
// Mapping: each thread computes PER consecutive units of dx, thread index =
// gid.x + gid.y * ROW; COUNT = units of dx. Templated: {{TYPES}} declares
// alias T.
{{GEOMETRY}}
override COUNT: u32;
override ROW: u32;
override PER: u32 = 4u;

{{TYPES}}

@group(0) @binding(0) var<storage, read> dy: array<T>;
@group(0) @binding(1) var<storage, read_write> dx: array<T>;

/** Cells of window o (rows or columns) inside [0, size): the window starts at o * stride - pad. */
fn inside(o: i32, stride: i32, pad: i32, k: i32, size: i32) -> i32 {
  let start = o * stride - pad;
  return min(start + k, size) - max(start, 0);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let start = (gid.x + gid.y * ROW) * PER;
  for (var k = 0u; k < PER; k++) {
    let i = start + k;
    if (i >= COUNT) { return; }
    let c = i % CT;
    let q = i / CT;
    let ix = i32(q % u32(W));
    let iy = i32((q / u32(W)) % u32(H));
    let n = q / u32(W * H);
    // Windows containing (iy, ix): oy * SH - PT <= iy < oy * SH - PT + PH.
    let ay = iy + PT - PH + 1;
    let ax = ix + PL - PW + 1;
    let oy0 = select(0, (ay + SH - 1) / SH, ay > 0);
    let ox0 = select(0, (ax + SW - 1) / SW, ax > 0);
    let oy1 = min((iy + PT) / SH, OH - 1);
    let ox1 = min((ix + PL) / SW, OW - 1);
    var s = T(0.0);
    for (var oy = oy0; oy <= oy1; oy++) {
      let rows = inside(oy, SH, PT, PH, H);
      for (var ox = ox0; ox <= ox1; ox++) {
        let cols = inside(ox, SW, PL, PW, W);
        s += dy[((n * u32(OH) + u32(oy)) * u32(OW) + u32(ox)) * CT + c] / f32(rows * cols);
      }
    }
    dx[i] = s;
  }
}
