// The data handed to fit, evaluate and predict, checked and converted before
// anything reaches the GPU. On the GPU a NaN does not stay visible: relu(NaN)
// is 0, tanh(NaN) is -1 and max drops it, so a NaN pixel trains first-layer
// weights to NaN while the loss stays finite. Every value is therefore
// checked here, and the first bad one is reported with its input, sample and
// position within the sample.
import { InputError } from '../errors.js';
import { HostTensor, flattenNested, isNumericArray, nestedShape, toInt32 } from '../graph/host-tensor.js';
import { sizeOf, type Shape } from '../graph/shape.js';
import type { DType } from '../graph/tensor.js';
import { show } from '../options.js';

/** What fit, evaluate and predict accept for x and y. */
export type Data = HostTensor<Float32Array | Int32Array> | ArrayLike<number> | readonly Data[];

/** The position of flat element `i` within a sample of shape `sample`, as [i0, i1, ...]. */
function position(i: number, sample: Shape): string {
  const idx: number[] = [];
  for (let d = sample.length - 1; d >= 0; d--) {
    idx.unshift(i % sample[d]);
    i = Math.floor(i / sample[d]);
  }
  return `[${idx.join(', ')}]`;
}

function badValue(where: string, flat: number, shape: Shape, what: string): InputError {
  const row = sizeOf(shape.slice(1));
  const at = shape.length > 1 ? ` at position ${position(flat % row, shape.slice(1))}` : '';
  return new InputError(`${where} sample ${Math.floor(flat / row)}${at} is ${what}`);
}

/** Throws naming the first value of `data` that is not finite (NaN, ±Infinity). */
export function checkFinite(where: string, data: Float32Array, shape: Shape, original?: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v - v is 0 for every finite v and NaN for NaN and ±Infinity: one subtraction per value.
    if (v - v !== 0) {
      const o = original?.[i];
      throw badValue(where, i, shape, `${o !== undefined && Number.isFinite(o) ? `${o}, which float32 cannot hold (it becomes ${v})` : String(v)}; the data must hold finite numbers only`);
    }
  }
}

/**
 * x or y of fit/evaluate/predict as a HostTensor of checked float32 values.
 * `where` names the input in errors ('fit x'). A HostTensor keeps its shape;
 * a flat array (typed or not) is split into samples of `sample` shape; nested
 * arrays give their own shape. Any numeric typed array is accepted.
 */
export function toHostData(where: string, value: unknown, sample: Shape): HostTensor {
  if (value instanceof HostTensor && value.dtype === 'int32') return new HostTensor(Float32Array.from(value.data), value.shape);
  if (value instanceof HostTensor) {
    checkFinite(where, value.data, value.shape);
    return value;
  }
  const flatShape = (length: number): number[] => {
    const size = sizeOf(sample);
    return sample.length > 0 && length % size === 0 && length > 0 ? [length / size, ...sample] : [length];
  };
  if (isNumericArray(value)) {
    if (value.length === 0) throw new InputError(`${where}: the data is empty (a ${value.constructor.name} of length 0)`);
    const data = value instanceof Float32Array ? value : Float32Array.from(value);
    const shape = flatShape(data.length);
    checkFinite(where, data, shape, value);
    return new HostTensor(data, shape);
  }
  if (Array.isArray(value)) {
    const shape = nestedShape(value);
    if (shape.includes(0)) throw new InputError(`${where}: the data is empty (shape [${shape.join(', ')}])`);
    if (shape.length === 1) {
      // A flat array: its samples are cut from it, so positions are reported within them.
      const flat = flatShape(value.length);
      const bad = value.findIndex((v) => typeof v !== 'number');
      if (bad >= 0) throw badValue(where, bad, flat, `${show(value[bad])}, not a number`);
      const data = Float32Array.from(value as number[]);
      checkFinite(where, data, flat, value as number[]);
      return new HostTensor(data, flat);
    }
    const at = (path: number[]) => `${where} sample ${path[0] ?? 0}${path.length > 1 ? ` at position [${path.slice(1).join(', ')}]` : ''}`;
    const data = flattenNested(value, shape, (path, what) => {
      throw new InputError(`${at(path)} ${what}`);
    }, (v, path) => {
      const f = Math.fround(v);
      if (f - f !== 0) throw new InputError(`${at(path)} is ${v}${Number.isFinite(v) ? `, which float32 cannot hold (it becomes ${f})` : ''}; the data must hold finite numbers only`);
    });
    return new HostTensor(data, shape);
  }
  throw new InputError(`${where}: expected a HostTensor (sn.tensor(data, shape)), nested arrays of numbers or a typed array, got ${show(value)}`);
}

/**
 * x of an int32 input (token ids) as a HostTensor holding an Int32Array:
 * every value an integer, the first that is not named by sample and
 * position. Nested arrays are read as float64, so no id is rounded on the way.
 */
export function toIntData(where: string, value: unknown, sample: Shape): HostTensor<Int32Array> {
  const inSamples = (i: number, shape: Shape) => {
    const row = sizeOf(shape.slice(1));
    return shape.length > 1 ? `sample ${Math.floor(i / row)} at position ${position(i % row, shape.slice(1))}` : `sample ${i}`;
  };
  if (value instanceof HostTensor) {
    const data = value.data instanceof Int32Array ? value.data : toInt32(value.data, where, (i) => inSamples(i, value.shape));
    return new HostTensor(data, value.shape);
  }
  let flat: ArrayLike<number>;
  let shape: number[];
  if (isNumericArray(value)) {
    flat = value;
    shape = [value.length];
  } else if (Array.isArray(value)) {
    shape = nestedShape(value);
    if (shape.length === 1) {
      const bad = value.findIndex((v) => typeof v !== 'number');
      if (bad >= 0) throw new InputError(`${where} element ${bad} is ${show(value[bad])}, not a number`);
    }
    const at = (path: number[]) => `${where} sample ${path[0] ?? 0}${path.length > 1 ? ` at position [${path.slice(1).join(', ')}]` : ''}`;
    flat = flattenNested(value, shape, (path, what) => {
      throw new InputError(`${at(path)} ${what}`);
    }, undefined, Float64Array);
  } else {
    throw new InputError(`${where}: expected a HostTensor (sn.tensor(ids, shape, 'int32')), nested arrays of integers or a typed array, got ${show(value)}`);
  }
  if (shape.includes(0) || flat.length === 0) throw new InputError(`${where}: the data is empty (shape [${shape.join(', ')}])`);
  if (shape.length === 1) {
    const size = sizeOf(sample);
    if (sample.length > 0 && flat.length % size === 0) shape = [flat.length / size, ...sample];
  }
  return new HostTensor(toInt32(flat, where, (i) => inSamples(i, shape)), shape);
}

/** Data of an input of `dtype`: checked floats, or checked integers for an int32 input. */
export function toInputData(where: string, value: unknown, sample: Shape, dtype: DType): HostTensor<Float32Array | Int32Array> {
  return dtype === 'int32' ? toIntData(where, value, sample) : toHostData(where, value, sample);
}
