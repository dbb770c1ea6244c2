// sinapsis in bench/train-peers.ts: a Keras-style model, compiled with Adam
// and sparse categorical cross-entropy, trained through the Program that
// fit() replays for a full batch (model.trainStepProgram), as bench/train-step.ts does.
// Two ways of reading the loss back:
//   'sinapsis'          run() per step: each step's loss is mapped before the next step is submitted;
//   'sinapsis grouped'  as fit() trains: READ_GROUP steps submitted with deferRead, every
//                       step's loss still reaches the host, one map per group.
import * as sn from '../../src/index.js';
import { ADAM, type Batch, type Engine, type ModelSpec, type Trainer } from './common.js';

export interface SinapsisTrainer extends Trainer {
  /**
   * One step without the readback, split in two: run({ x, y }, { read: [] })
   * resolves right after queue.submit (host: the JavaScript part), then
   * prog.sync() waits for the GPU (paced as every wait). Returns the host ms.
   * Only on the 'sinapsis' row (the grouped row runs the same program).
   */
  hostStep?(): Promise<number>;
  dispatches: number;
  plannedBytes: number;
  naiveBytes: number;
  persistentBytes: number;
}

function build(spec: ModelSpec): sn.Model {
  if (spec.conv) {
    return sn.sequential([
      sn.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], seed: 1 }),
      sn.layers.maxPool2d({ poolSize: 2 }),
      sn.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', seed: 2 }),
      sn.layers.maxPool2d({ poolSize: 2 }),
      sn.layers.flatten(),
      sn.layers.dense({ units: 10, activation: 'softmax', seed: 3 }),
    ]);
  }
  return sn.sequential([
    ...spec.hidden.map((units, i) => sn.layers.dense({ units, activation: 'relu', seed: i + 1, ...(i === 0 ? { inputShape: [784] } : {}) })),
    sn.layers.dense({ units: 10, activation: 'softmax', seed: 100 }),
  ]);
}

export function sinapsisEngine(device: sn.Device, grouped = false): Engine & { setup(spec: ModelSpec, batch: Batch): Promise<SinapsisTrainer> } {
  return {
    name: grouped ? 'sinapsis grouped' : 'sinapsis',
    async setup(spec, batch) {
      const inputs = { x: batch.x, y: batch.labels };
      const t0 = performance.now();
      const model = build(spec);
      model.compile({ device, optimizer: sn.optimizers.adam(ADAM), loss: 'sparseCategoricalCrossentropy' });
      const prog = await model.trainStepProgram(batch.size);
      const firstLoss = (await prog.run(inputs)).loss.data[0];
      const firstStepMs = performance.now() - t0;
      const m = prog.memory;
      return {
        firstStepMs,
        firstLoss,
        dispatches: prog.dispatchCount,
        plannedBytes: m.plannedBytes,
        naiveBytes: m.naiveBytes,
        persistentBytes: m.persistentBytes,
        stepsPerCall: grouped ? sn.READ_GROUP : 1,
        async step() {
          if (!grouped) return (await prog.run(inputs)).loss.data[0];
          const pending: Promise<sn.Results>[] = [];
          for (let i = 0; i < sn.READ_GROUP; i++) pending.push((await prog.submit(inputs, { deferRead: true })).results);
          const losses = (await Promise.all(pending)).map((r) => r.loss.data[0]);
          return losses.find((l) => !Number.isFinite(l)) ?? losses[losses.length - 1];
        },
        hostStep: grouped
          ? undefined
          : async () => {
              const a = performance.now();
              await prog.run(inputs, { read: [] });
              const b = performance.now();
              await prog.sync();
              return b - a;
            },
        dispose: () => model.dispose(),
      };
    },
  };
}
