// Scaled dot-product attention, gradient with respect to the queries,
// workgroup-tiled for GPUs: as attention_dq_rows.wgsl
//   dq_i = SCALE sum_j P_ij (dO_i . v_j - D_i) k_j,  P_ij = exp(SCALE q_i . k_j - L_i)
// with each tile of BK keys and values staged in workgroup memory once for
// the workgroup (the mapping of attention_forward_tiled.wgsl).
// Layout: q, dout and out [B, TQ, H, D], k and v [B, TK, H, D], stats
// [B, TQ, H, 2] = (L, D) per query.
// Bindings: q (read), k (read), v (read), dout (read), stats (read), out (write).
// Mapping: workgroup w = wid.x + wid.y * GX = (n * H + h) * QT + tile takes
// query rows first .. first + WG - 1, thread lid row first + lid (clamped
// to TQ - 1, so every thread reaches every barrier; clamped threads store
// nothing), with q, dO and the
// accumulator in registers. Per tile: copy BK keys and values into ks and
// vs, barrier, walk them, barrier.
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

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

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
  let row = (n * TQ + i) * H + h;
  let q$c = q[row * D + $cu] * SCALE;
  let g$c = dout[row * D + $cu];
  let lse = stats[2u * row];
  let dd = stats[2u * row + 1u];
  var a$c = 0.0;
  let jend = select(TK, min(first + WG, TK), CAUSAL);
  let kbase = (n * TK * H + h) * D;
  for (var jt = 0u; jt < jend; jt += BK) {
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
      var dp$b = 0.0;
      dp$b += g$c * vs[(bb + $bu) * D + $cu];
      let ok$b = (j$b < jend) & (!CAUSAL | (j$b <= i));
      let ds$b = select(0.0, exp(s$b - lse) * (dp$b - dd), ok$b);
      a$c += ds$b * k$b_$c;
    }
    workgroupBarrier();
  }
  // Clamped threads stop here: a second invocation storing the same values would be a data race.
  if (first + lid >= TQ) { return; }
  out[row * D + $cu] = a$c * SCALE;
}
