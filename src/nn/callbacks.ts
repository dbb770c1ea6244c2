// Training callbacks (Keras semantics): hooks, early stopping, checkpoints,
// and the terminal progress bar used by fit() in Node.
import { SinapsisError } from '../errors.js';
import type { HostTensor } from '../graph/host-tensor.js';

export type Logs = Record<string, number>;

/** What a callback can see and do to the model being trained. */
export interface TrainingModel {
  stopTraining: boolean;
  getWeights(): Promise<Record<string, HostTensor>>;
  setWeights(weights: Record<string, HostTensor | Float32Array>): void;
  save(path?: string): Promise<Uint8Array>;
}

export interface FitParams {
  epochs: number;
  /** Batches per epoch. */
  steps: number;
  samples: number;
  batchSize: number;
  metrics: string[];
}

export interface Callback {
  setModel?(model: TrainingModel, params: FitParams): void;
  onTrainBegin?(): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
}

/** Plain hooks, e.g. for updating a chart in a browser page. */
export const lambda = (hooks: Callback): Callback => hooks;

export interface EarlyStoppingConfig {
  monitor?: string;
  /** Smallest change that counts as an improvement (strictly beyond it). */
  minDelta?: number;
  patience?: number;
  mode?: 'min' | 'max' | 'auto';
  restoreBestWeights?: boolean;
}

export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  private readonly sign: number;
  private model!: TrainingModel;
  private best = Infinity;
  private wait = 0;
  private bestWeights: Record<string, HostTensor> | undefined;
  /** The epoch (0-based) after which training stopped, or -1. */
  stoppedEpoch = -1;
  bestEpoch = -1;

  constructor(c: EarlyStoppingConfig = {}) {
    this.monitor = c.monitor ?? 'valLoss';
    this.minDelta = Math.abs(c.minDelta ?? 0);
    this.patience = c.patience ?? 0;
    this.restoreBestWeights = c.restoreBestWeights ?? false;
    const mode = c.mode ?? 'auto';
    this.sign = mode === 'max' || (mode === 'auto' && /acc/i.test(this.monitor)) ? -1 : 1;
  }

  setModel(model: TrainingModel): void { this.model = model; }

  onTrainBegin(): void {
    this.best = Infinity;
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.bestEpoch = -1;
    this.bestWeights = undefined;
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new SinapsisError(`earlyStopping: monitored quantity '${this.monitor}' is not in the logs (${Object.keys(logs).join(', ')})`);
    }
    const score = this.sign * value;
    if (score < this.best - this.minDelta) {
      this.best = score;
      this.wait = 0;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = await this.model.getWeights();
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      if (this.restoreBestWeights && this.bestWeights) this.model.setWeights(this.bestWeights);
    }
  }
}

export const earlyStopping = (c: EarlyStoppingConfig = {}) => new EarlyStopping(c);

export interface ModelCheckpointConfig {
  /** File path (Node); `{epoch}` is replaced by the 1-based epoch number. */
  filepath: string;
  monitor?: string;
  saveBestOnly?: boolean;
  mode?: 'min' | 'max' | 'auto';
}

/** Saves the model (atomically) after each epoch, or only when the monitored value improves. */
export class ModelCheckpoint implements Callback {
  private model!: TrainingModel;
  private best = Infinity;
  private readonly sign: number;
  readonly saved: string[] = [];
  constructor(readonly config: ModelCheckpointConfig) {
    const mode = config.mode ?? 'auto';
    this.sign = mode === 'max' || (mode === 'auto' && /acc/i.test(config.monitor ?? 'valLoss')) ? -1 : 1;
  }
  setModel(model: TrainingModel): void { this.model = model; }
  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const monitor = this.config.monitor ?? 'valLoss';
    if (this.config.saveBestOnly) {
      const value = logs[monitor];
      if (value === undefined) throw new SinapsisError(`modelCheckpoint: monitored quantity '${monitor}' is not in the logs (${Object.keys(logs).join(', ')})`);
      if (!(this.sign * value < this.best)) return;
      this.best = this.sign * value;
    }
    const path = this.config.filepath.replace('{epoch}', String(epoch + 1));
    await this.model.save(path);
    this.saved.push(path);
  }
}

export const modelCheckpoint = (c: ModelCheckpointConfig) => new ModelCheckpoint(c);

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4));

/** Formats logs as Keras prints them: "loss: 0.1234 - accuracy: 0.9712". */
export function formatLogs(logs: Logs): string {
  return Object.entries(logs).map(([k, v]) => `${k}: ${fmt(v)}`).join(' - ');
}

/**
 * One progress bar per epoch in a terminal (cli-progress): step, loss and
 * metrics, samples/s and ETA. Without a terminal (verbose 2, logs, CI) one
 * line per epoch.
 */
export class ProgressBar implements Callback {
  private params!: FitParams;
  private bar: { start(total: number, value: number, payload: object): void; update(value: number, payload: object): void; stop(): void } | undefined;
  private epochStart = 0;
  private epoch = 0;
  constructor(private readonly mode: 'bar' | 'line') {}

  setModel(_m: TrainingModel, params: FitParams): void { this.params = params; }

  async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
    this.epochStart = performance.now();
    if (this.mode !== 'bar') return;
    const { default: cliProgress } = await import('cli-progress');
    const bar = new cliProgress.SingleBar({
      format: `Epoch ${epoch + 1}/${this.params.epochs} [{bar}] {value}/{total} - {rate} samples/s - ETA {eta_formatted} - {logs}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      stream: process.stdout,
    }, cliProgress.Presets.shades_classic);
    bar.start(this.params.steps, 0, { logs: '', rate: '-' });
    this.bar = bar;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    if (!this.bar) return;
    const secs = (performance.now() - this.epochStart) / 1000;
    const samples = Math.min((batch + 1) * this.params.batchSize, this.params.samples);
    this.bar.update(batch + 1, { logs: formatLogs(logs), rate: (samples / secs).toFixed(0) });
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const secs = (performance.now() - this.epochStart) / 1000;
    const rate = (this.params.samples / secs).toFixed(0);
    if (this.bar) {
      this.bar.update(this.params.steps, { logs: formatLogs(logs), rate });
      this.bar.stop();
      this.bar = undefined;
    } else {
      console.log(`Epoch ${epoch + 1}/${this.params.epochs} - ${secs.toFixed(1)}s - ${rate} samples/s - ${formatLogs(logs)}`);
    }
    void this.epoch;
  }
}

export const progressBar = (mode: 'bar' | 'line' = 'bar') => new ProgressBar(mode);
