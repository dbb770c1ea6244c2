// What a kernel benchmark case is: the op (or small graph) under test built
// over parameter operands, and the work one run does. The case files
// (matmul.ts, conv.ts, pool.ts, softmax.ts, elementwise.ts) list them;
// bench/measure.ts times them.
import type { Tensor } from '../../src/index.js';

/** The groups of `--only`, in the order they run and print. */
export const GROUPS = ['matmul', 'conv', 'pool', 'softmax', 'elementwise'] as const;
export type Group = (typeof GROUPS)[number];

/** Compute-bound groups are rated in GFLOP/s (FLOPs given by the case), the rest in GB/s. */
export const rateUnit = (g: Group) => (g === 'matmul' || g === 'conv' ? 'GFLOP/s' : 'GB/s');

export interface Operand {
  name: string;
  shape: number[];
  /** The operand's values; default: pseudo-random in [-scale, scale). */
  data?: Float32Array;
  /** Half-width of the default random values (default 1). */
  scale?: number;
}

export interface OpCase {
  group: Group;
  /** Cases of one set are timed in one interleaved loop (a layer's passes, one square size). */
  set: string;
  label: string;
  /** The problem size as printed (m x k x n for matmul, the operand shapes otherwise). */
  dims: string;
  operands: Operand[];
  /** The graph under test, built over the operands (held as parameters); its result is the program's only output. */
  build: (ps: Tensor[]) => Tensor;
  /** Nominal FLOPs of one run (compute-bound groups). */
  flop?: number;
  /** Bytes of one run (memory-bound groups); default: every operand read once and the result written once. */
  bytes?: number;
  /** Timed loop runs relative to the default (short kernels: 2). */
  runsScale?: number;
}

/** A hand-written kernel on the raw GPUDevice (a reference point, not an engine kernel): no CPU side. */
export interface RawCase {
  group: Group;
  set: string;
  label: string;
  dims: string;
  bytes: number;
  runsScale?: number;
  /**
   * Pipelines and buffers made once; run() submits one dispatch and resolves when the GPU finished.
   * cpuDriver: the adapter is a CPU driver, where a wait should be paced as the engine paces it (ReadbackPacer).
   */
  setup: (gpu: GPUDevice, cpuDriver: boolean) => { run: () => Promise<void>; dispose: () => void; note: string };
}

export type KernelCase = OpCase | RawCase;

export const sizeOf = (shape: readonly number[]) => shape.reduce((s, d) => s * d, 1);
export const fmtShape = (shape: readonly number[]) => `[${shape.join(',')}]`;
