// Stochastic gradient descent, with momentum and Nesterov momentum (Keras SGD).
import { booleanOption } from '../options.js';
import { Base } from './base.js';

export interface SgdConfig { learningRate?: number; momentum?: number; nesterov?: boolean }

/** Keras SGD: v = momentum*v - lr*g; p += v (Nesterov: p += momentum*v - lr*g). */
export class Sgd extends Base {
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

