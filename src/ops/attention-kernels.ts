// The attention kernels as KernelSpecs: shader text specialised for the
// head size, override constants, bindings by input index and the dispatch
// grid (src/ops/attention.ts binds them to its ops; the kernel tests also
// run them with the raw WebGPU API, test/gpu-dispatch.ts).
//
// Inputs of each kernel, by index (the graph node's input order):
//   forward  (q, k, v)                  -> o      [B, TQ, H, D]
//   stats    (q, k, o, dO)              -> stats  [B, TQ, H, 2] = (L, D) per query
//   dq       (q, k, v, dO, stats)       -> dq     [B, TQ, H, D]
//   dk       (q, k, v, dO, stats)       -> dk     [B, TK, H, D]
//   dv       (q, k, dO, stats)          -> dv     [B, TK, H, D]
import forwardRows from '../../shaders/attention_forward_rows.wgsl';
import statsRows from '../../shaders/attention_stats_rows.wgsl';
import dqRows from '../../shaders/attention_dq_rows.wgsl';
import dkvRows from '../../shaders/attention_dkv_rows.wgsl';
import forwardTiled from '../../shaders/attention_forward_tiled.wgsl';
import statsTiled from '../../shaders/attention_stats_tiled.wgsl';
import dqTiled from '../../shaders/attention_dq_tiled.wgsl';
import dkvTiled from '../../shaders/attention_dkv_tiled.wgsl';
import { CPU_MIN_WORKGROUPS, MAX_WORKGROUPS_PER_DIM, fill, linearGrid, sections, unroll } from './kernel.js';
import type { KernelSpec } from '../graph/kernel-binding.js';
import type { AttentionGeometry } from '../cpu/attention.js';

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
   * 'rows' (default): barrier-free, one thread per block of rows reading the
   * other side straight from storage; for CPU drivers (SwiftShader), where
   * barriers are very expensive. 'tiled': one thread per row, the other
   * side staged in workgroup memory a tile at a time; for GPUs.
   */
  variant?: 'rows' | 'tiled';
  /**
   * 'rows': rows per thread (queries for forward/stats/dq, keys for dk/dv):
   * each load of the other side's vectors serves this many rows. Default
   * (defaultRows): 64 / D rounded down to a power of 2, 1 to 8.
   */
  rows?: number;
  /**
   * Keys (queries for tiled dk, dv) per unrolled block of the inner loop
   * (forward and stats of the row variant, every tiled kernel); in forward
   * and stats one rescale of the online softmax per block. Default
   * (defaultKeyBlock): 2 up to D = 16, else 1.
   */
  keyBlock?: number;
  /** 'tiled': keys (queries for dk, dv) per tile in workgroup memory, a multiple of keyBlock (default: the most that fit 16 KiB, at most 64). */
  tile?: number;
  /** Threads per workgroup (default 64; 'rows' halves it, down to 4, until there are CPU_MIN_WORKGROUPS workgroups). 'tiled': rows per workgroup. */
  workgroupSize?: number;
}

/**
 * Rows per thread of the row kernels, and keys per block (forward, stats):
 * a trade between run time and compile time on SwiftShader.
 * Run time: a storage load there (a per-lane gather, bounds-checked) costs
 * far more than a multiply-add or a register spilled to the stack, so more
 * rows per load pay even past the register file. Process CPU time, forward,
 * t = 1024 (512 at D >= 32), 4 heads: D = 16: 2 rows 395 ms, 4 rows 212,
 * 8 rows 138-159, 16 rows 114; D = 32: 2 rows 236, 4 rows 109-133, 8 rows
 * 84; D = 64: 1 row 860, 2 rows 488, 4 rows 274-335, 8 rows 194 (dq, dk, dv
 * alike). Keys per block hardly matter (1, 2, 4 within noise).
 * Compile time (a pipeline, on a loaded 2-core machine) grows faster than
 * the unrolled code: D = 16: 4 rows 0.3-2 s a kernel, 8 rows 2-10 s; D = 64,
 * forward: 1 row and 4 keys a block 16 s, 1 row and 1 key 1.3 s.
 * So the defaults keep rows * D <= 64 (1 to 8 rows) and keys * D <= 32
 * (pipelines compile in about a second); pass `rows` (e.g. 8 at D = 16,
 * 1.4x faster) where a long run on SwiftShader pays for a longer compile.
 */
