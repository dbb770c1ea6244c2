// Scaled dot-product attention, the row statistics of the backward pass,
// barrier-free: for each query i of each (batch, head)
//   L_i = logsumexp_j (SCALE q_i . k_j + mask)     (the softmax's log-normaliser)
//   D_i = sum_c dO[i, c] * O[i, c]                   (= sum_j P_ij dP_ij)
// so that the gradient kernels recompute P_ij = exp(SCALE q_i . k_j - L_i)
// without a second pass over the keys.
// Layout: q and o and dout [B, TQ, H, D], k [B, TK, H, D], out [B, TQ, H, 2]
// holding (L_i, D_i) per query, all row-major f32.
// Bindings: q (read), k (read), o (read), dout (read), out (write).
// Mapping: as attention_forward_rows.wgsl: thread t = gid.x + gid.y * ROW
// takes query rows first .. first + QR - 1 of one (batch, head), t = ((n * H + h)
// * RB + block); its rows (pre-scaled by SCALE) in registers, one walk over
// the keys in blocks of KB with the same running maximum m and sum l
// (rescaled once a block), then L = m + log(l). A row that saw no key (impossible with causal masking)
// gets L = NEG, a finite stand-in for -infinity; the gradient kernels give
// it no weight because they mask by position, not by L. Rows past TQ are
// clamped to row TQ - 1 and store its values again (no branch).
// Unrolled lines: `$r` for rows r = 0 .. QR-1, `$c` for c = 0 .. D-1, `$b`
// for the keys b = 0 .. KB-1 of a block.
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
const KB = {{KB}}u;
const NEG = -3.0e38;

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> o: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

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
  var m$r = NEG;
  var l$r = 0.0;
  let jend = select(TK, min(first + QR, TK), CAUSAL);
  let kbase = (n * TK * H + h) * D;
  for (var jb = 0u; jb < jend; jb += KB) {
    let j$b = jb + $bu;
    let k$b_$c = k[kbase + min(j$b, TK - 1u) * H * D + $cu];
    var s$r_$b = 0.0;
    s$r_$b += q$r_$c * k$b_$c;
    let ok$r_$b = (j$b < jend) & (!CAUSAL | (j$b <= i$r));
    var mn$r = m$r;
    mn$r = max(mn$r, select(NEG, s$r_$b, ok$r_$b));
    l$r *= exp(m$r - mn$r);
    m$r = mn$r;
    l$r += select(0.0, exp(s$r_$b - m$r), ok$r_$b);
  }
  var dd$r = 0.0;
  dd$r += dout[row$r * D + $cu] * o[row$r * D + $cu];
  out[2u * row$r] = select(NEG, m$r + log(l$r), l$r > 0.0);
  out[2u * row$r + 1u] = dd$r;
}
