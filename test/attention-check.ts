// Shared by the attention kernel tests: random cases, and running kernels
// standalone (raw WebGPU, test/gpu-dispatch.ts) against the CPU reference.
// Flags: --verbose prints the max errors of every comparison, --timing
// each test's time.
import { test as uvuTest } from 'uvu';
import { attentionBackward, attentionGeometry, attentionStats, dotProductAttention, type AttentionGeometry } from '../src/cpu/attention.js';
import { attentionOutputLength, attentionSpec, type AttentionKernel, type AttentionKernelOptions } from '../src/ops/attention-kernels.js';
import { errors } from './fd.js';
import { dispatch, pipelineFor } from './gpu-dispatch.js';
import { assertClose, device, Rng, uniform } from './helpers.js';
import { attention as attentionTol } from './seq-tolerances.js';

const VERBOSE = process.argv.includes('--verbose');
const TIMING = process.argv.includes('--timing');
export const log = (s: string) => { if (VERBOSE) console.log(s); };

/** uvu's test, printing the test's time with --timing (compiling pipelines is most of it on SwiftShader). */
export function test(name: string, fn: () => unknown): void {
  uvuTest(name, async () => {
    const t0 = performance.now();
    await fn();
    if (TIMING) console.log(`  [${(performance.now() - t0).toFixed(0)} ms] ${name}`);
  });
}
test.run = () => uvuTest.run();

export interface Case {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  dO: Float32Array;
  g: AttentionGeometry;
}

/** q, k, v and dO uniform in [-1, 1), seeded. */
export function makeCase(shape: { batch: number; tq: number; tk: number; heads: number; d: number; causal?: boolean; scale?: number }, seed = 1): Case {
  const g = attentionGeometry(shape);
  const rng = new Rng(seed);
  const qs = [g.batch, g.tq, g.heads, g.d], ks = [g.batch, g.tk, g.heads, g.d];
  return { g, q: uniform(qs, rng), k: uniform(ks, rng), v: uniform(ks, rng), dO: uniform(qs, rng) };
}

export const fmtG = (g: AttentionGeometry) => `b${g.batch} tq${g.tq} tk${g.tk} h${g.heads} d${g.d}${g.causal ? ' causal' : ''}`;

const ALL: readonly AttentionKernel[] = ['forward', 'stats', 'dq', 'dk', 'dv'];

/** Runs the kernels of `kinds` on c (the gradient kernels on the CPU's stats) and compares each with the CPU reference. */
export async function checkAll(c: Case, options: AttentionKernelOptions = {}, kinds: readonly AttentionKernel[] = ALL): Promise<void> {
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
  // Compile every pipeline at once: Dawn builds them on worker threads, and compiling is most of a test's time.
  const specs = kinds.map((kind) => attentionSpec(kind, g, options));
  await Promise.all(specs.map((spec) => pipelineFor(gpu, spec)));
  const how = `${options.variant ?? 'rows'}${options.rows ? ` (${options.rows} a thread)` : ''}${options.workgroupSize ? ` wg ${options.workgroupSize}` : ''}${options.tile ? ` tile ${options.tile}` : ''}`;
  for (const [n, kind] of kinds.entries()) {
    const got = await dispatch(gpu, specs[n], inputs[kind], attentionOutputLength(kind, g));
    const t = kind === 'dk' || kind === 'dv' ? g.tq : g.tk;
    const tol = attentionTol(g.d, t, g.scale);
    const e = errors(got, want[kind]);
    log(`  ${kind.padEnd(7)} ${fmtG(g).padEnd(26)} ${how.padEnd(12)}: max abs ${e.abs.toExponential(2)}, max rel ${e.rel.toExponential(2)} (atol ${tol.atol.toExponential(2)})`);
    assertClose(got, want[kind], tol, `${kind} ${fmtG(g)} (${how}) GPU vs CPU`);
  }
}
