// Activations by name, as graph functions.
import { SinapsisError } from '../errors.js';
import type { Tensor } from '../graph/tensor.js';
import * as ops from '../ops/index.js';

export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'leakyRelu' | 'elu' | 'softplus' | 'step';

const table: Record<ActivationName, (x: Tensor) => Tensor> = {
  linear: (x) => x,
  relu: ops.relu,
  sigmoid: ops.sigmoid,
  tanh: ops.tanh,
  softmax: (x) => ops.softmax(x, -1),
  leakyRelu: (x) => ops.leakyRelu(x),
  elu: (x) => ops.elu(x),
  softplus: ops.softplus,
  step: ops.step,
};

export function getActivation(name: string | undefined): (x: Tensor) => Tensor {
  const f = table[(name ?? 'linear') as ActivationName];
  if (!f) throw new SinapsisError(`unknown activation '${name}'; known: ${Object.keys(table).join(', ')}`);
  return f;
}
