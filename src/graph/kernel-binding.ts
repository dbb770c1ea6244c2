// What an op hands the planner to run on the GPU: one or more dispatches
// (KernelSpec), the elementwise work it may take into its store (Epilogue)
// or its loads (Prologue), and the adapter traits that pick among its
// kernel variants (KernelCaps). Part of an op's definition (OpDef), so it
// lives with the graph; src/ops/kernel.ts has the helpers that build them.
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
   * and WebGPU's bounds checks make every load dear. GPU timestamps on
   * SwiftShader, 8 x 16 blocks: with the checks 21.4 -> 18.4 ms at
   * 128x784x512, 14.7 -> 11.9 ms at 128x512x512, 24.1 -> 22.0 ms at
   * 784x128x512 (A transposed); without them 30-40% slower (13.0 -> 16.5 ms
   * at 128x784x512), so it is off there.
   */
  readonly matmulSharedA: boolean;
}

export const defaultCaps: KernelCaps = { matmul: 'register', matmulSharedA: false };

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

