// CPU reference for scaled dot-product attention and its backward pass: the
// textbook version, with the score matrix written out.
//
//   q [batch, tq, heads, d], k and v [batch, tk, heads, d], o [batch, tq, heads, d]
//   (Keras 3 layout: the sequence axis before the heads).
//
// For each (batch, head), with s the scores and P the attention weights:
//   S[i, j] = scale * (q_i . k_j)          masked (-infinity) where causal and j > i
//   P[i, j] = exp(S[i, j]) / sum_j' exp(S[i, j'])          (softmax over the keys)
//   o_i     = sum_j P[i, j] v_j
// Backward, given dO = d(loss)/d(o):
//   dV_j     = sum_i P[i, j] dO_i
//   dP[i, j] = dO_i . v_j
//   dS[i, j] = P[i, j] (dP[i, j] - D_i),  D_i = sum_j P[i, j] dP[i, j] = dO_i . o_i
//   dQ_i     = scale * sum_j dS[i, j] k_j
//   dK_j     = scale * sum_i dS[i, j] q_i
// The GPU kernels never hold S or P: they recompute P[i, j] from the row
// statistics L_i = logsumexp_j S[i, j] and D_i (attentionStats) as
// exp(S[i, j] - L_i). Sums run in f64 (JavaScript numbers) and are rounded
// to f32 once, when stored. A row with no visible key (impossible with
// causal masking, where key 0 is always visible) gets o_i = 0 and
// L_i = -infinity.

export interface AttentionGeometry {
  batch: number;
  /** Query positions. */
  tq: number;
  /** Key (and value) positions. */
  tk: number;
  heads: number;
  /** Head size: the length of every q, k and v vector. */
  d: number;
  /** Position i sees keys 0..i only (needs tq === tk). */
  causal: boolean;
  /** Multiplies the scores; 1 / sqrt(d) by default (attentionGeometry). */
  scale: number;
}

/** Fills in the default scale, 1 / sqrt(d), and checks that causal has tq === tk. */
export function attentionGeometry(g: Omit<AttentionGeometry, 'scale' | 'causal'> & { scale?: number; causal?: boolean }): AttentionGeometry {
  const causal = g.causal ?? false;
  if (causal && g.tq !== g.tk) throw new Error(`attention: causal needs as many queries as keys, got tq = ${g.tq}, tk = ${g.tk}`);
  return { ...g, causal, scale: g.scale ?? 1 / Math.sqrt(g.d) };
}

/** Offset of vector [n, t, h, :] in a [batch, len, heads, d] tensor. */
function at(g: AttentionGeometry, len: number, n: number, t: number, h: number): number {
  return ((n * len + t) * g.heads + h) * g.d;
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += a[ao + c] * b[bo + c];
  return s;
}

/** Whether query i may look at key j. */
function visible(g: AttentionGeometry, i: number, j: number): boolean {
  return !g.causal || j <= i;
}

/** The attention weights P [tq, tk] of one (batch n, head h): softmax over the keys of the masked, scaled scores. */
export function attentionWeights(q: Float32Array, k: Float32Array, g: AttentionGeometry, n: number, h: number): Float64Array {
  const p = new Float64Array(g.tq * g.tk);
  for (let i = 0; i < g.tq; i++) {
    const row = i * g.tk;
    let max = -Infinity;
    for (let j = 0; j < g.tk; j++) {
      p[row + j] = visible(g, i, j) ? g.scale * dot(q, at(g, g.tq, n, i, h), k, at(g, g.tk, n, j, h), g.d) : -Infinity;
      max = Math.max(max, p[row + j]);
    }
    if (max === -Infinity) {
      p.fill(0, row, row + g.tk); // no visible key: no weight anywhere
      continue;
    }
    let sum = 0;
    for (let j = 0; j < g.tk; j++) sum += p[row + j] = Math.exp(p[row + j] - max);
    for (let j = 0; j < g.tk; j++) p[row + j] /= sum;
  }
  return p;
}

