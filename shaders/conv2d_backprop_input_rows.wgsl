// conv2d backward to the input for few input channels (at most 4) at stride
// and dilation 1, on CPU drivers: the gather of conv2d_backprop_input.wgsl
// with each dy value loaded once per filter row instead of once per tap.
//   dx[n, iy, ix, ci] = sum over (ky, kx, co) of dy[n, iy + PT - ky, ix + PL - kx, co] * f[ky, kx, ci, co]
// Layout: dy [N, OH, OW, COUT], f [KH, KW, CIN, COUT], dx [N, H, W, CIN].
// Bindings: dy (read), f (read), dx (write).
// Mapping: one thread owns PX consecutive pixels of one image row (thread t:
// row t / XB of the N * H rows, pixels from (t % XB) * PX), with one
// accumulator of CIN channels each. For a filter row ky and an output
// channel co, the PX + KW - 1 dy values its pixels meet along x are loaded
// once (a segment, zero outside dy) and each tap kx reads them shifted:
// pixel p takes segment value p + KW - 1 - kx. With one input channel the
// generic kernel spent a dy load per multiply-add; here it is
// (PX + KW - 1) / (PX * KW).
// Unrolled lines: `$p` for pixels p = 0 .. PX-1, `$j` for segment values
// j = 0 .. SEG-1, `$k` for taps k = 0 .. KW-1. {{ACC}} is the accumulator type
// (f32 for one channel, else vec4f), {{TAP}} a tap's weights for channel
// co at filter offset fk$k, {{ACCUMULATE}} the multiply-adds and {{LANE}}
// channel c of pixel p's accumulator (src/ops/conv.ts).
override N: u32;
override H: u32;
override W: u32;
override CIN: u32;
override KH: i32;
override COUT: u32;
override OH: i32;
override OW: i32;
override PT: i32;
override PL: i32;
/** Pixel blocks per image row: ceil(W / PX). */
override XB: u32;
override ROW: u32;

const PX = {{PX}}u;
const KW = {{KW}};

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x + gid.y * ROW;
  let row = t / XB;
  if (row >= N * H) { return; }
  let n = row / H;
  let iy = i32(row % H);
  let ix0 = (t % XB) * PX;
  // Segment value j: dy column ox0 + j, clamped for its load and masked to zero outside dy.
  let ox0 = i32(ix0) + PL - (KW - 1);
  let col$j = u32(clamp(ox0 + $j, 0, OW - 1)) * COUT;
  let m$j = select(0.0, 1.0, ox0 + $j >= 0 && ox0 + $j < OW);
  var acc$p = {{ACC}}(0.0);

  for (var ky = 0; ky < KH; ky++) {
    let oy = iy + PT - ky;
    if (oy < 0 || oy >= OH) { continue; }
    let base = (n * u32(OH) + u32(oy)) * u32(OW) * COUT;
    // Filter offsets of the row's taps, at channel 0 of output channel 0.
    let fk$k = u32(ky * KW + $k) * CIN * COUT;
    for (var co = 0u; co < COUT; co++) {
      let s$j = dy[base + col$j + co] * m$j;
      let w$k = {{TAP}};
{{ACCUMULATE}}
    }
  }

  let out = row * W * CIN;
  var accs: array<{{ACC}}, PX>;
  accs[$p] = acc$p;
  for (var p = 0u; p < PX; p++) {
    let ix = ix0 + p;
    if (ix >= W) { break; }
    for (var c = 0u; c < CIN; c++) {
      dx[out + ix * CIN + c] = {{LANE}};
    }
  }
}
