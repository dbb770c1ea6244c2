// WGSL for a fused elementwise chain (see src/plan/fusion.ts): as a kernel of
// its own, or as the epilogue of the matmul/conv2d it starts from. Each
// member becomes a small function holding its op's expression (the same
// table entry its single-op kernel uses), called in graph order; operands
// outside the chain are read through their own broadcast index, scalar
// constants are written in as literals.
import fusedWgsl from '../../shaders/fused.wgsl';
import { broadcastStrides } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { elementwiseGrid, fill, indexFn, lit, sections } from './kernel.js';
import type { Epilogue, KernelSpec, Prologue } from '../graph/kernel-binding.js';
import { getOp } from '../graph/op-registry.js';

export interface Chain {
  /** Elementwise nodes in graph order, the last one's value is the result. */
  readonly members: readonly Tensor[];
  /** The node whose value the chain starts from when it is an epilogue (read as `v`). */
  readonly head?: Tensor;
  /** Storage root of a tensor (views resolved). */
  root(t: Tensor): Tensor;
  /** The value of a one-element constant, if the tensor is one. */
  scalar(t: Tensor): number | undefined;
}

type IndexMap = { readonly shape: readonly number[]; readonly strides: readonly number[] };

interface Operand {
  name: string;
  tensor: Tensor;
  index: string;
  /**
   * How four consecutive chain elements 4q .. 4q+3 (the chain's last
   * dimension a multiple of 4) read this operand: 'vec4' four consecutive
   * values starting at a multiple of 4 (one vec4 load), 'splat' one value
   * (one load), undefined neither (the chain runs one value at a time).
   */
  quad?: 'vec4' | 'splat';
}

/**
 * Follows four consecutive, 4-aligned flat indices through the index maps
 * (see Operand.quad): a map keeps them consecutive and aligned when its
 * last dimension is a multiple of 4 and read with stride 1, makes them one
 * index when read with stride 0, and otherwise mixes them.
 */
function quadOf(maps: readonly IndexMap[]): 'vec4' | 'splat' | undefined {
  let state: 'vec4' | 'splat' = 'vec4';
  for (const m of maps) {
    if (state === 'splat') break;
    const last = m.shape.length - 1;
    if (last < 0 || m.shape[last] % 4 !== 0) return undefined;
    const stride = m.strides[last];
    if (stride === 0) state = 'splat';
    else if (stride !== 1) return undefined;
  }
  return state;
}

/** An op the chains run (its value is one WGSL expression per element). */
export const isElementwise = (t: Tensor): boolean => t.kind === 'op' && getOp(t.op).elementwise !== undefined;

/** A broadcastTo node: elementwise kernels may read its input instead. */
export const isBroadcast = (t: Tensor): boolean => t.kind === 'op' && t.op === 'broadcastTo';

/** WGSL fn `name`(i) applying the index maps in turn (one map: indexFn itself). */
function composedIndexFn(name: string, maps: readonly IndexMap[]): string {
  if (maps.length === 1) return indexFn(name, maps[0].shape, maps[0].strides);
  const parts = maps.map((m, k) => indexFn(`${name}_${k}`, m.shape, m.strides));
  const call = maps.reduce((acc, _m, k) => `${name}_${k}(${acc})`, 'i');
  return `${parts.join('\n')}\nfn ${name}(i: u32) -> u32 { return ${call}; }`;
}

/** A chain's WGSL is built once: the planner asks for its operands and then for its kernel or epilogue. */
const compiled = new WeakMap<Chain, ReturnType<typeof build>>();
function compile(chain: Chain): ReturnType<typeof build> {
  let c = compiled.get(chain);
  if (!c) compiled.set(chain, (c = build(chain)));
  return c;
}

function build(chain: Chain) {
  const { members, head, root, scalar } = chain;
  const inChain = new Set(members);
  const operands: Operand[] = [];
  const byKey = new Map<string, Operand>();
  const out = members[members.length - 1];
  const fns: string[] = [];
  /** Each member's call: its id and its arguments, each as a scalar expression and, per component, a vec4 one. */
  const calls: Call[] = [];
  for (const m of members) {
    const def = getOp(m.op);
    const params = m.inputs.length === 1 ? ['x'] : ['a', 'b'];
    fns.push(`fn op${m.id}(${params.map((p) => `${p}: f32`).join(', ')}) -> f32 { return ${def.elementwise!(m)}; }`);
    const args = m.inputs.map((input) => {
      let r = root(input);
      if (inChain.has(r)) return { scalar: `t${r.id}`, comp: (c: string) => `t${r.id}.${c}` };
      if (r === head) return { scalar: 'v' };
      // From the chain's flat index to the operand's: broadcast to the
      // chain's shape, then through each broadcastTo the operand is. A
      // broadcast from outside the chain is read as its input (the same
      // values), so it needs no buffer: the planner drops one that only
      // chains read. Views are contiguous reshapes, so flat indices carry
      // through them.
      const maps: IndexMap[] = [{ shape: out.shape, strides: broadcastStrides(input.shape, out.shape) }];
      while (isBroadcast(r) && !inChain.has(root(r.inputs[0])) && root(r.inputs[0]) !== head) {
        maps.push({ shape: r.shape, strides: broadcastStrides(r.inputs[0].shape, r.shape) });
        r = root(r.inputs[0]);
      }
      const s = scalar(r);
      if (s !== undefined) return { scalar: lit(s), comp: () => lit(s) };
      const key = `${r.id}:${maps.map((x) => `${x.shape}/${x.strides}`).join('|')}`;
      let op = byKey.get(key);
      if (!op) {
        const name = `e${operands.length}`;
        op = { name, tensor: r, index: composedIndexFn(`index_${name}`, maps), quad: quadOf(maps) };
        byKey.set(key, op);
        operands.push(op);
      }
      const name = op.name;
      return { scalar: `${name}[index_${name}(i)]`, comp: (c: string) => `o_${name}.${c}` };
    });
    calls.push({ id: m.id, args });
  }
  const body = calls.map(({ id, args }) => `  let t${id} = op${id}(${args.map((a) => a.scalar).join(', ')});`).join('\n');
  const decls = (first: number) => operands.map((o, k) => `@group(0) @binding(${first + k}) var<storage, read> ${o.name}: array<f32>;`).join('\n');
  const helpers = [...operands.map((o) => o.index), ...fns].join('\n');
  const label = members.map((m) => m.op).join('+');
  const vec4 = vec4Form(out, operands, calls);
  return { operands, decls, helpers, body, result: `t${out.id}`, label, vec4 };
}

