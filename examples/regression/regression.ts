// The course's tabular example: from a student's weekly study hours, age and
// average grade so far, predict the grades of two exams. The data are
// synthetic but plausible (seeded, so every run sees the same students):
//
//   hours   ~ U(0, 20)        study hours per week
//   age     ~ U(17, 30)       years
//   average ~ N(6.5, 1.2)     earlier average grade, clipped to [3, 10]
//
//   grade1 = 0.8 + 0.20 hours + 0.60 average - 0.03 (age - 17) + e1
//   grade2 = 0.5 + 1.10 sqrt(hours) + 0.55 average + 0.02 (age - 17) + e2
//   e1, e2 ~ N(0, 0.4^2); both grades clipped to [0, 10]
//
// grade2's diminishing return on study time (sqrt) is what the hidden layer
// has to learn beyond a linear fit. The noise sets the floor of the mean
// squared error: about 0.4^2 = 0.16 per grade.
//
// The network: standardized inputs -> dense(16, relu) -> dense(2), mean
// squared error, Adam; 20% of the students held out for validation, and
// early stopping on the validation loss restores the best epoch's weights.
import * as sn from '../../src/index.js';

export const FEATURES = ['hours', 'age', 'average'] as const;
export const TARGETS = ['grade1', 'grade2'] as const;
export const NOISE_STD = 0.4;

/** mulberry32: a small seeded generator of uniforms in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clip = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** The noise-free grades of one student (the formula above without e1, e2 and clipping). */
export function expectedGrades(hours: number, age: number, average: number): [number, number] {
  return [
    0.8 + 0.2 * hours + 0.6 * average - 0.03 * (age - 17),
    0.5 + 1.1 * Math.sqrt(hours) + 0.55 * average + 0.02 * (age - 17),
  ];
}

export interface Dataset {
  /** [n, 3]: hours, age, average (raw units). */
  x: sn.HostTensor;
  /** [n, 2]: grade1, grade2. */
  y: sn.HostTensor;
}

/** n synthetic students drawn from the formula above. */
export function makeDataset(n: number, seed = 42): Dataset {
  const rand = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const x = new Float32Array(n * 3), y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const hours = 20 * rand();
    const age = 17 + 13 * rand();
    const average = clip(6.5 + 1.2 * normal(), 3, 10);
    const [g1, g2] = expectedGrades(hours, age, average);
    x.set([hours, age, average], i * 3);
    y.set([clip(g1 + NOISE_STD * normal(), 0, 10), clip(g2 + NOISE_STD * normal(), 0, 10)], i * 2);
  }
  return { x: sn.tensor(x, [n, 3]), y: sn.tensor(y, [n, 2]) };
}

/** Per-feature mean and standard deviation. */
export interface Scaler { mean: number[]; std: number[] }

/** The mean and std of each column of the first `rows` rows (the training part only, so nothing leaks from validation). */
export function fitScaler(x: sn.HostTensor, rows = x.shape[0]): Scaler {
  const cols = x.shape[1];
  const mean = new Array<number>(cols).fill(0), sq = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) mean[c] += x.data[i * cols + c] / rows;
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) sq[c] += (x.data[i * cols + c] - mean[c]) ** 2 / rows;
  return { mean, std: sq.map((v) => Math.sqrt(v) || 1) };
}

/** (x - mean) / std, column by column. */
export function standardize(x: sn.HostTensor, s: Scaler): sn.HostTensor {
  const cols = x.shape[1];
  return sn.tensor(x.data.map((v, k) => (v - s.mean[k % cols]) / s.std[k % cols]), x.shape);
}

export interface RegressionOptions {
  samples?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  validationSplit?: number;
  patience?: number;
  hidden?: number;
  seed?: number;
  verbose?: 0 | 2;
}

export interface RegressionRun {
  model: sn.Model;
  history: sn.History;
  earlyStopping: ReturnType<typeof sn.callbacks.earlyStopping>;
  scaler: Scaler;
  data: Dataset;
  /** Rows [trainRows, n) are the validation students (fit holds out the last ones). */
  trainRows: number;
  /** Validation loss of the restored (best) weights. */
  bestValLoss: number;
}

/** Builds, compiles and fits the model; the caller disposes run.model. */
export async function trainRegression(device: sn.Device, options: RegressionOptions = {}): Promise<RegressionRun> {
  const seed = options.seed ?? 42;
  const data = makeDataset(options.samples ?? 500, seed);
  const split = options.validationSplit ?? 0.2;
  const n = data.x.shape[0];
  const trainRows = n - Math.round(n * split);
  const scaler = fitScaler(data.x, trainRows);
  const x = standardize(data.x, scaler);

  const model = sn.sequential([
    sn.layers.dense({ units: options.hidden ?? 16, activation: 'relu', inputShape: [FEATURES.length], seed }),
    sn.layers.dense({ units: TARGETS.length, seed: seed + 1 }),
  ]);
  model.compile({ device, optimizer: sn.optimizers.adam({ learningRate: options.learningRate ?? 0.01 }), loss: 'meanSquaredError', metrics: ['mae'] });
  const earlyStopping = sn.callbacks.earlyStopping({ monitor: 'valLoss', patience: options.patience ?? 10, restoreBestWeights: true });
  const history = await model.fit(x, data.y, {
    epochs: options.epochs ?? 200,
    batchSize: options.batchSize ?? 32,
    validationSplit: split,
    shuffle: true,
    seed,
    verbose: options.verbose ?? 0,
    callbacks: [earlyStopping],
  });
  const { loss } = await model.evaluate(x.sliceRows(trainRows, n - trainRows), data.y.sliceRows(trainRows, n - trainRows));
  return { model, history, earlyStopping, scaler, data, trainRows, bestValLoss: loss };
}
