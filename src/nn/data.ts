// The data handed to fit, evaluate and predict, checked and converted before
// anything reaches the GPU. On the GPU a NaN does not stay visible: relu(NaN)
// is 0, tanh(NaN) is -1 and max drops it, so a NaN pixel trains first-layer
// weights to NaN while the loss stays finite. Every value is therefore
// checked here, and the first bad one is reported with its input, sample and
// position within the sample.
import { InputError } from '../errors.js';
import { HostTensor } from '../graph/host-tensor.js';
import { sizeOf, type Shape } from '../graph/shape.js';
import { show } from './options.js';

/** What fit, evaluate and predict accept for x and y. */
export type Data = HostTensor | ArrayLike<number> | readonly Data[];

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

const isNumericArray = (v: unknown): v is ArrayLike<number> =>
  ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);

/** Shape of nested arrays (rows may be typed arrays), from the first element of each level. */
function nestedShape(v: unknown): number[] {
  const shape: number[] = [];
  while (Array.isArray(v) || isNumericArray(v)) {
    shape.push(v.length);
    if (isNumericArray(v) || v.length === 0) break;
    v = v[0];
  }
  return shape;
}

/** Flattens nested arrays of shape `shape` into `out`, checking that they are rectangular and hold numbers. */
function flattenNested(where: string, v: unknown, shape: Shape, out: Float32Array): void {
  let at = 0;
  const walk = (x: unknown, depth: number, path: number[]) => {
    const fail = (what: string): never => {
      throw new InputError(`${where} sample ${path[0] ?? 0}${path.length > 1 ? ` at position [${path.slice(1).join(', ')}]` : ''} ${what}`);
    };
    if (depth === shape.length) {
      if (typeof x !== 'number') fail(`is ${show(x)}, not a number`);
      const v = Math.fround(x as number);
      if (v - v !== 0) fail(`is ${x}${Number.isFinite(x) ? `, which float32 cannot hold (it becomes ${v})` : ''}; the data must hold finite numbers only`);
      out[at++] = v;
      return;
    }
    if (!Array.isArray(x) && !isNumericArray(x)) fail(`is ${show(x)} where an array of ${shape[depth]} was expected (the data must be rectangular)`);
    const a = x as ArrayLike<unknown>;
    if (a.length !== shape[depth]) fail(`has ${a.length} entries where ${shape[depth]} were expected (the data must be rectangular)`);
    for (let i = 0; i < a.length; i++) walk(a[i], depth + 1, [...path, i]);
  };
  walk(v, 0, []);
}

/**
 * x or y of fit/evaluate/predict as a HostTensor of checked float32 values.
 * `where` names the input in errors ('fit x'). A HostTensor keeps its shape;
 * a flat array (typed or not) is split into samples of `sample` shape; nested
 * arrays give their own shape. Any numeric typed array is accepted.
 */
export function toHostData(where: string, value: unknown, sample: Shape): HostTensor {
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
    const data = new Float32Array(sizeOf(shape));
    flattenNested(where, value, shape, data);
    return new HostTensor(data, shape);
  }
  throw new InputError(`${where}: expected a HostTensor (sn.tensor(data, shape)), nested arrays of numbers or a typed array, got ${show(value)}`);
}
