// The layer-normalization kernels as KernelSpecs (src/ops/layer-norm.ts
// binds them to its ops; the kernel tests also run them with the raw WebGPU
// API, test/gpu-dispatch.ts).
//
// Inputs of each kernel, by index (the graph node's input order):
//   forward     (x, gamma, beta)   -> y       [rows, c]
//   dx          (x, gamma, dy)     -> dx      [rows, c]
//   stats       (x)                -> stats   [rows, 2] = (mean, rstd)
//   paramGrads  (x, dy, stats)     -> [2, c]  = (dgamma, dbeta)
import rowsWgsl from '../../shaders/layer_norm_rows.wgsl';
import paramGradsWgsl from '../../shaders/layer_norm_param_grads.wgsl';
import { CPU_MIN_WORKGROUPS, linearGrid, sections } from './kernel.js';
import type { KernelSpec } from '../graph/kernel-binding.js';

export type LayerNormKernel = 'forward' | 'dx' | 'stats' | 'paramGrads';

const INPUTS: Record<LayerNormKernel, readonly string[]> = {
  forward: ['x', 'gamma', 'beta'],
  dx: ['x', 'gamma', 'dy'],
  stats: ['x'],
  paramGrads: ['x', 'dy', 'stats'],
};

export function layerNormOutputLength(kind: LayerNormKernel, rows: number, c: number): number {
  return kind === 'stats' ? 2 * rows : kind === 'paramGrads' ? 2 * c : rows * c;
}

/** The kernel of `kind` for `rows` rows of `c` values. */
export function layerNormSpec(kind: LayerNormKernel, rows: number, c: number, epsilon = 1e-3): KernelSpec {
  const threads = kind === 'paramGrads' ? c : rows;
  // Few threads (short batches, narrow layers): smaller workgroups so CPU drivers spread them over their cores.
  let wg = 64;
  while (wg > 4 && Math.ceil(threads / wg) < CPU_MIN_WORKGROUPS) wg /= 2;
  const { workgroups, rowThreads } = linearGrid(threads, wg);
  const shader = kind === 'paramGrads' ? paramGradsWgsl : sections(rowsWgsl, { FORWARD: kind === 'forward', DX: kind === 'dx', STATS: kind === 'stats' });
  const bindings: Record<string, number | 'out'> = { out: 'out' };
  INPUTS[kind].forEach((name, i) => { bindings[name] = i; });
  const constants: Record<string, number> = { ROWS: rows, C: c, ROW: rowThreads, WG: wg };
  if (kind !== 'paramGrads') constants.EPS = epsilon;
  return { label: `layerNorm-${kind}`, shader, constants, bindings, workgroups };
}