/** o = softmax(scale q k^T + mask) v, per batch and head. */
export function dotProductAttention(q: Float32Array, k: Float32Array, v: Float32Array, g: AttentionGeometry): Float32Array {
  const o = new Float32Array(g.batch * g.tq * g.heads * g.d);
  for (let n = 0; n < g.batch; n++) {
    for (let h = 0; h < g.heads; h++) {
      const p = attentionWeights(q, k, g, n, h);
      for (let i = 0; i < g.tq; i++) {
        const oi = at(g, g.tq, n, i, h);
        for (let c = 0; c < g.d; c++) {
          let s = 0;
          for (let j = 0; j < g.tk; j++) s += p[i * g.tk + j] * v[at(g, g.tk, n, j, h) + c];
          o[oi + c] = s;
        }
      }
    }
  }
  return o;
}

/**
 * The row statistics of the backward pass, [batch, tq, heads, 2]: for each
 * query, L = logsumexp_j of its masked, scaled scores and D = dO_i . o_i.
 */
export function attentionStats(q: Float32Array, k: Float32Array, o: Float32Array, dO: Float32Array, g: AttentionGeometry): Float32Array {
  const stats = new Float32Array(g.batch * g.tq * g.heads * 2);
  for (let n = 0; n < g.batch; n++) {
    for (let i = 0; i < g.tq; i++) {
      for (let h = 0; h < g.heads; h++) {
        const qi = at(g, g.tq, n, i, h);
        let max = -Infinity;
        const s: number[] = [];
        for (let j = 0; j < g.tk; j++) {
          if (!visible(g, i, j)) continue;
          s.push(g.scale * dot(q, qi, k, at(g, g.tk, n, j, h), g.d));
          max = Math.max(max, s[s.length - 1]);
        }
        let sum = 0;
        for (const x of s) sum += Math.exp(x - max);
        const r = ((n * g.tq + i) * g.heads + h) * 2;
        stats[r] = max === -Infinity ? -Infinity : max + Math.log(sum);
        stats[r + 1] = dot(dO, qi, o, qi, g.d);
      }
    }
  }
  return stats;
}

export interface AttentionGrads {
  dq: Float32Array;
  dk: Float32Array;
  dv: Float32Array;
}

/** d(loss)/d(q, k, v) given dO = d(loss)/d(o), from the formulas in the header, with P and dS written out. */
export function attentionBackward(q: Float32Array, k: Float32Array, v: Float32Array, dO: Float32Array, g: AttentionGeometry): AttentionGrads {
  const dq = new Float32Array(q.length);
  const dk = new Float32Array(k.length);
  const dv = new Float32Array(v.length);
  // f64 accumulators, rounded once at the end.
  const dq64 = new Float64Array(q.length);
  const dk64 = new Float64Array(k.length);
  const dv64 = new Float64Array(v.length);
  for (let n = 0; n < g.batch; n++) {
    for (let h = 0; h < g.heads; h++) {
      const p = attentionWeights(q, k, g, n, h);
      // dP[i, j] = dO_i . v_j, and D_i = sum_j P[i, j] dP[i, j].
      const dp = new Float64Array(g.tq * g.tk);
      const rowD = new Float64Array(g.tq);
      for (let i = 0; i < g.tq; i++) {
        for (let j = 0; j < g.tk; j++) {
          dp[i * g.tk + j] = dot(dO, at(g, g.tq, n, i, h), v, at(g, g.tk, n, j, h), g.d);
          rowD[i] += p[i * g.tk + j] * dp[i * g.tk + j];
        }
      }
      for (let i = 0; i < g.tq; i++) {
        const qi = at(g, g.tq, n, i, h);
        for (let j = 0; j < g.tk; j++) {
          const kj = at(g, g.tk, n, j, h);
          const pij = p[i * g.tk + j];
          const ds = pij * (dp[i * g.tk + j] - rowD[i]);
          for (let c = 0; c < g.d; c++) {
            dv64[kj + c] += pij * dO[qi + c];
            dq64[qi + c] += g.scale * ds * k[kj + c];
            dk64[kj + c] += g.scale * ds * q[qi + c];
          }
        }
      }
    }
  }
  dq.set(dq64);
  dk.set(dk64);
  dv.set(dv64);
  return { dq, dk, dv };
}
