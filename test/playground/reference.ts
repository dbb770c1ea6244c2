// TensorFlow Playground's training, rewritten from its src/nn.ts and
// src/playground.ts (oneStep, getLoss) in double precision: one point at a
// time forward and back, derivatives accumulated, an update after every
// batchSize-th point of an epoch, the remainder carried into the next epoch.
// The test compares the page's losses with it step by step: same data, same
// initial weights, same batches, same update (plain SGD, L2 or no
// regularisation) must give the same losses up to float32 rounding.
import type { Params } from '../../examples/playground/model.js';

type Fn = (x: number) => number;
const ACT: Record<string, { f: Fn; d: Fn }> = {
  tanh: { f: Math.tanh, d: (x) => 1 - Math.tanh(x) ** 2 },
  relu: { f: (x) => Math.max(0, x), d: (x) => (x <= 0 ? 0 : 1) },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), d: (x) => { const s = 1 / (1 + Math.exp(-x)); return s * (1 - s); } },
  linear: { f: (x) => x, d: () => 1 },
};

export interface ReferenceSpec {
  sizes: number[];
  activation: string;
  outputActivation: string;
  params: Params;
  batchSize: number;
  learningRate: number;
  /** L2 rate (0: none). */
  l2: number;
}

export class ReferenceNetwork {
  private readonly w: number[][][]; // w[l][j][i]: neuron j of layer l to neuron i of layer l + 1
  private readonly b: number[][];
  private readonly accW: number[][][];
  private readonly accB: number[][];
  private count = 0;

  constructor(private readonly s: ReferenceSpec) {
    const { sizes, params } = s;
    this.w = params.weights.map((w, l) => Array.from({ length: sizes[l] }, (_, j) => Array.from({ length: sizes[l + 1] }, (_, i) => w[j * sizes[l + 1] + i])));
    this.b = params.biases.map((b) => Array.from(b));
    this.accW = this.w.map((m) => m.map((r) => r.map(() => 0)));
    this.accB = this.b.map((r) => r.map(() => 0));
  }

  /** Totals and outputs of every layer for one input. */
  private forward(input: number[]): { z: number[][]; a: number[][] } {
    const z: number[][] = [];
    const a: number[][] = [input];
    const last = this.w.length - 1;
    this.w.forEach((m, l) => {
      const act = ACT[l === last ? this.s.outputActivation : this.s.activation];
      const zl = this.b[l].map((bias, i) => m.reduce((sum, row, j) => sum + row[i] * a[l][j], bias));
      z.push(zl);
      a.push(zl.map(act.f));
    });
    return { z, a };
  }

  output(input: number[]): number {
    return this.forward(input).a.at(-1)![0];
  }

  private backward(input: number[], target: number): void {
    const { z, a } = this.forward(input);
    const last = this.w.length - 1;
    let outDer = [a[last + 1][0] - target];
    for (let l = last; l >= 0; l--) {
      const act = ACT[l === last ? this.s.outputActivation : this.s.activation];
      const inDer = z[l].map((zi, i) => outDer[i] * act.d(zi));
      inDer.forEach((d, i) => { this.accB[l][i] += d; });
      this.w[l].forEach((row, j) => row.forEach((_, i) => { this.accW[l][j][i] += inDer[i] * a[l][j]; }));
      outDer = this.w[l].map((row) => row.reduce((sum, wji, i) => sum + wji * inDer[i], 0));
    }
    this.count++;
  }

  private update(): void {
    const { learningRate: lr, l2 } = this.s;
    this.w.forEach((m, l) => m.forEach((row, j) => row.forEach((wji, i) => {
      const afterError = wji - (lr / this.count) * this.accW[l][j][i];
      row[i] = afterError - lr * l2 * wji; // its regularisation derivative is taken before the update
      this.accW[l][j][i] = 0;
    })));
    this.b.forEach((row, l) => row.forEach((bi, i) => { row[i] = bi - (lr * this.accB[l][i]) / this.count; this.accB[l][i] = 0; }));
    this.count = 0;
  }

  /** One epoch (TensorFlow Playground's oneStep). */
  epoch(x: number[][], t: number[]): void {
    x.forEach((input, i) => {
      this.backward(input, t[i]);
      if ((i + 1) % this.s.batchSize === 0) this.update();
    });
  }

  loss(x: number[][], t: number[]): number {
    return x.reduce((sum, input, i) => sum + 0.5 * (this.output(input) - t[i]) ** 2, 0) / x.length;
  }
}
