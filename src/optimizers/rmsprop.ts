// RMSprop (Keras), with optional momentum.
import { Base, NON_NEGATIVE, RATE } from './base.js';

export interface RmspropConfig { learningRate?: number; rho?: number; momentum?: number; epsilon?: number }

/** Keras RMSprop: ms = rho*ms + (1-rho)*g^2; step = lr*g/(sqrt(ms)+eps); with momentum m = momentum*m + step; p -= m. */
export class Rmsprop extends Base {
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

