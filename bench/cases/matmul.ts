// matmul cases: square sizes, and the dense layers of the MNIST models at the
// benchmark batch, each as its three products in training:
//   forward   y  = x W        [b, in] x [in, out]
//   dW        dW = x^T dy     transposeA: m = in, k = b, n = out
//   dx        dx = dy W^T     transposeB: m = b, k = out, n = in
// (the first layer's dx is not computed in training, its input needs no
// gradient; it is timed anyway as the transposeB shape of that layer).
import * as sn from '../../src/index.js';
import type { OpCase } from './case.js';

function mm(set: string, label: string, m: number, k: number, n: number, tA = false, tB = false): OpCase {
  return {
    group: 'matmul', set, label, dims: `${m}x${k}x${n}`,
    operands: [{ name: 'a', shape: tA ? [k, m] : [m, k] }, { name: 'b', shape: tB ? [n, k] : [k, n] }],
    build: ([a, b]) => sn.ops.matmul(a, b, { transposeA: tA, transposeB: tB }),
    flop: 2 * m * k * n,
  };
}

/** A dense layer in -> out at batch b: forward, dW (transposeA), dx (transposeB), timed interleaved. */
function dense(model: string, b: number, inp: number, out: number): OpCase[] {
  const set = `${model} ${inp}->${out}`;
  return [
    mm(set, 'fwd x W', b, inp, out),
    mm(set, 'dW = x^T dy (tA)', inp, b, out, true),
    mm(set, 'dx = dy W^T (tB)', b, out, inp, false, true),
  ];
}

export function matmulCases(quick: boolean, batch: number): OpCase[] {
  const square = (s: number): OpCase[] => {
    const set = `square ${s}`;
    const cases = [mm(set, 'a b', s, s, s), mm(set, 'tA', s, s, s, true), mm(set, 'tB', s, s, s, false, true)];
    // Both transposes at the mid size only (no training product uses them).
    if (s === 256) cases.push(mm(set, 'tA tB', s, s, s, true, true));
    return cases;
  };
  return [
    ...(quick ? [128, 256] : [128, 256, 512]).flatMap(square),
    ...dense('mlp 784-128-10', batch, 784, 128),
    ...dense('mlp 784-128-10', batch, 128, 10),
    ...dense('mlp 784-512-512-10', batch, 784, 512),
    ...dense('mlp 784-512-512-10', batch, 512, 512),
    ...dense('mlp 784-512-512-10', batch, 512, 10),
    ...dense('convnet dense', batch, 1600, 10),
  ];
}
