// Choosing the next character from the model's output (generate.ts loops it).
//
// The model gives, for a position, either probabilities (a softmax layer: the
// default) or logits. Sampling works on scores s_i = logit_i, or log p_i:
//   temperature T: p_i ∝ exp(s_i / T); T < 1 sharpens, T > 1 flattens, and
//                  T = 0 is argmax (the lowest index among equal maxima);
//   top-k:         only the k highest scores keep their mass (ties broken
//                  toward the lower index), the rest get 0; k = 1 is argmax.
import { randomFrom, type Random } from './random.js';

export interface SamplingOptions {
  /** Default 1; 0 means argmax. */
  temperature?: number;
  /** Keep the k most likely characters only; default (undefined or 0): all. */
  topK?: number;
  /** What the values are; default 'probabilities'. */
  from?: 'probabilities' | 'logits';
}

function checkOptions(o: SamplingOptions): { temperature: number; topK: number; logits: boolean } {
  const temperature = o.temperature ?? 1;
  if (typeof temperature !== 'number' || !(temperature >= 0) || !Number.isFinite(temperature)) throw new RangeError(`sampling: temperature must be a finite number >= 0, got ${String(o.temperature)}`);
  const topK = o.topK ?? 0;
  if (!Number.isInteger(topK) || topK < 0) throw new RangeError(`sampling: topK must be a non-negative integer (0: all), got ${String(o.topK)}`);
  if (o.from !== undefined && o.from !== 'probabilities' && o.from !== 'logits') throw new RangeError(`sampling: from must be 'probabilities' or 'logits', got ${String(o.from)}`);
  return { temperature, topK, logits: o.from === 'logits' };
}

/** The index of the largest value (the first of equal ones); NaN is an error. */
export function argmax(values: ArrayLike<number>): number {
  let best = -1, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) throw new RangeError(`argmax: value ${i} is NaN`);
    if (best < 0 || v > max) (best = i), (max = v);
  }
  if (best < 0) throw new RangeError('argmax: no values');
  return best;
}

/** Samples indices of a fixed-size distribution; its scratch buffers are reused across calls. */
export class Sampler {
  private readonly scores: Float64Array;
  private readonly order: Int32Array;
  /** The distribution of the last probabilities() or sample() call. */
  readonly probs: Float64Array;
  private readonly random: Random;
  private readonly temperature: number;
  private readonly topK: number;
  private readonly logits: boolean;

  constructor(readonly size: number, options: SamplingOptions & { seed?: number | Random } = {}) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Sampler: size must be a positive integer, got ${String(size)}`);
    ({ temperature: this.temperature, topK: this.topK, logits: this.logits } = checkOptions(options));
    this.scores = new Float64Array(size);
    this.order = new Int32Array(size);
    this.probs = new Float64Array(size);
    this.random = randomFrom(options.seed);
  }

  /** The distribution sampling draws from, after temperature and top-k (in `probs`). */
  probabilities(values: ArrayLike<number>): Float64Array {
    const n = this.size, s = this.scores, p = this.probs;
    if (values.length !== n) throw new RangeError(`Sampler: expected ${n} values, got ${values.length}`);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (this.logits ? Number.isNaN(v) || v === Infinity : !(v >= 0 && v < Infinity)) {
        throw new RangeError(`Sampler: value ${i} is ${v}; ${this.logits ? 'logits must be finite (or -Infinity)' : 'probabilities must be finite and >= 0'}`);
      }
      s[i] = this.logits ? v : Math.log(v);
    }
    p.fill(0);
    if (this.temperature === 0 || this.topK === 1) {
      const best = argmax(s);
      if (s[best] === -Infinity) throw new RangeError('Sampler: every value has zero probability');
      p[best] = 1;
      return p;
    }
    const k = this.topK === 0 || this.topK >= n ? n : this.topK;
    const kept = this.keep(k);
    const max = s[kept[0]];
    if (max === -Infinity) throw new RangeError('Sampler: every value has zero probability');
    let total = 0;
    for (let j = 0; j < k; j++) total += p[kept[j]] = Math.exp((s[kept[j]] - max) / this.temperature);
    for (let j = 0; j < k; j++) p[kept[j]] /= total;
    return p;
  }

  /** The k indices of the highest scores, highest first (ties: lower index first). */
  private keep(k: number): Int32Array {
    const s = this.scores, o = this.order;
    for (let i = 0; i < o.length; i++) o[i] = i;
    // -Infinity - -Infinity is NaN, which || turns into the index order.
    o.sort((a, b) => s[b] - s[a] || a - b);
    return o.subarray(0, k);
  }

  /** One index drawn from probabilities(values). */
  sample(values: ArrayLike<number>): number {
    const p = this.probabilities(values);
    const u = this.random();
    let acc = 0, last = -1;
    for (let i = 0; i < p.length; i++) {
      if (p[i] === 0) continue;
      acc += p[i];
      last = i;
      if (u < acc) return i;
    }
    return last; // u within rounding of 1
  }
}
