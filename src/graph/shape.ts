// Static shapes: sizes, strides, broadcasting and axis normalisation.
import { ShapeError, fmtShape } from '../errors.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function checkShape(shape: Shape, what: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${what}: shape must be an array of positive integers, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d <= 0) {
      throw new ShapeError(`${what}: every dimension must be a positive integer, got ${fmtShape(shape)}`);
    }
  }
  return [...shape];
}

/** NumPy broadcasting of two shapes; throws naming the op and both shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast (dimension ${i} of the result: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Element strides of `shape` when read as if broadcast to `outShape`:
 * broadcast dimensions get stride 0. `shape` is right-aligned with `outShape`.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => {
    const j = i - off;
    if (j < 0) return 0;
    return shape[j] === 1 ? 0 : own[j];
  });
}

/** Normalise an axis argument (number, array or undefined = all) for a tensor of `rank`. */
export function normalizeAxes(op: string, axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const seen = new Set<number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= Math.max(rank, 1) || (rank === 0 && a !== 0 && a !== -1)) {
      throw new ShapeError(`${op}: axis ${a} is out of range for a tensor of rank ${rank}`);
    }
    const n = rank === 0 ? 0 : (a + rank) % rank;
    if (seen.has(n)) throw new ShapeError(`${op}: axis ${a} is given twice`);
    seen.add(n);
  }
  return [...seen].filter((a) => a < rank).sort((x, y) => x - y);
}

export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return (axis + rank) % rank;
}
