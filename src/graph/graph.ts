// The static graph: an append-only list of nodes. Because a node can only
// refer to nodes created before it, creation order is already a topological
// order, which the autodiff and the planner rely on.
import { InputError, SinapsisError } from '../errors.js';
import { checkShape, sizeOf, type Shape } from './shape.js';
import { Tensor, type Attrs, type DType, type Initializer, type NodeKind } from './tensor.js';
import { isNumericArray } from './host-tensor.js';
import { grad } from './autodiff.js';

export interface ParamInfo {
  init: Initializer;
  trainable: boolean;
}

export class Graph {
  readonly nodes: Tensor[] = [];
  readonly inputsByName = new Map<string, Tensor>();
  readonly paramsByName = new Map<string, Tensor>();
  /** Initial values of params, kept on the graph so every compiled program starts from them. */
  readonly paramInfo = new Map<Tensor, ParamInfo>();
  /** Values of const nodes. */
  readonly constValues = new Map<Tensor, Float32Array>();
  /** Name of the layer being built, prefixed to shape errors ("dense_1: matmul: ..."). */
  scope: string | undefined;
  /** The layer scope each node was created in, for errors found after building (a buffer over the device's limits). */
  readonly scopeOf = new Map<Tensor, string>();

  /** Internal: append a node. Ops call this through ops/registry.ts after inferring the shape. */
  addNode(kind: NodeKind, op: string, inputs: readonly Tensor[], attrs: Attrs, shape: Shape, name?: string, dtype: DType = 'float32'): Tensor {
    for (const t of inputs) {
      if (t.graph !== this) throw new SinapsisError(`${op}: ${t} belongs to another graph`);
    }
    const t = new Tensor(this, this.nodes.length, kind, op, inputs, attrs, shape, name, dtype);
    this.nodes.push(t);
    if (this.scope) this.scopeOf.set(t, this.scope);
    return t;
  }

  /** A value fed at every run(), by name: float32 values, or int32 ids and indices. */
  input(name: string, shape: Shape, dtype: DType = 'float32'): Tensor {
    if (dtype !== 'float32' && dtype !== 'int32') throw new InputError(`graph.input '${String(name)}': dtype must be 'float32' or 'int32', got ${describe(dtype)}`);
    if (typeof name !== 'string' || name === '') throw new InputError(`graph.input: the name must be a non-empty string, got ${describe(name)}`);
    if (this.inputsByName.has(name) || this.paramsByName.has(name)) throw new InputError(`graph.input: the name '${name}' is already used`);
    const t = this.addNode('input', 'input', [], {}, checkShape(shape, `graph.input '${name}'`), name, dtype);
    this.inputsByName.set(name, t);
    return t;
  }

  /** A trainable value that lives on the GPU between runs. */
  param(name: string, shape: Shape, init: Initializer | Float32Array | number[] = zerosInit, options: { trainable?: boolean } = {}): Tensor {
    if (typeof name !== 'string' || name === '') throw new InputError(`graph.param: the name must be a non-empty string, got ${describe(name)}`);
    if (this.inputsByName.has(name) || this.paramsByName.has(name)) throw new InputError(`graph.param: the name '${name}' is already used`);
    const s = checkShape(shape, `graph.param '${name}'`);
    const initFn: Initializer = typeof init === 'function' ? init : () => Float32Array.from(init);
    const t = this.addNode('param', 'param', [], {}, s, name);
    this.paramsByName.set(name, t);
    this.paramInfo.set(t, { init: initFn, trainable: options.trainable ?? true });
    return t;
  }

  /** A constant: a number (scalar), or data with a shape. */
  constant(value: number | Float32Array | readonly number[], shape: Shape = []): Tensor {
    const given: unknown = value;
    if (typeof given !== 'number' && !isNumericArray(given) && !(Array.isArray(given) && given.every((v) => typeof v === 'number'))) {
      throw new InputError(`graph.constant: expected a number or a flat array of numbers, got ${describe(value)}${Array.isArray(value) ? ' holding a value that is not a number' : ''}`);
    }
    const data = typeof value === 'number' ? new Float32Array([value]) : Float32Array.from(value);
    const s = typeof value === 'number' && shape.length === 0 ? [] : checkShape(shape, 'graph.constant');
    if (data.length !== sizeOf(s) && data.length !== 1) {
      throw new InputError(`graph.constant: shape [${s.join(', ')}] needs ${sizeOf(s)} values, got ${data.length}`);
    }
    const full = data.length === sizeOf(s) ? data : new Float32Array(sizeOf(s)).fill(data[0]);
    // Scalars carry their value in attrs so equal constants are merged by CSE.
    const attrs = full.length === 1 ? { value: full[0] } : {};
    const t = this.addNode('const', 'const', [], attrs, s);
    this.constValues.set(t, full);
    return t;
  }

  /** Symbolic gradients of scalar y with respect to xs: new nodes of this graph (so they can be differentiated again). */
  grad(y: Tensor, xs: readonly Tensor[]): Tensor[] {
    if (!(y instanceof Tensor)) throw new SinapsisError(`grad: y must be a tensor of this graph (a scalar, e.g. loss.sum()), got ${describe(y)}`);
    if (y.graph !== this) throw new SinapsisError(`grad: y (${y}) belongs to another graph than the one grad was called on`);
    if (!Array.isArray(xs)) throw new SinapsisError(`grad: xs must be an array of tensors, e.g. g.grad(y, [x]), got ${describe(xs)}`);
    xs.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw new SinapsisError(`grad: xs[${i}] must be a tensor of this graph, got ${describe(x)}`);
      if (x.graph !== this) throw new SinapsisError(`grad: xs[${i}] (${x}) belongs to another graph than y`);
    });
    return grad(y, xs);
  }

  get params(): Tensor[] {
    return [...this.paramsByName.values()];
  }

  toString(): string {
    return this.nodes.map((n) => `${n.id}: ${n.op}(${n.inputs.map((i) => i.id).join(', ')}) -> [${n.shape.join(', ')}]${n.name ? ` '${n.name}'` : ''}`).join('\n');
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'string') return `the string '${v}'`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v === 'object' ? `an object (${(v as object).constructor?.name ?? 'Object'})` : `a ${typeof v}`;
}

const zerosInit: Initializer = (shape) => new Float32Array(sizeOf(shape));

export function graph(): Graph {
  return new Graph();
}
