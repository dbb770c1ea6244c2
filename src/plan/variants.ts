// The fixed rule for an adapter's kernel variants: which family of kernels
// suits it (KernelCaps), from what the adapter is. Each op's variants and
// its choice among them by these traits live in the op's file
// (OpDef.variants); src/exec/autotune.ts measures the candidates instead,
// where the device asks for it, and records its choices in KernelCaps.choices.
import { defaultCaps, type KernelCaps } from '../graph/kernel-binding.js';

export interface AdapterTraits {
  /** A CPU Vulkan driver (SwiftShader, llvmpipe): loads are dear, workgroup barriers dearer, register blocking pays. */
  cpuDriver: boolean;
  /** WebGPU's bounds checks are on: every load is a bounds-masked gather (dearer still on CPU drivers). */
  robustness: boolean;
  /** Subgroups of exactly 4 lanes (SwiftShader's). */
  fourLaneSubgroups: boolean;
}

/**
 * Register-blocked, barrier-free kernels on CPU drivers, shared-memory tiled
 * ones on GPUs; on CPU drivers with bounds checks and 4-lane subgroups, the
 * register matmul shares A's loads across the subgroup (with the checks a
 * load is dear enough that it pays; without them it lost 30%: docs/tuning.md).
 */
export function kernelCaps(t: AdapterTraits, overrides: Partial<KernelCaps> = {}): KernelCaps {
  return {
    ...defaultCaps,
    matmul: t.cpuDriver ? 'register' : 'tiled',
    matmulSharedA: t.cpuDriver && t.robustness && t.fourLaneSubgroups,
    fourLaneSubgroups: t.fourLaneSubgroups,
    ...overrides,
  };
}
