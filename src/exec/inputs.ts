// Checking and converting the values handed to run(): every error names the input.
import { InputError, fmtShape } from '../errors.js';
import { HostTensor, toInt32 } from '../graph/host-tensor.js';
import type { Tensor } from '../graph/tensor.js';

export type InputValue = HostTensor<Float32Array | Int32Array> | Float32Array | Int32Array | ArrayLike<number> | number;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  return typeof v === 'object' ? `an object (${(v as object).constructor?.name ?? 'Object'})` : `a ${typeof v}`;
}

/** The values of one input as its buffer takes them: float32, or int32 ids (integers only, checked). */
export function inputData(name: string, t: Tensor, v: unknown): Float32Array | Int32Array {
  const data = floatData(name, t, v);
  if (t.dtype === 'float32') return data instanceof Int32Array ? Float32Array.from(data) : data;
  return toInt32(data, `input '${name}' (int32): element`, String);
}

function floatData(name: string, t: Tensor, v: unknown): Float32Array | Int32Array {
  const expected = t.size;
  const where = `input '${name}' (shape ${fmtShape(t.shape)}, ${expected} values)`;
  if (v instanceof HostTensor) {
    if (v.size !== expected) throw new InputError(`${where}: got a tensor of shape ${fmtShape(v.shape)} with ${v.size} values`);
    return v.data;
  }
  if (v instanceof Int32Array && t.dtype === 'int32') {
    if (v.length !== expected) throw new InputError(`${where}: expected length ${expected}, got length ${v.length}`);
    return v;
  }
  if (typeof v === 'number') {
    if (expected !== 1) throw new InputError(`${where}: got a single number`);
    return new Float32Array([v]);
  }
  if (v instanceof Float32Array || Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    const arr = v as ArrayLike<number>;
    if (arr.length !== expected) throw new InputError(`${where}: expected length ${expected}, got length ${arr.length}`);
    if (v instanceof Float32Array) return v;
    const out = Float32Array.from(arr as ArrayLike<number>, Number);
    if (Array.isArray(v)) {
      // Numbers, or strings that spell one ('1.5'); null, booleans and the rest would become 0, 1 or NaN unnoticed.
      const bad = v.findIndex((x, i) => typeof x !== 'number' && (typeof x !== 'string' || x.trim() === '' || Number.isNaN(out[i])));
      if (bad >= 0) throw new InputError(`${where}: element ${bad} is not a number (${typeof v[bad] === 'string' ? `'${v[bad]}'` : String(v[bad])})`);
    }
    return out;
  }
  throw new InputError(`${where}: expected a HostTensor, a typed array or an array of numbers, got ${describe(v)}`);
}
