// Scaled dot-product attention, gradient with respect to the queries,
// barrier-free, scores recomputed (nothing of size TQ x TK is stored):
//   P_ij = exp(SCALE q_i . k_j - L_i)       (0 where masked)
//   dS_ij = P_ij (dO_i . v_j - D_i)
//   dq_i = SCALE sum_j dS_ij k_j
// with (L_i, D_i) from attention_stats_rows.wgsl.
// Layout: q, dout and out [B, TQ, H, D], k and v [B, TK, H, D], stats
// [B, TQ, H, 2], all row-major f32.
// Bindings: q (read), k (read), v (read), dout (read), stats (read), out (write).
// Mapping: as attention_forward_rows.wgsl: thread t = gid.x + gid.y * ROW
// takes query rows first .. first + QR - 1 of one (batch, head), t = ((n * H + h)
// * RB + block). Per row, q (pre-scaled by SCALE), dO and the accumulator
// are in registers (3 D values); each k_j and v_j is loaded once for the
// QR rows. P_ij <= 1 as L_i is at least every score of its row, so exp
// never overflows. Rows past TQ are clamped to row TQ - 1 and store its
// values again (no branch).
// Unrolled lines: `$r` for rows r = 0 .. QR-1, `$c` for c = 0 .. D-1.
override B: u32;
override TQ: u32;
override TK: u32;
override H: u32;
override SCALE: f32;
override CAUSAL: bool = false;
/** Row blocks per (batch, head): ceil(TQ / QR). */
override RB: u32;
/** Threads per row of the 2-D grid. */
override ROW: u32;
override WG: u32 = 64;

const D = {{D}}u;
const QR = {{QR}}u;

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x + gid.y * ROW;
  if (t >= B * H * RB) { return; }
  let h = t / RB % H;
  let n = t / RB / H;
  let first = t % RB * QR;
  let i$r = min(first + $ru, TQ - 1u);
  let row$r = (n * TQ + i$r) * H + h;
  let q$r_$c = q[row$r * D + $cu] * SCALE;
  let g$r_$c = dout[row$r * D + $cu];
  let lse$r = stats[2u * row$r];
  let dd$r = stats[2u * row$r + 1u];
  var a$r_$c = 0.0;
  let jend = select(TK, min(first + QR, TK), CAUSAL);
  var kb = (n * TK * H + h) * D;
  for (var j = 0u; j < jend; j++) {
    let k$c = k[kb + $cu];
    let v$c = v[kb + $cu];
    kb += H * D;
    var s$r = 0.0;
    s$r += q$r_$c * k$c;
    var dp$r = 0.0;
    dp$r += g$r_$c * v$c;
    let ok$r = !CAUSAL | (j <= i$r);
    let ds$r = select(0.0, exp(s$r - lse$r) * (dp$r - dd$r), ok$r);
    a$r_$c += ds$r * k$c;
  }
  out[row$r * D + $cu] = a$r_$c * SCALE;
}
