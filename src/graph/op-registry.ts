// The op registry. Each op family file declares, in one place, for each op:
// its shape rule, its CPU reference, its gradient rule (written in graph ops,
// so gradients are differentiable again) and its GPU kernel binding.
import { ShapeError, SinapsisError } from '../errors.js';
import type { Graph } from './graph.js';
import type { Shape } from './shape.js';
import { Tensor, type Attrs, type DType } from './tensor.js';
import { chooseVariant, type Epilogue, type KernelCaps, type KernelFn, type KernelSpec, type KernelVariants, type Prologue } from './kernel-binding.js';

export interface OpDef {
  readonly name: string;
  /** Output shape from input shapes; throws ShapeError naming the op and the shapes. */
  shape(inputs: readonly Shape[], attrs: Attrs): Shape;
  /** The CPU reference: plain loops over Float32Arrays. */
  cpu(inputs: readonly Float32Array[], inShapes: readonly Shape[], outShape: Shape, attrs: Attrs): Float32Array;
  /**
   * Gradient rule: given dy (the adjoint of this node's output), one gradient
   * per input, or null where the op does not pass a gradient to that input.
   * Built from graph ops only.
   */
  grad?(dy: Tensor, node: Tensor): (Tensor | null)[];
  /**
   * GPU kernel(s) computing the output from the inputs. Absent for views.
   * Ops with `epilogue: true` return one kernel and apply `epilogue` to
   * every value they store; ops with `prologue: true` return one kernel
   * that computes each value of their only input with `prologue` instead
   * of reading it.
   */
  kernel?(node: Tensor, caps: KernelCaps, epilogue?: Epilogue, prologue?: Prologue): KernelSpec | KernelSpec[];
  /** Several kernels that compute the op, chosen per node (instead of `kernel`). */
  readonly variants?: KernelVariants;
  /** The kernel accepts an epilogue: the planner may fuse a following elementwise chain into it. */
  readonly epilogue?: boolean;
  /** The kernel accepts a prologue: the planner may fuse the elementwise chain that produces its input into it (reductions). */
  readonly prologue?: boolean;
  /**
   * Elementwise ops: the WGSL expression of one output element in `x`
   * (unary) or `a` and `b` (binary). This is their kernel binding: the
   * planner runs every elementwise op as a chain (src/ops/fused.ts), fused
   * with its neighbours or alone.
   */
  elementwise?(node: Tensor): string;
  /** WGSL functions an elementwise expression calls (erf has no WGSL builtin). */
  readonly elementwiseHelpers?: string;
  /** A view reinterprets its only input's buffer (reshape): no kernel, no copy. */
  readonly view?: boolean;
  /** Ops whose output is random or has side effects must not be merged by CSE. */
  readonly noCse?: boolean;
  /**
   * Element types: what each input must be ('any' for either) and the
   * output's, from the inputs'. Default: every input float32, the output
   * float32 (int32 tensors only index: gather's indices, oneHot's ids).
   */
  readonly dtypes?: { readonly inputs: readonly (DType | 'any')[]; readonly output: (inputs: readonly DType[]) => DType };
}

const registry = new Map<string, OpDef>();

export function defineOp(def: OpDef): OpDef {
  if (registry.has(def.name)) throw new SinapsisError(`op '${def.name}' is defined twice`);
  registry.set(def.name, def);
  return def;
}

export function getOp(name: string): OpDef {
  const def = registry.get(name);
  if (!def) throw new SinapsisError(`unknown op '${name}'`);
  return def;
}

/** The kernel binding computing `node` on this adapter: the op's only kernel, or its chosen variant. */
export function kernelOf(node: Tensor, caps: KernelCaps): KernelFn | undefined {
  const def = getOp(node.op);
  if (def.variants) return def.variants.kernels[chooseVariant(def.variants, node, caps)];
  return def.kernel?.bind(def);
}

export function allOps(): OpDef[] {
  return [...registry.values()];
}

/** Runs fn, prefixing the graph's layer scope to any ShapeError it throws (for checks made before apply). */
export function scoped<T>(g: Graph, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ShapeError && g.scope && !e.message.startsWith(`${g.scope}: `)) throw new ShapeError(`${g.scope}: ${e.message}`);
    throw e;
  }
}

/** What a value is, for an error saying it is not a tensor. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array (make it a tensor: g.constant(values, shape))';
  return typeof v === 'object' ? `an object (${(v as object).constructor?.name ?? 'Object'})` : `the ${typeof v} ${JSON.stringify(v)}`;
}

/** Throws a ShapeError naming the op unless `t` is a graph tensor (the ops' arguments are checked before their shapes are read). */
export function checkTensor(op: string, what: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ShapeError(`${op}: ${what} must be a graph tensor, got ${describe(t)}`);
}

/** A boolean option of an op (undefined: the default). */
export function flag(op: string, name: string, v: unknown, fallback = false): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ShapeError(`${op}: ${name} must be true or false, got ${describe(v)}`);
  return v;
}

/** Create an op node: infer and check its shape, naming the layer scope in errors. */
export function apply(op: string, inputs: readonly Tensor[], attrs: Attrs = {}, graph?: Graph): Tensor {
  const def = getOp(op);
  inputs.forEach((t, i) => checkTensor(op, `input ${i}`, t));
  const g = graph ?? inputs[0]?.graph;
  if (!g) throw new SinapsisError(`${op}: needs at least one input tensor`);
  inputs.forEach((t, i) => {
    const want = def.dtypes?.inputs[i] ?? 'float32';
    if (want !== 'any' && t.dtype !== want) throw new ShapeError(`${g.scope ? `${g.scope}: ` : ''}${op}: input ${i} must be ${want}, got ${t.dtype} (${t})`);
  });
  const shape: Shape = scoped(g, () => def.shape(inputs.map((t) => t.shape), attrs));
  return g.addNode('op', op, inputs, attrs, shape, undefined, def.dtypes?.output(inputs.map((t) => t.dtype)) ?? 'float32');
}
