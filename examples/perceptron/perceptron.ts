// Rosenblatt's perceptron on the logic gates, computed with the engine.
//
//   output y = step(w . x + b)            (step(z) = 1 for z > 0, else 0)
//   rule     w += lr * (t - y) * x,  b += lr * (t - y)   (one sample at a time)
//
// Both the forward pass and the rule run as compiled graphs on the GPU. The
// rule is plain gradient descent on the "perceptron criterion"
//
//   L = (y - t) * z,   z = w . x + b,   y = step(z) held fixed,
//
// whose gradient is dL/dw = (y - t) x and dL/db = (y - t): an sgd step with
// learning rate lr is exactly Rosenblatt's update. y needs no special
// treatment: step is piecewise constant, so the engine's autodiff passes no
// gradient through it (that is also why the step perceptron cannot be
// trained by backpropagation through its output: d y / d w = 0).
//
// A single perceptron draws one straight line through the input plane, so it
// learns AND and OR (linearly separable) but can never classify all four
// XOR cases: at most three. A 2-2-1 network of sigmoid units learns XOR.
import * as sn from '../../src/index.js';

/** The four input pairs, in truth-table order. */
export const INPUTS: readonly (readonly [number, number])[] = [[0, 0], [0, 1], [1, 0], [1, 1]];

/** Targets of each gate for INPUTS. */
export const GATES = {
  AND: [0, 0, 0, 1],
  OR: [0, 1, 1, 1],
  XOR: [0, 1, 1, 0],
} as const satisfies Record<string, readonly number[]>;
export type GateName = keyof typeof GATES;

export interface PerceptronOptions {
  /** lr of the rule (default 0.1). */
  learningRate?: number;
  /** Starting weights and bias (default 0, as Rosenblatt). */
  init?: { w: readonly [number, number]; b: number };
}

/**
 * A two-input perceptron whose weights live on the GPU. Two programs share
 * them (one ParamStore): `train` takes one sample, returns the output it gave
 * before the update, and applies the rule; `predict` classifies all four inputs.
 */
export class Perceptron {
  private constructor(
    private readonly train: sn.Program,
    private readonly infer: sn.Program,
    private readonly store: sn.ParamStore,
    readonly learningRate: number,
  ) {}

  static async create(device: sn.Device, options: PerceptronOptions = {}): Promise<Perceptron> {
    const lr = options.learningRate ?? 0.1;
    const init = options.init ?? { w: [0, 0], b: 0 };
    const store = new sn.ParamStore(device);

    // One sample: x [1, 2], target t [1, 1].
    const g = sn.graph();
    const x = g.input('x', [1, 2]);
    const t = g.input('t', [1, 1]);
    const w = g.param('w', [2, 1], [...init.w]);
    const b = g.param('b', [1], [init.b]);
    const z = x.matmul(w).add(b);
    const y = z.step();
    const criterion = y.sub(t).mul(z).sum(); // L = (y - t) z; dL/dw = (y - t) x
    const train = await sn.compile(device, g, {
      outputs: { y },
      minimize: { loss: criterion, optimizer: sn.optimizers.sgd({ learningRate: lr }) },
      store,
    });

    // All four inputs at once, same weights (by name, through the store).
    const gp = sn.graph();
    const xs = gp.input('x', [INPUTS.length, 2]);
    const out = xs.matmul(gp.param('w', [2, 1])).add(gp.param('b', [1])).step();
    const infer = await sn.compile(device, gp, { outputs: { y: out }, store });
    return new Perceptron(train, infer, store, lr);
  }

  /** One application of the rule to sample (x, target); resolves to the output y before the update. */
  async learn(x: readonly [number, number], target: number): Promise<number> {
    const out = await this.train.run({ x: [...x], t: [target] });
    return out.y.data[0];
  }

  /** Outputs (0 or 1) for the four INPUTS. */
  async predict(): Promise<number[]> {
    const out = await this.infer.run({ x: INPUTS.flat() });
    return [...out.y.data];
  }

  /** Current weights and bias. */
  async weights(): Promise<{ w: [number, number]; b: number }> {
    const p = await this.train.params();
    return { w: [p.w.data[0], p.w.data[1]], b: p.b.data[0] };
  }

  dispose(): void {
    this.infer.dispose();
    this.train.dispose();
    this.store.dispose(); // given at compile, so neither program owns it
  }
}

export interface EpochRecord {
  /** Samples whose output was wrong before their update, in this epoch. */
  errors: number;
  /** Inputs classified correctly after the epoch (of 4). */
  correct: number;
  w: [number, number];
  b: number;
}

export interface PerceptronRun {
  gate: string;
  /** Epoch (1-based) after which all four inputs were right, or -1 if that never happened. */
  convergedAt: number;
  /** Best count of correct inputs seen after any epoch. */
  bestCorrect: number;
  history: EpochRecord[];
  outputs: number[];
  w: [number, number];
  b: number;
}

