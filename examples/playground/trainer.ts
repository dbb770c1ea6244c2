// The training loop around a Network: whole epochs of optimizer steps
// submitted back to back, the losses of each epoch read back one epoch
// behind (so the GPU never idles waiting for the host), and the heatmap grid
// computed when someone wants to draw it. Used by the page's worker and by
// the benchmark page alike.
import type * as sn from '../../src/index.js';
import { Network, type BackpropValues, type NetworkSpec } from './network.js';
import { batchSchedule, type Schedule } from './schedule.js';

export interface EpochResult { epoch: number; train: number; test: number }

export class Trainer {
  /** Epochs whose steps have been submitted. */
  epoch = 0;
  private pending: { epoch: number; losses: Promise<{ train: number; test: number }> } | undefined;

  private constructor(readonly network: Network, readonly schedule: Schedule) {}

  /** @param trainX, trainT the training points' features [n, inputs] and labels, in TensorFlow Playground's order */
  static async create(device: sn.Device, spec: Omit<NetworkSpec, 'batchRows'>, trainX: Float32Array, trainT: Float32Array, batchSize: number): Promise<Trainer> {
    const schedule = batchSchedule(trainX, trainT, spec.sizes[0], batchSize);
    const network = await Network.build(device, { ...spec, batchRows: schedule.rows });
    return new Trainer(network, schedule);
  }

  set learningRate(v: number) {
    this.network.optimizer.learningRate = v;
  }

  /** The batch the next step trains on first (for the backprop view). */
  get nextBatch() {
    return (this.epoch === 0 ? this.schedule.firstEpoch : this.schedule.laterEpochs)[0];
  }

  /**
   * Submits one epoch of steps and its loss evaluation, and resolves to the
   * losses of the epoch before it (undefined for the first), so one epoch is
   * always in flight. flush() gives the last one.
   */
  async epochStep(): Promise<EpochResult | undefined> {
    const batches = this.epoch === 0 ? this.schedule.firstEpoch : this.schedule.laterEpochs;
    for (const b of batches) await this.network.step(b);
    this.epoch++;
    const previous = this.pending;
    this.pending = { epoch: this.epoch, ...(await this.network.submitLosses()) };
    return previous && { epoch: previous.epoch, ...(await previous.losses) };
  }

  /** The losses of the last epoch submitted (or of the initial weights when none was). */
  async flush(): Promise<EpochResult> {
    const p = this.pending ?? { epoch: this.epoch, ...(await this.network.submitLosses()) };
    this.pending = undefined;
    return { epoch: p.epoch, ...(await p.losses) };
  }

  gridOutputs(): Promise<Float32Array[]> {
    return this.network.gridOutputs();
  }

  params() {
    return this.network.params();
  }

  backprop(): Promise<BackpropValues> {
    return this.network.backprop(this.nextBatch);
  }

  dispose(): Promise<void> {
    return this.network.dispose();
  }
}
