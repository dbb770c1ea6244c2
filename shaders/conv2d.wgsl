// conv2d forward, direct: an implicit GEMM (rows = output pixels, columns =
// output channels, inner dimension = filter taps x input channels) that
// reads x and the filter in place (no im2col buffer), register-blocked and
// barrier-free.
// Layout: x [N, H, W, CIN], f [KH, KW, CIN, COUT], y [N, OH, OW, COUT], all
// row-major. Output pixel (oy, ox) reads input cell
//   (oy * SH - PT + ky * DH, ox * SW - PL + kx * DW); cells outside are zero.
// Bindings: x (read), f (read), y (write).
// Mapping: one thread owns PX consecutive output pixels (flattened over n,
// oy, ox) x CV groups of 4 consecutive output channels, PX * CV vec4
// accumulators in registers: per input channel PX + 4 CV loads feed
// 4 PX CV multiply-adds (on CPU drivers a load costs far more than the
// arithmetic, so the blocks are large there). Thread t = gid.x + gid.y * ROW
// (a 2-D grid keeps each dimension under 65535 workgroups) takes channel
// block t % CB and pixel block t / CB. Pixels and channels past the end are
// clamped on read and skipped on write; taps in the padding are masked to
// zero, and skipped when they are for every pixel of the block.
// Unrolled lines: a line holding `$p` is repeated for p = 0 .. PX-1, one
// holding `$v` for v = 0 .. CV-1 (both: every pair), the index substituted
// (unroll() in src/ops/conv.ts); {{PX}} and {{CV}} are the block sizes, {{W}}
// loads the filter columns of group v (only those that exist when COUT < 4).
// {{EPILOGUE}} defines epilogue(v, i), applied to each value stored at flat
// index i: the identity, or a fused elementwise chain such as bias + relu.
// UNROLLED (sections() in src/ops/kernel.ts; unpaddedFewValues() in
// src/ops/conv.ts picks it on CPU drivers for windows that take no padding
// and read few values, i.e. first layers): no loop at all, every tap (`$y`,
// `$k`) and input channel (`$c`) unrolled and nothing masked. On SwiftShader
// each loop iteration merges every live accumulator under the lane mask,
// which a one-channel inner loop pays at each tap for one multiply-add per
// value.
// Conditions use `&`, never `&&`: a short-circuit operator is a branch, and
// with every accumulator live across it SwiftShader took 15 s instead of
// 0.5 s to compile this kernel (8 x 8 block).
{{GEOMETRY}}
/** Channel blocks: ceil(COUT / (4 CV)). */
override CB: u32;
/** Threads per row of the 2-D grid. */
override ROW: u32;

const PX = {{PX}}u;
const CV = {{CV}}u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

{{EPILOGUE}}

/** Writes the channels col .. col + 3 of one output pixel that exist. */
fn store(pixel: u32, col: u32, v: vec4f) {
  for (var j = 0u; j < 4u; j++) {
    if (col + j < COUT) { y[pixel * COUT + col + j] = epilogue(v[j], pixel * COUT + col + j); }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x + gid.y * ROW;
  let pixels = N * u32(OH * OW);
  let p0 = (t / CB) * PX;
  let co0 = (t % CB) * 4u * CV;
  if (p0 >= pixels) { return; }

  // Pixel p of the block (clamped): its image's offset in x, the top-left input cell of its window.
  let pix$p = min(p0 + $pu, pixels - 1u);
  let img$p = (pix$p / u32(OH * OW)) * u32(H * W) * CIN;
  let iy$p = i32((pix$p / u32(OW)) % u32(OH)) * SH - PT;
  let ix$p = i32(pix$p % u32(OW)) * SW - PL;
  // Channel group v: four filter columns (clamped).
  let col$v = min(vec4u(co0 + 4u * $vu) + vec4u(0u, 1u, 2u, 3u), vec4u(COUT - 1u));
  var acc$p_$v = vec4f(0.0);

// #if UNROLLED
  let row$y_$p = img$p + u32((iy$p + $y * DH) * W + ix$p) * CIN;
  let a$y_$k_$c_$p = x[row$y_$p + u32($k * DW) * CIN + $cu];
  let w$y_$k_$c_$v = {{W}};
  acc$p_$v += a$y_$k_$c_$p * w$y_$k_$c_$v;
// #endif
// #if !UNROLLED
  for (var ky = 0; ky < KH; ky++) {
    // Pixel p on this filter row: 1 if its input row is inside the image, the offset of that row in x.
    let cy$p = iy$p + ky * DH;
    let my$p = select(0.0, 1.0, (cy$p >= 0) & (cy$p < H));
    let row$p = img$p + u32(clamp(cy$p, 0, H - 1) * W) * CIN;
    for (var kx = 0; kx < KW; kx++) {
      // Pixel p at this tap: 1 inside the image, 0 in the padding; the offset of its channel 0 in x.
      let cx$p = ix$p + kx * DW;
      let m$p = select(0.0, my$p, (cx$p >= 0) & (cx$p < W));
      let xo$p = row$p + u32(clamp(cx$p, 0, W - 1)) * CIN;
      var inside = 0.0;
      inside += m$p;
      if (inside == 0.0) { continue; }
      var fo = u32(ky * KW + kx) * CIN * COUT;
      for (var ci = 0u; ci < CIN; ci++) {
        let w$v = {{W}};
        let a$p = x[xo$p + ci] * m$p;
        acc$p_$v += a$p * w$v;
        fo += COUT;
      }
    }
  }
// #endif

  // One store loop rather than PX * CV unrolled stores: as fast, and SwiftShader
  // compiled the kernel 2.3-3.5x faster (each store inlines the epilogue).
  var accs: array<vec4f, PX * CV>;
  accs[$p * CV + $v] = acc$p_$v;
  for (var k = 0u; k < PX * CV; k++) {
    if (p0 + k / CV < pixels) { store(p0 + k / CV, co0 + 4u * (k % CV), accs[k]); }
  }
}