type Call = { id: number; args: { scalar: string; comp?: (c: string) => string }[] };

/**
 * The chain four elements per unit, as declarations and body of the VEC4
 * template: possible when the chain's last dimension is a multiple of 4,
 * every operand can be read so (Operand.quad) and every argument has a
 * per-component form (an epilogue's v has none). Each op runs per component.
 */
function vec4Form(out: Tensor, operands: readonly Operand[], calls: readonly Call[]): { decls: string; body: string } | undefined {
  const last = out.shape[out.shape.length - 1];
  if (last === undefined || last % 4 !== 0 || !operands.every((o) => o.quad) || !calls.every((c) => c.args.every((a) => a.comp))) return undefined;
  const loads = operands.map((o) => (o.quad === 'vec4' ? `    let o_${o.name} = ${o.name}[index_${o.name}(i) / 4u];` : `    let o_${o.name} = vec4f(${o.name}[index_${o.name}(i)]);`));
  const ops = calls.map(({ id, args }) => `    let t${id} = vec4f(${['x', 'y', 'z', 'w'].map((c) => `op${id}(${args.map((a) => a.comp!(c)).join(', ')})`).join(', ')});`);
  return {
    decls: operands.map((o, k) => `@group(0) @binding(${k}) var<storage, read> ${o.name}: array<${o.quad === 'vec4' ? 'vec4f' : 'f32'}>;`).join('\n'),
    body: [...loads, ...ops].join('\n'),
  };
}

/** The tensors a chain binds (for the planner's operand limit and liveness). */
export function chainOperands(chain: Chain): Tensor[] {
  return compile(chain).operands.map((o) => o.tensor);
}

/** The chain as one WGSL function with the given signature (its value for element i), plus the operands it reads. */
function chainFunction(chain: Chain, signature: string): Epilogue & Prologue {
  const c = compile(chain);
  return {
    wgsl: (first) => `${c.decls(first)}\n${c.helpers}\n${signature} {\n${c.body}\n  return ${c.result};\n}`,
    operands: Object.fromEntries(c.operands.map((o) => [o.name, o.tensor])),
    label: c.label,
  };
}

/** The chain applied to each value a matmul/conv2d stores (`v`, at flat index i). */
export function chainEpilogue(chain: Chain): Epilogue {
  return chainFunction(chain, 'fn epilogue(v: f32, i: u32) -> f32');
}

/** The chain computing element i of its last member, as the loads of the reduction that reads it. */
export function chainPrologue(chain: Chain): Prologue {
  return chainFunction(chain, 'fn load(i: u32) -> f32');
}

/**
 * A copy through an index map, out[i] = e0[index_e0(i)] (transpose, slice,
 * state updates): the chain template with no op. `indexSource` defines
 * fn index_e0(i: u32) -> u32.
 */
export function copyShader(indexSource: string): string {
  return fill(sections(fusedWgsl, { VEC4: false }), { OPERANDS: '@group(0) @binding(0) var<storage, read> e0: array<f32>;', OUT: 1, HELPERS: indexSource, BODY: '', RESULT: 'e0[index_e0(i)]' });
}

/** The chain as one kernel writing the last member's output, four elements at a time where it can. */
export function chainKernel(chain: Chain): KernelSpec {
  const c = compile(chain);
  const out = chain.members[chain.members.length - 1];
  const units = c.vec4 ? out.size / 4 : out.size;
  const { workgroups, rowThreads } = elementwiseGrid(units);
  const template = sections(fusedWgsl, { VEC4: c.vec4 !== undefined });
  return {
    label: c.label,
    shader: fill(template, { OPERANDS: c.vec4?.decls ?? c.decls(0), OUT: c.operands.length, HELPERS: c.helpers, BODY: c.vec4?.body ?? c.body, RESULT: c.result }),
    constants: { N: units, ROW: rowThreads },
    bindings: { out: 'out' },
    extraBindings: Object.fromEntries(c.operands.map((o) => [o.name, o.tensor])),
    workgroups,
  };
}
