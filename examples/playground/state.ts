// The experiment lives in the URL hash, with TensorFlow Playground's names
// and values (src/state.ts there), so a link made for TensorFlow Playground
// opens the same experiment here. Parsing follows its rules: a boolean is
// true unless its value is "false", a number is +value, a choice must be one
// of the known names, networkShape= (empty) is no hidden layer. Our own
// parameters (optimizer, dropout, batchNorm) are written only when they
// differ from the defaults, so a TensorFlow Playground link round-trips.
import { CLASSIFICATION, REGRESSION, type ClassifyName, type RegressName } from './datasets.js';
import type { FeatureId } from './features.js';

export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear', 'leakyRelu', 'elu', 'softplus'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const REGULARIZATIONS = ['none', 'L1', 'L2'] as const;
export type Regularization = (typeof REGULARIZATIONS)[number];
export const PROBLEMS = ['classification', 'regression'] as const;
export type Problem = (typeof PROBLEMS)[number];

/** The choices the controls offer (TensorFlow Playground's lists). A URL may still ask for another positive value. */
export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const DROPOUT_RATES = [0, 0.1, 0.2, 0.3, 0.5];
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 8;

export interface PlaygroundState extends Record<FeatureId, boolean> {
  dataset: ClassifyName;
  regDataset: RegressName;
  problem: Problem;
  activation: Activation;
  learningRate: number;
  regularization: Regularization;
  regularizationRate: number;
  batchSize: number;
  /** Percent, 0-50 on the slider (TensorFlow Playground accepts up to 80 from a URL). */
  noise: number;
  percTrainData: number;
  networkShape: number[];
  seed: string;
  showTestData: boolean;
  discretize: boolean;
  initZero: boolean;
  // Ours.
  optimizer: OptimizerName;
  /** Dropout rate after every hidden layer; 0 is off. */
  dropout: number;
  batchNorm: boolean;
}

export const DEFAULTS: Readonly<Omit<PlaygroundState, 'seed'>> = {
  dataset: 'circle', regDataset: 'reg-plane', problem: 'classification', activation: 'tanh',
  learningRate: 0.03, regularization: 'none', regularizationRate: 0, batchSize: 10, noise: 0, percTrainData: 50,
  networkShape: [4, 2], showTestData: false, discretize: false, initZero: false,
  x: true, y: true, xTimesY: false, xSquared: false, ySquared: false, sinX: false, cosX: false, sinY: false, cosY: false,
  optimizer: 'sgd', dropout: 0, batchNorm: false,
};

type Key = keyof PlaygroundState;
type Kind = 'choice' | 'number' | 'boolean' | 'shape' | 'string';
interface Prop { name: Key; kind: Kind; choices?: readonly string[]; ok?: (v: number) => boolean }

const positive = (v: number) => Number.isFinite(v) && v > 0;
const intIn = (lo: number, hi: number) => (v: number) => Number.isInteger(v) && v >= lo && v <= hi;

/** TensorFlow Playground's properties in its serialisation order, then ours. */
const PROPS: readonly Prop[] = [
  { name: 'activation', kind: 'choice', choices: ACTIVATIONS },
  { name: 'regularization', kind: 'choice', choices: REGULARIZATIONS },
  { name: 'batchSize', kind: 'number', ok: intIn(1, 1000) },
  { name: 'dataset', kind: 'choice', choices: CLASSIFICATION },
  { name: 'regDataset', kind: 'choice', choices: REGRESSION },
  { name: 'learningRate', kind: 'number', ok: positive },
  { name: 'regularizationRate', kind: 'number', ok: (v) => Number.isFinite(v) && v >= 0 },
  { name: 'noise', kind: 'number', ok: (v) => Number.isFinite(v) && v >= 0 && v <= 80 },
  { name: 'networkShape', kind: 'shape' },
  { name: 'seed', kind: 'string' },
  { name: 'showTestData', kind: 'boolean' },
  { name: 'discretize', kind: 'boolean' },
  { name: 'percTrainData', kind: 'number', ok: (v) => Number.isFinite(v) && v >= 10 && v <= 90 },
  ...(['x', 'y', 'xTimesY', 'xSquared', 'ySquared', 'cosX', 'sinX', 'cosY', 'sinY'] as const).map((name): Prop => ({ name, kind: 'boolean' })),
  { name: 'problem', kind: 'choice', choices: PROBLEMS },
  { name: 'initZero', kind: 'boolean' },
  { name: 'optimizer', kind: 'choice', choices: OPTIMIZERS },
  { name: 'dropout', kind: 'number', ok: (v) => Number.isFinite(v) && v >= 0 && v < 1 },
  { name: 'batchNorm', kind: 'boolean' },
];
const OURS: readonly Key[] = ['optimizer', 'dropout', 'batchNorm'];

