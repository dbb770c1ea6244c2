// conv2d forward for convolutions whose windows all lie inside the image
// (no padding taken) and that read few values per window (a first layer:
// 3x3 on 1-3 channels), on CPU drivers. The same implicit GEMM and block as
// conv2d.wgsl, but every tap and input channel is unrolled (no loop at all)
// and nothing is masked: on SwiftShader every loop iteration merges every
// live accumulator under the lane mask, which a one-channel inner loop pays
// at each of the 9 taps of a 3x3 filter for one multiply-add per value.
// Layout and bindings as conv2d.wgsl: x [N, H, W, CIN], f [KH, KW, CIN, COUT],
// y [N, OH, OW, COUT]; x (read), f (read), y (write).
// Unrolled lines: `$y` and `$k` for the filter taps (ky, kx), `$c` for the
// input channels, `$p` for the PX pixels, `$v` for the CV channel groups
// (unroll() in src/ops/kernel.ts; a line holding several is repeated for
// every combination); {{W}} loads the filter columns of group v.
override N: u32;
override H: i32;
override W: i32;
override CIN: u32;
override KW: i32;
override COUT: u32;
override OH: u32;
override OW: u32;
override SH: i32;
override SW: i32;
override DH: i32;
override DW: i32;
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
  let pixels = N * OH * OW;
  let p0 = (t / CB) * PX;
  let co0 = (t % CB) * 4u * CV;
  if (p0 >= pixels) { return; }

  // Pixel p of the block (clamped): the offset in x of its window's top-left cell.
  let pix$p = min(p0 + $pu, pixels - 1u);
  let corner$p = (pix$p / (OH * OW)) * u32(H * W) * CIN + u32(i32((pix$p / OW) % OH) * SH * W + i32(pix$p % OW) * SW) * CIN;
  // Channel group v: four filter columns (clamped).
  let col$v = min(vec4u(co0 + 4u * $vu) + vec4u(0u, 1u, 2u, 3u), vec4u(COUT - 1u));
  var acc$p_$v = vec4f(0.0);

  let row$y_$p = corner$p + u32($y * DH * W) * CIN;
  let a$y_$k_$c_$p = x[row$y_$p + u32($k * DW) * CIN + $cu];
  let w$y_$k_$c_$v = {{W}};
  acc$p_$v += a$y_$k_$c_$p * w$y_$k_$c_$v;

  // One store loop rather than PX * CV unrolled stores (see conv2d.wgsl).
  var accs: array<vec4f, PX * CV>;
  accs[$p * CV + $v] = acc$p_$v;
  for (var k = 0u; k < PX * CV; k++) {
    if (p0 + k / CV < pixels) { store(p0 + k / CV, co0 + 4u * (k % CV), accs[k]); }
  }
}
