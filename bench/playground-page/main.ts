// The playground benchmark page (npm run bench:playground drives it): epochs
// per second of the playground's training, sinapsis (the page's Trainer, on
// WebGPU) against TensorFlow.js on each backend this browser gives it,
// training the same network from the same weights on the same batches, in
// this page. Each run trains for about RUN_SECONDS; after a warm-up run of
// WARMUP_EPOCHS epochs (which also compares the losses the engines reach),
// ROUNDS rounds run every engine once, in an order shuffled each round, and
// the result is the median. Results land in window.__bench.
import * as tf from '@tensorflow/tfjs-core';
// The gradients optimizer.minimize needs (the tfjs union package imports them; tfjs-core alone does not).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as sn from '../../src/index.js';
import { datasetOf, parseHash } from '../../examples/playground/state.js';
import { generateData, seededRandom } from '../../examples/playground/datasets.js';
import { experiment, type Experiment } from '../../examples/playground/experiment.js';
import { batchSchedule } from '../../examples/playground/schedule.js';
import { Trainer } from '../../examples/playground/trainer.js';
import { TfjsTrainer } from './tfjs-trainer.js';

interface Trains { epochStep(): Promise<unknown>; flush(): Promise<{ epoch: number; train: number; test: number }>; dispose(): unknown }
interface Result { experiment: string; engine: string; runs: number[]; median: number | null; losses: { train: number; test: number } | null; note?: string }

const params = new URLSearchParams(location.search);
const ROUNDS = Number(params.get('rounds') ?? 5);
const RUN_SECONDS = Number(params.get('seconds') ?? 2);
const WARMUP_EPOCHS = 3;
const EXPERIMENTS: Record<string, string> = {
  'circle 4,2': '#activation=tanh&batchSize=10&dataset=circle&learningRate=0.03&networkShape=4,2&seed=0.59&x=true&y=true',
  'spiral 8,8,8': '#activation=tanh&batchSize=10&dataset=spiral&learningRate=0.03&networkShape=8,8,8&seed=0.59&x=true&y=true&sinX=true&sinY=true',
};
/** TensorFlow.js backends, fastest expected first; webgl is tried but is not among the dev dependencies. */
const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'];

const state = { status: 'running', log: [] as string[], results: [] as Result[], device: '', error: '' };
(window as unknown as { __bench: typeof state }).__bench = state;
const log = (s: string) => {
  state.log.push(s);
  document.getElementById('log')!.textContent = state.log.join('\n');
};

function setup(hash: string): Experiment {
  const s = parseHash(hash).state;
  const random = seededRandom(s.seed);
  const data = generateData(datasetOf(s), s.noise, s.percTrainData, random);
  return experiment(s, data, random, 2);
}

/** Epochs per second of one run of about RUN_SECONDS (at least one epoch: TF.js webgpu takes seconds for one here). */
async function timed(t: Trains): Promise<number> {
  const t0 = performance.now();
  let epochs = 0;
  while (epochs < 1 || performance.now() - t0 < RUN_SECONDS * 1000) {
    await t.epochStep();
    epochs++;
  }
  await t.flush();
  return (epochs * 1000) / (performance.now() - t0);
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};

async function main(): Promise<void> {
  setWasmPaths(new URL('./tfjs-wasm/', location.href).href);
  const device = await sn.createDevice();
  state.device = `${device.info.vendor} ${device.info.architecture} ${device.info.description}`.trim();
  log(`sinapsis device: ${state.device}`);
  const backends: string[] = [];
  for (const b of BACKENDS) {
    try {
      if (await tf.setBackend(b)) backends.push(b);
      else log(`TF.js ${b}: not available`);
    } catch (e) {
      log(`TF.js ${b}: not available (${(e as Error).message})`);
    }
  }
  for (const b of BACKENDS.filter((b) => !backends.includes(b))) state.results.push({ experiment: '*', engine: `tfjs-${b}`, runs: [], median: null, losses: null, note: tf.findBackendFactory(b) ? 'failed to start' : 'not installed' });

  for (const [name, hash] of Object.entries(EXPERIMENTS)) {
    const ex = setup(hash);
    const schedule = batchSchedule(ex.trainX, ex.trainT, ex.sizes[0], 10);
    const engines: { engine: string; backend?: string; trainer: Trains }[] = [
      { engine: 'sinapsis', trainer: await Trainer.create(device, ex.spec, ex.trainX, ex.trainT, 10) },
    ];
    for (const b of backends) {
      await tf.setBackend(b);
      await tf.ready();
      engines.push({ engine: `tfjs-${b}`, backend: b, trainer: new TfjsTrainer(ex, schedule) });
    }
    const results = new Map(engines.map((e) => [e.engine, { experiment: name, engine: e.engine, runs: [] as number[], median: null as number | null, losses: null as Result['losses'] }]));
    // Warm-up: compiles, first uploads; and every engine's losses after the same epochs from the same weights.
    for (const e of engines) {
      if (e.backend) await tf.setBackend(e.backend);
      for (let i = 0; i < WARMUP_EPOCHS; i++) await e.trainer.epochStep();
      const l = await e.trainer.flush();
      results.get(e.engine)!.losses = { train: l.train, test: l.test };
      log(`${name} ${e.engine}: losses after ${l.epoch} epochs ${l.train.toFixed(6)} / ${l.test.toFixed(6)}`);
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = [...engines].sort(() => Math.random() - 0.5);
      for (const e of order) {
        if (e.backend) await tf.setBackend(e.backend);
        const eps = await timed(e.trainer);
        results.get(e.engine)!.runs.push(eps);
        log(`${name} round ${round + 1} ${e.engine}: ${eps.toFixed(2)} epochs/s`);
      }
    }
    for (const e of engines) {
      if (e.backend) await tf.setBackend(e.backend);
      await e.trainer.dispose();
    }
    for (const r of results.values()) state.results.push({ ...r, median: median(r.runs) });
  }
  state.status = 'done';
  log('done');
}

main().catch((e) => {
  state.status = 'error';
  state.error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
  log(`error: ${state.error}`);
});
