// Shared helpers of the engine-core tests: one cached device per process,
// seeded random data, GPU-vs-CPU comparison of whole graphs, and gradient
// checks against central finite differences. Tolerances live in
// tolerances.ts.
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { ELEMENTWISE, FD_STEP, FINITE_DIFF, GRAPH, type Tol } from './tolerances.js';

type Shape = readonly number[];
export type Data = Float32Array | Int32Array | readonly number[];

// ------------------------------------------------------------------ devices

let defaultDevice: Promise<sn.Device> | undefined;
let tiled: Promise<sn.Device> | undefined;

/** The process-wide device (created once; the adapter's default kernel variants). */
export function device(): Promise<sn.Device> {
  defaultDevice ??= sn.createDevice();
  return defaultDevice;
}

let plainRegister: Promise<sn.Device> | undefined;

/** A device on the register matmul kernel without subgroup-shared loads of A (the default on SwiftShader has them). */
export function plainRegisterDevice(): Promise<sn.Device> {
  plainRegister ??= sn.createDevice({ caps: { matmul: 'register', matmulSharedA: false } });
  return plainRegister;
}

/** A second device forced onto the shared-memory tiled matmul kernel. */
export function tiledDevice(): Promise<sn.Device> {
  tiled ??= sn.createDevice({ caps: { matmul: 'tiled' } });
  return tiled;
}

// ------------------------------------------------------------------ random data

/** mulberry32: a small seeded PRNG, so every run of the suite sees the same data. */
export class Rng {
  private s: number;
  constructor(seed = 1) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export const sizeOf = (shape: Shape) => shape.reduce((n, d) => n * d, 1);

/** Uniform values in [lo, hi). */
export function uniform(shape: Shape, rng: Rng, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: sizeOf(shape) }, () => rng.uniform(lo, hi));
}

/** Random sign times a magnitude in [min, max): keeps every value away from 0 (relu, abs, step kinks). */
export function awayFromZero(shape: Shape, rng: Rng, min = 0.2, max = 1.5): Float32Array {
  return Float32Array.from({ length: sizeOf(shape) }, () => (rng.next() < 0.5 ? -1 : 1) * rng.uniform(min, max));
}

/**
 * Distinct values k * spacing + offset for integers k around 0, shuffled: no
 * two are closer than `spacing` (max without ties), and two sets with offsets
 * 0 and spacing / 2 never meet (maximum/minimum without ties).
 */
export function distinct(shape: Shape, rng: Rng, spacing = 0.07, offset = 0): Float32Array {
  const n = sizeOf(shape);
  const v = Array.from({ length: n }, (_, i) => (i - Math.floor(n / 2)) * spacing + offset);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [v[i], v[j]] = [v[j], v[i]];
  }
  return Float32Array.from(v);
}

/** Small integers in [-k, k]: many exact ties, for comparisons and max/min. */
export function ints(shape: Shape, rng: Rng, k = 2): Float32Array {
  return Float32Array.from({ length: sizeOf(shape) }, () => rng.int(2 * k + 1) - k);
}

// ------------------------------------------------------------------ comparison

const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(8) : String(x));

/**
 * Asserts |actual - expected| <= atol + rtol |expected| elementwise. The
 * failure message gives the number of bad elements, the max abs and rel
 * errors and the worst element with both values.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tol, what: string): void {
  if (actual.length !== expected.length) assert.unreachable(`${what}: ${actual.length} values, expected ${expected.length}`);
  let bad = 0, worst = -1, worstRatio = 0, maxAbs = 0, maxRel = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    let ratio: number;
    if (!Number.isFinite(e)) {
      ratio = Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)) ? 0 : Infinity;
    } else if (!Number.isFinite(a)) {
      ratio = Infinity;
      maxAbs = Infinity;
    } else {
      const err = Math.abs(a - e);
      maxAbs = Math.max(maxAbs, err);
      if (e !== 0) maxRel = Math.max(maxRel, err / Math.abs(e));
      const allowed = tol.atol + tol.rtol * Math.abs(e);
      ratio = err === 0 ? 0 : allowed === 0 ? Infinity : err / allowed;
    }
    if (ratio > 1) bad++;
    if (ratio > worstRatio || worst < 0) { worstRatio = ratio; worst = i; }
  }
  if (bad > 0) {
    assert.unreachable(
      `${what}: ${bad} of ${expected.length} values out of tolerance (atol ${tol.atol}, rtol ${tol.rtol}); ` +
        `max abs error ${fmt(maxAbs)}, max rel error ${fmt(maxRel)}; worst at [${worst}]: got ${fmt(actual[worst])}, expected ${fmt(expected[worst])}`,
    );
  }
}

export interface CompareOptions {
  /** One tolerance for every output, or one per output name (default ELEMENTWISE). */
  tol?: Tol | Record<string, Tol>;
  device?: sn.Device;
  params?: Record<string, Float32Array>;
}

