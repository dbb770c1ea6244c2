// Optimizers with Keras defaults and formulas, as WGSL update statements that
// run on the GPU with their state in persistent buffers. Hyper-parameters are
// read from the step uniform each step, so changing `learningRate` between
// steps (a schedule) needs no recompile.
import { InputError } from '../errors.js';
import type { OptimizerSpec } from '../plan/optimizer.js';
import { NameTable } from './names.js';
import { booleanOption, checkOptions, numberOption, show, type Range } from './options.js';

export interface Optimizer extends OptimizerSpec {
  /** Mutable: read at every step. */
  learningRate: number;
  readonly config: Readonly<Record<string, number | boolean>>;
}

/** Ranges of the hyper-parameters (Keras': decay rates in [0, 1), epsilon >= 0). */
const POSITIVE: Range = { min: 0, above: true };
const NON_NEGATIVE: Range = { min: 0 };
const RATE: Range = { min: 0, max: 1, below: true };

abstract class Base implements Optimizer {
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

export interface SgdConfig { learningRate?: number; momentum?: number; nesterov?: boolean }

/** Keras SGD: v = momentum*v - lr*g; p += v (Nesterov: p += momentum*v - lr*g). */
class Sgd extends Base {
  readonly name = 'sgd';
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly state;
  readonly uniforms = ['lr', 'momentum'];
  readonly wgsl: string;
  constructor(c: SgdConfig | undefined) {
    super('sgd', c, ['momentum', 'nesterov'], 0.01);
    this.momentum = this.num('momentum', 0, { min: 0, max: 1 });
    this.nesterov = booleanOption('sgd', 'nesterov', this.options.nesterov, false);
    this.state = this.momentum > 0 ? [{ name: 'velocity', init: 0 }] : [];
    this.wgsl = this.momentum === 0
      ? 'p = p - h.lr * g;'
      : this.nesterov
        ? 'let v = h.momentum * velocity[i] - h.lr * g;\n  velocity[i] = v;\n  p = p + h.momentum * v - h.lr * g;'
        : 'let v = h.momentum * velocity[i] - h.lr * g;\n  velocity[i] = v;\n  p = p + v;';
  }
  uniformValues(): number[] { return [this.learningRate, this.momentum]; }
  get config() { return { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov }; }
}

export interface AdagradConfig { learningRate?: number; initialAccumulatorValue?: number; epsilon?: number }

/** Keras Adagrad: a += g^2; p -= lr * g / (sqrt(a) + eps). */
class Adagrad extends Base {
  readonly name = 'adagrad';
  readonly state;
  readonly uniforms = ['lr', 'epsilon'];
  readonly wgsl = 'let a = accumulator[i] + g * g;\n  accumulator[i] = a;\n  p = p - h.lr * g / (sqrt(a) + h.epsilon);';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(c: AdagradConfig | undefined) {
    super('adagrad', c, ['initialAccumulatorValue', 'epsilon'], 0.001);
    this.initialAccumulatorValue = this.num('initialAccumulatorValue', 0.1, NON_NEGATIVE);
    this.epsilon = this.num('epsilon', 1e-7, NON_NEGATIVE);
    this.state = [{ name: 'accumulator', init: this.initialAccumulatorValue }];
  }
  uniformValues(): number[] { return [this.learningRate, this.epsilon]; }
  get config() { return { learningRate: this.learningRate, initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon }; }
}

export interface AdadeltaConfig { learningRate?: number; rho?: number; epsilon?: number }

/**
 * Adadelta as in the paper (and Keras): Eg = rho*Eg + (1-rho)*g^2;
 * d = sqrt(Ex + eps) / sqrt(Eg + eps) * g, with Eg the updated average;
 * Ex = rho*Ex + (1-rho)*d^2; p -= lr * d.
 */
class Adadelta extends Base {
  readonly name = 'adadelta';
  readonly state = [{ name: 'accumGrad', init: 0 }, { name: 'accumUpdate', init: 0 }];
  readonly uniforms = ['lr', 'rho', 'epsilon'];
  readonly wgsl = [
    'let eg = h.rho * accumGrad[i] + (1.0 - h.rho) * g * g;',
    'accumGrad[i] = eg;',
    'let d = sqrt(accumUpdate[i] + h.epsilon) / sqrt(eg + h.epsilon) * g;',
    'accumUpdate[i] = h.rho * accumUpdate[i] + (1.0 - h.rho) * d * d;',
    'p = p - h.lr * d;',
  ].join('\n  ');
  readonly rho: number;
  readonly epsilon: number;
  constructor(c: AdadeltaConfig | undefined) {
    super('adadelta', c, ['rho', 'epsilon'], 1);
    this.rho = this.num('rho', 0.95, RATE);
    this.epsilon = this.num('epsilon', 1e-7, NON_NEGATIVE);
  }
  uniformValues(): number[] { return [this.learningRate, this.rho, this.epsilon]; }
  get config() { return { learningRate: this.learningRate, rho: this.rho, epsilon: this.epsilon }; }
}

export interface RmspropConfig { learningRate?: number; rho?: number; momentum?: number; epsilon?: number }

/** Keras RMSprop: ms = rho*ms + (1-rho)*g^2; step = lr*g/(sqrt(ms)+eps); with momentum m = momentum*m + step; p -= m. */
class Rmsprop extends Base {
  readonly name = 'rmsprop';
  readonly state;
  readonly uniforms = ['lr', 'rho', 'momentum', 'epsilon'];
  readonly wgsl: string;
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  constructor(c: RmspropConfig | undefined) {
    super('rmsprop', c, ['rho', 'momentum', 'epsilon'], 0.001);
    this.rho = this.num('rho', 0.9, RATE);
    this.momentum = this.num('momentum', 0, { min: 0, max: 1 });
    this.epsilon = this.num('epsilon', 1e-7, NON_NEGATIVE);
    this.state = this.momentum > 0 ? [{ name: 'meanSquare', init: 0 }, { name: 'moment', init: 0 }] : [{ name: 'meanSquare', init: 0 }];
    const ms = 'let ms = h.rho * meanSquare[i] + (1.0 - h.rho) * g * g;\n  meanSquare[i] = ms;\n  let s = h.lr * g / (sqrt(ms) + h.epsilon);';
    this.wgsl = this.momentum > 0 ? `${ms}\n  let mo = h.momentum * moment[i] + s;\n  moment[i] = mo;\n  p = p - mo;` : `${ms}\n  p = p - s;`;
  }
  uniformValues(): number[] { return [this.learningRate, this.rho, this.momentum, this.epsilon]; }
  get config() { return { learningRate: this.learningRate, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon }; }
}

export interface AdamConfig { learningRate?: number; beta1?: number; beta2?: number; epsilon?: number }
export interface AdamWConfig extends AdamConfig { weightDecay?: number }

/**
 * Keras Adam: m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
 * p -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps).
 * AdamW first decays p by lr*weightDecay*p (decoupled decay).
 */
class Adam extends Base {
  readonly name: string;
  readonly state = [{ name: 'm', init: 0 }, { name: 'v', init: 0 }];
  // oneMinusBeta1/2 come from the host: 1.0 - 0.999 evaluated in f32 is off by 1.3e-5 relative.
  readonly uniforms = ['lr', 'beta1', 'beta2', 'epsilon', 'alpha', 'decay', 'oneMinusBeta1', 'oneMinusBeta2'];
  readonly wgsl = [
    'p = p - h.decay * p;',
    'let m1 = h.beta1 * m[i] + h.oneMinusBeta1 * g;',
    'let v1 = h.beta2 * v[i] + h.oneMinusBeta2 * g * g;',
    'm[i] = m1;',
    'v[i] = v1;',
    'p = p - h.alpha * m1 / (sqrt(v1) + h.epsilon);',
  ].join('\n  ');
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  constructor(c: AdamWConfig | undefined, decoupled: boolean) {
    const name = decoupled ? 'adamw' : 'adam';
    super(name, c, decoupled ? ['beta1', 'beta2', 'epsilon', 'weightDecay'] : ['beta1', 'beta2', 'epsilon'], 0.001);
    this.name = name;
    this.beta1 = this.num('beta1', 0.9, RATE);
    this.beta2 = this.num('beta2', 0.999, RATE);
    this.epsilon = this.num('epsilon', 1e-7, NON_NEGATIVE);
    this.weightDecay = decoupled ? this.num('weightDecay', 0.004, NON_NEGATIVE) : 0;
  }
  /** The bias corrections depend on t only, so they are folded into alpha on the host. */
  uniformValues(t: number): number[] {
    const alpha = (this.learningRate * Math.sqrt(1 - Math.pow(this.beta2, t))) / (1 - Math.pow(this.beta1, t));
    return [this.learningRate, this.beta1, this.beta2, this.epsilon, alpha, this.learningRate * this.weightDecay, 1 - this.beta1, 1 - this.beta2];
  }
  get config() {
    const c: Record<string, number> = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
    if (this.name === 'adamw') c.weightDecay = this.weightDecay;
    return c;
  }
}

export const sgd = (c?: SgdConfig): Optimizer => new Sgd(c);
/** SGD with Keras' customary momentum 0.9 (any option overrides it). */
export const momentum = (c?: SgdConfig): Optimizer => new Sgd({ momentum: 0.9, ...checkOptions('momentum', c, ['learningRate', 'momentum', 'nesterov']) });
export const adagrad = (c?: AdagradConfig): Optimizer => new Adagrad(c);
export const adadelta = (c?: AdadeltaConfig): Optimizer => new Adadelta(c);
export const rmsprop = (c?: RmspropConfig): Optimizer => new Rmsprop(c);
export const adam = (c?: AdamConfig): Optimizer => new Adam(c, false);
export const adamw = (c?: AdamWConfig): Optimizer => new Adam(c, true);

const byName = new NameTable<(c?: never) => Optimizer>('optimizer', { sgd, momentum, adagrad, adadelta, rmsprop, adam, adamw });

/** An object made by sn.optimizers (or one of the same shape). */
function isOptimizer(o: unknown): o is Optimizer {
  const c = o as Optimizer;
  return typeof o === 'object' && o !== null && typeof c.wgsl === 'string' && Array.isArray(c.state) && typeof c.uniformValues === 'function';
}

/** An optimizer object, or one by name ('adam', any case) with its defaults or the given config. */
export function getOptimizer(o: unknown, config?: Record<string, number | boolean>): Optimizer {
  if (isOptimizer(o)) return o;
  if (typeof o !== 'string') {
    throw new InputError(`optimizer: expected a name (${byName.names().join(', ')}) or an optimizer such as sn.optimizers.adam({ learningRate: 1e-3 }), got ${show(o)}`);
  }
  const make = byName.get(byName.has(o) ? o : o.toLowerCase());
  return make(config as never);
}
