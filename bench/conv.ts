// Convolution and pooling kernels against their CPU references, at the sizes
// of the classic MNIST convnet at batch 128:
//   conv1  Conv(32, 3x3) on 28x28x1   -> 26x26x32  ('valid')
//   pool1  maxPool 2x2   on 26x26x32  -> 13x13x32
//   conv2  Conv(64, 3x3) on 13x13x32  -> 11x11x64  ('valid')
//   pool2  maxPool 2x2   on 11x11x64  -> 5x5x64
// each forward and both backward passes (backprop to the input and to the
// filter; maxPool2dGrad for pooling).
//   npm run bench:conv
//   options: --runs N  --warmup N  --cpu-batch B (the batch the CPU is timed at, default 32)  --quick
//
// GPU side: a compiled program whose only kernel is the op under test, its
// operands held as parameters (resident on the GPU); one timed run is
// prog.run({}, { read: [] }) then prog.sync(): one submit of one dispatch,
// waited until the GPU finished, no readback (the fixed cost of that is
// printed and included).
// CPU side: the op's reference (src/cpu/conv.ts, src/cpu/pool.ts, the same
// functions the interpreter uses), one JavaScript thread. At batch 128 it
// takes seconds per call, so it is TIMED AT A SMALLER BATCH (--cpu-batch) and
// the median SCALED to 128 (every one of these loops is linear in the batch);
// it is also run ONCE at batch 128 (the `CPU@128 once` column, a check on the
// scaling) to give the `err` column: largest |GPU - CPU| over the largest
// |CPU|. Variants are timed interleaved (harness.ts), medians reported.
// FLOP counts: a convolution pass does 2 * batch * outH * outW * outC * kh *
// kw * inC (multiply + add; the same nominal count for all three passes); a
// pooling pass counts one operation per window cell.
import { parseArgs } from 'node:util';
import * as sn from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { getOp } from '../src/ops/registry.js';
import { compare, fmtMs, fmtNum, loadLine, machineHeader, randomData, relError, table, type Variant } from './harness.js';

