// HostTensor: data on the CPU side, { shape, data }: a Float32Array, or an
// Int32Array for int32 ids and indices.
import { InputError, ShapeError, fmtShape } from '../errors.js';
import { checkShape, sizeOf, type Shape } from './shape.js';
import type { DType } from './tensor.js';

export type TensorLike = HostTensor | Float32Array | ArrayLike<number> | number;

export class HostTensor<D extends Float32Array | Int32Array = Float32Array> {
  readonly shape: number[];
  readonly data: D;

  constructor(data: D, shape: Shape) {
    this.shape = checkShape(shape, 'tensor');
    if (data.length !== sizeOf(shape)) {
      throw new InputError(`tensor: shape ${fmtShape(shape)} needs ${sizeOf(shape)} values, got ${data.length}`);
    }
    this.data = data;
  }

  get size(): number {
    return this.data.length;
  }

  get dtype(): DType {
    return this.data instanceof Int32Array ? 'int32' : 'float32';
  }

  /** Nested JavaScript arrays (a number for a scalar). */
  toArray(): unknown {
    if (this.shape.length === 0) return this.data[0];
    const build = (dim: number, offset: number): unknown[] => {
      const n = this.shape[dim];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.shape.length - 1 ? this.data[offset + i] : build(dim + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** Rows [start, start+count) along the first axis, sharing no memory with this tensor. */
  sliceRows(start: number, count: number): HostTensor<D> {
    const row = sizeOf(this.shape.slice(1));
    return new HostTensor(this.data.slice(start * row, (start + count) * row) as D, [count, ...this.shape.slice(1)]);
  }

  toString(): string {
    return `HostTensor${fmtShape(this.shape)}${this.dtype === 'int32' ? ' int32' : ''}`;
  }
}

/** A typed array of numbers (not a DataView, not a BigInt array). */
export const isNumericArray = (v: unknown): v is ArrayLike<number> =>
  ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);

/** Shape of nested arrays (rows may be typed arrays), read from the first element of each level. */
export function nestedShape(v: unknown): number[] {
  const shape: number[] = [];
  while (Array.isArray(v) || isNumericArray(v)) {
    shape.push(v.length);
    if (isNumericArray(v) || v.length === 0) break;
    v = v[0];
  }
  return shape;
}

/**
 * The values of rectangular nested arrays of `shape`, row-major. Anything
 * else (a ragged row, a string, null, a boolean) is reported through
 * `fail(path, what)` with its index path; `leaf` may reject numbers too.
 */
export function flattenNested<A extends Float32Array | Float64Array = Float32Array>(value: unknown, shape: Shape, fail: (path: number[], what: string) => never, leaf?: (v: number, path: number[]) => void, Out: new (n: number) => A = Float32Array as unknown as new (n: number) => A): A {
  const out = new Out(sizeOf(shape));
  let at = 0;
  const walk = (x: unknown, depth: number, path: number[]) => {
    if (depth === shape.length) {
      if (typeof x !== 'number') fail(path, `is ${describe(x)}, not a number`);
      leaf?.(x as number, path);
      out[at++] = x as number;
      return;
    }
    if (!Array.isArray(x) && !isNumericArray(x)) fail(path, `is ${describe(x)} where an array of ${shape[depth]} was expected (the data must be rectangular)`);
    const a = x as ArrayLike<unknown>;
    if (a.length !== shape[depth]) fail(path, `has ${a.length} entries where ${shape[depth]} were expected (the data must be rectangular)`);
    for (let i = 0; i < a.length; i++) walk(a[i], depth + 1, [...path, i]);
  };
  walk(value, 0, []);
  return out;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string '${v}'`;
  if (v === null || v === undefined || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return `a ${typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v}`;
}

/** Int32 values of `flat` (read from `source`), each an integer in int32's range, or an InputError naming the position. */
export function toInt32(flat: ArrayLike<number>, where: string, position: (i: number) => string): Int32Array {
  if (flat instanceof Int32Array) return flat;
  const out = new Int32Array(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new InputError(`${where} ${position(i)} is ${v}; int32 data must hold integers`);
    out[i] = v;
  }
  return out;
}

/**
 * sn.tensor(data, shape?, dtype?): nested arrays, flat arrays, typed arrays
 * of any numeric kind or a number; the shape is inferred from the nesting if
 * omitted. A value that is not a number (a string, null) or a ragged row is
 * an InputError naming its position. With dtype 'int32' the tensor holds an
 * Int32Array, and every value must be an integer.
 */
export function tensor(data: unknown, shape?: Shape, dtype?: 'float32'): HostTensor;
export function tensor(data: unknown, shape: Shape | undefined, dtype: 'int32'): HostTensor<Int32Array>;
export function tensor(data: unknown, shape?: Shape, dtype: DType = 'float32'): HostTensor<Float32Array | Int32Array> {
  if (dtype !== 'float32' && dtype !== 'int32') throw new InputError(`tensor: dtype must be 'float32' or 'int32', got ${describe(dtype)}`);
  const source = data instanceof HostTensor ? data.data : data;
  const givenShape = shape ?? (data instanceof HostTensor ? data.shape : undefined);
  if (dtype === 'int32') {
    if (source instanceof Int32Array) return new HostTensor(source, givenShape ?? [source.length]);
    if (isNumericArray(source)) return new HostTensor(toInt32(source, 'tensor: element', String), givenShape ?? [source.length]);
    if (typeof source === 'number') return new HostTensor(toInt32([source], 'tensor: element', String), givenShape ?? []);
    if (!Array.isArray(source)) throw new InputError(`tensor: expected nested arrays of integers or a typed array, got ${describe(source)}`);
    // Read as float64, so ids past 2^24 keep their value on the way to int32.
    const nested = nestedShape(source);
    const wide = flattenNested(source, nested, (path, what) => {
      throw new InputError(`tensor: the element at [${path.join(', ')}] ${what}`);
    }, undefined, Float64Array);
    return new HostTensor(toInt32(wide, 'tensor: element', String), givenShape ?? nested);
  }
  if (source instanceof Int32Array) return new HostTensor(Float32Array.from(source), givenShape ?? [source.length]);
  if (data instanceof HostTensor && !shape) return data as HostTensor;
  return floatTensor(source, givenShape);
}

function floatTensor(data: unknown, shape?: Shape): HostTensor {
  if (shape !== undefined && !Array.isArray(shape)) throw new ShapeError(`tensor: shape must be an array of positive integers, got ${describe(shape)}`);
  if (typeof data === 'number') return new HostTensor(new Float32Array([data]), shape ?? []);
  if (isNumericArray(data)) {
    const flat = data instanceof Float32Array ? data : Float32Array.from(data);
    return new HostTensor(flat, shape ?? [flat.length]);
  }
  if (!Array.isArray(data)) throw new InputError(`tensor: expected nested arrays of numbers, a typed array or a number, got ${describe(data)}`);
  const nested = nestedShape(data);
  const flat = flattenNested(data, nested, (path, what) => {
    throw new InputError(`tensor: the element at [${path.join(', ')}] ${what}`);
  });
  return new HostTensor(flat, shape ?? nested);
}
