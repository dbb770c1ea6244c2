// TensorFlow Playground's data sets, generated the way its src/dataset.ts
// does (same formulas, same order of random draws), so that one seed gives
// the same points as on playground.tensorflow.org. Its random source is
// seedrandom's ARC4 generator (Math.seedrandom(seed) there; the same
// generator as seedrandom(seed) here), seeded with the seed string of the
// URL, e.g. "0.59".
import seedrandom from 'seedrandom';

/** A point of the plane and its label: -1 or 1 for classification, in [-1, 1] for regression. */
export interface Point { x: number; y: number; label: number }

/** A source of uniform numbers in [0, 1), like Math.random. */
export type Random = () => number;

export const CLASSIFICATION = ['circle', 'xor', 'gauss', 'spiral'] as const;
export const REGRESSION = ['reg-plane', 'reg-gauss'] as const;
export type ClassifyName = (typeof CLASSIFICATION)[number];
export type RegressName = (typeof REGRESSION)[number];
export type DatasetName = ClassifyName | RegressName;

/** Points per data set, as in TensorFlow Playground (NUM_SAMPLES_CLASSIFY, NUM_SAMPLES_REGRESS). */
export const CLASSIFY_SAMPLES = 500;
export const REGRESS_SAMPLES = 1200;

export function seededRandom(seed: string): Random {
  return seedrandom(seed);
}

type Generator = (n: number, noise: number, random: Random) => Point[];

const uniform = (random: Random, a: number, b: number) => random() * (b - a) + a;
/** d3 v3's linear scale (domain [d0, d1] to range [r0, r1]), rounding as it does, for labels equal to the last bit. */
const linear = (d0: number, d1: number, r0: number, r1: number) => (v: number) => {
  const t = (v - d0) / (d1 - d0);
  return r0 * (1 - t) + r1 * t;
};
const dist = (x: number, y: number, cx: number, cy: number) => {
  const dx = x - cx;
  const dy = y - cy;
  return Math.sqrt(dx * dx + dy * dy);
};

/** Marsaglia's polar method, drawing as TensorFlow Playground's normalRandom does. */
function normal(random: Random, mean: number, variance: number): number {
  let v1: number, v2: number, s: number;
  do {
    v1 = 2 * random() - 1;
    v2 = 2 * random() - 1;
    s = v1 * v1 + v2 * v2;
  } while (s > 1);
  return mean + Math.sqrt(variance) * Math.sqrt((-2 * Math.log(s)) / s) * v1;
}

const circle: Generator = (n, noise, random) => {
  const radius = 5;
  const points: Point[] = [];
  // The label comes from the noisy position; the point is drawn where it was sampled.
  const add = (rMin: number, rMax: number) => {
    for (let i = 0; i < n / 2; i++) {
      const r = uniform(random, rMin, rMax);
      const angle = uniform(random, 0, 2 * Math.PI);
      const x = r * Math.sin(angle);
      const y = r * Math.cos(angle);
      const nx = uniform(random, -radius, radius) * noise;
      const ny = uniform(random, -radius, radius) * noise;
      points.push({ x, y, label: dist(x + nx, y + ny, 0, 0) < radius * 0.5 ? 1 : -1 });
    }
  };
  add(0, radius * 0.5);
  add(radius * 0.7, radius);
  return points;
};

const xor: Generator = (n, noise, random) => {
  const points: Point[] = [];
  const padding = 0.3;
  for (let i = 0; i < n; i++) {
    let x = uniform(random, -5, 5);
    x += x > 0 ? padding : -padding;
    let y = uniform(random, -5, 5);
    y += y > 0 ? padding : -padding;
    const nx = uniform(random, -5, 5) * noise;
    const ny = uniform(random, -5, 5) * noise;
    points.push({ x, y, label: (x + nx) * (y + ny) >= 0 ? 1 : -1 });
  }
  return points;
};

const gauss: Generator = (n, noise, random) => {
  const points: Point[] = [];
  const variance = linear(0, 0.5, 0.5, 4)(noise);
  for (const [c, label] of [[2, 1], [-2, -1]]) {
    for (let i = 0; i < n / 2; i++) {
      const x = normal(random, c, variance);
      const y = normal(random, c, variance);
      points.push({ x, y, label });
    }
  }
  return points;
};

const spiral: Generator = (n, noise, random) => {
  const points: Point[] = [];
  const half = n / 2;
  for (const [deltaT, label] of [[0, 1], [Math.PI, -1]]) {
    for (let i = 0; i < half; i++) {
      const r = (i / half) * 5;
      const t = ((1.75 * i) / half) * 2 * Math.PI + deltaT;
      const x = r * Math.sin(t) + uniform(random, -1, 1) * noise;
      const y = r * Math.cos(t) + uniform(random, -1, 1) * noise;
      points.push({ x, y, label });
    }
  }
  return points;
};

const regPlane: Generator = (n, noise, random) => {
  const radius = 6;
  const scale = linear(-10, 10, -1, 1);
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    const x = uniform(random, -radius, radius);
    const y = uniform(random, -radius, radius);
    const nx = uniform(random, -radius, radius) * noise;
    const ny = uniform(random, -radius, radius) * noise;
    points.push({ x, y, label: scale((x + nx) + (y + ny)) });
  }
  return points;
};

const GAUSSIANS: readonly (readonly [number, number, number])[] = [
  [-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
  [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1],
];

const regGauss: Generator = (n, noise, random) => {
  // The label of the nearest-in-effect bump: the largest |sign * (1 - d/2)|, clamped to [0, 1].
  const label = (x: number, y: number) => {
    let best = 0;
    for (const [cx, cy, sign] of GAUSSIANS) {
      const v = sign * (1 - Math.min(1, Math.max(0, dist(x, y, cx, cy) / 2)));
      if (Math.abs(v) > Math.abs(best)) best = v;
    }
    return best;
  };
  const radius = 6;
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    const x = uniform(random, -radius, radius);
    const y = uniform(random, -radius, radius);
    const nx = uniform(random, -radius, radius) * noise;
    const ny = uniform(random, -radius, radius) * noise;
    points.push({ x, y, label: label(x + nx, y + ny) });
  }
  return points;
};

export const GENERATORS: Readonly<Record<DatasetName, Generator>> = {
  circle, xor, gauss, spiral, 'reg-plane': regPlane, 'reg-gauss': regGauss,
};

/** Fisher-Yates from the end, one draw per position, as TensorFlow Playground's shuffle. */
export function shuffle<T>(items: T[], random: Random): void {
  for (let counter = items.length; counter > 0;) {
    const index = Math.floor(random() * counter);
    counter--;
    [items[counter], items[index]] = [items[index], items[counter]];
  }
}

export interface DataSplit { train: Point[]; test: Point[] }

/**
 * The points of one experiment: generated, shuffled and split as
 * TensorFlow Playground's generateData does. `random` is left where the
 * network's initial weights are drawn next.
 * @param noise percent, 0-50 (the URL's value)
 */
export function generateData(name: DatasetName, noise: number, percTrainData: number, random: Random): DataSplit {
  const n = (REGRESSION as readonly string[]).includes(name) ? REGRESS_SAMPLES : CLASSIFY_SAMPLES;
  const data = GENERATORS[name](n, noise / 100, random);
  shuffle(data, random);
  const split = Math.floor((data.length * percTrainData) / 100);
  return { train: data.slice(0, split), test: data.slice(split) };
}
