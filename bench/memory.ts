// Memory planning report: how much the planner's buffer pool saves over one
// buffer per intermediate tensor, on MLP-shaped graphs with their backward pass.
//   npm run bench:memory                 both models, plus a few timed steps
//   npm run bench:memory -- --quick      no timed steps
//   npm run bench:memory -- --verbose    also print each program (prog.toString())
//
// Models: dense layers (matmul + bias add, relu between them) and a
// softmax-cross-entropy-like loss written with ops:
//   loss = mean(neg(sum(logSoftmax(logits) * onehot, axis 1)))
// Programs per model:
//   forward      outputs { loss }
//   grad         outputs { loss, and g.grad(loss, params) for every param }: every gradient is an output, so all stay live to the end
//   train (sgd)  outputs { loss }, compiled with minimize + sn.optimizers.sgd(): gradients feed the in-place updates
// Columns: plannedBytes and naiveBytes count intermediate tensors only;
// persistentBytes is parameters, constants and optimizer state; inputs are
// neither. Memory figures come from the plan and do not depend on the GPU;
// if compiling for the GPU fails, they are taken from the planner directly
// (src/plan/plan.ts) and the failure is reported.
import { parseArgs } from 'node:util';
import * as sn from '../src/index.js';
import type { Graph, Tensor } from '../src/index.js';
import { buildPlan } from '../src/plan/plan.js';
import { getOptimizer } from '../src/optimizers/index.js';
import { compare, fmtBytes, fmtMs, fmtNum, loadLine, machineHeader, randomData, relError, table } from './harness.js';

const usage = 'usage: memory.js [--quick] [--verbose]';
function parseOptions() {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
}
const args = parseOptions();
const quick = args.quick ?? false;

interface Model {
  name: string;
  /** Units per layer, input first: [256, 256, ..., 10] is 20 dense layers from 256 inputs to 10 classes. */
  widths: number[];
  batch: number;
}

const models: Model[] = [
  { name: 'mlp 20 x 256', widths: [256, ...Array<number>(19).fill(256), 10], batch: 128 },
  { name: 'mlp 784-128-10', widths: [784, 128, 10], batch: 128 },
];

interface Built {
  g: Graph;
  loss: Tensor;
  params: Tensor[];
}

/** Glorot-uniform weights from a fixed seed, so every build of a model starts from the same values. */
const glorot = (seed: number) => (shape: readonly number[]) => {
  const [fanIn, fanOut] = shape;
  return randomData(fanIn * fanOut, seed, Math.sqrt(6 / (fanIn + fanOut)));
};

function build(m: Model): Built {
  const g = sn.graph();
  const classes = m.widths[m.widths.length - 1];
  const x = g.input('x', [m.batch, m.widths[0]]);
  const onehot = g.input('onehot', [m.batch, classes]);
  const params: Tensor[] = [];
  let h = x;
  for (let l = 1; l < m.widths.length; l++) {
    const w = g.param(`dense_${l}/kernel`, [m.widths[l - 1], m.widths[l]], glorot(l));
    const b = g.param(`dense_${l}/bias`, [m.widths[l]]);
    params.push(w, b);
    h = h.matmul(w).add(b);
    if (l < m.widths.length - 1) h = h.relu();
  }
  const loss = sn.ops.logSoftmax(h).mul(onehot).sum({ axis: 1 }).neg().mean();
  return { g, loss, params };
}

function inputsFor(m: Model): Record<string, Float32Array> {
  const classes = m.widths[m.widths.length - 1];
  const onehot = new Float32Array(m.batch * classes);
  for (let i = 0; i < m.batch; i++) onehot[i * classes + ((i * 7) % classes)] = 1;
  return { x: randomData(m.batch * m.widths[0], 99), onehot };
}

type Kind = 'forward' | 'grad' | 'train (sgd)';
const kinds: Kind[] = ['forward', 'grad', 'train (sgd)'];

function request(kind: Kind, b: Built): sn.CompileOptions {
  if (kind === 'forward') return { outputs: { loss: b.loss } };
  if (kind === 'grad') {
    const grads = b.g.grad(b.loss, b.params);
    return { outputs: { loss: b.loss, ...Object.fromEntries(b.params.map((p, i) => [`d ${p.name}`, grads[i]])) } };
  }
  return { outputs: { loss: b.loss }, minimize: { loss: b.loss, optimizer: sn.optimizers.sgd() } };
}

const device = await sn.createDevice();
console.log(machineHeader(device));

const rows: string[][] = [];
const timings: string[][] = [];
const failures: string[] = [];
for (const m of models) {
  const inputs = inputsFor(m);
  for (const kind of kinds) {
    const b = build(m);
    const options = request(kind, b);
    let prog: sn.Program | undefined;
    let memory: sn.MemoryReport;
    let dispatches: number;
    let source = 'program';
    try {
      prog = await sn.compile(device, b.g, options);
      memory = prog.memory;
      dispatches = prog.dispatchCount;
    } catch (e) {
      failures.push(`${m.name}, ${kind}: compile failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200)}`);
      // The same request straight to the planner, on a fresh graph (compile may have added gradient nodes).
      const again = build(m);
      const o = request(kind, again);
      const plan = buildPlan(again.g, { outputs: o.outputs, minimize: o.minimize && { loss: o.minimize.loss, optimizer: getOptimizer(o.minimize.optimizer ?? 'sgd') } }, device.caps);
      memory = plan.memory;
      dispatches = plan.dispatches.length;
      source = 'plan only';
    }
    rows.push([
      m.name, kind, String(dispatches), String(memory.buffers),
      fmtBytes(memory.plannedBytes), fmtBytes(memory.naiveBytes), fmtNum(memory.naiveBytes / memory.plannedBytes) + 'x',
      fmtBytes(memory.persistentBytes), source,
    ]);
    if (!prog) continue;
    if (args.verbose) console.log(`\n${m.name}, ${kind}:\n${prog.toString()}`);
    // Sanity: the GPU's loss against the CPU interpreter (same initial parameters).
    const p = prog;
    const got = (await p.run(inputs, { read: ['loss'] })).loss.data;
    const want = sn.interpret([b.loss], inputs)[0];
    const err = relError(got, want);
    if (!(err < 1e-3)) failures.push(`${m.name}, ${kind}: loss ${got[0]} on the GPU, ${want[0]} on the CPU`);
    if (!quick) {
      const s = await compare([{ name: 'step', fn: () => p.run(inputs, { read: ['loss'] }) }], { runs: m.widths.length > 5 ? 3 : 7, warmup: 1 });
      timings.push([m.name, kind, fmtMs(s.step.median), String(s.step.runs), got[0].toPrecision(6), err.toExponential(1)]);
    }
    prog.dispose();
  }
}

console.log('\nmemory plan: intermediates in a pool of buffers (planned) vs one buffer per tensor (naive); batch 128');
console.log(table(['model', 'program', 'dispatches', 'buffers', 'plannedBytes', 'naiveBytes', 'naive/planned', 'persistentBytes', 'from'], rows));
if (timings.length) {
  console.log('\none run() with inputs uploaded and the loss read back (median ms); loss vs the CPU interpreter (err)');
  console.log(table(['model', 'program', 'ms', 'runs', 'loss (first run)', 'err'], timings));
}
if (failures.length) console.log(`\nFAILED (engine errors, reported not fixed here):\n${failures.map((f) => `  ${f}`).join('\n')}`);
console.log(`\n${loadLine('end')}`);
device.destroy();
