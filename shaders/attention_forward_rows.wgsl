// Scaled dot-product attention, forward, barrier-free (FlashAttention-2's
// online softmax, one thread per block of query rows):
//   out_i = sum_j softmax_j(SCALE q_i . k_j + mask) v_j
// Layout: q [B, TQ, H, D], k and v [B, TK, H, D], out [B, TQ, H, D], all
// row-major f32 (Keras 3: the sequence axis before the heads).
// Bindings: q (read), k (read), v (read), out (write).
// Mapping: thread t = gid.x + gid.y * ROW (a 2-D grid, as linearGrid in
// src/ops/kernel.ts) takes query rows first .. first + QR - 1 of one (batch, head):
// t = ((n * H + h) * RB + block), first = block * QR, so neighbouring threads
// read the same keys at the same time. Its QR query rows (pre-scaled by
// SCALE) and their output accumulators live in registers ({{D}} values
// each, unrolled); it walks the keys once, loading each k_j and v_j once for
// its QR rows (QR multiply-adds per load), and never writes a score.
// Online softmax: m is the running maximum of a row's scores and l the sum
// of exp(s - m) so far, the accumulator o the matching sum of exp(s - m) v.
// Keys come in blocks of KB: the scores of a block first, then one rescale
// of l and o by exp(m_old - m_new) for the block's maximum, then its
// weights and values: 1 + 1/KB exps per key and row, and no branch (a
// lazy rescale under `if` was about 2x slower on SwiftShader, which runs both
// sides of a branch that any lane takes, with every variable masked).
// Masking: with CAUSAL (TQ == TK) row i sees keys 0 .. i; the loop stops at
// the thread's last row and masks per row; keys of the last block past the
// end are clamped for their loads and masked. Masked keys add nothing and never
// move the maximum; a row that saw no key at all (impossible with causal
// masking, where key 0 is always visible) stores 0 instead of dividing by 0.
// Rows past TQ (in the last block) are clamped to row TQ - 1: they repeat
// its work and store the same values to it, so the stores need no branch.
// Unrolled lines (unroll() in src/ops/kernel.ts): `$r` for rows
// r = 0 .. QR-1, `$c` for head components c = 0 .. D-1, `$b` for the keys
// b = 0 .. KB-1 of a block.
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
// A finite stand-in for -infinity: WGSL lets implementations assume that no
// value is infinite, so the kernels never make one.
const NEG = -3.0e38;

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x + gid.y * ROW;
  if (t >= B * H * RB) { return; }
  let h = t / RB % H;
  let n = t / RB / H;
  let first = t % RB * QR;
  // Row r: query first + r, clamped (see the header).
  let i$r = min(first + $ru, TQ - 1u);
  let qb$r = ((n * TQ + i$r) * H + h) * D;
  let q$r_$c = q[qb$r + $cu] * SCALE;
  var m$r = NEG;
  var l$r = 0.0;
  var o$r_$c = 0.0;
  // Causal: no row of the block sees a key past its last row.
  let jend = select(TK, min(first + QR, TK), CAUSAL);
  let kbase = (n * TK * H + h) * D;
  for (var jb = 0u; jb < jend; jb += KB) {
    // Key b of the block: jb + b, its loads clamped, masked past jend and (causal) past row r.
    let j$b = jb + $bu;
    let kv$b = kbase + min(j$b, TK - 1u) * H * D;
    let k$b_$c = k[kv$b + $cu];
    var s$r_$b = 0.0;
    s$r_$b += q$r_$c * k$b_$c;
    let ok$r_$b = (j$b < jend) & (!CAUSAL | (j$b <= i$r));
    // The block's maximum, then one rescale of what came before.
    var mn$r = m$r;
    mn$r = max(mn$r, select(NEG, s$r_$b, ok$r_$b));
    let a$r = exp(m$r - mn$r);
    m$r = mn$r;
    l$r *= a$r;
    o$r_$c *= a$r;
    // s <= m now, so exp never overflows.
    let p$r_$b = select(0.0, exp(s$r_$b - m$r), ok$r_$b);
    l$r += p$r_$b;
    let v$b_$c = v[kv$b + $cu];
    o$r_$c += p$r_$b * v$b_$c;
  }
  let inv$r = select(0.0, 1.0 / l$r, l$r > 0.0);
  out[qb$r + $cu] = o$r_$c * inv$r;
}
