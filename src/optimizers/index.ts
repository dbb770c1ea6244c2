// sn.optimizers: optimizers with Keras defaults and formulas, as WGSL update
// statements that run on the GPU with their state in persistent buffers
// (one file per optimizer), and the lookup by name that compile() uses.
import { InputError } from '../errors.js';
import { NameTable } from '../names.js';
import { checkOptions, show } from '../options.js';
import type { Optimizer } from './base.js';
import { Adagrad, type AdagradConfig } from './adagrad.js';
import { Adadelta, type AdadeltaConfig } from './adadelta.js';
import { Adam, type AdamConfig, type AdamWConfig } from './adam.js';
import { Rmsprop, type RmspropConfig } from './rmsprop.js';
import { Sgd, type SgdConfig } from './sgd.js';

export type { Optimizer } from './base.js';
export type { AdagradConfig, AdadeltaConfig, AdamConfig, AdamWConfig, RmspropConfig, SgdConfig };

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