const usage = 'usage: conv.js [--quick] [--runs N>=1] [--warmup N>=0] [--cpu-batch B in 1..128]';
function parseOptions() {
  try {
    return parseArgs({ options: { quick: { type: 'boolean', default: false }, runs: { type: 'string' }, warmup: { type: 'string' }, 'cpu-batch': { type: 'string' } } }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
}
const args = parseOptions();
const quick = args.quick ?? false;
const runs = Number(args.runs ?? (quick ? 3 : 7));
const warmup = Number(args.warmup ?? 1);
const cpuBatch = Number(args['cpu-batch'] ?? (quick ? 8 : 32));
const BATCH = 128;
if (!(runs >= 1) || !(warmup >= 0) || !Number.isInteger(cpuBatch) || cpuBatch < 1 || cpuBatch > BATCH) {
  console.error(usage);
  process.exit(2);
}

const device = await sn.createDevice();
console.log(machineHeader(device));
console.log(`${runs} timed runs after ${warmup} warm-up run(s) per variant (median); batch ${BATCH}; CPU timed at batch ${cpuBatch} and scaled x${fmtNum(BATCH / cpuBatch, 1)}`);

interface Operand { name: string; shape: number[] }
interface Case {
  layer: string;
  pass: string;
  /** Operand shapes at batch b. */
  operands: (b: number) => Operand[];
  build: (ps: Tensor[]) => Tensor;
  /** Operations of one pass at batch 128 (see the header). */
  flop: number;
}

function convCases(layer: string, hw: number, cin: number, cout: number): Case[] {
  const out = hw - 2;
  const x = (b: number) => ({ name: 'x', shape: [b, hw, hw, cin] });
  const f = () => ({ name: 'f', shape: [3, 3, cin, cout] });
  const dy = (b: number) => ({ name: 'dy', shape: [b, out, out, cout] });
  const flop = 2 * BATCH * out * out * cout * 9 * cin;
  return [
    { layer, pass: 'forward', operands: (b) => [x(b), f()], build: ([tx, tf]) => sn.ops.conv2d(tx, tf), flop },
    { layer, pass: 'backprop input', operands: (b) => [dy(b), f()], build: ([tdy, tf]) => sn.ops.conv2dBackpropInput(tdy, tf, [tdy.shape[0], hw, hw, cin]), flop },
    { layer, pass: 'backprop filter', operands: (b) => [x(b), dy(b)], build: ([tx, tdy]) => sn.ops.conv2dBackpropFilter(tx, tdy, [3, 3, cin, cout]), flop },
  ];
}

function poolCases(layer: string, hw: number, c: number): Case[] {
  const out = Math.floor(hw / 2);
  const x = (b: number) => ({ name: 'x', shape: [b, hw, hw, c] });
  const cells = BATCH * out * out * c * 4;
  return [
    { layer, pass: 'forward', operands: (b) => [x(b)], build: ([tx]) => sn.ops.maxPool2d(tx, { poolSize: 2 }), flop: cells },
    {
      layer, pass: 'backward', operands: (b) => [x(b), { name: 'dy', shape: [b, out, out, c] }],
      build: ([tx, tdy]) => sn.ops.maxPool2dGrad(tx, tdy, { poolSize: 2 }), flop: cells,
    },
  ];
}

const cases: Case[] = [
  ...convCases('conv1 32@3x3 on 28x28x1', 28, 1, 32),
  ...poolCases('pool1 2x2 on 26x26x32', 26, 32),
  ...convCases('conv2 64@3x3 on 13x13x32', 13, 32, 64),
  ...poolCases('pool2 2x2 on 11x11x64', 11, 64),
];

/** The op's graph node and CPU reference over host data, at batch b. */
function instance(c: Case, b: number, seed: number) {
  const g = sn.graph();
  const data = new Map<Tensor, Float32Array>();
  const ps = c.operands(b).map((o, i) => {
    const d = randomData(o.shape.reduce((s, v) => s * v, 1), seed + i);
    const t = g.param(o.name, o.shape, d);
    data.set(t, d);
    return t;
  });
  const out = c.build(ps);
  const def = getOp(out.op);
  const inputs = out.inputs.map((t) => data.get(t)!);
  const shapes = out.inputs.map((t) => t.shape);
  return { g, out, cpu: () => def.cpu(inputs, shapes, out.shape, out.attrs) };
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

async function fixedCost(when: string): Promise<void> {
  const g = sn.graph();
  const x = g.param('x', [1], new Float32Array([1]));
  const prog = await sn.compile(device, g, { outputs: { y: x.add(1) } });
  const s = await compare([{ name: 'tiny', fn: async () => { await prog.run({}, { read: [] }); await prog.sync(); } }], { runs: 30, warmup: 10 });
  console.log(`fixed cost per GPU run (${when}): ${fmtMs(s.tiny.median)} ms median (submit of one 1-element dispatch + wait; included in every GPU time)`);
  prog.dispose();
}
await fixedCost('start');

const rows: string[][] = [];
const failures: string[] = [];
const variants: Variant[] = [];
const pending: { c: Case; prog: sn.Program; err: number; cpuFullMs: number; label: string }[] = [];
let seed = 1;
for (const c of cases) {
  const name = `${c.layer} ${c.pass}`;
  try {
    const full = instance(c, BATCH, seed);
    const prog = await sn.compile(device, full.g, { outputs: { out: full.out } });
    if (prog.dispatchCount !== 1) console.warn(`note: ${name} compiled to ${prog.dispatchCount} dispatches`);
    const got = (await prog.run({}, { read: ['out'] })).out.data;
    const [ref, cpuFullMs] = timed(full.cpu);
    const small = instance(c, cpuBatch, seed + 100);
    variants.push({ name: `gpu ${name}`, fn: async () => { await prog.run({}, { read: [] }); await prog.sync(); } });
    variants.push({ name: `cpu ${name}`, fn: small.cpu });
    pending.push({ c, prog, err: relError(got, ref), cpuFullMs, label: prog.plan.dispatches[0].label });
  } catch (e) {
    failures.push(`${name}: ${(e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0]}`);
    rows.push([c.layer, c.pass, 'FAILED', '-', '-', '-', '-', '-', '-', '-']);
  }
  seed += 10;
}

const stats = await compare(variants, { runs, warmup });
const scale = BATCH / cpuBatch;
for (const p of pending) {
  const name = `${p.c.layer} ${p.c.pass}`;
  const gpu = stats[`gpu ${name}`].median;
  const cpu = stats[`cpu ${name}`].median * scale;
  const flop = p.c.flop;
  rows.push([
    p.c.layer, p.c.pass, fmtMs(gpu), fmtNum(flop / gpu / 1e6), fmtMs(cpu), fmtMs(p.cpuFullMs), fmtNum(flop / cpu / 1e6),
    fmtNum(cpu / gpu, 1) + 'x', p.err.toExponential(1), p.label,
  ]);
  p.prog.dispose();
}

console.log(`\nconv2d / pooling at batch ${BATCH}: GPU kernel vs CPU reference (src/cpu/conv.ts, src/cpu/pool.ts); ms = median per run`);
console.log(`  CPU ms = median at batch ${cpuBatch} x ${fmtNum(scale, 1)} (scaled to ${BATCH}); CPU@128 once = one unscaled run at batch ${BATCH}, also the reference for err`);
console.log('  GFLOP/s: convolutions 2 x outputs x taps x inChannels (all three passes); pooling 1 op per window cell; speedup = CPU ms / GPU ms');
console.log(table(['layer', 'pass', 'GPU ms', 'GFLOP/s', 'CPU ms', 'CPU@128 once', 'GFLOP/s', 'speedup', 'err', 'kernel'], rows));
if (failures.length) console.log(`\nFAILED (engine errors, reported not fixed here):\n${failures.map((f) => `  ${f}`).join('\n')}`);
console.log('');
await fixedCost('end');
console.log(loadLine('end'));
device.destroy();
