// Shared fixtures of the hostile-input probe: a tiny 4-3-2 model and its
// data, saved model files (cached), a way to tamper with a saved file's
// config and tensors, raw safetensors bytes, and small helpers for checks.
import * as sn from '../../src/index.js';
import type { Ctx, Expect, Fragment } from './probe.js';

// ------------------------------------------------------------------ data

/** Six samples of four features, small integers (exact in every typed array). */
export const X: number[][] = [[0, 1, 2, 3], [1, 2, 3, 0], [2, 3, 0, 1], [3, 0, 1, 2], [1, 1, 2, 2], [2, 2, 1, 1]];
/** Regression targets for X, two per sample. */
export const Y: number[][] = [[0.5, -0.5], [1, 0], [0, 1], [-1, 0.5], [0.25, 0.75], [0.125, -0.25]];
/** Class labels for X (two classes). */
export const LABELS: number[] = [0, 1, 1, 0, 1, 0];
export const N = X.length;

export const flatX = (): number[] => X.flat();
export const f32X = (): Float32Array => Float32Array.from(X.flat());
export const hostX = (): sn.HostTensor => sn.tensor(f32X(), [N, 4]);
export const hostY = (): sn.HostTensor => sn.tensor(Float32Array.from(Y.flat()), [N, 2]);

/** A deep copy of nested rows with rows[sample][position] = value. */
export function withBad(rows: readonly (readonly number[])[], sample: number, position: number, value: unknown): unknown[][] {
  const copy: unknown[][] = rows.map((r) => [...r]);
  copy[sample][position] = value;
  return copy;
}

/** A flat Float32Array copy of rows with one value replaced. */
export function f32With(rows: readonly (readonly number[])[], sample: number, position: number, value: number): Float32Array {
  const a = Float32Array.from(rows.flat());
  a[sample * rows[0].length + position] = value;
  return a;
}

// ------------------------------------------------------------------ the tiny model

export interface TinyOptions {
  loss?: string;
  optimizer?: unknown;
  metrics?: string[];
  /** Compile it (default true). */
  compile?: boolean;
  /** Softmax output (for sparse labels). */
  softmax?: boolean;
}

/** A 4-3-2 dense model (relu hidden layer), seeded weights. */
export function tinyModel(ctx: Ctx, o: TinyOptions = {}): sn.Model {
  const m = sn.sequential([
    sn.layers.dense({ units: 3, inputShape: [4], activation: 'relu', seed: 1 }),
    sn.layers.dense({ units: 2, activation: o.softmax ? 'softmax' : 'linear', seed: 2 }),
  ]);
  if (o.compile ?? true) {
    m.compile({
      device: ctx.device,
      optimizer: (o.optimizer as sn.ModelCompileConfig['optimizer']) ?? sn.optimizers.sgd({ learningRate: 0.01 }),
      loss: o.loss ?? 'meanSquaredError',
      metrics: o.metrics,
    });
  }
  return m;
}

/** Runs fn on a fresh tiny model and disposes it afterwards, whatever happens. */
export async function withModel<T>(ctx: Ctx, fn: (m: sn.Model) => T | Promise<T>, o: TinyOptions = {}): Promise<T> {
  const m = tinyModel(ctx, o);
  try {
    return await fn(m);
  } finally {
    m.dispose();
  }
}

/** The sparse-label variant: softmax output, sparseCategoricalCrossentropy. */
export const sparse: TinyOptions = { loss: 'sparseCategoricalCrossentropy', softmax: true };

export const quiet = { verbose: 0 as const };

// ------------------------------------------------------------------ saved files

let saved: Promise<Uint8Array> | undefined;

/**
 * A saved 4-3-2 model with a dropout layer between its dense layers
 * ('d1' 4->3 relu, 'drop' rate 0.1, 'd2' 3->2), compiled with Adam and
 * mse, trained one step, saved with its optimizer state.
 */
export function savedBytes(ctx: Ctx): Promise<Uint8Array> {
  saved ??= (async () => {
    const m = sn.sequential([
      sn.layers.dense({ units: 3, inputShape: [4], activation: 'relu', seed: 1, name: 'd1' }),
      sn.layers.dropout({ rate: 0.1, seed: 3, name: 'drop' }),
      sn.layers.dense({ units: 2, seed: 2, name: 'd2' }),
    ]);
    try {
      m.compile({ device: ctx.device, optimizer: sn.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
      await m.fit(X, Y, { epochs: 1, batchSize: N, ...quiet });
      return await m.save({ includeOptimizer: true });
    } finally {
      m.dispose();
    }
  })();
  return saved;
}

let savedConv: Promise<Uint8Array> | undefined;

/** A saved tiny convnet: 'c1' conv2d 2 filters 2x2 on [4, 4, 1], 'flat', 'out' dense 2. */
export function savedConvBytes(ctx: Ctx): Promise<Uint8Array> {
  savedConv ??= (async () => {
    const m = sn.sequential([
      sn.layers.conv2d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 1], seed: 1, name: 'c1' }),
      sn.layers.flatten({ name: 'flat' }),
      sn.layers.dense({ units: 2, seed: 2, name: 'out' }),
    ]);
    try {
      m.compile({ device: ctx.device, optimizer: 'sgd', loss: 'meanSquaredError' });
      return await m.save();
    } finally {
      m.dispose();
    }
  })();
  return savedConv;
}

