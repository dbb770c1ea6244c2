// HostTensor: data on the CPU side, { shape, data: Float32Array }.
import { InputError, fmtShape } from '../errors.js';
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

function flatten(value: unknown, out: number[]): void {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else if (ArrayBuffer.isView(value)) out.push(...Array.from(value as unknown as ArrayLike<number>, Number));
  else out.push(Number(value));
}

function inferShape(value: unknown): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

/** sn.tensor(data, shape?): nested arrays, flat arrays or typed arrays; shape inferred from nesting if omitted. */
export function tensor(data: unknown, shape?: Shape): HostTensor {
  if (data instanceof HostTensor) return shape ? new HostTensor(data.data, shape) : data;
  let flat: Float32Array;
  if (data instanceof Float32Array) flat = data;
  else if (typeof data === 'number') flat = new Float32Array([data]);
  else {
    const list: number[] = [];
    flatten(data, list);
    flat = new Float32Array(list);
  }
  const s = shape ?? (typeof data === 'number' ? [] : ArrayBuffer.isView(data) ? [flat.length] : inferShape(data));
  return new HostTensor(flat, s);
}
