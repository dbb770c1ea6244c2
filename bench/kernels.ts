// Kernel micro-benchmarks: each GPU kernel against its CPU reference (src/cpu).
//   npm run bench                   full run (about 2 minutes on SwiftShader)
//   npm run bench -- --quick        smaller sizes, fewer runs
//   options: --runs N  --warmup N  --only matmul|elementwise  --cpu-budget MS
//
// What is measured, GPU side: a compiled program whose only kernel is the op
// under test, with its operands held as parameters (resident on the GPU, so
// nothing is uploaded per run). One timed run is prog.run({}, { read: [] })
// followed by prog.sync(): one submit of one dispatch, waited until the GPU
// finished, no readback. The fixed cost of that (submit + wait, measured on a
// one-element program) is printed and included in every GPU time.
// CPU side: the op's reference implementation (src/cpu, the same function the
// interpreter uses) on Float32Arrays, one JavaScript thread. The GPU result is
// read back once per case and compared with the CPU result (the `err` column:
// largest absolute difference over the largest |value|).
// Variants are timed interleaved (harness.ts); a slow CPU reference gets
// fewer timed runs, at most --cpu-budget milliseconds per case (the `runs`
// column says how many).
import { parseArgs } from 'node:util';
import * as sn from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { getOp } from '../src/ops/registry.js';
import { matmul as cpuMatmul } from '../src/cpu/matmul.js';
import { compare, fmtMs, fmtNum, loadLine, machineHeader, randomData, relError, table, type Variant } from './harness.js';

const usage = 'usage: kernels.js [--quick] [--runs N>=1] [--warmup N>=0] [--cpu-budget MS] [--only matmul|elementwise]';
function parseOptions() {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        runs: { type: 'string' },
        warmup: { type: 'string' },
        only: { type: 'string' },
        'cpu-budget': { type: 'string' },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
}
const args = parseOptions();
const quick = args.quick ?? false;
const runs = Number(args.runs ?? (quick ? 5 : 9));
const warmup = Number(args.warmup ?? (quick ? 1 : 2));
const cpuBudget = Number(args['cpu-budget'] ?? (quick ? 1000 : 4000));
const only = args.only;
if (!(runs >= 1) || !(warmup >= 0) || !(cpuBudget > 0) || (only !== undefined && only !== 'matmul' && only !== 'elementwise')) {
  console.error(usage);
  process.exit(2);
}

const device = await sn.createDevice();
console.log(machineHeader(device));
console.log(`mode: ${quick ? 'quick' : 'full'}; ${runs} timed runs after ${warmup} warm-up runs per variant (median); CPU reference at most ${cpuBudget} ms per case`);

/** A compiled one-op program over resident parameters, and its operands' host data. */
interface GpuCase {
  prog: sn.Program;
  out: Tensor;
  data: Map<Tensor, Float32Array>;
}

async function oneOp(params: { name: string; shape: number[]; data: Float32Array }[], build: (ps: Tensor[]) => Tensor): Promise<GpuCase> {
  const g = sn.graph();
  const data = new Map<Tensor, Float32Array>();
  const ps = params.map((p) => {
    const t = g.param(p.name, p.shape, p.data);
    data.set(t, p.data);
    return t;
  });
  const out = build(ps);
  const prog = await sn.compile(device, g, { outputs: { out } });
  if (prog.dispatchCount !== 1) console.warn(`note: ${out.op} compiled to ${prog.dispatchCount} dispatches`);
  return { prog, out, data };
}

const gpuRun = (c: GpuCase) => async () => {
  await c.prog.run({}, { read: [] });
  await c.prog.sync();
};

/** Time one CPU call; used to decide how many timed runs fit the CPU budget. */
function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

/** Timed runs of a CPU reference that fit the budget, out of the loop's `loopRuns`. */
function cpuRuns(oneRunMs: number, loopRuns = runs): number {
  return Math.max(1, Math.min(loopRuns, Math.floor(cpuBudget / Math.max(oneRunMs, 1e-3))));
}

