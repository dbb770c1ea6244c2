// Training callbacks (Keras semantics): hooks, early stopping, checkpoints,
// and the terminal progress bar used by fit() in Node.
import { InputError, SinapsisError } from '../errors.js';
import { booleanOption, checkOptions, numberOption, show } from '../options.js';
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

function monitorOption(where: string, v: unknown): string {
  if (v === undefined) return 'valLoss';
  if (typeof v !== 'string' || v === '') throw new InputError(`${where}: monitor must be the name of a logged quantity such as 'valLoss' or 'accuracy', got ${show(v)}`);
  return v;
}

/** +1 when smaller is better, -1 when larger is (mode 'auto': quantities named like accuracy). */
function modeSign(where: string, mode: unknown, monitor: string): number {
  if (mode !== undefined && mode !== 'min' && mode !== 'max' && mode !== 'auto') throw new InputError(`${where}: mode must be 'min', 'max' or 'auto', got ${show(mode)}`);
  return mode === 'max' || ((mode ?? 'auto') === 'auto' && /acc/i.test(monitor)) ? -1 : 1;
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

  constructor(config: EarlyStoppingConfig = {}) {
    const c = checkOptions('earlyStopping', config, ['monitor', 'minDelta', 'patience', 'mode', 'restoreBestWeights']);
    this.monitor = monitorOption('earlyStopping', c.monitor);
    this.minDelta = Math.abs(numberOption('earlyStopping', 'minDelta', c.minDelta, 0));
    this.patience = numberOption('earlyStopping', 'patience', c.patience, 0, { min: 0, integer: true });
    this.restoreBestWeights = booleanOption('earlyStopping', 'restoreBestWeights', c.restoreBestWeights, false);
    this.sign = modeSign('earlyStopping', c.mode, this.monitor);
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
    const c = checkOptions('modelCheckpoint', config, ['filepath', 'monitor', 'saveBestOnly', 'mode']);
    if (typeof c.filepath !== 'string' || c.filepath === '') throw new InputError(`modelCheckpoint: filepath must be a file path (a non-empty string; '{epoch}' is replaced by the epoch), got ${show(c.filepath)}`);
    booleanOption('modelCheckpoint', 'saveBestOnly', c.saveBestOnly, false);
    this.sign = modeSign('modelCheckpoint', c.mode, monitorOption('modelCheckpoint', c.monitor));
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

/**
 * sn.callbacks.terminateOnNaN() (Keras' TerminateOnNaN): a run whose loss
 * turns NaN or infinite stops after that batch, and fit() resolves with the
 * history so far instead of rejecting. The model's weights are then those
 * of the step that diverged (usually NaN); restore them from a checkpoint.
 * fit() checks every batch's loss itself, so this callback watches no
 * batches and does not make fit() read each loss back as it comes.
 */
export class TerminateOnNaN implements Callback {
  /** Where the loss stopped being finite ({ epoch, batch } 0-based), or undefined. */
  stoppedAt: { epoch: number; batch: number; loss: number } | undefined;
  onTrainBegin(): void { this.stoppedAt = undefined; }
  /** Called by fit() at the first non-finite loss. */
  terminated(epoch: number, batch: number, loss: number): void {
    this.stoppedAt = { epoch, batch, loss };
    console.warn(`Epoch ${epoch + 1}, batch ${batch + 1}: invalid loss ${loss}, terminating training`);
  }
}

export const terminateOnNaN = () => new TerminateOnNaN();

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
