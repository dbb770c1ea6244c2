// What an op hands the planner to run on the GPU: one or more dispatches
// (KernelSpec), the elementwise work it may take into its store (Epilogue)
// or its loads (Prologue), its kernel variants where it has several
// (KernelVariants), and the adapter traits that pick among them
// (KernelCaps). Part of an op's definition (OpDef), so it lives with the
// graph; src/ops/kernel.ts has the helpers that build them.
import type { Tensor } from './tensor.js';

/** Adapter traits that pick kernel variants. */
export interface KernelCaps {
  /**
   * 'register': barrier-free register blocking (CPU Vulkan drivers such as
   * SwiftShader, where workgroup barriers are very expensive).
   * 'tiled': shared-memory tiling (real GPUs).
   */
  readonly matmul: 'register' | 'tiled';
  /**
   * The register matmul loads A once per 4 steps and shares it across a
   * subgroup (subgroupBroadcast): where subgroups are 4 lanes (SwiftShader)
   * and WebGPU's bounds checks make every load dear; without the checks it
   * loses (docs/tuning.md), so it is off there.
   */
  readonly matmulSharedA: boolean;
  /** The adapter has subgroups of 4 lanes, so the shared-load register matmul can run at all. */
  readonly fourLaneSubgroups?: boolean;
  /**
   * Variants chosen per op and shape (variantKey(node) -> variant name): by
   * measurement on this adapter (src/exec/autotune.ts), or forced by a
   * test. A node without an entry gets its op's fixed rule (choose()).
   */
  readonly choices?: ReadonlyMap<string, string>;
}

export const defaultCaps: KernelCaps = { matmul: 'register', matmulSharedA: false };

/** A kernel binding: the dispatch(es) computing `node`, taking an epilogue or a prologue where the op accepts one. */
export type KernelFn = (node: Tensor, caps: KernelCaps, epilogue?: Epilogue, prologue?: Prologue) => KernelSpec | KernelSpec[];

/**
 * An op's kernel variants, as data: every variant by name, which of them can
 * compute a node on an adapter, and the fixed rule's choice among those (set
 * from measurements, docs/tuning.md). Every variant computes the same values
 * (test/variants.test.ts holds each to the CPU reference).
 */
export interface KernelVariants {
  readonly kernels: Readonly<Record<string, KernelFn>>;
  /** The variants that can compute this node on this adapter (a measured choice is made among these). */
  candidates(node: Tensor, caps: KernelCaps): string[];
  /** The fixed rule's choice, one of the candidates. */
  choose(node: Tensor, caps: KernelCaps): string;
}

/** What a measured or forced choice is kept under: the op, its input shapes and its options. */
export function variantKey(node: Tensor): string {
  return `${node.op}(${node.inputs.map((i) => i.shape.join('x')).join(', ')})${JSON.stringify(node.attrs)}`;
}

/** The variant computing `node`: a valid choice for its key, else the rule's. */
export function chooseVariant(variants: KernelVariants, node: Tensor, caps: KernelCaps): string {
  const chosen = caps.choices?.get(variantKey(node));
  return chosen !== undefined && variants.candidates(node, caps).includes(chosen) ? chosen : variants.choose(node, caps);
}

/** One dispatch. Binding names are the WGSL variable names; bindings are read from the shader with wgsl_reflect. */
export interface KernelSpec {
  /** Short label for prog.toString() and profiles. */
  readonly label: string;
  readonly shader: string;
  readonly entryPoint?: string;
  readonly constants?: Readonly<Record<string, number>>;
  /** WGSL variable name -> input index of the node, or 'out' for its output, or 'run' for the run-counter uniform. */
  readonly bindings: Readonly<Record<string, number | 'out' | 'run'>>;
  /** Further operands bound by WGSL variable name: an epilogue's tensors (see Epilogue). */
  readonly extraBindings?: Readonly<Record<string, Tensor>>;
  readonly workgroups: readonly [number, number, number];
}

/**
 * Elementwise work fused into the store of a kernel that declares
 * `epilogue: true` (matmul, conv2d): the kernel writes epilogue(v, i)
 * instead of v, where i is the flat index of the output element. The
 * planner builds it from a chain of elementwise ops (bias add, activation)
 * that only this output feeds, so the chain costs no dispatch and no
 * intermediate buffer.
 */
export interface Epilogue {
  /** WGSL: storage declarations of the operands from @binding(first) on, and fn epilogue(v: f32, i: u32) -> f32. */
  wgsl(firstBinding: number): string;
  /** The operands' WGSL variable names -> tensors. */
  readonly operands: Readonly<Record<string, Tensor>>;
  /** The fused ops, for labels ('add+relu'). */
  readonly label: string;
}

/**
 * Elementwise work fused into the loads of a kernel that declares
 * `prologue: true` (sum, max): instead of reading its input, the kernel
 * calls load(i), which computes element i of the input from the chain's
 * operands. The planner builds it from a chain of elementwise ops whose
 * only reader is that kernel (a gradient's product summed over the batch),
 * so the chain costs no dispatch and its result no buffer.
 */
export interface Prologue {
  /** WGSL: storage declarations of the operands from @binding(first) on, and fn load(i: u32) -> f32. */
  wgsl(firstBinding: number): string;
  /** The operands' WGSL variable names -> tensors. */
  readonly operands: Readonly<Record<string, Tensor>>;
  /** The fused ops, for labels ('mul+sum'). */
  readonly label: string;
}