// The fixed cost of a run: submit one tiny dispatch and wait for it. Measured
// at the start and again at the end (the first few runs of a fresh device are
// slower while SwiftShader's worker threads wake up).
async function fixedCost(when: string): Promise<void> {
  const c = await oneOp([{ name: 'x', shape: [1], data: new Float32Array([1]) }], ([x]) => x.add(1));
  const s = await compare([{ name: 'tiny', fn: gpuRun(c) }], { runs: 50, warmup: 20 });
  console.log(`fixed cost per GPU run (${when}): ${fmtMs(s.tiny.median)} ms median, ${fmtMs(s.tiny.min)}..${fmtMs(s.tiny.max)} ms (submit of one 1-element dispatch + wait; included in every GPU time)`);
  c.prog.dispose();
}
await fixedCost('start');

/** A one-line reason for a case that could not be compiled or run. */
const failure = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0].slice(0, 160);
const failures: string[] = [];

// ---------------------------------------------------------------- matmul

interface MatmulCase {
  label: string;
  /** Operand shapes as stored (before the transposes). */
  aShape: [number, number];
  bShape: [number, number];
  tA: boolean;
  tB: boolean;
}

function mm(label: string, m: number, k: number, n: number, tA = false, tB = false): MatmulCase {
  return { label, aShape: tA ? [k, m] : [m, k], bShape: tB ? [n, k] : [k, n], tA, tB };
}

const variantName = (c: MatmulCase) => (c.tA && c.tB ? 'tA tB' : c.tA ? 'tA' : c.tB ? 'tB' : 'plain');

/** One group is timed in one interleaved loop; `vs first` compares each GPU time with the group's first case. */
async function matmulGroup(title: string, cases: MatmulCase[]): Promise<string[][]> {
  const variants: Variant[] = [];
  const pending: ({ c: MatmulCase; m: number; k: number; n: number; err: number; gpu: GpuCase } | string[])[] = [];
  let seed = 1;
  for (const c of cases) {
    const a = randomData(c.aShape[0] * c.aShape[1], seed++);
    const b = randomData(c.bShape[0] * c.bShape[1], seed++);
    const m = c.tA ? c.aShape[1] : c.aShape[0];
    const k = c.tA ? c.aShape[0] : c.aShape[1];
    const n = c.tB ? c.bShape[0] : c.bShape[1];
    let gpu: GpuCase;
    try {
      gpu = await oneOp(
        [{ name: 'a', shape: c.aShape, data: a }, { name: 'b', shape: c.bShape, data: b }],
        ([ta, tb]) => sn.ops.matmul(ta, tb, { transposeA: c.tA, transposeB: c.tB }),
      );
    } catch (e) {
      failures.push(`matmul ${c.label}: ${failure(e)}`);
      pending.push([title, c.label, variantName(c), `${m}x${k}x${n}`, 'FAILED', '-', '-', '-', '-', '-', '-', '-']);
      continue;
    }
    const [ref, cpuMs] = timed(() => cpuMatmul(a, b, m, k, n, 1, 1, c.tA, c.tB));
    const got = (await gpu.prog.run({}, { read: ['out'] })).out.data;
    pending.push({ c, m, k, n, err: relError(got, ref), gpu });
    variants.push({ name: `gpu ${c.label}`, fn: gpuRun(gpu) });
    // The check above already warmed the CPU path once; a slow one gets no further warm-up.
    variants.push({ name: `cpu ${c.label}`, fn: () => cpuMatmul(a, b, m, k, n, 1, 1, c.tA, c.tB), runs: cpuRuns(cpuMs), warmup: cpuMs > 200 ? 0 : warmup });
  }
  const stats = await compare(variants, { runs, warmup });
  const first = variants.length ? stats[variants[0].name].median : NaN;
  return pending.map((p) => {
    if (Array.isArray(p)) return p;
    const { c, m, k, n, err, gpu } = p;
    const g = stats[`gpu ${c.label}`];
    const cp = stats[`cpu ${c.label}`];
    const flop = 2 * m * k * n;
    gpu.prog.dispose();
    return [
      title, c.label, variantName(c), `${m}x${k}x${n}`,
      fmtMs(g.median), fmtNum(flop / g.median / 1e6), fmtNum(g.median / first) + 'x',
      fmtMs(cp.median), String(cp.runs), fmtNum(flop / cp.median / 1e6),
      fmtNum(cp.median / g.median) + 'x', err.toExponential(1),
    ];
  });
}

