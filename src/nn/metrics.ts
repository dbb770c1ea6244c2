// Metrics as per-sample graph functions (shape [batch]); summed on the GPU
// and averaged over the epoch on the host.
import type { Tensor } from '../graph/tensor.js';
import * as ops from '../ops/index.js';
import { getLoss, perSampleMean } from './losses.js';
import { NameTable } from '../names.js';

export type MetricName = 'accuracy' | 'acc' | 'mse' | 'mae';

/** 1 where the predicted class (argmax, or > 0.5 for one output) matches the label. */
function accuracy(pred: Tensor, y: Tensor, loss: string): Tensor {
  const classes = pred.shape[pred.rank - 1];
  if (loss === 'binaryCrossentropy' || classes === 1) {
    return perSampleMean(ops.equal(ops.greater(pred, 0.5), ops.greater(y, 0.5)));
  }
  const target = getLoss(loss).asPredictions(y, pred);
  // The label's class is predicted when its score equals the row maximum.
  const predicted = ops.sum(ops.mul(pred, ops.equal(target, ops.max(target, { axis: -1, keepDims: true }))), { axis: -1 });
  return perSampleMean(ops.greaterEqual(predicted, ops.max(pred, { axis: -1 })));
}

const names = new NameTable<'accuracy' | 'mse' | 'mae'>('metric', {
  accuracy: 'accuracy', acc: 'accuracy', mse: 'mse', meanSquaredError: 'mse', mae: 'mae', meanAbsoluteError: 'mae',
});

/** The metric's short name ('acc' -> 'accuracy'); an InputError listing the metrics for an unknown name. */
export function canonicalMetric(name: unknown): 'accuracy' | 'mse' | 'mae' {
  return names.get(name);
}

export function perSampleMetric(name: string, pred: Tensor, y: Tensor, loss: string): Tensor {
  const m = canonicalMetric(name);
  if (m === 'accuracy') return accuracy(pred, y, loss);
  const target = getLoss(loss).asPredictions(y, pred);
  if (m === 'mse') return perSampleMean(ops.square(ops.sub(pred, target)));
  return perSampleMean(ops.abs(ops.sub(pred, target)));
}