export interface Compared {
  gpu: Record<string, sn.HostTensor>;
  cpu: Record<string, Float32Array>;
}

function asRecord(outputs: Record<string, sn.Tensor> | sn.Tensor): Record<string, sn.Tensor> {
  return outputs instanceof sn.Tensor ? { out: outputs } : outputs;
}

/**
 * Compiles the graph of `outputs` on the GPU, runs it on `inputs`, evaluates
 * the same outputs with the CPU reference interpreter and asserts that they
 * agree (shapes exactly, values within tolerance). Returns both results.
 */
export async function compareToCpu(
  outputs: Record<string, sn.Tensor> | sn.Tensor,
  inputs: Record<string, Data>,
  options: CompareOptions = {},
): Promise<Compared> {
  const outs = asRecord(outputs);
  const names = Object.keys(outs);
  const g = outs[names[0]].graph;
  const dev = options.device ?? (await device());
  const prog = await sn.compile(dev, g, { outputs: outs });
  try {
    const gpu = await prog.run(inputs as Record<string, Float32Array>);
    const cpuList = sn.interpret(names.map((n) => outs[n]), inputs, options.params);
    const cpu: Record<string, Float32Array> = {};
    names.forEach((n, i) => {
      cpu[n] = cpuList[i];
      const tol = options.tol === undefined ? ELEMENTWISE : 'atol' in options.tol ? (options.tol as Tol) : (options.tol as Record<string, Tol>)[n] ?? ELEMENTWISE;
      assert.equal(gpu[n].shape, [...outs[n].shape], `output '${n}': shape`);
      assertClose(gpu[n].data, cpu[n], tol, `output '${n}' ${fmtShape(outs[n].shape)} GPU vs CPU`);
    });
    return { gpu, cpu };
  } finally {
    prog.dispose();
  }
}

const fmtShape = (s: Shape) => `[${s.join(', ')}]`;

// ------------------------------------------------------------------ gradients

export interface GradCheckOptions {
  /** Values per input (default: gen, or awayFromZero in +-[0.2, 1.5)). */
  data?: (Data | undefined)[];
  gen?: (shape: Shape, rng: Rng) => Float32Array;
  seed?: number;
  /** Finite-difference step (default FD_STEP). */
  h?: number;
  /** Check at most this many elements per input (sampled, seeded); default 48. */
  maxChecks?: number;
  device?: sn.Device;
  /** Tolerance of the forward values and of the GPU gradient against the CPU-interpreted gradient graph. */
  tol?: Tol;
  fdTol?: Tol;
  /** Further inputs the build creates itself (int32 indices, say), by name, with their values; they take no gradient. */
  fixed?: Record<string, Data>;
}

export interface GradChecked {
  /** GPU gradients, one per input. */
  grads: Float32Array[];
  /** The fixed random weights w of f = sum(w * op(x)). */
  w: Float32Array;
  inputs: Float32Array[];
}

/**
 * Gradient check of y = build(x0, x1, ...). Builds f = sum(w * y) with a
 * fixed random w (so the adjoint of y is not all ones), compiles
 * g.grad(f, xs) on the GPU and compares it
 *  - with central finite differences of f computed by the CPU interpreter
 *    (see FINITE_DIFF in tolerances.ts for h and the tolerance), and
 *  - with the same gradient graph evaluated by the CPU interpreter (tight).
 * The forward value y is also compared GPU vs CPU.
 */