if (only !== 'elementwise') {
  const sizes = quick ? [128, 256] : [128, 256, 512, 1024];
  // The transposed variants are compared at one mid size, interleaved with the plain one.
  const variantsAt = quick ? 256 : 512;
  const rows: string[][] = [];
  for (const s of sizes) {
    const cases = [mm(`${s}`, s, s, s)];
    if (s === variantsAt) cases.push(mm(`${s} tA`, s, s, s, true), mm(`${s} tB`, s, s, s, false, true), mm(`${s} tA tB`, s, s, s, true, true));
    rows.push(...(await matmulGroup('square', cases)));
  }
  // The dense layer 784 -> 128 at batch 128: forward x W, and the two backward products.
  rows.push(...(await matmulGroup('mlp 784', [
    mm('fwd x W', 128, 784, 128),
    mm('dW = x^T dy', 784, 128, 128, true),
    mm('dx = dy W^T', 128, 128, 784, false, true),
  ])));
  console.log('\nmatmul: GPU kernel vs CPU reference (src/cpu/matmul.ts); ms = median per run; speedup = CPU ms / GPU ms');
  console.log('  `vs first`: GPU time relative to the first case of its group (same FLOPs within a group, measured interleaved)');
  console.log(table(
    ['group', 'case', 'variant', 'm x k x n', 'GPU ms', 'GFLOP/s', 'vs first', 'CPU ms', 'runs', 'GFLOP/s', 'speedup', 'err'],
    rows,
  ));
}

// ---------------------------------------------------------------- elementwise, reductions, softmax

interface MapCase {
  label: string;
  params: { name: string; shape: number[] }[];
  build: (ps: Tensor[]) => Tensor;
}

async function mapGroup(cases: MapCase[]): Promise<string[][]> {
  const variants: Variant[] = [];
  const operands = (c: MapCase) => c.params.map((p) => `[${p.shape.join(',')}]`).join(' ');
  // Per case, in order: what is needed for its row once the interleaved loop has run, or its failure row.
  const pending: ({ c: MapCase; gpu: GpuCase; bytes: number; err: number } | string[])[] = [];
  let seed = 100;
  // These kernels are short: twice the runs.
  const loopRuns = quick ? runs : runs * 2;
  for (const c of cases) {
    let gpu: GpuCase;
    try {
      gpu = await oneOp(c.params.map((p) => ({ ...p, data: randomData(p.shape.reduce((s, d) => s * d, 1), seed++, 3) })), c.build);
    } catch (e) {
      // An engine bug must not hide the other cases: the row says what failed.
      failures.push(`${c.label}: ${failure(e)}`);
      pending.push([c.label, operands(c), 'FAILED', '-', '-', '-', '-', '-', '-']);
      continue;
    }
    const node = gpu.out;
    const def = getOp(node.op);
    const inputs = node.inputs.map((t) => gpu.data.get(t)!);
    const shapes = node.inputs.map((t) => t.shape);
    const cpu = () => def.cpu(inputs, shapes, node.shape, node.attrs);
    const [ref, cpuMs] = timed(cpu);
    const got = (await gpu.prog.run({}, { read: ['out'] })).out.data;
    // Effective bytes: every operand read once and the result written once.
    const bytes = 4 * (node.inputs.reduce((s, t) => s + t.size, 0) + node.size);
    pending.push({ c, gpu, bytes, err: relError(got, ref) });
    variants.push({ name: `gpu ${c.label}`, fn: gpuRun(gpu) });
    variants.push({ name: `cpu ${c.label}`, fn: cpu, runs: cpuRuns(cpuMs, loopRuns) });
  }
  const stats = await compare(variants, { runs: loopRuns, warmup });
  return pending.map((p) => {
    if (Array.isArray(p)) return p;
    const { c, gpu, bytes, err } = p;
    const g = stats[`gpu ${c.label}`];
    const cp = stats[`cpu ${c.label}`];
    gpu.prog.dispose();
    return [
      c.label, operands(c), fmtMs(g.median), fmtNum(bytes / g.median / 1e6), fmtMs(cp.median), String(cp.runs),
      fmtNum(bytes / cp.median / 1e6), fmtNum(cp.median / g.median) + 'x', err.toExponential(1),
    ];
  });
}

/**
 * Reference points for the GB/s column, not engine kernels: a hand-written
 * relu over n floats, one f32 per thread (the engine's mapping) and sixteen
 * per thread as four vec4 loads, dispatched on the raw GPUDevice.
 */