export function defaultRows(d: number): number {
  return Math.max(1, Math.min(8, 2 ** Math.floor(Math.log2(64 / d))));
}

export function defaultKeyBlock(d: number): number {
  return d <= 16 ? 2 : 1;
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

function template(kind: AttentionKernel, tiled: boolean): string {
  switch (kind) {
    case 'forward': return tiled ? forwardTiled : forwardRows;
    case 'stats': return tiled ? statsTiled : statsRows;
    case 'dq': return tiled ? dqTiled : dqRows;
    case 'dk': return sections(tiled ? dkvTiled : dkvRows, { DK: true });
    case 'dv': return sections(tiled ? dkvTiled : dkvRows, { DK: false });
  }
}

/** WebGPU's guaranteed workgroup memory (maxComputeWorkgroupStorageSize), which the tiles stay within. */
const WORKGROUP_BYTES = 16384;

/** The default tile: as many rows as fit in WORKGROUP_BYTES (two D-vectors a row, plus two statistics for dk/dv), a multiple of keyBlock, at most 64. */
export function defaultTile(kind: AttentionKernel, d: number, keyBlock: number): number {
  const perRow = 4 * (kind === 'stats' ? d : kind === 'dk' || kind === 'dv' ? 2 * d + 2 : 2 * d);
  return Math.max(keyBlock, Math.min(64, Math.floor(WORKGROUP_BYTES / perRow / keyBlock) * keyBlock));
}

/** The kernel of `kind` for geometry g: the row variant, or the tiled one with options.variant = 'tiled'. */
export function attentionSpec(kind: AttentionKernel, g: AttentionGeometry, options: AttentionKernelOptions = {}): KernelSpec {
  if (!Number.isInteger(g.d) || g.d < 1 || g.d > MAX_HEAD_SIZE) throw new Error(`attention: head size ${g.d} outside 1..${MAX_HEAD_SIZE}`);
  if (g.causal && g.tq !== g.tk) throw new Error(`attention: causal needs tq === tk, got ${g.tq} and ${g.tk}`);
  const len = kind === 'dk' || kind === 'dv' ? g.tk : g.tq;
  const kb = options.keyBlock ?? defaultKeyBlock(g.d);
  const bindings: Record<string, number | 'out'> = { out: 'out' };
  INPUTS[kind].forEach((name, i) => { bindings[name] = i; });
  const common = { B: g.batch, TQ: g.tq, TK: g.tk, H: g.heads, SCALE: g.scale, CAUSAL: g.causal ? 1 : 0 };
  if (options.variant === 'tiled') {
    const wg = options.workgroupSize ?? 64;
    const tile = options.tile ?? defaultTile(kind, g.d, kb);
    if (tile % kb !== 0) throw new Error(`attention: tile ${tile} is not a multiple of keyBlock ${kb}`);
    const tiles = Math.ceil(len / wg);
    const groups = Math.max(1, g.batch * g.heads * tiles);
    const gx = Math.min(groups, MAX_WORKGROUPS_PER_DIM);
    return {
      label: `attention-${kind}-tiled`,
      shader: unroll(fill(template(kind, true), { D: g.d, BK: tile, KB: kb }), { c: g.d, b: kb }),
      constants: { ...common, [kind === 'dk' || kind === 'dv' ? 'KT' : 'QT']: tiles, GX: gx, WG: wg },
      bindings,
      workgroups: [gx, Math.ceil(groups / gx), 1],
    };
  }
  const rows = options.rows ?? defaultRows(g.d);
  const blocks = Math.ceil(len / rows);
  const threads = g.batch * g.heads * blocks;
  let wg = options.workgroupSize ?? 64;
  if (options.workgroupSize === undefined) while (wg > 4 && Math.ceil(threads / wg) < CPU_MIN_WORKGROUPS) wg /= 2;
  const { workgroups, rowThreads } = linearGrid(threads, wg);
  const shader = unroll(fill(template(kind, false), { D: g.d, QR: rows, KB: kb }), { r: rows, c: g.d, b: kb });
  return {
    label: `attention-${kind}`,
    shader,
    constants: { ...common, RB: blocks, ROW: rowThreads, WG: wg },
    bindings,
    workgroups,
  };
}