export async function gradCheck(build: (...xs: sn.Tensor[]) => sn.Tensor, inputShapes: readonly Shape[], options: GradCheckOptions = {}): Promise<GradChecked> {
  const rng = new Rng(options.seed ?? 12345);
  const gen = options.gen ?? ((s: Shape, r: Rng) => awayFromZero(s, r));
  const g = sn.graph();
  const xs = inputShapes.map((s, i) => g.input(`x${i}`, s));
  const data = inputShapes.map((s, i) => {
    const given = options.data?.[i];
    return given ? Float32Array.from(given) : gen(s, rng);
  });
  const y = build(...xs);
  const w = awayFromZero(y.shape, rng, 0.25, 1.25);
  const f = sn.ops.sum(sn.ops.mul(g.constant(w, y.shape), y));
  const grads = g.grad(f, xs);
  const outputs: Record<string, sn.Tensor> = { y, f };
  grads.forEach((d, i) => { outputs[`dx${i}`] = d; });
  const inputs: Record<string, Data> = { ...(options.fixed ?? {}) };
  data.forEach((d, i) => { inputs[`x${i}`] = d; });

  // GPU forward and gradients vs the CPU interpreter on the same graph.
  const tol = options.tol ?? GRAPH;
  const { gpu } = await compareToCpu(outputs, inputs, { device: options.device, tol });
  const gpuGrads = grads.map((_, i) => gpu[`dx${i}`].data);
  grads.forEach((d, i) => assert.equal([...d.shape], [...inputShapes[i]], `gradient ${i}: shape`));

  // Central finite differences on the CPU: sum_k w_k (y+_k - y-_k) in f64 over the step actually taken.
  const h = options.h ?? FD_STEP;
  const maxChecks = options.maxChecks ?? 48;
  const fdTol = options.fdTol ?? FINITE_DIFF;
  const evalY = (): Float32Array => sn.interpret([y], inputs)[0];
  data.forEach((x, i) => {
    const picks = pickIndices(x.length, maxChecks, rng);
    const fd: number[] = [];
    const got: number[] = [];
    for (const j of picks) {
      const x0 = x[j];
      const xp = Math.fround(x0 + h), xm = Math.fround(x0 - h);
      x[j] = xp;
      const yp = evalY();
      x[j] = xm;
      const ym = evalY();
      x[j] = x0;
      let s = 0;
      for (let k = 0; k < yp.length; k++) s += w[k] * (yp[k] - ym[k]);
      fd.push(s / (xp - xm));
      got.push(gpuGrads[i][j]);
    }
    assertClose(got, fd, fdTol, `d f / d x${i} ${fmtShape(inputShapes[i])} (GPU) vs central differences at elements [${picks.slice(0, 8).join(', ')}${picks.length > 8 ? ', ...' : ''}]`);
  });
  return { grads: gpuGrads, w, inputs: data };
}

/** All indices when n <= max, else the first, the last and a seeded sample. */
function pickIndices(n: number, max: number, rng: Rng): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const set = new Set<number>([0, n - 1]);
  while (set.size < max) set.add(rng.int(n));
  return [...set].sort((a, b) => a - b);
}

// ------------------------------------------------------------------ errors

/** Asserts that fn throws (or rejects with) an instance of cls whose message contains every pattern. */
export async function throwsWith(fn: () => unknown, cls: new (...args: never[]) => Error, ...patterns: (string | RegExp)[]): Promise<Error> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  if (caught === undefined) assert.unreachable(`expected a ${cls.name}, nothing was thrown`);
  const e = caught as Error;
  assert.instance(e, cls, `expected ${cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
  assert.instance(e, sn.SinapsisError);
  for (const p of patterns) {
    if (typeof p === 'string') assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} should contain ${JSON.stringify(p)}`);
    else assert.match(e.message, p);
  }
  return e;
}
