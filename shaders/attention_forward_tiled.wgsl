// Scaled dot-product attention, forward, workgroup-tiled for GPUs
// (FlashAttention-2's loop order): the same online softmax as
// attention_forward_rows.wgsl, with each tile of BK keys and values staged
// in workgroup memory once for the whole workgroup.
//   out_i = sum_j softmax_j(SCALE q_i . k_j + mask) v_j
// Layout: q [B, TQ, H, D], k and v [B, TK, H, D], out [B, TQ, H, D], all
// row-major f32.
// Bindings: q (read), k (read), v (read), out (write).
// Mapping: workgroup w = wid.x + wid.y * GX (a 2-D grid of workgroups, past
// 65535) takes the WG query rows first .. first + WG - 1 of one (batch,
// head): w = (n * H + h) * QT + tile, first = tile * WG; thread lid takes
// row first + lid, with its q (pre-scaled) and output accumulator in
// registers ({{D}} values each, unrolled). Per key tile: the WG threads
// copy BK keys and values into ks and vs (coalesced: consecutive threads
// read consecutive floats), a barrier, every thread walks the tile (all
// threads read the same ks element at once: a broadcast, no bank
// conflicts), a barrier. Keys come in blocks of KB inside a tile: one
// rescale of l and o per block, as in the row kernel.
// Every thread reaches every barrier: rows past TQ are clamped to row
// TQ - 1 (they repeat its work but store nothing), and the tile
// loop's bounds depend on the workgroup only. With CAUSAL (TQ == TK) the
// loop stops at the workgroup's last row and masks per row.
// Unrolled lines: `$c` for c = 0 .. D-1, `$b` for keys b = 0 .. KB-1 of a block.
override B: u32;
override TQ: u32;
override TK: u32;
override H: u32;
override SCALE: f32;
override CAUSAL: bool = false;
/** Query tiles per (batch, head): ceil(TQ / WG). */
override QT: u32;
/** Workgroups per row of the 2-D grid. */
override GX: u32;
override WG: u32 = 64;

const D = {{D}}u;
const BK = {{BK}}u;
const KB = {{KB}}u;
const NEG = -3.0e38;

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> ks: array<f32, BK * D>;
var<workgroup> vs: array<f32, BK * D>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let w = wid.x + wid.y * GX;
  if (w >= B * H * QT) { return; }
  let h = w / QT % H;
  let n = w / QT / H;
  let first = w % QT * WG;
  let i = min(first + lid, TQ - 1u);
  let qb = ((n * TQ + i) * H + h) * D;
  let q$c = q[qb + $cu] * SCALE;
  var m = NEG;
  var l = 0.0;
  var o$c = 0.0;
  let jend = select(TK, min(first + WG, TK), CAUSAL);
  let kbase = (n * TK * H + h) * D;
  for (var jt = 0u; jt < jend; jt += BK) {
    // Stage keys jt .. jt + BK - 1 (clamped past TK: they are masked below).
    for (var e = lid; e < BK * D; e += WG) {
      let src = kbase + min(jt + e / D, TK - 1u) * H * D + e % D;
      ks[e] = k[src];
      vs[e] = v[src];
    }
    workgroupBarrier();
    let bend = min(BK, jend - jt);
    for (var bb = 0u; bb < bend; bb += KB) {
      let j$b = jt + bb + $bu;
      let k$b_$c = ks[(bb + $bu) * D + $cu];
      var s$b = 0.0;
      s$b += q$c * k$b_$c;
      let ok$b = (j$b < jend) & (!CAUSAL | (j$b <= i));
      var mn = m;
      mn = max(mn, select(NEG, s$b, ok$b));
      let a = exp(m - mn);
      m = mn;
      l *= a;
      o$c *= a;
      let p$b = select(0.0, exp(s$b - m), ok$b);
      l += p$b;
      let v$b_$c = vs[(bb + $bu) * D + $cu];
      o$c += p$b * v$b_$c;
    }
    workgroupBarrier();
  }
  // Clamped threads stop here: a second invocation storing the same values would be a data race.
  if (first + lid >= TQ) { return; }
  let inv = select(0.0, 1.0 / l, l > 0.0);
  out[qb + $cu] = o$c * inv;
}
