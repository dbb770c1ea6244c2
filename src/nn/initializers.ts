// Initializers (Keras names and formulas): functions of a parameter's shape
// that return its starting values on the host. Pass { seed } for
// reproducible weights.
import { InputError } from '../errors.js';
import type { Initializer } from '../graph/tensor.js';
import { sizeOf, type Shape } from '../graph/shape.js';
import { seededRandom } from '../data/dataset.js';
import { NameTable } from '../names.js';

export interface SeedOption { seed?: number }

/** fanIn/fanOut as Keras computes them: dense [in, out]; conv [kh, kw, cin, cout] scales by the kernel area. */
export function fans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

const rng = (seed?: number) => (seed === undefined ? Math.random : seededRandom(seed));

/** Standard normal by Box-Muller. */
function normal(rand: () => number): number {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Normal truncated at two standard deviations (Keras' truncated_normal). */
function truncatedNormal(rand: () => number): number {
  for (;;) {
    const z = normal(rand);
    if (Math.abs(z) <= 2) return z;
  }
}

const filled = (shape: Shape, f: () => number) => {
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = f();
  return out;
};

export const zeros = (): Initializer => (shape) => new Float32Array(sizeOf(shape));
export const ones = (): Initializer => (shape) => new Float32Array(sizeOf(shape)).fill(1);
export const constant = (o: { value: number }): Initializer => (shape) => new Float32Array(sizeOf(shape)).fill(o.value);

/** U(-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)). */
export const glorotUniform = (o: SeedOption = {}): Initializer => (shape) => {
  const rand = rng(o.seed);
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return filled(shape, () => (rand() * 2 - 1) * limit);
};

/** Truncated normal with stddev sqrt(2 / fanIn) / 0.8796 (the truncation's variance correction, as Keras). */
export const heNormal = (o: SeedOption = {}): Initializer => (shape) => {
  const rand = rng(o.seed);
  const std = Math.sqrt(2 / fans(shape).fanIn) / 0.87962566103423978;
  return filled(shape, () => truncatedNormal(rand) * std);
};

export const randomNormal = (o: SeedOption & { mean?: number; stddev?: number } = {}): Initializer => (shape) => {
  const rand = rng(o.seed);
  const mean = o.mean ?? 0;
  const std = o.stddev ?? 0.05;
  return filled(shape, () => mean + std * normal(rand));
};

export const randomUniform = (o: SeedOption & { minval?: number; maxval?: number } = {}): Initializer => (shape) => {
  const rand = rng(o.seed);
  const lo = o.minval ?? -0.05;
  const hi = o.maxval ?? 0.05;
  return filled(shape, () => lo + (hi - lo) * rand());
};

/** Initializers by name; the random ones take the layer's seed. */
const byName = new NameTable<(o: SeedOption) => Initializer>('initializer', {
  zeros, ones, glorotUniform, heNormal, randomNormal, randomUniform,
});

export type InitializerLike = Initializer | 'zeros' | 'ones' | 'glorotUniform' | 'heNormal' | 'randomNormal' | 'randomUniform' | (string & {});

/** An initializer function, or one by name (with the layer's seed for the random ones). */
export function getInitializer(i: InitializerLike, seed?: number): Initializer {
  if (typeof i === 'function') return i;
  if (i !== undefined && typeof i !== 'string') throw new InputError(`initializer: expected a name (${byName.names().join(', ')}) or a function of the shape, got ${JSON.stringify(i)}`);
  return byName.get(i)({ seed });
}
