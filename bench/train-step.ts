// One Keras-model training step (forward, sparse categorical cross-entropy,
// backward, Adam update) as fit() runs it, on random data.
//   npm run bench:step                       784-128-10 and 784-512-512-10, batch 128
//   npm run bench:step -- --steps 30         timed steps per model (at least 10)
//   npm run bench:step -- --batch 64 --verbose
//
// Models: dense relu layers, a softmax output, Adam (lr 1e-3), compiled with
// model.compile and taken as `await model.trainStepProgram(batch)`, the same
// Program fit() replays for a full batch.
//
// What is measured, per timed step (after --warmup untimed steps):
//   step   run({ x, y }) with the loss read back, as fit() does every batch:
//          from the call until the loss is on the host (median over the steps).
//   host   the JavaScript part: run({ x, y }, { read: [] }) resolves right
//          after queue.submit (inputs written with writeBuffer, every dispatch
//          recorded into one command encoder, one submit) without waiting
//          for the GPU; timed from the call until it resolves.
//   gpu    prog.sync() right after that submit: the wait for the GPU to
//          finish the step, paced as every wait (on CPU drivers it sleeps
//          through most of it instead of spinning; host + gpu is a step
//          without readback).
// The step and host/gpu measurements alternate (one of each per timed step),
// so a change in machine load hits both alike. samples/s = batch / step.
// On SwiftShader the "GPU" is the same CPU cores: other processes inflate
// every column, the host one included (its min is then the better figure).
// Memory comes from the plan: intermediates in the pooled buffers (planned)
// vs one buffer per intermediate tensor (naive); persistent = weights, Adam's
// m and v, constants.
import { parseArgs } from 'node:util';
import * as sn from '../src/index.js';
import { compare, fmtBytes, fmtMs, fmtNum, loadLine, machineHeader, randomData, table } from './harness.js';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    batch: { type: 'string', default: '128' },
    verbose: { type: 'boolean', default: false },
  },
});
const steps = Math.max(10, Number(args.steps));
const warmup = Math.max(1, Number(args.warmup));
const batch = Number(args.batch);
if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batch must be a positive integer, got ${args.batch}`);

interface Spec {
  name: string;
  hidden: number[];
}
const specs: Spec[] = [
  { name: '784-128-10', hidden: [128] },
  { name: '784-512-512-10', hidden: [512, 512] },
];

function build(spec: Spec): sn.Model {
  return sn.sequential([
    ...spec.hidden.map((units, i) => sn.layers.dense({ units, activation: 'relu', seed: i + 1, ...(i === 0 ? { inputShape: [784] } : {}) })),
    sn.layers.dense({ units: 10, activation: 'softmax', seed: 100 }),
  ]);
}

const device = await sn.createDevice();
console.log(machineHeader(device));
console.log(`batch ${batch}, ${warmup} warm-up steps, ${steps} timed steps per measurement\n`);

const x = randomData(batch * 784, 7, 1).map((v) => (v + 1) / 2); // pixel-like values in [0, 1)
const y = Float32Array.from({ length: batch }, (_, i) => (i * 7 + 3) % 10);

const timeRows: string[][] = [];
const memRows: string[][] = [];
for (const spec of specs) {
  const model = build(spec);
  model.compile({ device, optimizer: sn.optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy' });
  const t0 = performance.now();
  const prog = await model.trainStepProgram(batch);
  const compileMs = performance.now() - t0;
  if (args.verbose) console.log(`${spec.name}:\n${prog.toString()}\n`);

  const host: number[] = [];
  const gpu: number[] = [];
  let firstLoss = NaN;
  let lastLoss = NaN;
  const split = async () => {
    const a = performance.now();
    await prog.run({ x, y }, { read: [] });
    const b = performance.now();
    await prog.sync();
    const c = performance.now();
    host.push(b - a);
    gpu.push(c - b);
  };
  const full = async () => {
    const out = await prog.run({ x, y });
    lastLoss = out.loss.data[0];
    if (Number.isNaN(firstLoss)) firstLoss = lastLoss;
  };
  const s = await compare([{ name: 'step', fn: full }, { name: 'split', fn: split }], { runs: steps, warmup });
  // compare() also ran `split` during warm-up; keep the timed ones only.
  const hostMs = host.slice(-steps);
  const gpuMs = gpu.slice(-steps);
  const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
  const step = s.step.median;
  timeRows.push([
    spec.name, String(prog.dispatchCount), fmtMs(step), `${fmtMs(s.step.min)}-${fmtMs(s.step.max)}`,
    fmtMs(med(hostMs)), fmtMs(Math.min(...hostMs)), fmtMs(med(gpuMs)), fmtNum((100 * med(hostMs)) / step, 1) + '%',
    (batch / (step / 1000)).toFixed(0), fmtMs(compileMs),
  ]);
  const m = prog.memory;
  memRows.push([
    spec.name, String(m.buffers), fmtBytes(m.plannedBytes), fmtBytes(m.naiveBytes), fmtNum(m.naiveBytes / m.plannedBytes) + 'x', fmtBytes(m.persistentBytes),
  ]);
  if (!Number.isFinite(lastLoss)) console.log(`WARNING: ${spec.name}: the loss is ${lastLoss}`);
  else if (args.verbose) console.log(`${spec.name}: loss ${firstLoss.toFixed(4)} (first timed step) -> ${lastLoss.toFixed(4)} (last)`);
  model.dispose();
}

console.log('train step (Adam, sparse categorical cross-entropy), milliseconds; median over the timed steps');
console.log(table(['model', 'dispatches', 'step ms', 'min-max', 'host ms', 'host min', 'gpu wait ms', 'host/step', 'samples/s', 'compile ms'], timeRows));
console.log('\nmemory of the step: intermediates pooled (planned) vs one buffer each (naive); persistent: weights + Adam state');
console.log(table(['model', 'buffers', 'planned', 'naive', 'naive/planned', 'persistent'], memRows));
console.log(`\n${loadLine('end')}`);
device.destroy();
