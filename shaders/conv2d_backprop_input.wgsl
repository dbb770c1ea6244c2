// conv2d backward to the input, as a gather (no atomics, no scatter):
//   dx[n, iy, ix, ci] = sum over taps (ky, kx) and co of dy[n, oy, ox, co] * f[ky, kx, ci, co]
// where (oy, ox) is the output pixel whose window puts tap (ky, kx) on
// (iy, ix): oy = (iy + PT - ky * DH) / SH when that divides exactly and lies
// in [0, OH), likewise ox. This is the transposed convolution of dy with the
// flipped filter, read in place.
// Layout: dy [N, OH, OW, COUT], f [KH, KW, CIN, COUT], dx [N, H, W, CIN].
// Bindings: dy (read), f (read), dx (write).
// Mapping: as conv2d.wgsl with the roles of x and y swapped: one thread owns
// PX consecutive input pixels (flattened over n, iy, ix) x CV groups of 4
// consecutive input channels, PX * CV vec4 accumulators, barrier-free;
// thread t = gid.x + gid.y * ROW takes channel block t % CB and pixel block
// t / CB. Taps that fall between strided outputs or outside dy are masked
// to zero, and skipped when they do for every pixel of the block.
// Unrolled lines: a line holding `$p` is repeated for p = 0 .. PX-1, one
// holding `$v` for v = 0 .. CV-1 (both: every pair), the index substituted.
// {{W}} loads the filter columns of group v (only those that exist when CIN < 4).
{{GEOMETRY}}
/** Channel blocks: ceil(CIN / (4 CV)). */
override CB: u32;
override ROW: u32;

const PX = {{PX}}u;
const CV = {{CV}}u;

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

/** Writes the channels col .. col + 3 of one input pixel that exist. */
fn store(pixel: u32, col: u32, v: vec4f) {
  for (var j = 0u; j < 4u; j++) {
    if (col + j < CIN) { dx[pixel * CIN + col + j] = v[j]; }
  }
}

/** Output coordinate o that puts a tap on input coordinate i (t = i + pad - tap offset), and whether there is one. */
fn source(t: i32, stride: i32, size: i32) -> vec2i {
  let o = t / stride;
  return vec2i(clamp(o, 0, size - 1), select(0, 1, (t >= 0) & (t % stride == 0) & (o < size)));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x + gid.y * ROW;
  let pixels = N * u32(H * W);
  let p0 = (t / CB) * PX;
  let ci0 = (t % CB) * 4u * CV;
  if (p0 >= pixels) { return; }

  // Pixel p of the block (clamped): its image's offset in dy, its cell shifted by the padding.
  let pix$p = min(p0 + $pu, pixels - 1u);
  let img$p = (pix$p / u32(H * W)) * u32(OH * OW) * COUT;
  let ty$p = i32((pix$p / u32(W)) % u32(H)) + PT;
  let tx$p = i32(pix$p % u32(W)) + PL;
  // Channel group v: four filter rows (input channels, clamped), as offsets f[.., ci, 0].
  let row$v = min(vec4u(ci0 + 4u * $vu) + vec4u(0u, 1u, 2u, 3u), vec4u(CIN - 1u)) * COUT;
  var acc$p_$v = vec4f(0.0);

  for (var ky = 0; ky < KH; ky++) {
    for (var kx = 0; kx < KW; kx++) {
      // Pixel p at this tap: the output pixel it came from (if any) and its offset in dy.
      let sy$p = source(ty$p - ky * DH, SH, OH);
      let sx$p = source(tx$p - kx * DW, SW, OW);
      let m$p = f32(sy$p.y * sx$p.y);
      let go$p = img$p + u32(sy$p.x * OW + sx$p.x) * COUT;
      var inside = 0.0;
      inside += m$p;
      if (inside == 0.0) { continue; }
      let fo = u32(ky * KW + kx) * CIN * COUT;
      let fr$v = row$v + vec4u(fo);
      for (var co = 0u; co < COUT; co++) {
        let w$v = {{W}};
        let a$p = dy[go$p + co] * m$p;
        acc$p_$v += a$p * w$v;
      }
    }
  }

  // One store loop rather than PX * CV unrolled stores: as fast, and SwiftShader
  // compiled the kernel 2.3-3.5x faster (each store inlines the epilogue).
  var accs: array<vec4f, PX * CV>;
  accs[$p * CV + $v] = acc$p_$v;
  for (var k = 0u; k < PX * CV; k++) {
    if (p0 + k / CV < pixels) { store(p0 + k / CV, ci0 + 4u * (k % CV), accs[k]); }
  }
}
