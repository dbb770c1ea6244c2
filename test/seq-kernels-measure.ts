// Measurement (prints, asserts nothing): the attention kernels at t = 64,
// 256 and 1024 (b = 1, h = 4, d = 16) against the CPU reference in the same
// process, and the layer-norm kernels, with the bytes each dispatch binds
// (linear in t: no t x t buffer anywhere). GPU time: median over a few runs
// after a warm-up, each submit awaited with queue.onSubmittedWorkDone.
// Not a test file (it takes a while and asserts nothing); build and run:
//   npx esbuild test/seq-kernels-measure.ts --bundle --platform=node --format=esm \
//     --loader:.wgsl=text --main-fields=module,main --external:webgpu --outfile=dist/seq-measure.js
//   node dist/seq-measure.js [--causal] [--rows N] [--only forward,dq] [--t 64,256]
import { attentionBackward, attentionGeometry, attentionStats, dotProductAttention } from '../src/cpu/attention.js';
import { layerNorm, layerNormBackward, layerNormStats } from '../src/cpu/layer-norm.js';
import * as sn from '../src/index.js';
import { attentionOutputLength, attentionSpec, type AttentionKernel, type AttentionKernelOptions } from '../src/ops/attention-kernels.js';
import { prepare, pipelineFor } from './gpu-dispatch.js';
import { Rng, uniform } from './helpers.js';
import { layerNormOutputLength, layerNormSpec, type LayerNormKernel } from '../src/ops/layer-norm-kernels.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const causal = process.argv.includes('--causal');
const rowsOpt = arg('--rows');
const variant = arg('--variant');
const only = arg('--only')?.split(',');
const ts = (arg('--t') ?? '64,256,1024').split(',').map(Number);
const kbOpt = arg('--kb');
const useMin = process.argv.includes('--min');
const runs = Number(arg('--runs') ?? 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Process CPU time (user + system, every thread: SwiftShader's workers too) of the last timeIt, in ms: steadier than wall time on a shared machine. */
let lastCpuMs = 0;
async function timeIt(fn: () => unknown | Promise<unknown>, n: number): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  lastCpuMs = useMin ? Math.min(...cpuTimes) : median(cpuTimes);
  return useMin ? Math.min(...times) : median(times);
}

const fmtMs = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1)).padStart(7);
const fmtKb = (b: number) => `${(b / 1024).toFixed(0)} KiB`.padStart(9);

const device = await sn.createDevice(process.argv.includes('--no-robustness') ? { robustness: false } : {});
const gpu = device.gpu;
console.log(`device: ${device.info.description || device.info.architecture} (${device.info.vendor})`);

