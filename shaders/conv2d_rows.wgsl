// conv2d forward at stride and dilation 1, on CPU drivers: the kernel of
// conv2d.wgsl with each input value loaded once per filter row instead of
// once per tap.
//   y[n, oy, ox, co] = sum over (ky, kx, ci) of x[n, oy - PT + ky, ox - PL + kx, ci] * f[ky, kx, ci, co]
// Layout: x [N, H, W, CIN], f [KH, KW, CIN, COUT], y [N, OH, OW, COUT].
// Bindings: x (read), f (read), y (write), then the epilogue's.
// Mapping: thread t takes channel block t % CB (CV groups of 4 output
// channels from (t % CB) * 4 CV) and PX consecutive pixels of one output
// row (row t / CB / XB of the N * OH rows, pixels from (t / CB % XB) * PX),
// with one vec4 accumulator per pixel and group. For a filter row ky and an
// input channel ci, the PX + KW - 1 input values its pixels meet along x are
// loaded once (a segment, zero in the padding) and each tap kx reads them
// shifted: pixel p takes segment value p + kx. Loads of x per multiply-add:
// (PX + KW - 1) / (PX * KW * 4 CV), against 1 / (4 CV) in conv2d.wgsl.
// Unrolled lines: `$p` for pixels p = 0 .. PX-1, `$v` for channel groups
// v = 0 .. CV-1, `$j` for segment values j = 0 .. SEG-1, `$k` for taps
// k = 0 .. KW-1. {{TAP}} is group v's weights of tap k for channel ci,
// {{ACCUMULATE}} the multiply-adds (src/ops/conv.ts); {{EPILOGUE}} defines
// epilogue(v, i) for each value stored at flat index i (src/ops/fused.ts).
{{GEOMETRY}}
/** Pixel blocks per output row: ceil(OW / PX). */
override XB: u32;
/** Channel blocks: ceil(COUT / (4 CV)). */
override CB: u32;
override ROW: u32;

const PX = {{PX}}u;
const CV = {{CV}}u;
const KW = {{KW}};

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

{{EPILOGUE}}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x + gid.y * ROW;
  let co0 = (t % CB) * 4u * CV;
  let row = t / CB / XB;
  if (row >= N * u32(OH)) { return; }
  let n = row / u32(OH);
  let oy = i32(row % u32(OH));
  let ox0 = (t / CB % XB) * PX;
  // Channel group v: four filter columns (output channels, clamped).
  let col$v = min(vec4u(co0 + 4u * $vu) + vec4u(0u, 1u, 2u, 3u), vec4u(COUT - 1u));
  // Segment value j: input column ix0 + j, clamped for its load and masked to zero in the padding.
  let ix0 = i32(ox0) - PL;
  let cell$j = u32(clamp(ix0 + $j, 0, W - 1)) * CIN;
  let m$j = select(0.0, 1.0, ix0 + $j >= 0 && ix0 + $j < W);
  var acc$p_$v = vec4f(0.0);

  for (var ky = 0; ky < KH; ky++) {
    let iy = oy - PT + ky;
    if (iy < 0 || iy >= H) { continue; }
    let base = (n * u32(H) + u32(iy)) * u32(W) * CIN;
    // Filter offsets of the row's taps, at input channel 0.
    let fk$k = u32(ky * KW + $k) * CIN * COUT;
    for (var ci = 0u; ci < CIN; ci++) {
      let s$j = x[base + cell$j + ci] * m$j;
      let w$k_$v = {{TAP}};
{{ACCUMULATE}}
    }
  }

  let out = row * u32(OW);
  var accs: array<vec4f, PX * CV>;
  accs[$p * CV + $v] = acc$p_$v;
  for (var k = 0u; k < PX * CV; k++) {
    let ox = ox0 + k / CV;
    let c0 = co0 + 4u * (k % CV);
    if (ox >= u32(OW)) { break; }
    for (var c = 0u; c < min(4u, COUT - min(c0, COUT)); c++) {
      let i = (out + ox) * COUT + c0 + c;
      y[i] = epilogue(accs[k][c], i);
    }
  }
}
