// conv2d backward to the filter:
//   df[ky, kx, ci, co] = sum over n, oy, ox of x[n, iy, ix, ci] * dy[n, oy, ox, co]
// with (iy, ix) = (oy * SH - PT + ky * DH, ox * SW - PL + kx * DW) (zero outside).
// A GEMM whose inner dimension is every output pixel: few outputs, a long
// sum. Rows r = (ky, kx, ci) flattened (R = KH * KW * CIN), columns co.
// Layout: x [N, H, W, CIN], dy [N, OH, OW, COUT], df [KH, KW, CIN, COUT].
// Bindings: x (read), dy (read), df (write).
// Mapping, two modes filled in by src/ops/conv.ts:
//   split (GPUs): one workgroup owns a block of RX rows x CV groups of 4
//     columns of df (block b = wid.x + wid.y * GX takes column block b % CB
//     and row block b / CB). Its WG threads split the sum: thread l walks
//     the output rows (n, oy) = l, l + WG, ... and every ox in them, keeping
//     RX * CV vec4 partial sums in registers; at the end one barrier, and
//     the threads add the WG partials of each output. The split gives a GPU
//     enough threads when df is small (9 x 32 for a 3 x 3 first layer).
//   whole (CPU drivers): thread b = gid.x + gid.y * GX owns block b and
//     walks the whole sum, then stores its block: no workgroup memory and no
//     barrier, which SwiftShader compiles 7-10x faster (a barrier makes the
//     whole kernel a coroutine) and runs as fast; two cores need few threads.
// Templated: {{ENTRY}} the entry point's signature and block index b,
// {{FIRST}} / {{STEP}} the output rows a thread walks, {{SHARED}} and
// {{FINISH}} the workgroup memory and the end of the kernel.
// Unrolled lines: a line holding `$r` is repeated for r = 0 .. RX-1, one
// holding `$v` for v = 0 .. CV-1 (both: every pair), the index substituted.
{{GEOMETRY}}
/** Rows of df: KH * KW * CIN. */
override R: u32;
/** Row blocks ceil(R / RX), column blocks ceil(COUT / (4 CV)), workgroups per row of the grid. */
override RB: u32;
override CB: u32;
override GX: u32;

const RX = {{RX}}u;
const CV = {{CV}}u;
const WG = {{WG}}u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> df: array<f32>;

{{SHARED}}

{{ENTRY}}
  if (b >= RB * CB) { return; }
  let r0 = (b / CB) * RX;
  let co0 = (b % CB) * 4u * CV;

  // Row r of the block (clamped): its input channel and tap offsets.
  let row$r = min(r0 + $ru, R - 1u);
  let ci$r = row$r % CIN;
  let offY$r = i32(row$r / CIN / u32(KW)) * DH - PT;
  let offX$r = i32(row$r / CIN % u32(KW)) * DW - PL;
  // Column group v: four output channels (clamped).
  let col$v = min(vec4u(co0 + 4u * $vu) + vec4u(0u, 1u, 2u, 3u), vec4u(COUT - 1u));
  var acc$r_$v = vec4f(0.0);

  for (var line = {{FIRST}}; line < N * u32(OH); line += {{STEP}}) {
    let n = line / u32(OH);
    let oy = i32(line % u32(OH)) * SH;
    // Row r on this output row: 1 if its input row is inside the image, the x offset of that row.
    let cy$r = oy + offY$r;
    let my$r = select(0.0, 1.0, (cy$r >= 0) & (cy$r < H));
    let xr$r = (n * u32(H) + u32(clamp(cy$r, 0, H - 1))) * u32(W);
    var go = line * u32(OW) * COUT;
    for (var ox = 0u; ox < u32(OW); ox++) {
      let g$v = vec4f(dy[go + col$v.x], dy[go + col$v.y], dy[go + col$v.z], dy[go + col$v.w]);
      let cx$r = i32(ox) * SW + offX$r;
      let a$r = x[(xr$r + u32(clamp(cx$r, 0, W - 1))) * CIN + ci$r] * select(0.0, my$r, (cx$r >= 0) & (cx$r < W));
      acc$r_$v += a$r * g$v;
      go += COUT;
    }
  }
{{FINISH}}
}
