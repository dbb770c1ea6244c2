// Losses by name, as per-sample graph functions: perSample(pred, y) has shape
// [batch]; the training loss is its mean. When the prediction is the output
// of softmax (sigmoid), the cross-entropies work on the logits instead, in
// the numerically stable fused form.
import { InputError, fmtShape } from '../errors.js';
import type { HostTensor } from '../graph/host-tensor.js';
import { sizeOf, type Shape } from '../graph/shape.js';
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

/**
 * A loss: its per-sample graph, the shape of the targets it takes for a
 * prediction of a given shape, how it checks them on the host, and what its
 * targets look like as predictions (for the metrics).
 */
export interface Loss {
  readonly name: string;
  /** Shape [batch] from predictions and targets (each with the batch axis first). */
  perSample(pred: Tensor, y: Tensor): Tensor;
  /** The targets' shape for predictions of `pred` shape (batch first). */
  targetShape(pred: Shape): number[];
  /** Throws an InputError naming the first bad target (`what` names the call: 'fit'). */
  checkTargets(what: string, y: HostTensor, pred: Shape): void;
  /** The targets as the predictions' shape (one-hot rows for class labels). */
  asPredictions(y: Tensor, pred: Tensor): Tensor;
}

/** Losses whose targets have the predictions' shape. */
function dense(name: string, perSample: Loss['perSample']): Loss {
  return {
    name,
    perSample,
    targetShape: (pred) => [...pred],
    checkTargets: (what, y, pred) => {
      if (y.size !== sizeOf(pred)) throw new InputError(`${what}: y has shape ${fmtShape(y.shape)}, the loss '${name}' expects ${fmtShape(pred)}`);
    },
    asPredictions: (y) => y,
  };
}

/**
 * Class indices for the last axis of the predictions: labels have the
 * predictions' shape without it ([n] for [n, classes], [n, t] for a
 * sequence's [n, t, classes]); each an integer 0..classes-1.
 */
const sparseCategorical: Loss = {
  name: 'sparseCategoricalCrossentropy',
  perSample: (p, y) => categorical(p, oneHot(y, p.shape[p.rank - 1])),
  targetShape: (pred) => pred.slice(0, -1),
  checkTargets: (what, y, pred) => {
    const want = pred.slice(0, -1);
    if (y.size !== sizeOf(want)) throw new InputError(`${what}: labels for sparseCategoricalCrossentropy must have shape ${fmtShape(want)} (one class index per ${want.length > 1 ? 'position' : 'sample'}), got ${fmtShape(y.shape)}`);
    const classes = pred[pred.length - 1];
    const perSample = sizeOf(want.slice(1));
    for (let i = 0; i < y.size; i++) {
      const v = y.data[i];
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        const at = perSample > 1 ? ` (sample ${Math.floor(i / perSample)}, position ${i % perSample})` : ` (sample ${i})`;
        throw new InputError(`${what}: y label ${i} is ${v}${at}; labels must be integers 0..${classes - 1} for a model with ${classes} outputs`);
      }
    }
  },
  asPredictions: (y, p) => oneHot(y, p.shape[p.rank - 1]),
};

const losses = {
  meanSquaredError: dense('meanSquaredError', mse),
  meanAbsoluteError: dense('meanAbsoluteError', mae),
  binaryCrossentropy: dense('binaryCrossentropy', binary),
  categoricalCrossentropy: dense('categoricalCrossentropy', categorical),
  sparseCategoricalCrossentropy: sparseCategorical,
};

const table = new NameTable<Loss>('loss', { ...losses, mse: losses.meanSquaredError, mae: losses.meanAbsoluteError });

/** The loss called `name` ('mse' is meanSquaredError); an InputError listing the losses for an unknown name. */
export function getLoss(name: unknown): Loss {
  return table.get(name);
}

/** The loss's full name ('mse' -> 'meanSquaredError'); an InputError listing the losses for an unknown name. */
export function canonicalLoss(name: unknown): string {
  return table.get(name).name;
}

/** Per-sample loss, shape [batch]. */
export function perSampleLoss(name: string, pred: Tensor, y: Tensor): Tensor {
  return table.get(name).perSample(pred, y);
}
