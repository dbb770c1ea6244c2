// TensorFlow Playground's batches. It never reshuffles: every epoch walks the
// training points in the same order and updates after every batchSize-th
// point of the epoch; the points left at the end of an epoch (n mod
// batchSize) are accumulated into the first batch of the next epoch. So
// epoch 0 has q = floor(n / b) batches of b, and every later epoch has a
// first batch of r + b (the last r points, then the first b) and q - 1
// batches of b. This module lays those batches out once, as fixed-size rows
// with a weight per row (see network.ts), so a training step uploads a
// prepared array and allocates nothing.
import type { Batch } from './network.js';

export interface Schedule {
  /** Rows of every batch: b + r. */
  rows: number;
  firstEpoch: Batch[];
  laterEpochs: Batch[];
}

/** @param x features [n, inputs] row-major; @param t labels [n] */
export function batchSchedule(x: Float32Array, t: Float32Array, inputs: number, batchSize: number): Schedule {
  const n = t.length;
  const b = Math.max(1, Math.min(batchSize, n));
  const q = Math.floor(n / b);
  const r = n - q * b;
  const rows = b + r;
  const batch = (indices: number[]): Batch => {
    const out: Batch = { x: new Float32Array(rows * inputs), t: new Float32Array(rows), w: new Float32Array(rows) };
    indices.forEach((p, row) => {
      out.x.set(x.subarray(p * inputs, (p + 1) * inputs), row * inputs);
      out.t[row] = t[p];
      out.w[row] = 1 / indices.length;
    });
    return out;
  };
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
  const firstEpoch = range(0, q).map((k) => batch(range(k * b, b)));
  const laterEpochs = [batch([...range(q * b, r), ...range(0, b)]), ...firstEpoch.slice(1)];
  return { rows, firstEpoch, laterEpochs };
}
