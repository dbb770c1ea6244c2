// One training step of three models, sinapsis against TensorFlow.js and
// jax-js, interleaved in one process on the same Dawn adapter.
//   npm run bench:train                                  all models, all engines
//   npm run bench:train -- --models mlp --steps 5        a subset (models: mlp, mlp512, cnn)
//   npm run bench:train -- --engines sinapsis,tfjs-webgpu,jax-webgpu
//       engines: sinapsis, tfjs-webgpu, tfjs-wasm, jax-webgpu, jax-wasm
//   npm run bench:train -- --steps 10 --warmup 2 --batch 128 --verbose
//   npm run bench:train -- --robustness off     every engine's Dawn device without bounds checks
//
// Models (batch 128, f32, random pixel-like data in [0, 1) and fixed labels):
//   mlp     784-128-10: dense relu, dense softmax
//   mlp512  784-512-512-10: two dense relu, dense softmax
//   cnn     Conv32 3x3 relu, MaxPool 2, Conv64 3x3 relu, MaxPool 2, Flatten,
//           Dense 10 softmax, on 28x28x1 (no dropout: left out for every engine alike)
// Every engine: sparse categorical cross-entropy (jax-js: the same loss
// written out on one-hot labels), Adam lr 1e-3, beta 0.9/0.999, eps 1e-7.
//
// The engines (bench/peers/*.ts say how each is driven):
//   sinapsis     model.trainStepProgram(batch), run({ x, y }): the loss mapped before the next step
//   sinapsis grouped  the same program driven as fit() drives it: 16 steps submitted with
//                deferRead, every loss read back, one map per group (ms/step = group / 16)
//   TF.js        tfjs-layers model.trainOnBatch(x, y) (awaits loss.data()), webgpu and wasm backends
//   jax-js       one jit-compiled step (valueAndGrad + hand-written Adam), webgpu and wasm backends
// Every step takes the batch from host memory (each engine uploads it) and
// resolves once the loss is a number on the host and the update has run.
// The webgpu engines share one Dawn adapter (SwiftShader here: the "GPU" is
// the same CPU cores); the wasm engines run on one thread (Node gives jax-js
// no Worker; the line under the header says how many TF.js's XNNPACK uses).
//
// What is measured, per model:
//   first step   from building the model to the first loss on the host:
//                model construction, compile (sinapsis: graph, autodiff,
//                plan, pipelines; TF.js: layers; jax-js: trace + kernels)
//                and one step. Engines are set up one after the other, not interleaved.
//   ms/step      then --warmup untimed steps per engine, then --steps timed
//                rounds; in each round every engine runs one step, in an order
//                shuffled afresh each round (seeded: the same orders every run),
//                so a change in machine load hits all engines alike and no
//                engine always follows the same one (a step runs slower after
//                some engines than after others: a fixed order would charge
//                that to one engine every round). Before each timed step the
//                process is settled, untimed (harness.ts: settleProcess): the
//                garbage of the steps before collected and its native memory
//                returned, so that no step pays for the engine before it.
//                Wall-clock from the call until the loss is on the host; the
//                median over the rounds.
//   samples/s    batch / (ms/step). "x ours": the engine's ms/step over
//                sinapsis' (how many times faster sinapsis is).
//   sinapsis only, once per round next to its timed step:
//   host ms      run({ x, y }, { read: [] }) resolves right after queue.submit
//                (inputs written, every dispatch recorded into one command
//                buffer, one submit); timed until it resolves, then the GPU is
//                waited for (prog.sync()) outside the timing.
//   dispatches   compute dispatches one step records.
//   memory       intermediates in the planner's pooled buffers (planned) vs one
//                buffer per intermediate tensor (naive), from prog.memory.
//   loss         the first step's loss and the last timed step's, a check that
//                every engine trains (all repeat one batch). sinapsis' host-time
//                runs train too, so it has taken about twice the steps by then.
// An engine that cannot build or train a model gets 'cannot run: <reason>'.
// SwiftShader shares the two cores with everything else on the machine:
// compare figures within one run only; the 1-minute load average is sampled
// every round and its range printed under each table.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { seededRandom, shuffledIndices } from '../src/data/dataset.js';
import * as sn from '../src/index.js';
import { fmtBytes, fmtMs, fmtNum, loadLine, machineHeader, median, robustnessOption, settleProcess, table } from './harness.js';
import { installNavigatorGpu, makeBatch, MODELS, reason, type Engine, type ModelKey, type Trainer } from './peers/common.js';
import { jaxEngine, jaxVersionLine } from './peers/jax.js';
import { sinapsisEngine, type SinapsisTrainer } from './peers/sinapsis.js';
import { tfjsEngine, tfjsVersionLine } from './peers/tfjs.js';