if (!only || only.some((k) => ['forward', 'stats', 'dq', 'dk', 'dv'].includes(k))) {
  const options: AttentionKernelOptions = { ...(rowsOpt ? { rows: Number(rowsOpt) } : {}), ...(kbOpt ? { keyBlock: Number(kbOpt) } : {}), ...(variant ? { variant: variant as 'rows' } : {}) };
  console.log(`\nattention, b = 1, h = 4, d = 16${causal ? ', causal' : ''}${rowsOpt ? `, ${rowsOpt} rows a thread` : ''}${variant ? `, ${variant}` : ''}: median ms (compile ms once)`);
  console.log('kernel       t    GPU ms (its CPU time)  CPU ms   GFLOP/s(GPU)  bound bytes   compile ms');
  for (const t of ts) {
    const g = attentionGeometry({ batch: 1, tq: t, tk: t, heads: 4, d: 16, causal });
    const rng = new Rng(t);
    const shape = [1, t, 4, 16];
    const q = uniform(shape, rng), k = uniform(shape, rng), v = uniform(shape, rng), dO = uniform(shape, rng);
    const cpuRuns = t >= 1024 ? 1 : 3;
    const cpu: Record<AttentionKernel, () => unknown> = {
      forward: () => dotProductAttention(q, k, v, g),
      stats: () => attentionStats(q, k, o, dO, g),
      dq: () => attentionBackward(q, k, v, dO, g),
      dk: () => undefined,
      dv: () => undefined,
    };
    const o = dotProductAttention(q, k, v, g);
    const stats = attentionStats(q, k, o, dO, g);
    const inputs: Record<AttentionKernel, Float32Array[]> = {
      forward: [q, k, v], stats: [q, k, o, dO], dq: [q, k, v, dO, stats], dk: [q, k, v, dO, stats], dv: [q, k, dO, stats],
    };
    // Multiply-adds per (query, key) pair visited: forward 2d (score, output), stats d, dq 3d, dk 3d, dv 2d.
    const macs: Record<AttentionKernel, number> = { forward: 2, stats: 1, dq: 3, dk: 3, dv: 2 };
    const pairs = g.batch * g.heads * (causal ? (t * (t + 1)) / 2 : t * t);
    for (const kind of ['forward', 'stats', 'dq', 'dk', 'dv'] as const) {
      if (only && !only.includes(kind)) continue;
      const spec = attentionSpec(kind, g, options);
      const c0 = performance.now();
      await pipelineFor(gpu, spec);
      const compile = performance.now() - c0;
      const d = await prepare(gpu, spec, inputs[kind], attentionOutputLength(kind, g));
      const ms = await timeIt(() => d.run(), runs);
      const gpuCpuMs = lastCpuMs;
      const bytes = d.bytes;
      d.dispose();
      // The CPU reference computes the three gradients in one function: timed once, on the dq line.
      const cpuMs = kind === 'dk' || kind === 'dv' ? NaN : await timeIt(cpu[kind], cpuRuns);
      const gflops = (2 * macs[kind] * g.d * pairs) / (ms * 1e6);
      console.log(`${kind.padEnd(8)} ${String(t).padStart(5)} ${fmtMs(ms)} (${fmtMs(gpuCpuMs)})       ${Number.isNaN(cpuMs) ? '      -' : fmtMs(cpuMs)}   ${gflops.toFixed(2).padStart(8)}     ${fmtKb(bytes)}   ${compile.toFixed(0).padStart(8)}`);
    }
  }
  console.log('(CPU dq line: the whole CPU backward, dq, dk and dv together)');
}

if (!only || only.some((k) => ['ln'].includes(k))) {
  console.log('\nlayer norm: median ms');
  console.log('kernel        rows    c    GPU ms   CPU ms   bound bytes');
  for (const [rows, c] of [[4096, 64], [1024, 256]] as const) {
    const rng = new Rng(rows);
    const x = uniform([rows, c], rng), gamma = uniform([c], rng, 0.5, 1.5), beta = uniform([c], rng), dy = uniform([rows, c], rng);
    const stats = layerNormStats(x, c);
    const inputs: Record<LayerNormKernel, Float32Array[]> = { forward: [x, gamma, beta], dx: [x, gamma, dy], stats: [x], paramGrads: [x, dy, stats] };
    const cpu: Record<LayerNormKernel, () => unknown> = {
      forward: () => layerNorm(x, gamma, beta, c),
      dx: () => layerNormBackward(x, gamma, dy, c),
      stats: () => layerNormStats(x, c),
      paramGrads: () => undefined,
    };
    for (const kind of ['forward', 'dx', 'stats', 'paramGrads'] as const) {
      const d = await prepare(gpu, layerNormSpec(kind, rows, c), inputs[kind], layerNormOutputLength(kind, rows, c));
      const ms = await timeIt(() => d.run(), runs);
      const cpuMs = kind === 'paramGrads' ? NaN : await timeIt(cpu[kind], 3);
      console.log(`${kind.padEnd(10)} ${String(rows).padStart(7)} ${String(c).padStart(4)} ${fmtMs(ms)}  ${Number.isNaN(cpuMs) ? '      -' : fmtMs(cpuMs)}   ${fmtKb(d.bytes)}`);
      d.dispose();
    }
  }
  console.log('(CPU dx line: the whole CPU backward, dx, dgamma and dbeta together)');
}
device.destroy();
