// Activations by name, as graph functions.
import type { Tensor } from '../graph/tensor.js';
import * as ops from '../ops/index.js';
import { NameTable } from '../names.js';

export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'leakyRelu' | 'elu' | 'softplus' | 'step' | 'gelu' | 'silu' | 'swish';

const table = new NameTable<(x: Tensor) => Tensor>('activation', {
  linear: (x) => x,
  relu: ops.relu,
  sigmoid: ops.sigmoid,
  tanh: ops.tanh,
  softmax: (x) => ops.softmax(x, -1),
  leakyRelu: (x) => ops.leakyRelu(x),
  elu: (x) => ops.elu(x),
  softplus: ops.softplus,
  step: ops.step,
  gelu: (x) => ops.gelu(x),
  silu: ops.silu,
  swish: ops.silu,
} satisfies Record<ActivationName, (x: Tensor) => Tensor>);

/** The activation called `name` (undefined: linear); an InputError listing the activations for an unknown name. */
export function getActivation(name: unknown): (x: Tensor) => Tensor {
  return table.get(name ?? 'linear');
}
