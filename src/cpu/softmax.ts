// CPU reference for softmax and log-softmax along the last axis.
export function softmax(x: Float32Array, cols: number, log: boolean): Float32Array {
  const out = new Float32Array(x.length);
  for (let base = 0; base < x.length; base += cols) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, x[base + j]);
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[base + j] - m);
    for (let j = 0; j < cols; j++) {
      out[base + j] = log ? x[base + j] - m - Math.log(s) : Math.exp(x[base + j] - m) / s;
    }
  }
  return out;
}
