// sn.sequential([...layers]): a chain of layers, the first giving inputShape.
import { SinapsisError } from '../errors.js';
import { Layer, input, type SymbolicTensor } from './layers/layer.js';
import { show } from '../options.js';
import { Model } from './model.js';

export function chain(layers: readonly Layer[], inputShape?: readonly number[]): { input: SymbolicTensor; output: SymbolicTensor } {
  if (!Array.isArray(layers) || layers.length === 0) throw new SinapsisError('sequential: needs a non-empty array of layers');
  layers.forEach((l, i) => {
    if (!(l instanceof Layer)) throw new SinapsisError(`sequential: layers[${i}] is ${show(l)}, not a layer (make layers with sn.layers.dense(...), ...)`);
  });
  const shape = inputShape ?? layers[0].inputShape;
  if (!shape) throw new SinapsisError(`sequential: the first layer ('${layers[0].name}') needs inputShape, e.g. sn.layers.dense({ units: 128, inputShape: [784] })`);
  const x = input({ shape: [...shape], dtype: layers[0].inputDType });
  let y = x;
  for (const l of layers) y = l.apply(y);
  return { input: x, output: y };
}

export class Sequential extends Model {
  constructor(layers: readonly Layer[], config: { name?: string; inputShape?: number[] } = {}) {
    const { input: x, output } = chain(layers, config.inputShape);
    super({ inputs: x, outputs: output, name: config.name ?? 'sequential' });
  }
}

export function sequential(layers: readonly Layer[], config: { name?: string; inputShape?: number[] } = {}): Sequential {
  return new Sequential(layers, config);
}
