// Scaled dot-product attention, gradients with respect to the keys (DK) or
// the values (!DK), barrier-free, scores recomputed (nothing of size
// TQ x TK is stored):
//   P_ij = exp(SCALE q_i . k_j - L_i)       (0 where masked)
//   dv_j = sum_i P_ij dO_i                                   (!DK)
//   dk_j = SCALE sum_i P_ij (dO_i . v_j - D_i) q_i          (DK)
// with (L_i, D_i) from attention_stats_rows.wgsl. Two kernels of one
// template (sections() in src/ops/kernel.ts), as a graph node has one
// output; each recomputes P.
// Layout: q and dout [B, TQ, H, D], k, v and out [B, TK, H, D], stats
// [B, TQ, H, 2], all row-major f32.
// Bindings: DK: q, k, v, dout, stats (read), out (write);
//           !DK: q, k, dout, stats (read), out (write).
// Mapping: thread t = gid.x + gid.y * ROW takes key rows first .. first + QR - 1
// of one (batch, head), t = ((n * H + h) * RB + block), first = block * QR;
// per row, k (pre-scaled by SCALE), for DK v, and the accumulator are in
// registers; it walks the queries once, loading q_i, dO_i and the stats of
// each once for its QR rows. With CAUSAL, queries before first see none of the
// block's keys and are skipped. Rows past TK are clamped to row TK - 1 and
// store its values again (no branch).
// Unrolled lines: `$r` for rows r = 0 .. QR-1, `$c` for c = 0 .. D-1.
override B: u32;
override TQ: u32;
override TK: u32;
override H: u32;
override SCALE: f32;
override CAUSAL: bool = false;
/** Row blocks per (batch, head): ceil(TK / QR). */
override RB: u32;
/** Threads per row of the 2-D grid. */
override ROW: u32;
override WG: u32 = 64;

const D = {{D}}u;
const QR = {{QR}}u;

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

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x + gid.y * ROW;
  if (t >= B * H * RB) { return; }
  let h = t / RB % H;
  let n = t / RB / H;
  let first = t % RB * QR;
  let j$r = min(first + $ru, TK - 1u);
  let kb$r = ((n * TK + j$r) * H + h) * D;
  let k$r_$c = k[kb$r + $cu] * SCALE;
// #if DK
  let v$r_$c = v[kb$r + $cu];
// #endif
  var a$r_$c = 0.0;
  let istart = select(0u, min(first, TQ), CAUSAL);
  var row = (n * TQ + istart) * H + h;
  for (var i = istart; i < TQ; i++) {
    let q$c = q[row * D + $cu];
    let g$c = dout[row * D + $cu];
    let lse = stats[2u * row];
// #if DK
    let dd = stats[2u * row + 1u];
// #endif
    row += H;
    var s$r = 0.0;
    s$r += k$r_$c * q$c;
    let ok$r = !CAUSAL | (i >= j$r);
    let p$r = select(0.0, exp(s$r - lse), ok$r);
// #if DK
    var dp$r = 0.0;
    dp$r += v$r_$c * g$c;
    let ds$r = p$r * (dp$r - dd);
    a$r_$c += ds$r * q$c;
// #endif
// #if !DK
    a$r_$c += p$r * g$c;
// #endif
  }
// #if DK
  out[kb$r + $cu] = a$r_$c * SCALE;
// #endif
// #if !DK
  out[kb$r + $cu] = a$r_$c;
// #endif
}
