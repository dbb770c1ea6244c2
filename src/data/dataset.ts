// Pure helpers that Model.fit uses to feed data: a seeded PRNG, shuffling,
// row gathering, the Keras validation split, batch ranges and one-hot labels.
// Every tensor here is split along its first axis (the samples).
import { InputError, fmtShape } from '../errors.js';
import { HostTensor } from '../graph/host-tensor.js';
import { sizeOf } from '../graph/shape.js';

/**
 * A seeded pseudo-random generator returning floats in [0, 1): mulberry32
 * (Tommy Ettinger's 32-bit generator: one 32-bit state advanced by a Weyl
 * sequence, then mixed by two multiply-xorshift rounds). Period 2^32; its
 * author reports it passes the gjrand suite. Ample for shuffling and dropout
 * masks (not for cryptography), a few integer operations per draw, and the
 * same seed gives the same sequence on every platform. The seed is truncated
 * to an integer and taken modulo 2^32.
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new InputError(`seededRandom: seed must be a finite number, got ${String(seed)}`);
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates), drawing from `rand` (values in [0, 1)). */
export function shuffledIndices(n: number, rand: () => number = Math.random): Uint32Array {
  checkCount('shuffledIndices', 'n', n);
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = idx[i];
    idx[i] = idx[j];
    idx[j] = tmp;
  }
  return idx;
}

/**
 * Copies rows `indices[start .. start+count)` of `t` (rows = first axis) into
 * a new [count, ...rest] tensor. With `out` (at least count * rowSize long)
 * the rows are written there and the result views its first count * rowSize
 * values, so a training loop can reuse one batch buffer.
 */
export function gatherRows<D extends Float32Array | Int32Array = Float32Array>(t: HostTensor<D>, indices: ArrayLike<number>, start: number, count: number, out?: D): HostTensor<D> {
  if (t.shape.length === 0) throw new InputError('gatherRows: the tensor is a scalar (shape []), it has no rows');
  checkCount('gatherRows', 'start', start);
  if (!Number.isInteger(count) || count < 1) throw new InputError(`gatherRows: count must be a positive integer, got ${String(count)}`);
  if (start + count > indices.length) {
    throw new InputError(`gatherRows: rows ${start}..${start + count - 1} asked for, but there are only ${indices.length} indices`);
  }
  const rows = t.shape[0];
  const rowSize = sizeOf(t.shape.slice(1));
  const need = count * rowSize;
  if (out && out.length < need) {
    throw new InputError(`gatherRows: the output buffer holds ${out.length} values, ${count} rows of ${fmtShape(t.shape.slice(1))} need ${need}`);
  }
  const data = (out ? out.subarray(0, need) : new (t.data.constructor as new (n: number) => D)(need)) as D;
  const src = t.data;
  for (let i = 0; i < count; i++) {
    const r = indices[start + i];
    if (!Number.isInteger(r) || r < 0 || r >= rows) {
      throw new InputError(`gatherRows: index ${start + i} is ${r}, expected an integer row in [0, ${rows - 1}]`);
    }
    if (rowSize === 1) data[i] = src[r];
    else data.set(src.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
  return new HostTensor(data, [count, ...t.shape.slice(1)]);
}

type AnyHost = HostTensor<Float32Array | Int32Array>;

export interface Split<X extends AnyHost = HostTensor> {
  train: { x: X; y: HostTensor };
  validation: { x: X; y: HostTensor };
}

/**
 * Keras' `validationSplit`: the LAST fraction of the samples (before any
 * shuffling) is the validation set; the first floor(n * (1 - split)) samples
 * train. The parts are views sharing memory with `x` and `y`, not copies.
 */
export function splitTrainValidation<X extends AnyHost = HostTensor>(x: X, y: HostTensor, validationSplit: number): Split<X> {
  if (typeof validationSplit !== 'number' || !(validationSplit > 0 && validationSplit < 1)) {
    throw new InputError(`validationSplit must be a number strictly between 0 and 1, got ${String(validationSplit)}`);
  }
  const n = checkSameRows('validationSplit', x, y);
  const at = Math.floor(n * (1 - validationSplit));
  if (at === 0 || at === n) {
    throw new InputError(
      `validationSplit ${validationSplit} of ${n} samples leaves ${at} for training and ${n - at} for validation; both need at least one`,
    );
  }
  return {
    train: { x: rowView(x, 0, at), y: rowView(y, 0, at) },
    validation: { x: rowView(x, at, n - at), y: rowView(y, at, n - at) },
  };
}

/** Checks that x and y have the same number of samples (first axis) and returns it. */
export function checkSameRows(what: string, x: AnyHost, y: AnyHost): number {
  if (x.shape.length === 0 || y.shape.length === 0) {
    throw new InputError(`${what}: x ${fmtShape(x.shape)} and y ${fmtShape(y.shape)} must both have a sample axis (rank >= 1)`);
  }
  if (x.shape[0] !== y.shape[0]) {
    throw new InputError(`${what}: x has ${x.shape[0]} samples (shape ${fmtShape(x.shape)}) but y has ${y.shape[0]} (shape ${fmtShape(y.shape)})`);
  }
  return x.shape[0];
}

function rowView<T extends AnyHost>(t: T, start: number, count: number): T {
  const row = sizeOf(t.shape.slice(1));
  return new HostTensor(t.data.subarray(start * row, (start + count) * row), [count, ...t.shape.slice(1)]) as T;
}

export interface BatchRange {
  start: number;
  count: number;
}

/** Consecutive ranges covering 0..n-1, `batchSize` long except a shorter last one. */
export function* batches(n: number, batchSize: number): Generator<BatchRange> {
  checkCount('batches', 'n', n);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`batches: batchSize must be a positive integer, got ${String(batchSize)}`);
  for (let start = 0; start < n; start += batchSize) yield { start, count: Math.min(batchSize, n - start) };
}

/** The number of batches `batches(n, batchSize)` yields. */
export function batchCount(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

/**
 * One-hot encoding: labels of shape S (integers 0..classes-1, stored as
 * floats) become a [...S, classes] tensor of zeros and ones.
 */
export function toOneHot(labels: HostTensor, classes: number): HostTensor {
  if (!Number.isInteger(classes) || classes < 1) throw new InputError(`toOneHot: classes must be a positive integer, got ${String(classes)}`);
  const src = labels.data;
  const out = new Float32Array(src.length * classes);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new InputError(`toOneHot: label ${i} is ${v}, expected an integer in [0, ${classes - 1}]`);
    }
    out[i * classes + v] = 1;
  }
  return new HostTensor(out, [...labels.shape, classes]);
}

function checkCount(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new InputError(`${fn}: ${name} must be a non-negative integer, got ${String(v)}`);
}
