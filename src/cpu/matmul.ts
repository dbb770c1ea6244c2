// CPU reference for batched matmul: the textbook triple loop.
// a is [Z?, m, k] (or [Z?, k, m] when transposeA), b is [Z?, k, n] (or [Z?, n, k]);
// a batch of 1 broadcasts against the other operand's batch.
export function matmul(
  a: Float32Array, b: Float32Array,
  m: number, k: number, n: number,
  batchA: number, batchB: number,
  transposeA: boolean, transposeB: boolean,
): Float32Array {
  const batch = Math.max(batchA, batchB);
  const out = new Float32Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    const ao = (batchA === 1 ? 0 : z) * m * k;
    const bo = (batchB === 1 ? 0 : z) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = transposeA ? a[ao + p * m + i] : a[ao + i * k + p];
          const bv = transposeB ? b[bo + j * k + p] : b[bo + p * n + j];
          s += av * bv;
        }
        out[(z * m + i) * n + j] = s;
      }
    }
  }
  return out;
}
