// conv2d backward to the input at stride and dilation 1, on CPU drivers:
// the gather of conv2d_backprop_input.wgsl with each dy value loaded once
// per filter row instead of once per tap.
//   dx[n, iy, ix, ci] = sum over (ky, kx, co) of dy[n, iy + PT - ky, ix + PL - kx, co] * f[ky, kx, ci, co]
// Layout: dy [N, OH, OW, COUT], f [KH, KW, CIN, COUT], dx [N, H, W, CIN].
// Bindings: dy (read), f (read), dx (write).
// Mapping: thread t takes channel block t % CB (CV groups of 4 input
// channels from (t % CB) * 4 CV) and PX consecutive pixels of one image
// row (row t / CB / XB of the N * H rows, pixels from (t / CB % XB) * PX),
// with one accumulator per pixel and group. For a filter row ky and an
// output channel co, the PX + KW - 1 dy values its pixels meet along x are
// loaded once (a segment, zero outside dy) and each tap kx reads them
// shifted: pixel p takes segment value p + KW - 1 - kx. Loads of dy per
// multiply-add: (PX + KW - 1) / (PX * KW * 4 CV), against 1 / (4 CV) in the
// generic kernel.
// Unrolled lines: `$p` for pixels p = 0 .. PX-1, `$v` for channel groups
// v = 0 .. CV-1, `$j` for segment values j = 0 .. SEG-1, `$k` for taps
// k = 0 .. KW-1. {{ACC}} is the accumulator type (f32 for one channel, else
// vec4f), {{TAP}} group v's weights of tap k for channel co,
// {{ACCUMULATE}} the multiply-adds and {{LANE}} channel c of accumulator k
// (src/ops/conv.ts).
{{GEOMETRY}}
/** Pixel blocks per image row: ceil(W / PX). */
override XB: u32;
/** Channel blocks: ceil(CIN / (4 CV)). */
override CB: u32;
override ROW: u32;

const PX = {{PX}}u;
const CV = {{CV}}u;
const KW = {{KW}};

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x + gid.y * ROW;
  let ci0 = (t % CB) * 4u * CV;
  let row = t / CB / XB;
  if (row >= N * u32(H)) { return; }
  let n = row / u32(H);
  let iy = i32(row % u32(H));
  let ix0 = (t / CB % XB) * PX;
  // Channel group v: four filter rows (input channels, clamped), as offsets f[.., ci, 0].
  let rowoff$v = min(vec4u(ci0 + 4u * $vu) + vec4u(0u, 1u, 2u, 3u), vec4u(CIN - 1u)) * COUT;
  // Segment value j: dy column ox0 + j, clamped for its load and masked to zero outside dy.
  let ox0 = i32(ix0) + PL - (KW - 1);
  let col$j = u32(clamp(ox0 + $j, 0, OW - 1)) * COUT;
  let m$j = select(0.0, 1.0, ox0 + $j >= 0 && ox0 + $j < OW);
  var acc$p_$v = {{ACC}}(0.0);

  for (var ky = 0; ky < KH; ky++) {
    let oy = iy + PT - ky;
    if (oy < 0 || oy >= OH) { continue; }
    let base = (n * u32(OH) + u32(oy)) * u32(OW) * COUT;
    // Filter offsets of the row's taps, at channel 0 of output channel 0.
    let fk$k = u32(ky * KW + $k) * CIN * COUT;
    for (var co = 0u; co < COUT; co++) {
      let s$j = dy[base + col$j + co] * m$j;
      let w$k_$v = {{TAP}};
{{ACCUMULATE}}
    }
  }

  let out = row * u32(W) * CIN;
  var accs: array<{{ACC}}, PX * CV>;
  accs[$p * CV + $v] = acc$p_$v;
  for (var k = 0u; k < PX * CV; k++) {
    let ix = ix0 + k / CV;
    let c0 = ci0 + 4u * (k % CV);
    if (ix >= u32(W)) { break; }
    for (var c = 0u; c < min(4u, CIN - min(c0, CIN)); c++) {
      dx[out + ix * CIN + c0 + c] = {{LANE}};
    }
  }
}