/** A fresh seed, as TensorFlow Playground makes one: five decimals of a random number. */
export const newSeed = (random: () => number = Math.random): string => random().toFixed(5);

/**
 * The state a URL hash describes. Values TensorFlow Playground would not
 * accept either fall back to the defaults; `warnings` names each, and
 * `extra` keeps the hash's other parameters (collectStats, hideText, ...)
 * so they are written back unchanged.
 */
export function parseHash(hash: string): { state: PlaygroundState; warnings: string[]; extra: [string, string][] } {
  const map = new Map<string, string>();
  for (const kv of hash.replace(/^#/, '').split('&')) {
    if (!kv) continue;
    const eq = kv.indexOf('=');
    map.set(eq < 0 ? kv : kv.slice(0, eq), eq < 0 ? '' : safeDecode(kv.slice(eq + 1)));
  }
  const state = { ...DEFAULTS, networkShape: [...DEFAULTS.networkShape], seed: '' } as PlaygroundState;
  const s = state as unknown as Record<string, unknown>;
  const warnings: string[] = [];
  for (const p of PROPS) {
    const raw = map.get(p.name);
    map.delete(p.name);
    if (raw === undefined) continue;
    // TensorFlow Playground skips empty values, except for networkShape, where empty means no hidden layer.
    if (p.kind !== 'shape' && raw.trim() === '') continue;
    if (p.kind === 'boolean') s[p.name] = raw !== 'false';
    else if (p.kind === 'string') s[p.name] = raw;
    else if (p.kind === 'choice') {
      if (p.choices!.includes(raw)) s[p.name] = raw;
      else warnings.push(`ignored ${p.name}=${raw} (known: ${p.choices!.join(', ')})`);
    } else if (p.kind === 'number') {
      const v = +raw;
      if (p.ok!(v)) s[p.name] = v;
      else warnings.push(`ignored ${p.name}=${raw}`);
    } else {
      const shape = raw.trim() === '' ? [] : raw.split(',').map(Number);
      if (shape.length <= MAX_LAYERS && shape.every(intIn(1, MAX_NEURONS))) state.networkShape = shape;
      else warnings.push(`ignored networkShape=${raw} (at most ${MAX_LAYERS} layers of 1-${MAX_NEURONS} neurons)`);
    }
  }
  if (state.noise > 50) {
    // TensorFlow Playground raises its slider's maximum to such a value; ours stops at 50.
    warnings.push(`noise=${state.noise} is above the slider's 50`);
  }
  return { state, warnings, extra: [...map.entries()] };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The hash for `state`: TensorFlow Playground's properties in its order, ours when not at their defaults, then `extra`. */
export function toHash(state: PlaygroundState, extra: readonly [string, string][] = []): string {
  const parts: string[] = [];
  for (const p of PROPS) {
    const v = state[p.name];
    if (OURS.includes(p.name) && v === DEFAULTS[p.name as keyof typeof DEFAULTS]) continue;
    // TensorFlow Playground writes no regularization when there is none.
    if (p.name === 'regularization' && v === 'none') continue;
    parts.push(`${p.name}=${p.kind === 'shape' ? (v as number[]).join(',') : String(v)}`);
  }
  for (const [k, v] of extra) parts.push(v === '' ? k : `${k}=${v}`);
  return `#${parts.join('&')}`;
}

/** The data set the state trains on. */
export const datasetOf = (s: PlaygroundState) => (s.problem === 'classification' ? s.dataset : s.regDataset);
