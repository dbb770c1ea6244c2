// Adadelta (the paper's update, as Keras): no learning rate to tune in principle (lr = 1).
import { Base, NON_NEGATIVE, RATE } from './base.js';

export interface AdadeltaConfig { learningRate?: number; rho?: number; epsilon?: number }

/**
 * Adadelta as in the paper (and Keras): Eg = rho*Eg + (1-rho)*g^2;
 * d = sqrt(Ex + eps) / sqrt(Eg + eps) * g, with Eg the updated average;
 * Ex = rho*Ex + (1-rho)*d^2; p -= lr * d.
 */
export class Adadelta extends Base {
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

