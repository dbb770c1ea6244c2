// Adam and AdamW (Keras): bias-corrected moment estimates; AdamW adds decoupled weight decay.
import { Base, NON_NEGATIVE, RATE } from './base.js';

export interface AdamConfig { learningRate?: number; beta1?: number; beta2?: number; epsilon?: number }
export interface AdamWConfig extends AdamConfig { weightDecay?: number }

/**
 * Keras Adam: m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
 * p -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps).
 * AdamW first decays p by lr*weightDecay*p (decoupled decay).
 */
export class Adam extends Base {
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