/**
 * Applies the rule to the four samples in order, epoch after epoch, until an
 * epoch leaves all four right (convergence) or `epochs` have run.
 */
export async function trainGate(device: sn.Device, gate: GateName, options: PerceptronOptions & { epochs?: number } = {}): Promise<PerceptronRun> {
  const targets = GATES[gate];
  const epochs = options.epochs ?? 50;
  const p = await Perceptron.create(device, options);
  try {
    const history: EpochRecord[] = [];
    let convergedAt = -1;
    let bestCorrect = 0;
    for (let epoch = 1; epoch <= epochs && convergedAt < 0; epoch++) {
      let errors = 0;
      for (let i = 0; i < INPUTS.length; i++) {
        if ((await p.learn(INPUTS[i], targets[i])) !== targets[i]) errors++;
      }
      const outputs = await p.predict();
      const correct = outputs.filter((y, i) => y === targets[i]).length;
      bestCorrect = Math.max(bestCorrect, correct);
      history.push({ errors, correct, ...(await p.weights()) });
      if (correct === INPUTS.length) convergedAt = epoch;
    }
    const { w, b } = await p.weights();
    return { gate, convergedAt, bestCorrect, history, outputs: await p.predict(), w, b };
  } finally {
    p.dispose();
  }
}

/**
 * The same rule in plain JavaScript, for checking the engine's run: the
 * weights after each epoch, with every value rounded to f32 as the GPU
 * stores it (Math.fround), so the two runs take the same decisions.
 */
export function rosenblattReference(gate: GateName, epochs: number, lr = 0.1, init = { w: [0, 0], b: 0 }): { w: [number, number]; b: number }[] {
  const f = Math.fround;
  const rate = f(lr);
  const w: [number, number] = [f(init.w[0]), f(init.w[1])];
  let b = f(init.b);
  const after: { w: [number, number]; b: number }[] = [];
  for (let e = 0; e < epochs; e++) {
    INPUTS.forEach(([x1, x2], i) => {
      const y = f(f(w[0] * x1 + w[1] * x2) + b) > 0 ? 1 : 0;
      const err = GATES[gate][i] - y; // -1, 0 or 1: products with it and with x in {0, 1} are exact
      w[0] = f(w[0] + rate * err * x1);
      w[1] = f(w[1] + rate * err * x2);
      b = f(b + rate * err);
    });
    after.push({ w: [w[0], w[1]], b });
  }
  return after;
}

export interface XorNetOptions {
  /** Adam learning rate (default 0.1). */
  learningRate?: number;
  /** Upper bound on full-batch steps (default 2000). */
  epochs?: number;
  /** Stop once the binary cross-entropy is below this (default 0.05). */
  targetLoss?: number;
  /** Seed of the weight initializers (default 4; with 2 hidden units some seeds, e.g. 1, stall in the local minimum at loss ln(2)/2). */
  seed?: number;
}

export interface XorNetRun {
  epochs: number;
  loss: number;
  /** The network's outputs (probabilities) for the four INPUTS. */
  probabilities: number[];
  correct: number;
  lossHistory: number[];
}

/** A 2-2-1 sigmoid network trained on XOR with Adam and binary cross-entropy, full batch. */
export async function trainXorNetwork(device: sn.Device, options: XorNetOptions = {}): Promise<XorNetRun> {
  const seed = options.seed ?? 4;
  const model = sn.sequential([
    sn.layers.dense({ units: 2, activation: 'sigmoid', inputShape: [2], seed }),
    sn.layers.dense({ units: 1, activation: 'sigmoid', seed: seed + 1 }),
  ]);
  try {
    model.compile({ device, optimizer: sn.optimizers.adam({ learningRate: options.learningRate ?? 0.1 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const x = sn.tensor(INPUTS.map((r) => [...r]));
    const y = sn.tensor(GATES.XOR.map((v) => [v]));
    const targetLoss = options.targetLoss ?? 0.05;
    let stopper: { stopTraining: boolean } | undefined;
    const history = await model.fit(x, y, {
      epochs: options.epochs ?? 2000,
      batchSize: 4,
      shuffle: false,
      verbose: 0,
      callbacks: [{
        setModel: (m) => { stopper = m; },
        onEpochEnd: (_e, logs) => { if (logs.loss < targetLoss && logs.accuracy === 1 && stopper) stopper.stopTraining = true; },
      }],
    });
    const probabilities = [...(await model.predict(x)).data];
    const correct = probabilities.filter((p, i) => (p > 0.5 ? 1 : 0) === GATES.XOR[i]).length;
    const lossHistory = history.history.loss;
    return { epochs: lossHistory.length, loss: lossHistory[lossHistory.length - 1], probabilities, correct, lossHistory };
  } finally {
    model.dispose();
  }
}
