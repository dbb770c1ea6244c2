// The page's training loop. It never freezes the page: each model.fit call
// trains one chunk of batches (about a quarter of a second of work), fit
// awaits the loss readbacks a group of batches at a time, and the loop
// yields to the event loop between chunks. Pause stops after the current
// chunk and resume continues from the next sample of the same shuffled
// epoch. The learning rate and batch size are read before each chunk, so
// changing them takes effect at once.
import * as sn from '../../src/index.js';
import { rows } from './data.js';

export interface Split { x: sn.HostTensor; y: sn.HostTensor }
export interface Metrics { loss: number; accuracy: number }
export interface ChunkReport extends Metrics {
  /** Epochs done, fractional (1.5 = halfway through the second epoch). */
  epoch: number;
  samples: number;
  /** Training throughput of this chunk, or undefined when it also compiled a program. */
  samplesPerSecond: number | undefined;
}

export interface TrainerHooks {
  chunk(r: ChunkReport): void;
  validation(epoch: number, m: Metrics): void | Promise<void>;
  epochEnd(epochsDone: number, test: Metrics): void | Promise<void>;
}

/** Runs `fn` with the model to itself (compile, fit, evaluate and predict must not overlap a dispose). */
export type Exclusive = <T>(fn: () => Promise<T>) => Promise<T>;

const CHUNK_SECONDS = 0.25;
const MAX_CHUNK_BATCHES = 64;
/** Validation points per epoch. */
const VALIDATIONS = 5;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Trainer {
  /** Completed epochs. */
  epoch = 0;
  /** Samples of the current epoch already trained. */
  offset = 0;
  samplesSeen = 0;
  samplesPerSecond: number | undefined;
  private order: Uint32Array;
  private readonly random: () => number;
  private xChunk = new Float32Array(0);
  private yChunk = new Float32Array(0);
  private readonly compiledKeys = new Set<number>();
  private nextValidation: number;
  private stopRequested = false;
  private loop: Promise<'done' | 'paused'> | undefined;

  constructor(
    private readonly model: sn.Model,
    private readonly optimizer: { learningRate: number },
    private readonly data: { train: Split; val?: Split; test: Split },
    seed: number,
    private readonly settings: () => { lr: number; batch: number },
    private readonly exclusive: Exclusive,
    private readonly hooks: TrainerHooks,
  ) {
    this.random = mulberry32(seed);
    this.order = this.shuffled();
    this.nextValidation = this.validationStep();
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  private get n(): number {
    return this.data.train.x.shape[0];
  }

  private validationStep(): number {
    return Math.max(1, Math.ceil(this.n / VALIDATIONS));
  }

  private shuffled(): Uint32Array {
    const order = Uint32Array.from({ length: this.n }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }

  /** Trains until `epochs` epochs are done or pause() is called. */
  run(epochs: () => number): Promise<'done' | 'paused'> {
    if (!this.loop) {
      this.stopRequested = false;
      this.loop = this.train(epochs).finally(() => { this.loop = undefined; });
    }
    return this.loop;
  }

  /** Stops after the batch in flight; resolves once the loop has stopped. */
  async pause(): Promise<void> {
    this.stopRequested = true;
    await this.loop?.catch(() => undefined);
  }

  private async train(epochs: () => number): Promise<'done' | 'paused'> {
    // An epoch once begun is finished, even if the target was lowered meanwhile.
    while (this.epoch < epochs() || this.offset > 0) {
      if (this.stopRequested) return 'paused';
      await this.chunk();
      if (this.offset >= this.n) {
        this.epoch++;
        this.offset = 0;
        this.order = this.shuffled();
        this.nextValidation = this.validationStep();
        await this.validate();
        const test = await this.exclusive(() => this.model.evaluate(this.data.test.x, this.data.test.y, { batchSize: 256 }));
        await this.hooks.epochEnd(this.epoch, { loss: test.loss, accuracy: test.accuracy });
      } else if (this.offset >= this.nextValidation) {
        this.nextValidation += this.validationStep();
        await this.validate();
      }
      // Let the page paint and handle input before the next chunk.
      await new Promise((r) => setTimeout(r, 0));
    }
    return 'done';
  }

  private async validate(): Promise<void> {
    const val = this.data.val;
    if (!val) return;
    const m = await this.exclusive(() => this.model.evaluate(val.x, val.y, { batchSize: 256 }));
    await this.hooks.validation(this.epoch + this.offset / this.n, { loss: m.loss, accuracy: m.accuracy });
  }

  /** One model.fit over the next batches of this epoch's shuffled order. */
  private async chunk(): Promise<void> {
    const { lr, batch } = this.settings();
    this.optimizer.learningRate = lr;
    const rate = this.samplesPerSecond ?? 0;
    const batches = Math.min(MAX_CHUNK_BATCHES, Math.max(1, Math.round((CHUNK_SECONDS * rate) / batch)));
    const count = Math.min(batches * batch, this.n - this.offset);
    const { train } = this.data;
    const row = 28 * 28;
    if (this.yChunk.length < count) {
      this.xChunk = new Float32Array(count * row);
      this.yChunk = new Float32Array(count);
    }
    for (let i = 0; i < count; i++) {
      const s = this.order[this.offset + i];
      this.xChunk.set(train.x.data.subarray(s * row, (s + 1) * row), i * row);
      this.yChunk[i] = train.y.data[s];
    }
    const x = new sn.HostTensor(this.xChunk.subarray(0, count * row), [count, 28, 28, 1]);
    const y = new sn.HostTensor(this.yChunk.subarray(0, count), [count]);
    // A batch size (or last partial batch) not seen before compiles a program: leave it out of the throughput.
    const keys = [Math.min(batch, count), count % batch].filter((k) => k > 0);
    const compiles = keys.some((k) => !this.compiledKeys.has(k));
    const t0 = performance.now();
    // No per-batch callback: fit then reads the losses back a group of batches
    // at a time instead of one map per batch. A pause takes effect between
    // chunks, which are a quarter of a second.
    const history = await this.exclusive(() => this.model.fit(x, y, { epochs: 1, batchSize: batch, shuffle: false, verbose: 0 }));
    const trained = count;
    const seconds = (performance.now() - t0) / 1000;
    for (const k of keys) this.compiledKeys.add(k);
    const measured = compiles ? undefined : trained / seconds;
    if (measured !== undefined) this.samplesPerSecond = this.samplesPerSecond === undefined ? measured : 0.7 * this.samplesPerSecond + 0.3 * measured;
    this.offset += trained;
    this.samplesSeen += trained;
    this.hooks.chunk({
      epoch: this.epoch + this.offset / this.n,
      loss: history.history.loss.at(-1)!,
      accuracy: history.history.accuracy.at(-1)!,
      samples: this.samplesSeen,
      samplesPerSecond: measured,
    });
  }

  /** Predictions for the first `count` test samples. */
  predictTest(count: number): Promise<sn.HostTensor> {
    return this.exclusive(() => this.model.predict(rows(this.data.test.x, 0, count), { batchSize: count }));
  }
}