// The saved config, as serialize.ts writes it.
export interface SavedLayer { className: unknown; config: Record<string, unknown>; inbound: unknown }
export interface SavedConfig {
  format: string;
  version: number;
  name: string;
  input: { name: string; shape: unknown };
  layers: SavedLayer[];
  output: unknown;
  compile?: { loss?: unknown; metrics: unknown; optimizer: { name: unknown; config: Record<string, unknown> } };
  optimizerStep?: unknown;
}

export const CONFIG_KEY = 'sinapsis.config';

/** Decodes a saved file, lets `mutate` edit its config and tensors, and encodes it again. */
export function tamper(bytes: Uint8Array, mutate: (config: SavedConfig, tensors: Record<string, sn.HostTensor>) => void): Uint8Array {
  const { tensors, metadata } = sn.decodeSafetensors(bytes);
  const config = JSON.parse(metadata[CONFIG_KEY]) as SavedConfig;
  const t: Record<string, sn.HostTensor> = { ...tensors };
  mutate(config, t);
  return sn.encodeSafetensors(t, { ...metadata, [CONFIG_KEY]: JSON.stringify(config) });
}

export function layerOf(config: SavedConfig, name: string): SavedLayer {
  const l = config.layers.find((x) => x.config.name === name);
  if (!l) throw new Error(`fixture: no layer '${name}' in the saved config`);
  return l;
}

/** loadModel on bytes; a model that loads is disposed (and reported as loaded). */
export async function load(ctx: Ctx, bytes: Uint8Array): Promise<string> {
  const m = await sn.loadModel(bytes, { device: ctx.device });
  m.dispose();
  return 'a model loaded';
}

/** Safetensors bytes from a header written by hand (padded to 8) and a data section. */
export function rawSafetensors(header: string, data: Uint8Array = new Uint8Array(0), headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const len = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + len + data.length);
  const view = new DataView(out.buffer);
  const claimed = headerLength ?? len;
  view.setUint32(0, claimed % 2 ** 32, true);
  view.setUint32(4, Math.floor(claimed / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + len);
  out.set(data, 8 + len);
  return out;
}

/** A header entry of one F32 tensor. */
export const entry = (shape: number[], begin: number, end: number, dtype = 'F32') => ({ dtype, shape, data_offsets: [begin, end] });

/** Seeded bytes (mulberry32). */
export function randomBytes(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

// ------------------------------------------------------------------ expectations

/** Expect an error of class cls whose message holds every fragment. */
export const err = (cls: abstract new (...args: never[]) => Error, ...includes: Fragment[]): Expect => ({ error: cls, includes });
/** Expect a result passing check. */
export const ok = (check: (r: never) => true | string | Promise<true | string> = () => true): Expect => ({ ok: check as (r: unknown) => true | string });

/** The bad value as a message might print it. */
export const word = (name: string): RegExp => new RegExp(`\\b${name}\\b`, 'i');

/** A byte count as a message might print it: plain digits or grouped by commas. */
export const bytesText = (n: number): string[] => [String(n), n.toLocaleString('en-US'), n.toLocaleString('en-US').replace(/,/g, '_')];

/** The device limits a message about a too-large buffer may name. */
export const LIMIT_NAMES = ['maxBufferSize', 'maxStorageBufferBindingSize'];

export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>, what: string, tol = 0): true | string {
  if (a.length !== b.length) return `${what}: ${a.length} values, expected ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - b[i]) <= tol) && !(Number.isNaN(a[i]) && Number.isNaN(b[i])) && a[i] !== b[i]) {
      return `${what}: [${i}] is ${a[i]}, expected ${b[i]}`;
    }
  }
  return true;
}

/** Predictions of the tiny model on X (Float32Array HostTensor), the reference the typed-array cases compare with. */
export async function referencePredictions(m: sn.Model): Promise<Float32Array> {
  return (await m.predict(hostX())).data;
}

export const isHistory = (r: unknown): true | string =>
  r && typeof r === 'object' && 'history' in r && Array.isArray((r as sn.History).epoch) ? true : `expected a History, got ${typeof r}`;
