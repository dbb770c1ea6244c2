// Kernel micro-benchmarks: each engine kernel against its CPU reference
// (src/cpu), in one table.
//   npm run bench:kernels                  full run (about 5 minutes on SwiftShader)
//   npm run bench:kernels -- --quick       batch 32, fewer sizes and runs (under a minute)
//   options: --only GROUP[,GROUP]  (matmul, conv, pool, softmax, elementwise; repeatable)
//            --runs N  --warmup N  --cpu-budget MS  --batch B
//            --robustness off  (a Dawn device without WebGPU's bounds checks)
//
// Cases (bench/cases/*.ts), at batch 128 unless --batch:
//   matmul       square 128, 256, 512 (x y, tA, tB; tA tB at 256), and the dense layers
//                of MLP 784-128-10, MLP 784-512-512-10 and the convnet's 1600 -> 10:
//                forward x W, dW = x^T dy (transposeA), dx = dy W^T (transposeB)
//   conv         conv2d forward, conv2dBackpropInput, conv2dBackpropFilter of the MNIST
//                convnet's conv1 (28x28x1 -> 3x3x32) and conv2 (13x13x32 -> 3x3x64), 'valid'
//   pool         maxPool2d 2x2 forward and maxPool2dGrad of its pool1 [b,26,26,32] and pool2 [b,11,11,64]
//   softmax      softmaxCrossEntropy [b,10] and its gradient; softmax over rows of 1024, 128, 16
//   elementwise  add, add with a broadcast row, relu, exp, sigmoid, sums over either axis, and
//                a hand-written relu on the raw GPUDevice (a reference point, no CPU side)
//
// What is measured, GPU side: one compiled program per case whose output is
// the op under test, its operands held as parameters (resident on the GPU,
// nothing uploaded per run). One timed run is prog.run({}, { read: [] })
// followed by prog.sync(): one submit of the program's dispatches (one for a
// single op; the `GPU dispatches` column lists them), waited until the GPU
// finished, no readback. The fixed cost of that (submit + wait of a
// one-element program) is printed at the start and the end, and is included
// in every GPU time.
// CPU side: the op's reference implementation (src/cpu, the function the
// interpreter uses) on Float32Arrays, one JavaScript thread, at the same
// sizes; for a case that is more than one op (the softmax-cross-entropy
// gradient) the interpreter, sn.interpret, over the same graph.
// `err`: the GPU result, read back once per case, against the CPU result:
// largest |GPU - CPU| over the largest |CPU|.
// Timing: the cases of one set (a layer's passes, one square size, all
// elementwise cases) are timed interleaved in one loop (harness.ts): W
// warm-up runs, then N timed runs per variant, median reported. A slow CPU
// reference gets fewer timed runs, at most --cpu-budget ms per case (`CPU
// runs`), spread over the loop, and no warm-up beyond the checking run.
// Rates: matmul and conv in GFLOP/s (2 x m x k x n; a convolution pass 2 x
// batch x outH x outW x outC x kh x kw x inC, the same nominal count for all
// three passes); pooling, softmax and elementwise in GB/s (every operand read
// once and the result written once, 4 bytes a value). speedup = CPU ms / GPU ms.
import { parseArgs } from 'node:util';
import * as sn from '../src/index.js';
import { GROUPS, type Group, type KernelCase } from './cases/case.js';
import { convCases } from './cases/conv.js';
import { elementwiseCases } from './cases/elementwise.js';
import { matmulCases } from './cases/matmul.js';
import { poolCases } from './cases/pool.js';
import { softmaxCases } from './cases/softmax.js';
import { loadLine, machineHeader, robustnessOption, table } from './harness.js';
import { KernelBench, ROW_HEADER, type Row } from './measure.js';

const usage = `usage: kernels.js [--quick] [--only ${GROUPS.join('|')}[,...]] [--runs N>=1] [--warmup N>=0] [--cpu-budget MS] [--batch B>=1] [--robustness on|off]`;
function parseOptions() {
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        runs: { type: 'string' },
        warmup: { type: 'string' },
        'cpu-budget': { type: 'string' },
        batch: { type: 'string' },
        robustness: { type: 'string', default: 'on' },
      },
    });
    return { ...values, robustness: robustnessOption(values.robustness) };
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
const batch = Number(args.batch ?? (quick ? 32 : 128));
const only = (args.only ?? []).flatMap((s) => s.split(',')).filter(Boolean);
const isGroup = (s: string): s is Group => (GROUPS as readonly string[]).includes(s);
if (!(runs >= 1) || !(warmup >= 0) || !(cpuBudget > 0) || !Number.isInteger(batch) || batch < 1 || !only.every(isGroup)) {
  console.error(usage);
  process.exit(2);
}
const groups = GROUPS.filter((g) => only.length === 0 || only.includes(g));

const casesOf: Record<Group, () => KernelCase[]> = {
  matmul: () => matmulCases(quick, batch),
  conv: () => convCases(batch),
  pool: () => poolCases(batch),
  softmax: () => softmaxCases(quick, batch),
  elementwise: () => elementwiseCases(quick),
};

const device = await sn.createDevice({ robustness: args.robustness });
console.log(machineHeader(device));
console.log(`mode: ${quick ? 'quick' : 'full'}; groups: ${groups.join(', ')}; batch ${batch}; ${runs} timed runs after ${warmup} warm-up runs per variant (x2 for the short softmax and elementwise kernels), median; CPU reference at most ${cpuBudget} ms per case`);
const bench = new KernelBench(device, { runs, warmup, cpuBudget });
console.log(await bench.fixedCost('start'));

const rows: Row[] = [];
/** Row indices where a new group starts (a blank line before it in the table). */
const groupStarts = new Set<number>();
for (const group of groups) {
  groupStarts.add(rows.length);
  const cases = casesOf[group]();
  for (const set of [...new Set(cases.map((c) => c.set))]) {
    // Progress on stderr: a full run takes minutes.
    process.stderr.write(`measuring ${group}: ${set}\n`);
    const rs = await bench.measureSet(cases.filter((c) => c.set === set));
    rows.push(...rs.map((r) => [group, ...r]));
  }
}

console.log('\nkernels: GPU (engine kernel, one compiled program) vs CPU reference (src/cpu, one JS thread); ms = median per run');
console.log('  speedup = CPU ms / GPU ms; rate in GFLOP/s (matmul, conv: nominal FLOPs) or GB/s (operands read once + result written once)');
console.log('  err = max |GPU - CPU| / max |CPU|; CPU runs = timed CPU runs that fit the budget; GPU dispatches = kernels of one run');
const lines = table(['group', ...ROW_HEADER], rows).split('\n');
// Lines 0 and 1 are the header and its rule; row i is line i + 2.
console.log(lines.map((l, i) => (i > 2 && groupStarts.has(i - 2) ? `\n${l}` : l)).join('\n'));
if (bench.failures.length) console.log(`\nFAILED (engine errors, reported not fixed here):\n${bench.failures.map((f) => `  ${f}`).join('\n')}`);
console.log('');
console.log(await bench.fixedCost('end'));
console.log(loadLine('end'));
device.destroy();
