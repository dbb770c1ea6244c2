// Losses by name, as per-sample graph functions: perSample(pred, y) has shape
// [batch]; the training loss is its mean. When the prediction is the output
// of softmax (sigmoid), the cross-entropies work on the logits instead, in
// the numerically stable fused form.
import type { Tensor } from '../graph/tensor.js';
import * as ops from '../ops/index.js';
import { NameTable } from '../names.js';

export type LossName =
  | 'meanSquaredError' | 'mse' | 'meanAbsoluteError' | 'mae'
  | 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy';

const EPSILON = 1e-7;

/** Mean over every axis but the first (the batch). */
export function perSampleMean(t: Tensor): Tensor {
  return t.rank <= 1 ? t : ops.mean(t, { axis: t.shape.map((_, i) => i).slice(1) });
}

/** One-hot rows from integer labels, built on the GPU: labels [..] -> [.., classes]. */
export function oneHot(labels: Tensor, classes: number): Tensor {
  const iota = labels.graph.constant(Float32Array.from({ length: classes }, (_, i) => i), [classes]);
  return ops.equal(ops.reshape(labels, [...labels.shape, 1]), iota);
}

const clip = (p: Tensor) => ops.minimum(ops.maximum(p, EPSILON), 1 - EPSILON);

function categorical(pred: Tensor, y: Tensor): Tensor {
  // softmax on the last axis: use its logits, fused and stable.
  if (pred.kind === 'op' && pred.op === 'softmax') return perSampleMean(ops.softmaxCrossEntropy(pred.inputs[0], y));
  return perSampleMean(ops.neg(ops.sum(ops.mul(y, ops.log(clip(pred))), { axis: -1 })));
}

function binary(pred: Tensor, y: Tensor): Tensor {
  if (pred.kind === 'op' && pred.op === 'sigmoid') {
    // -(y log s(z) + (1-y) log(1-s(z))) = softplus(z) - y z
    const z = pred.inputs[0];
    return perSampleMean(ops.sub(ops.softplus(z), ops.mul(y, z)));
  }
  const p = clip(pred);
  return perSampleMean(ops.neg(ops.add(ops.mul(y, ops.log(p)), ops.mul(ops.sub(1, y), ops.log(ops.sub(1, p))))));
}

const mse = (p: Tensor, y: Tensor) => perSampleMean(ops.square(ops.sub(p, y)));
const mae = (p: Tensor, y: Tensor) => perSampleMean(ops.abs(ops.sub(p, y)));

const table = new NameTable<{ canonical: string; perSample: (pred: Tensor, y: Tensor) => Tensor }>('loss', {
  meanSquaredError: { canonical: 'meanSquaredError', perSample: mse },
  mse: { canonical: 'meanSquaredError', perSample: mse },
  meanAbsoluteError: { canonical: 'meanAbsoluteError', perSample: mae },
  mae: { canonical: 'meanAbsoluteError', perSample: mae },
  binaryCrossentropy: { canonical: 'binaryCrossentropy', perSample: binary },
  categoricalCrossentropy: { canonical: 'categoricalCrossentropy', perSample: categorical },
  sparseCategoricalCrossentropy: { canonical: 'sparseCategoricalCrossentropy', perSample: (p, y) => categorical(p, oneHot(y, p.shape[p.rank - 1])) },
});

/** The loss's full name ('mse' -> 'meanSquaredError'); an InputError listing the losses for an unknown name. */
export function canonicalLoss(name: unknown): string {
  return table.get(name).canonical;
}

/** Per-sample loss, shape [batch]. */
export function perSampleLoss(name: string, pred: Tensor, y: Tensor): Tensor {
  return table.get(name).perSample(pred, y);
}
