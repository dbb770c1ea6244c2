// Windows of a character stream for next-character prediction: a window of
// `length + 1` ids starting at s gives the inputs ids[s .. s+length) and the
// targets ids[s+1 .. s+length], the character after each input. A set of
// windows is stored row-major, `count` rows of `length` ids, ready to become
// int32 tensors [count, length] (inputs) and labels [count, length] (targets).
//
// Training draws windows at uniformly random starts (seeded) into buffers it
// reuses; validation uses fixed windows laid end to end, so every evaluation
// scores the same characters.
import { randomFrom, type Random } from './random.js';

export interface Windows {
  /** [count, length] row-major: the input ids. */
  inputs: Int32Array;
  /** [count, length] row-major: targets[r, j] is the id after inputs[r, j]. */
  targets: Int32Array;
  count: number;
  length: number;
}

/** Room for `count` windows of `length`. */
export function allocateWindows(count: number, length: number): Windows {
  checkPositive('count', count);
  checkPositive('length', length);
  return { inputs: new Int32Array(count * length), targets: new Int32Array(count * length), count, length };
}

function checkPositive(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${String(n)}`);
}

function checkStream(ids: Int32Array, length: number, what: string): void {
  if (!(ids instanceof Int32Array)) throw new TypeError(`${what}: ids must be an Int32Array`);
  if (ids.length < length + 1) throw new RangeError(`${what}: ${ids.length} ids are fewer than one window of ${length} + 1`);
}

/** Copies the window starting at `start` into row `row` of `out` (no allocation). */
function copyWindow(ids: Int32Array, start: number, out: Windows, row: number): void {
  const t = out.length, base = row * t, { inputs, targets } = out;
  for (let j = 0; j < t; j++) {
    inputs[base + j] = ids[start + j];
    targets[base + j] = ids[start + j + 1];
  }
}

export interface TrainingWindowsOptions {
  /** t, the characters of context per window. */
  length: number;
  /** Windows per batch (next()). */
  batchSize: number;
  /** A seed (default 1) or a generator of uniforms in [0, 1). */
  seed?: number | Random;
}

/** Random windows of a training stream; the same seed gives the same batches. */
export class TrainingWindows {
  readonly length: number;
  readonly batchSize: number;
  /** The buffers next() fills and returns; overwritten by the next call. */
  readonly batch: Windows;
  /** Where each window of the last next() starts in the stream (after a fill(), its first batchSize windows). */
  readonly starts: Int32Array;
  private readonly random: Random;

  constructor(private readonly ids: Int32Array, options: TrainingWindowsOptions) {
    checkPositive('TrainingWindows: length', options.length);
    checkPositive('TrainingWindows: batchSize', options.batchSize);
    checkStream(ids, options.length, 'TrainingWindows');
    this.length = options.length;
    this.batchSize = options.batchSize;
    this.batch = allocateWindows(options.batchSize, options.length);
    this.starts = new Int32Array(options.batchSize);
    this.random = randomFrom(options.seed);
  }

  /** How many different windows there are: every start from 0 to ids.length - length - 1. */
  get windowCount(): number {
    return this.ids.length - this.length;
  }

  /** Fills `batch` with batchSize random windows and returns it. */
  next(): Windows {
    return this.fill(this.batch);
  }

  /** Fills every row of `out` (of this length; e.g. allocateWindows(steps * batchSize, length) for one fit call). */
  fill(out: Windows): Windows {
    if (out.length !== this.length) throw new RangeError(`TrainingWindows.fill: windows of length ${out.length}, expected ${this.length}`);
    const n = this.windowCount;
    for (let r = 0; r < out.count; r++) {
      const start = Math.floor(this.random() * n);
      if (r < this.starts.length) this.starts[r] = start;
      copyWindow(this.ids, start, out, r);
    }
    return out;
  }
}

/**
 * Fixed validation windows: laid end to end from the start of `ids` (starts 0,
 * length, 2 length, ...), as many as fit. With `maxWindows`, that many of them,
 * evenly spread over the stream. Every target character is scored at most once.
 */
export function validationWindows(ids: Int32Array, length: number, maxWindows?: number): Windows {
  checkPositive('validationWindows: length', length);
  checkStream(ids, length, 'validationWindows');
  const all = Math.floor((ids.length - 1) / length);
  if (maxWindows !== undefined) checkPositive('validationWindows: maxWindows', maxWindows);
  const count = Math.min(all, maxWindows ?? all);
  const out = allocateWindows(count, length);
  for (let r = 0; r < count; r++) copyWindow(ids, Math.floor((r * all) / count) * length, out, r);
  return out;
}

/** Consecutive groups of `batchSize` rows of `w` (the last may be smaller), as views of its buffers. */
export function* batchesOf(w: Windows, batchSize: number): Generator<Windows> {
  checkPositive('batchesOf: batchSize', batchSize);
  const t = w.length;
  for (let r = 0; r < w.count; r += batchSize) {
    const count = Math.min(batchSize, w.count - r);
    yield { inputs: w.inputs.subarray(r * t, (r + count) * t), targets: w.targets.subarray(r * t, (r + count) * t), count, length: t };
  }
}
