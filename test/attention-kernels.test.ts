// The attention kernels (shaders/attention_*.wgsl) run standalone with the
// raw WebGPU API against the CPU reference (src/cpu/attention.ts) on odd
// shapes, and the CPU reference's backward formulas against central finite
// differences of its own forward pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { attentionBackward, attentionGeometry, attentionStats, dotProductAttention, type AttentionGeometry } from '../src/cpu/attention.js';
import { attentionOutputLength, attentionSpec, type AttentionKernel, type AttentionKernelOptions } from './attention-specs.js';
import { centralDifferences, errors, range } from './fd.js';
import { dispatch } from './gpu-dispatch.js';
import { assertClose, device, Rng, uniform } from './helpers.js';
import { attention as attentionTol } from './seq-tolerances.js';
import { FINITE_DIFF } from './tolerances.js';

const VERBOSE = process.argv.includes('--verbose');
const log = (s: string) => { if (VERBOSE) console.log(s); };

interface Case {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  dO: Float32Array;
  g: AttentionGeometry;
}

function makeCase(shape: { batch: number; tq: number; tk: number; heads: number; d: number; causal?: boolean; scale?: number }, seed = 1): Case {
  const g = attentionGeometry(shape);
  const rng = new Rng(seed);
  const qs = [g.batch, g.tq, g.heads, g.d], ks = [g.batch, g.tk, g.heads, g.d];
  return { g, q: uniform(qs, rng), k: uniform(ks, rng), v: uniform(ks, rng), dO: uniform(qs, rng) };
}

const fmtG = (g: AttentionGeometry) => `b${g.batch} tq${g.tq} tk${g.tk} h${g.heads} d${g.d}${g.causal ? ' causal' : ''}`;

/** Runs every kernel of the family on c (the gradient kernels on the CPU's stats) and compares with the CPU reference. */
async function checkAll(c: Case, options: AttentionKernelOptions = {}, kinds: readonly AttentionKernel[] = ['forward', 'stats', 'dq', 'dk', 'dv']): Promise<void> {
  const gpu = (await device()).gpu;
  const { g } = c;
  const o = dotProductAttention(c.q, c.k, c.v, g);
  const stats = attentionStats(c.q, c.k, o, c.dO, g);
  const grads = attentionBackward(c.q, c.k, c.v, c.dO, g);
  const want: Record<AttentionKernel, Float32Array> = { forward: o, stats, dq: grads.dq, dk: grads.dk, dv: grads.dv };
  const inputs: Record<AttentionKernel, Float32Array[]> = {
    forward: [c.q, c.k, c.v],
    stats: [c.q, c.k, o, c.dO],
    dq: [c.q, c.k, c.v, c.dO, stats],
    dk: [c.q, c.k, c.v, c.dO, stats],
    dv: [c.q, c.k, c.dO, stats],
  };
  for (const kind of kinds) {
    const spec = attentionSpec(kind, g, options);
    const got = await dispatch(gpu, spec, inputs[kind], attentionOutputLength(kind, g));
    const t = kind === 'dk' || kind === 'dv' ? g.tq : g.tk;
    const tol = attentionTol(g.d, t, g.scale);
    const e = errors(got, want[kind]);
    log(`  ${kind.padEnd(7)} ${fmtG(g)} rows ${options.rows ?? 'default'}: max abs ${e.abs.toExponential(2)}, max rel ${e.rel.toExponential(2)} (atol ${tol.atol.toExponential(2)})`);
    assertClose(got, want[kind], tol, `${kind} ${fmtG(g)} GPU vs CPU`);
  }
}

test('GPU vs CPU: self-attention t = 13, 3 heads, head size 7, batch 2', async () => {
  await checkAll(makeCase({ batch: 2, tq: 13, tk: 13, heads: 3, d: 7 }));
});

test.run();
