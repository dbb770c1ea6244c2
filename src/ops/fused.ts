// WGSL for an elementwise chain the planner has resolved (src/plan/chains.ts
// decides which nodes form a chain, what each argument reads and whether the
// chain can run four values at a time): as a kernel of its own, as the
// epilogue of the matmul/conv2d it starts from, or as the prologue of the
// reduction that reads it. Each member becomes a small function holding its
// op's expression (the same table entry its single-op kernel uses), called in
// graph order.
import fusedWgsl from '../../shaders/fused.wgsl';
import type { Shape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import type { Epilogue, KernelSpec, Prologue } from '../graph/kernel-binding.js';
import { elementwiseGrid, fill, indexFn, lit, sections } from './kernel.js';

/** A flat index over `shape` mapped through per-dimension strides (0 where broadcast). */
export interface IndexMap {
  readonly shape: Shape;
  readonly strides: readonly number[];
}

/** What one argument of a member reads. */
export type ChainArg =
  | { readonly kind: 'member'; readonly id: number }
  /** The value the kernel stores (an epilogue's v). */
  | { readonly kind: 'head' }
  | { readonly kind: 'literal'; readonly value: number }
  | { readonly kind: 'operand'; readonly index: number };

/** A tensor the chain reads from memory, through one or more index maps applied in turn. */
export interface ChainOperand {
  readonly tensor: Tensor;
  readonly maps: readonly IndexMap[];
  /**
   * How four consecutive chain elements 4q .. 4q+3 read it: 'vec4' four
   * consecutive values (one vec4 load), 'splat' one value for all four.
   */
  readonly quad?: 'vec4' | 'splat';
}

export interface ChainSpec {
  /** WGSL functions the members' expressions call, each once. */
  readonly helpers: readonly string[];
  /** Members in graph order; the last one's value is the result. */
  readonly members: readonly { readonly id: number; readonly op: string; readonly expression: string; readonly args: readonly ChainArg[] }[];
  readonly operands: readonly ChainOperand[];
  /** Elements the chain computes (the last member's size). */
  readonly size: number;
  /** Four elements per unit: the last dimension is a multiple of 4 and every operand has a quad form. */
  readonly vec4: boolean;
}

const name = (k: number) => `e${k}`;
const label = (c: ChainSpec) => c.members.map((m) => m.op).join('+');

/** WGSL fn `fname`(i) applying the index maps in turn (one map: indexFn itself). */
function composedIndexFn(fname: string, maps: readonly IndexMap[]): string {
  if (maps.length === 1) return indexFn(fname, maps[0].shape, maps[0].strides);
  const parts = maps.map((m, k) => indexFn(`${fname}_${k}`, m.shape, m.strides));
  const call = maps.reduce((acc, _m, k) => `${fname}_${k}(${acc})`, 'i');
  return `${parts.join('\n')}\nfn ${fname}(i: u32) -> u32 { return ${call}; }`;
}

/** An argument as a scalar expression, or per component (c = 'x' .. 'w') in the vec4 form. */
function argument(a: ChainArg, component?: string): string {
  switch (a.kind) {
    case 'member': return component ? `t${a.id}.${component}` : `t${a.id}`;
    case 'head': return 'v';
    case 'literal': return lit(a.value);
    case 'operand': return component ? `o_${name(a.index)}.${component}` : `${name(a.index)}[index_${name(a.index)}(i)]`;
  }
}

function scalarParts(c: ChainSpec) {
  const fns = [...c.helpers, ...c.members.map((m) => {
    // Unary ops read x; binary a and b; where reads c (the condition), a and b.
    const params = m.args.length === 1 ? ['x'] : m.args.length === 2 ? ['a', 'b'] : ['c', 'a', 'b'];
    return `fn op${m.id}(${params.map((p) => `${p}: f32`).join(', ')}) -> f32 { return ${m.expression}; }`;
  })];
  return {
    decls: (first: number) => c.operands.map((_o, k) => `@group(0) @binding(${first + k}) var<storage, read> ${name(k)}: array<f32>;`).join('\n'),
    helpers: [...c.operands.map((o, k) => composedIndexFn(`index_${name(k)}`, o.maps)), ...fns].join('\n'),
    body: c.members.map((m) => `  let t${m.id} = op${m.id}(${m.args.map((a) => argument(a)).join(', ')});`).join('\n'),
    result: `t${c.members[c.members.length - 1].id}`,
  };
}

/** The vec4 form's declarations and body (each op runs per component). */
function vec4Parts(c: ChainSpec) {
  const loads = c.operands.map((o, k) => (o.quad === 'vec4' ? `    let o_${name(k)} = ${name(k)}[index_${name(k)}(i) / 4u];` : `    let o_${name(k)} = vec4f(${name(k)}[index_${name(k)}(i)]);`));
  const ops = c.members.map((m) => `    let t${m.id} = vec4f(${['x', 'y', 'z', 'w'].map((comp) => `op${m.id}(${m.args.map((a) => argument(a, comp)).join(', ')})`).join(', ')});`);
  return {
    decls: c.operands.map((o, k) => `@group(0) @binding(${k}) var<storage, read> ${name(k)}: array<${o.quad === 'vec4' ? 'vec4f' : 'f32'}>;`).join('\n'),
    body: [...loads, ...ops].join('\n'),
  };
}

const bindingsOf = (c: ChainSpec) => Object.fromEntries(c.operands.map((o, k) => [name(k), o.tensor]));

/** The chain as one WGSL function with the given signature (its value for element i), plus the operands it reads. */
function chainFunction(c: ChainSpec, signature: string): Epilogue & Prologue {
  const p = scalarParts(c);
  return {
    wgsl: (first) => `${p.decls(first)}\n${p.helpers}\n${signature} {\n${p.body}\n  return ${p.result};\n}`,
    operands: bindingsOf(c),
    label: label(c),
  };
}

/** The chain applied to each value a matmul/conv2d stores (`v`, at flat index i). */
export function chainEpilogue(c: ChainSpec): Epilogue {
  return chainFunction(c, 'fn epilogue(v: f32, i: u32) -> f32');
}

/** The chain computing element i of its last member, as the loads of the reduction that reads it. */
export function chainPrologue(c: ChainSpec): Prologue {
  return chainFunction(c, 'fn load(i: u32) -> f32');
}

/** The chain as one kernel writing the last member's output, four elements at a time where it can. */
export function chainKernel(c: ChainSpec): KernelSpec {
  const p = scalarParts(c);
  const v = c.vec4 ? vec4Parts(c) : undefined;
  const units = c.vec4 ? c.size / 4 : c.size;
  const { workgroups, rowThreads } = elementwiseGrid(units);
  return {
    label: label(c),
    shader: fill(sections(fusedWgsl, { VEC4: c.vec4 }), { OPERANDS: v?.decls ?? p.decls(0), OUT: c.operands.length, HELPERS: p.helpers, BODY: v?.body ?? p.body, RESULT: p.result }),
    constants: { N: units, ROW: rowThreads },
    bindings: { out: 'out' },
    extraBindings: bindingsOf(c),
    workgroups,
  };
}

/**
 * A copy through an index map, out[i] = e0[index_e0(i)] (transpose, slice,
 * state updates): the chain template with no op. `indexSource` defines
 * fn index_e0(i: u32) -> u32.
 */
export function copyShader(indexSource: string): string {
  return fill(sections(fusedWgsl, { VEC4: false }), { OPERANDS: '@group(0) @binding(0) var<storage, read> e0: array<f32>;', OUT: 1, HELPERS: indexSource, BODY: '', RESULT: 'e0[index_e0(i)]' });
}
