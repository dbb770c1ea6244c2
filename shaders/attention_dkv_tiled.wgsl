// Scaled dot-product attention, gradients with respect to the keys (DK) or
// the values (!DK), workgroup-tiled for GPUs: as attention_dkv_rows.wgsl
//   dv_j = sum_i P_ij dO_i,   dk_j = SCALE sum_i P_ij (dO_i . v_j - D_i) q_i
// with each tile of BQ queries (their q, dO and statistics) staged in
// workgroup memory once for the workgroup.
// Layout: q and dout [B, TQ, H, D], k, v and out [B, TK, H, D], stats
// [B, TQ, H, 2] = (L, D) per query.
// Bindings: DK: q, k, v, dout, stats (read), out (write);
//           !DK: q, k, dout, stats (read), out (write).
// Mapping: workgroup w = wid.x + wid.y * GX = (n * H + h) * KT + tile takes
// key rows first .. first + WG - 1, thread lid row first + lid (clamped to
// TK - 1, so every thread reaches every barrier; clamped threads store
// nothing), with k (pre-scaled), for DK v, and the accumulator in
// registers. Per query tile: copy BQ rows of q and dO and their (L, D)
// into qs, gs and ls, barrier, walk them, barrier.
// With CAUSAL, queries before the workgroup's first key are skipped.
// Unrolled lines: `$c` for c = 0 .. D-1, `$b` for queries b = 0 .. KB-1 of a block.
override B: u32;
override TQ: u32;
override TK: u32;
override H: u32;
override SCALE: f32;
override CAUSAL: bool = false;
/** Key tiles per (batch, head): ceil(TK / WG). */
override KT: u32;
/** Workgroups per row of the 2-D grid. */
override GX: u32;
override WG: u32 = 64;

const D = {{D}}u;
const BQ = {{BK}}u;
const KB = {{KB}}u;

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
// #if DK
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
// #endif
// #if !DK
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> stats: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
// #endif

var<workgroup> qs: array<f32, BQ * D>;
var<workgroup> gs: array<f32, BQ * D>;
var<workgroup> ls: array<f32, BQ * 2u>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let w = wid.x + wid.y * GX;
  if (w >= B * H * KT) { return; }
  let h = w / KT % H;
  let n = w / KT / H;
  let first = w % KT * WG;
  let j = min(first + lid, TK - 1u);
  let kb = ((n * TK + j) * H + h) * D;
  let k$c = k[kb + $cu] * SCALE;
// #if DK
  let v$c = v[kb + $cu];
// #endif
  var a$c = 0.0;
  let istart = select(0u, min(first, TQ), CAUSAL);
  let qrow0 = n * TQ * H + h;
  for (var it = istart; it < TQ; it += BQ) {
    // Stage queries it .. it + BQ - 1 (clamped past TQ: masked below).
    for (var e = lid; e < BQ * D; e += WG) {
      let src = (qrow0 + min(it + e / D, TQ - 1u) * H) * D + e % D;
      qs[e] = q[src];
      gs[e] = dout[src];
    }
    for (var e = lid; e < BQ * 2u; e += WG) {
      ls[e] = stats[2u * (qrow0 + min(it + e / 2u, TQ - 1u) * H) + e % 2u];
    }
    workgroupBarrier();
    let bend = min(BQ, TQ - it);
    for (var bb = 0u; bb < bend; bb += KB) {
      let i$b = it + bb + $bu;
      let q$b_$c = qs[(bb + $bu) * D + $cu];
      let g$b_$c = gs[(bb + $bu) * D + $cu];
      var s$b = 0.0;
      s$b += k$c * q$b_$c;
      let ok$b = (i$b < TQ) & (!CAUSAL | (i$b >= j));
      let p$b = select(0.0, exp(s$b - ls[2u * (bb + $bu)]), ok$b);
// #if DK
      var dp$b = 0.0;
      dp$b += v$c * g$b_$c;
      let ds$b = p$b * (dp$b - ls[2u * (bb + $bu) + 1u]);
      a$c += ds$b * q$b_$c;
// #endif
// #if !DK
      a$c += p$b * g$b_$c;
// #endif
    }
    workgroupBarrier();
  }
  // Clamped threads stop here: a second invocation storing the same values would be a data race.
  if (first + lid >= TK) { return; }
// #if DK
  out[kb + $cu] = a$c * SCALE;
// #endif
// #if !DK
  out[kb + $cu] = a$c;
// #endif
}
