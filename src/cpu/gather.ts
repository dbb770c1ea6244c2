// CPU reference for the indexing ops: gather (TF.js semantics), its gradient
// (a scatter-add), and oneHot. Indices are read as numbers (ids below 2^24
// are exact in a Float32Array, and the engine's int32 inputs are checked);
// an index outside [0, dim) is clamped into it, as the kernels do (the model
// API refuses such ids before anything runs).

/** x viewed as [outer, dim, inner] around `axis`. */
export interface GatherGeometry {
  outer: number;
  dim: number;
  inner: number;
  /** Number of indices. */
  count: number;
}

const clamp = (i: number, dim: number) => Math.min(Math.max(Math.trunc(i), 0), dim - 1);

/** out[o, j, r] = x[o, indices[j], r]: shape x[:axis] + indices.shape + x[axis+1:]. */
export function gather(x: Float32Array, indices: ArrayLike<number>, g: GatherGeometry): Float32Array {
  const out = new Float32Array(g.outer * g.count * g.inner);
  for (let o = 0; o < g.outer; o++) {
    for (let j = 0; j < g.count; j++) {
      const src = (o * g.dim + clamp(indices[j], g.dim)) * g.inner;
      out.set(x.subarray(src, src + g.inner), (o * g.count + j) * g.inner);
    }
  }
  return out;
}

/** The gradient of gather with respect to x: dx[o, k, r] = sum of dy[o, j, r] over the j with indices[j] = k. */
export function gatherGrad(dy: Float32Array, indices: ArrayLike<number>, g: GatherGeometry): Float32Array {
  const dx = new Float32Array(g.outer * g.dim * g.inner);
  for (let o = 0; o < g.outer; o++) {
    for (let j = 0; j < g.count; j++) {
      const dst = (o * g.dim + clamp(indices[j], g.dim)) * g.inner;
      const src = (o * g.count + j) * g.inner;
      for (let r = 0; r < g.inner; r++) dx[dst + r] += dy[src + r];
    }
  }
  return dx;
}

/** out[i, c] = 1 where indices[i] = c, else 0 (an index outside [0, depth) gives a row of zeros, as in TF.js). */
export function oneHot(indices: ArrayLike<number>, depth: number): Float32Array {
  const out = new Float32Array(indices.length * depth);
  for (let i = 0; i < indices.length; i++) {
    const c = indices[i];
    if (c >= 0 && c < depth) out[i * depth + c] = 1;
  }
  return out;
}