const ENGINES = ['sinapsis', 'sinapsis-grouped', 'tfjs-webgpu', 'tfjs-wasm', 'jax-webgpu', 'jax-wasm'] as const;
type EngineKey = (typeof ENGINES)[number];
/** Timed rounds and warm-up steps per model when --steps / --warmup are not given (the convnet is slow on the peers). */
const DEFAULTS: Record<ModelKey, { steps: number; warmup: number }> = {
  mlp: { steps: 15, warmup: 2 },
  mlp512: { steps: 9, warmup: 2 },
  cnn: { steps: 5, warmup: 1 },
};

const usage = `usage: train-peers.js [--models ${Object.keys(MODELS).join(',')}] [--engines ${ENGINES.join(',')}] [--steps N>=5] [--warmup N>=1] [--batch N] [--robustness on|off] [--verbose]`;
function parseOptions() {
  try {
    const { values } = parseArgs({
      options: {
        models: { type: 'string', default: Object.keys(MODELS).join(',') },
        engines: { type: 'string', default: ENGINES.join(',') },
        steps: { type: 'string' },
        warmup: { type: 'string' },
        batch: { type: 'string', default: '128' },
        robustness: { type: 'string', default: 'on' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    const list = <T extends string>(s: string, all: readonly T[], what: string): T[] => {
      const out = s.split(',').map((p) => p.trim()).filter(Boolean);
      for (const p of out) if (!all.includes(p as T)) throw new Error(`unknown ${what} '${p}' (one of ${all.join(', ')})`);
      return out as T[];
    };
    const int = (s: string | undefined, what: string, min: number): number | undefined => {
      if (s === undefined) return undefined;
      const n = Number(s);
      if (!Number.isInteger(n) || n < min) throw new Error(`--${what} must be an integer >= ${min}, got '${s}'`);
      return n;
    };
    return {
      models: list(values.models!, Object.keys(MODELS) as ModelKey[], 'model'),
      engines: list(values.engines!, ENGINES, 'engine'),
      steps: int(values.steps, 'steps', 5),
      warmup: int(values.warmup, 'warmup', 1),
      batch: int(values.batch, 'batch', 1)!,
      robustness: robustnessOption(values.robustness),
      verbose: values.verbose ?? false,
    };
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
}
const args = parseOptions();

const device = await sn.createDevice({ robustness: args.robustness });
console.log(machineHeader(device));
const peerAdapter = args.engines.some((e) => !e.startsWith('sinapsis')) ? await installNavigatorGpu(args.robustness) : undefined;
if (peerAdapter) console.log(`peers' navigator.gpu: a second Dawn instance (webgpu.create${args.robustness ? '' : ', bounds checks off like ours'}), adapter: ${[peerAdapter.vendor, peerAdapter.architecture, peerAdapter.description].filter(Boolean).join(' / ')}`);

const makeEngine: Record<EngineKey, () => Engine> = {
  sinapsis: () => sinapsisEngine(device),
  'sinapsis-grouped': () => sinapsisEngine(device, true),
  'tfjs-webgpu': () => tfjsEngine('webgpu'),
  'tfjs-wasm': () => tfjsEngine('wasm'),
  'jax-webgpu': () => jaxEngine('webgpu'),
  'jax-wasm': () => jaxEngine('wasm'),
};
const engines = args.engines.map((k) => makeEngine[k]());
console.log(`batch ${args.batch}, f32, Adam lr 1e-3; no dropout in any model; every step uploads the batch from host memory and reads the loss back`);

interface Run {
  engine: Engine;
  trainer?: Trainer;
  failed?: string;
  times: number[];
  host: number[];
  lastLoss: number;
}

/** One step of one engine; a throw marks the engine as unable to run this model. Returns the ms, or undefined. */
async function timedStep(r: Run): Promise<number | undefined> {
  if (!r.trainer) return undefined;
  try {
    await r.engine.activate?.();
    const t0 = performance.now();
    r.lastLoss = await r.trainer.step();
    const ms = (performance.now() - t0) / (r.trainer.stepsPerCall ?? 1);
    if (!Number.isFinite(r.lastLoss)) throw new Error(`the loss is ${r.lastLoss}`);
    return ms;
  } catch (e) {
    r.failed = reason(e);
    dispose(r);
    return undefined;
  }
}

function dispose(r: Run): void {
  const t = r.trainer;
  r.trainer = undefined;
  try {
    t?.dispose();
  } catch {
    /* the engine already failed or is done */
  }
}

let envLinesPrinted = false;
for (const key of args.models) {
  const spec = MODELS[key];
  const steps = args.steps ?? DEFAULTS[key].steps;
  const warmup = args.warmup ?? DEFAULTS[key].warmup;
  const batch = makeBatch(args.batch);
  console.log(`\n== ${spec.name}: first step, ${warmup} warm-up step(s), ${steps} timed rounds ==`);
  const runs: Run[] = engines.map((engine) => ({ engine, times: [], host: [], lastLoss: NaN }));
  for (const r of runs) {
    try {
      await r.engine.activate?.();
      r.trainer = await r.engine.setup(spec, batch);
      if (args.verbose) console.log(`  ${r.engine.name}: first step ${fmtMs(r.trainer.firstStepMs)} ms, loss ${r.trainer.firstLoss.toFixed(4)}`);
    } catch (e) {
      r.failed = reason(e);
      if (args.verbose) console.log(`  ${r.engine.name}: cannot run: ${r.failed}`);
    }
  }
  if (!envLinesPrinted) {
    envLinesPrinted = true;
    if (args.engines.some((e) => e.startsWith('tfjs'))) console.log(await tfjsVersionLine().catch((e) => `TF.js: ${reason(e)}`));
    if (args.engines.some((e) => e.startsWith('jax'))) console.log(await jaxVersionLine().catch((e) => `jax-js: ${reason(e)}`));
  }
  for (let i = 0; i < warmup; i++) for (const r of runs) await timedStep(r);
  const loads: number[] = [];
  const rand = seededRandom(1);
  for (let round = 0; round < steps; round++) {
    loads.push(os.loadavg()[0]);
    const order = Array.from(shuffledIndices(runs.length, rand), (j) => runs[j]);
    for (const r of order) {
      await settleProcess();
      const ms = await timedStep(r);
      if (ms === undefined) continue;
      r.times.push(ms);
      const st = r.trainer as SinapsisTrainer | undefined;
      if (st?.hostStep) {
        try {
          r.host.push(await st.hostStep());
        } catch (e) {
          r.failed = reason(e);
          dispose(r);
        }
      }
    }
    if (args.verbose) console.log(`  round ${round + 1}/${steps}: ${order.map((r) => `${r.engine.name} ${r.failed ? 'failed' : fmtMs(r.times[r.times.length - 1])}`).join(', ')}`);
  }
  loads.push(os.loadavg()[0]);

  const ours = runs.find((r) => r.engine.name === 'sinapsis' && !r.failed);
  const oursMs = ours ? median(ours.times) : NaN;
  const rows: string[][] = [];
  const failed: string[] = [];
  for (const r of runs) {
    if (r.failed || !r.trainer) {
      failed.push(`${r.engine.name}: cannot run: ${r.failed ?? 'unknown'}`);
      continue;
    }
    const ms = median(r.times);
    const st = r.trainer as SinapsisTrainer;
    const isOurs = typeof st.hostStep === 'function' || r.engine.name.startsWith('sinapsis');
    rows.push([
      r.engine.name,
      fmtMs(ms),
      `${fmtMs(Math.min(...r.times))}-${fmtMs(Math.max(...r.times))}`,
      (batch.size / (ms / 1000)).toFixed(0),
      Number.isFinite(oursMs) ? fmtNum(ms / oursMs) + 'x' : '-',
      fmtMs(r.trainer.firstStepMs),
      `${r.trainer.firstLoss.toFixed(3)} -> ${r.lastLoss.toFixed(3)}`,
      r.host.length ? fmtMs(median(r.host)) : '-',
      isOurs ? String(st.dispatches) : '-',
      isOurs ? `${fmtBytes(st.plannedBytes)} / ${fmtBytes(st.naiveBytes)}` : '-',
    ]);
  }
  console.log(table(['engine', 'ms/step', 'min-max', 'samples/s', 'x ours', 'first step ms', 'loss 1st -> last', 'host ms', 'dispatches', 'memory planned / naive'], rows));
  for (const f of failed) console.log(f);
  if (ours) {
    const st = ours.trainer as SinapsisTrainer;
    console.log(
      `sinapsis: host ms = JavaScript per step until submit (min ${fmtMs(Math.min(...ours.host))}); memory: intermediates pooled vs one buffer each ` +
        `(${fmtNum(st.naiveBytes / st.plannedBytes)}x), plus ${fmtBytes(st.persistentBytes)} persistent (weights, Adam state); ` +
        `its last loss comes after ${1 + warmup + 2 * steps} steps (its host-time runs train too), the peers' after ${1 + warmup + steps}`,
    );
  }
  if (ours && runs.some((r) => r.engine.name === 'sinapsis grouped' && r.trainer)) {
    console.log(
      `sinapsis grouped: each timed call runs ${sn.READ_GROUP} steps (ms/step = its time / ${sn.READ_GROUP}), so its last loss comes after more steps; ` +
        `its first step found the pipelines compiled by the row above`,
    );
  }
  console.log(`1-minute load average during the rounds: ${fmtNum(Math.min(...loads))}-${fmtNum(Math.max(...loads))}`);
  for (const r of runs) {
    if (!r.trainer) continue;
    try {
      await r.engine.activate?.();
    } catch {
      /* dispose anyway */
    }
    dispose(r);
  }
}

console.log(`\n${loadLine('end')}`);
device.destroy();
// Dawn instances and the peers' backends can keep handles open; the run is over.
process.exit(0);
