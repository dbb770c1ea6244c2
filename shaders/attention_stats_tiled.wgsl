// Scaled dot-product attention, the row statistics of the backward pass,
// workgroup-tiled for GPUs: as attention_stats_rows.wgsl
//   L_i = logsumexp_j (SCALE q_i . k_j + mask),   D_i = sum_c dO[i, c] O[i, c]
// with each tile of BK keys staged in workgroup memory once for the
// workgroup (the mapping of attention_forward_tiled.wgsl).
// Layout: q, o and dout [B, TQ, H, D], k [B, TK, H, D], out [B, TQ, H, 2].
// Bindings: q (read), k (read), o (read), dout (read), out (write).
// Mapping: workgroup w = wid.x + wid.y * GX = (n * H + h) * QT + tile takes
// query rows first .. first + WG - 1, thread lid row first + lid (clamped
// to TQ - 1, so every thread reaches every barrier; clamped threads store
// nothing). Per tile: copy BK keys
// into ks, barrier, walk them in blocks of KB (one rescale of the running
// sum a block), barrier. A row with no key gets L = NEG (finite -infinity).
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
@group(0) @binding(2) var<storage, read> o: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

var<workgroup> ks: array<f32, BK * D>;

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
  var m = NEG;
  var l = 0.0;
  let jend = select(TK, min(first + WG, TK), CAUSAL);
  let kbase = (n * TK * H + h) * D;
  for (var jt = 0u; jt < jend; jt += BK) {
    for (var e = lid; e < BK * D; e += WG) {
      ks[e] = k[kbase + min(jt + e / D, TK - 1u) * H * D + e % D];
    }
    workgroupBarrier();
    let bend = min(BK, jend - jt);
    for (var bb = 0u; bb < bend; bb += KB) {
      let j$b = jt + bb + $bu;
      var s$b = 0.0;
      s$b += q$c * ks[(bb + $bu) * D + $cu];
      let ok$b = (j$b < jend) & (!CAUSAL | (j$b <= i));
      var mn = m;
      mn = max(mn, select(NEG, s$b, ok$b));
      l *= exp(m - mn);
      m = mn;
      l += select(0.0, exp(s$b - m), ok$b);
    }
    workgroupBarrier();
  }
  // Clamped threads stop here: a second invocation storing the same values would be a data race.
  if (first + lid >= TQ) { return; }
  var dd = 0.0;
  dd += dout[row * D + $cu] * o[row * D + $cu];
  out[2u * row] = select(NEG, m + log(l), l > 0.0);
  out[2u * row + 1u] = dd;
}
