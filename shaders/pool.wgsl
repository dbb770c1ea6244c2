// Max and average pooling forward, channels-last.
// Layout: x [N, H, W, C] -> y [N, OH, OW, C], row-major, read in units of T:
// vec4f (4 channels) when C % 4 == 0, else f32; CT = channels / units.
// Output cell (oy, ox) pools the input cells iy in [oy * SH - PT, + PH),
// ix in [ox * SW - PL, + PW) that lie inside the image (padding takes no
// part; every window holds at least one image cell).
// Bindings: x (read), y (write).
// Mapping: each thread computes PER consecutive units of y (flattened n,
// oy, ox, channel unit), thread index = gid.x + gid.y * ROW.
// Templated: {{TYPES}} declares alias T; {{INIT}} is the accumulator's start
// given `first` (the window's first cell), {{COMBINE}} folds a cell `v` into
// `acc`, {{FINISH}} turns `acc` and `count` (cells in the window) into the
// output.
{{GEOMETRY}}
/** Units of y: N * OH * OW * CT. */
override COUNT: u32;
override ROW: u32;
override PER: u32 = 4u;

{{TYPES}}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> y: array<T>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let start = (gid.x + gid.y * ROW) * PER;
  for (var k = 0u; k < PER; k++) {
    let i = start + k;
    if (i >= COUNT) { return; }
    let c = i % CT;
    let q = i / CT;
    let top = i32((q / u32(OW)) % u32(OH)) * SH - PT;
    let left = i32(q % u32(OW)) * SW - PL;
    let y0 = max(top, 0);
    let y1 = min(top + PH, H);
    let x0 = max(left, 0);
    let x1 = min(left + PW, W);
    let base = (q / u32(OW * OH)) * u32(H * W) * CT + c;
    let first = x[base + u32(y0 * W + x0) * CT];
    var acc = {{INIT}};
    for (var iy = y0; iy < y1; iy++) {
      for (var ix = x0; ix < x1; ix++) {
        let v = x[base + u32(iy * W + ix) * CT];
        acc = {{COMBINE}};
      }
    }
    let count = f32((y1 - y0) * (x1 - x0));
    y[i] = {{FINISH}};
  }
}