async function ceiling(n: number): Promise<string[][]> {
  const gpu = device.gpu;
  const x = gpu.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE });
  const y = gpu.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE });
  const shapes = [{ label: '1 f32 per thread', per: 1, type: 'f32', zero: '0.0' }, { label: '16 f32 per thread (4 x vec4)', per: 4, type: 'vec4f', zero: 'vec4f(0.0)' }];
  const variants: Variant[] = shapes.map((v) => {
    const units = v.type === 'f32' ? n : n / 4;
    const groups = Math.ceil(units / v.per / 64);
    const gx = Math.min(groups, 65535);
    const code = `@group(0) @binding(0) var<storage, read> x: array<${v.type}>;
@group(0) @binding(1) var<storage, read_write> y: array<${v.type}>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  let base = (g.x + g.y * ${gx * 64}u) * ${v.per}u;
  ${v.per === 1 ? `if (base < ${units}u) { y[base] = max(x[base], ${v.zero}); }` : `for (var k = 0u; k < ${v.per}u; k++) { let i = base + k; if (i < ${units}u) { y[i] = max(x[i], ${v.zero}); } }`}
}`;
    const pipeline = gpu.createComputePipeline({ layout: 'auto', compute: { module: gpu.createShaderModule({ code }), entryPoint: 'main' } });
    const bindGroup = gpu.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: x } }, { binding: 1, resource: { buffer: y } }] });
    return {
      name: v.label,
      fn: async () => {
        const enc = gpu.createCommandEncoder();
        const pass = enc.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(gx, Math.ceil(groups / gx));
        pass.end();
        gpu.queue.submit([enc.finish()]);
        await gpu.queue.onSubmittedWorkDone();
      },
    };
  });
  const stats = await compare(variants, { runs: quick ? runs : runs * 2, warmup });
  x.destroy();
  y.destroy();
  return shapes.map((v) => [v.label, `[${n}]`, fmtMs(stats[v.label].median), fmtNum((8 * n) / stats[v.label].median / 1e6)]);
}

if (only !== 'matmul') {
  const [r, c] = quick ? [256, 1024] : [1024, 1024];
  const cases: MapCase[] = [
    { label: 'add (same shape)', params: [{ name: 'x', shape: [r, c] }, { name: 'y', shape: [r, c] }], build: ([x, y]) => x.add(y) },
    { label: 'add (row broadcast)', params: [{ name: 'x', shape: [r, c] }, { name: 'b', shape: [c] }], build: ([x, b]) => x.add(b) },
    { label: 'relu', params: [{ name: 'x', shape: [r, c] }], build: ([x]) => x.relu() },
    { label: 'exp', params: [{ name: 'x', shape: [r, c] }], build: ([x]) => x.exp() },
    { label: 'sigmoid', params: [{ name: 'x', shape: [r, c] }], build: ([x]) => x.sigmoid() },
    { label: 'sum axis 0', params: [{ name: 'x', shape: [128, 4096] }], build: ([x]) => x.sum({ axis: 0 }) },
    { label: 'sum axis 1', params: [{ name: 'x', shape: [128, 4096] }], build: ([x]) => x.sum({ axis: 1 }) },
    ...[c, 128, 16].map((cols): MapCase => ({ label: `softmax, rows of ${cols}`, params: [{ name: 'x', shape: [(r * c) / cols, cols] }], build: ([x]) => x.softmax() })),
  ];
  const rows = await mapGroup(cases);
  console.log(`\nelementwise / reduction / softmax: GPU kernel vs CPU reference (the op's cpu() in src/cpu); ${r * c} elements unless shown`);
  console.log('  GB/s counts each operand read once and the result written once; speedup = CPU ms / GPU ms');
  console.log(table(['op', 'operands', 'GPU ms', 'GB/s', 'CPU ms', 'runs', 'GB/s', 'speedup', 'err'], rows));
  console.log('\nceiling on this adapter: a hand-written relu on the raw GPUDevice (not an engine kernel), same timing');
  console.log(table(['mapping', 'operand', 'GPU ms', 'GB/s'], await ceiling(r * c)));
}

if (failures.length) console.log(`\nFAILED (engine errors, reported not fixed here):\n${failures.map((f) => `  ${f}`).join('\n')}`);
console.log('');
await fixedCost('end');
console.log(loadLine('end'));
device.destroy();
