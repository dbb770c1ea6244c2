// Adagrad (Keras): per-weight steps shrink with the sum of squared gradients.
import { Base, NON_NEGATIVE } from './base.js';

export interface AdagradConfig { learningRate?: number; initialAccumulatorValue?: number; epsilon?: number }

/** Keras Adagrad: a += g^2; p -= lr * g / (sqrt(a) + eps). */
export class Adagrad extends Base {
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

