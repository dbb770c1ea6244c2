// HostTensor: data on the CPU side, { shape, data: Float32Array }.
import { InputError, ShapeError, fmtShape } from '../errors.js';
import { checkShape, sizeOf, type Shape } from './shape.js';

export type TensorLike = HostTensor | Float32Array | ArrayLike<number> | number;

export class HostTensor {
  readonly shape: number[];
  readonly data: Float32Array;

  constructor(data: Float32Array, shape: Shape) {
    this.shape = checkShape(shape, 'tensor');
    if (data.length !== sizeOf(shape)) {
      throw new InputError(`tensor: shape ${fmtShape(shape)} needs ${sizeOf(shape)} values, got ${data.length}`);
    }
    this.data = data;
  }

  get size(): number {
    return this.data.length;
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
  sliceRows(start: number, count: number): HostTensor {
    const row = sizeOf(this.shape.slice(1));
    return new HostTensor(this.data.slice(start * row, (start + count) * row), [count, ...this.shape.slice(1)]);
  }

  toString(): string {
    return `HostTensor${fmtShape(this.shape)}`;
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
export function flattenNested(value: unknown, shape: Shape, fail: (path: number[], what: string) => never, leaf?: (v: number, path: number[]) => void): Float32Array {
  const out = new Float32Array(sizeOf(shape));
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

/**
 * sn.tensor(data, shape?): nested arrays, flat arrays, typed arrays of any
 * numeric kind or a number; the shape is inferred from the nesting if
 * omitted. A value that is not a number (a string, null) or a ragged row is
 * an InputError naming its position.
 */
export function tensor(data: unknown, shape?: Shape): HostTensor {
  if (data instanceof HostTensor) return shape ? new HostTensor(data.data, shape) : data;
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
