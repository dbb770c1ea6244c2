// The attention kernels as KernelSpecs (src/ops/kernel.ts): shader text
// specialised for the head size, override constants, bindings by input
// index and the dispatch grid. Written to move into src/ops/ as it is when
// dotProductAttention becomes an op; until then the standalone tests run
// these specs with the raw WebGPU API (test/gpu-dispatch.ts).
//
// Inputs of each kernel, by index (the graph node's input order):
//   forward  (q, k, v)                  -> o      [B, TQ, H, D]
//   stats    (q, k, o, dO)              -> stats  [B, TQ, H, 2] = (L, D) per query
//   dq       (q, k, v, dO, stats)       -> dq     [B, TQ, H, D]
//   dk       (q, k, v, dO, stats)       -> dk     [B, TK, H, D]
//   dv       (q, k, dO, stats)          -> dv     [B, TK, H, D]
import forwardRows from '../shaders/attention_forward_rows.wgsl';
import statsRows from '../shaders/attention_stats_rows.wgsl';
import dqRows from '../shaders/attention_dq_rows.wgsl';
import dkvRows from '../shaders/attention_dkv_rows.wgsl';
import { CPU_MIN_WORKGROUPS, fill, linearGrid, sections, unroll, type KernelSpec } from '../src/ops/kernel.js';
import type { AttentionGeometry } from '../src/cpu/attention.js';

export type AttentionKernel = 'forward' | 'stats' | 'dq' | 'dk' | 'dv';

/**
 * The largest head size the row kernels take: each thread keeps 2 to 3
 * vectors of D values per row in registers, unrolled, so the shader grows
 * with D and past ~64 values a vector registers spill (to the stack on CPU
 * drivers, to local memory on GPUs).
 */
export const MAX_HEAD_SIZE = 256;

export interface AttentionKernelOptions {
  /**
   * Rows per thread (queries for forward/stats/dq, keys for dk/dv): each
   * load of the other side's vectors serves this many rows. Default: 4 for
   * D <= 16, 2 for D <= 32, else 1 (registers: about 3 D values per row).
   */
  rows?: number;
  /** Keys per block of the online softmax (forward, stats): one rescale per block. Default 4. */
  keyBlock?: number;
  /** Threads per workgroup (default 64, halved down to 4 until there are CPU_MIN_WORKGROUPS workgroups). */
  workgroupSize?: number;
}

export function defaultRows(d: number): number {
  return d <= 16 ? 4 : d <= 32 ? 2 : 1;
}

const INPUTS: Record<AttentionKernel, readonly string[]> = {
  forward: ['q', 'k', 'v'],
  stats: ['q', 'k', 'o', 'dout'],
  dq: ['q', 'k', 'v', 'dout', 'stats'],
  dk: ['q', 'k', 'v', 'dout', 'stats'],
  dv: ['q', 'k', 'dout', 'stats'],
};

/** Output length of each kernel, in floats. */
export function attentionOutputLength(kind: AttentionKernel, g: AttentionGeometry): number {
  const rows = kind === 'dk' || kind === 'dv' ? g.tk : g.tq;
  return g.batch * rows * g.heads * (kind === 'stats' ? 2 : g.d);
}

function template(kind: AttentionKernel): string {
  switch (kind) {
    case 'forward': return forwardRows;
    case 'stats': return statsRows;
    case 'dq': return dqRows;
    case 'dk': return sections(dkvRows, { DK: true });
    case 'dv': return sections(dkvRows, { DK: false });
  }
}

/** The row kernel of `kind` for geometry g. */
export function attentionSpec(kind: AttentionKernel, g: AttentionGeometry, options: AttentionKernelOptions = {}): KernelSpec {
  if (!Number.isInteger(g.d) || g.d < 1 || g.d > MAX_HEAD_SIZE) throw new Error(`attention: head size ${g.d} outside 1..${MAX_HEAD_SIZE}`);
  if (g.causal && g.tq !== g.tk) throw new Error(`attention: causal needs tq === tk, got ${g.tq} and ${g.tk}`);
  const rows = options.rows ?? defaultRows(g.d);
  const len = kind === 'dk' || kind === 'dv' ? g.tk : g.tq;
  const blocks = Math.ceil(len / rows);
  const threads = g.batch * g.heads * blocks;
  let wg = options.workgroupSize ?? 64;
  if (options.workgroupSize === undefined) while (wg > 4 && Math.ceil(threads / wg) < CPU_MIN_WORKGROUPS) wg /= 2;
  const { workgroups, rowThreads } = linearGrid(threads, wg);
  const kb = options.keyBlock ?? 4;
  const shader = unroll(fill(template(kind), { D: g.d, QR: rows, KB: kb }), { r: rows, c: g.d, b: kb });
  const bindings: Record<string, number | 'out'> = { out: 'out' };
  INPUTS[kind].forEach((name, i) => { bindings[name] = i; });
  return {
    label: `attention-${kind}`,
    shader,
    constants: { B: g.batch, TQ: g.tq, TK: g.tk, H: g.heads, SCALE: g.scale, CAUSAL: g.causal ? 1 : 0, RB: blocks, ROW: rowThreads, WG: wg },
    bindings,
    workgroups,
  };
}
