// What every optimizer shares: its options checked where they are given
// (Keras' names, defaults and ranges; an unknown name is an error), a
// learning rate that may change between steps (read from the step uniform,
// so a schedule needs no recompile), and the OptimizerSpec the planner turns
// into a WGSL update (src/plan/update.ts).
import type { OptimizerSpec } from '../plan/optimizer.js';
import { checkOptions, numberOption, type Range } from '../options.js';

export interface Optimizer extends OptimizerSpec {
  /** Mutable: read at every step. */
  learningRate: number;
  readonly config: Readonly<Record<string, number | boolean>>;
}

/** Ranges of the hyper-parameters (Keras': decay rates in [0, 1), epsilon >= 0). */
export const POSITIVE: Range = { min: 0, above: true };
export const NON_NEGATIVE: Range = { min: 0 };
export const RATE: Range = { min: 0, max: 1, below: true };

export abstract class Base implements Optimizer {
  abstract readonly name: string;
  abstract readonly state: readonly { name: string; init: number }[];
  abstract readonly uniforms: readonly string[];
  abstract readonly wgsl: string;
  abstract uniformValues(t: number): number[];
  private lr: number;
  /** `config` is checked against `known` (the optimizer's options) and its learningRate read with `defaultLr`. */
  constructor(protected readonly where: string, config: object | undefined, known: readonly string[], defaultLr: number) {
    this.options = checkOptions(where, config, ['learningRate', ...known]) as Record<string, unknown>;
    this.lr = numberOption(where, 'learningRate', this.options.learningRate, defaultLr, POSITIVE);
  }
  protected readonly options: Record<string, unknown>;
  protected num(name: string, fallback: number, range: Range): number {
    return numberOption(this.where, name, this.options[name], fallback, range);
  }
  /** Mutable (a schedule may set it between steps); a positive finite number. */
  get learningRate(): number { return this.lr; }
  set learningRate(v: number) { this.lr = numberOption(this.where, 'learningRate', v, this.lr, POSITIVE); }
  abstract get config(): Record<string, number | boolean>;
}

