// Weight penalties added to the training loss: l1 * sum|w| + l2 * sum(w^2) (Keras).
import { SinapsisError } from '../errors.js';
import type { Tensor } from '../graph/tensor.js';
import * as ops from '../ops/index.js';

export interface Regularizer {
  readonly l1: number;
  readonly l2: number;
}

export const l1 = (l1 = 0.01): Regularizer => ({ l1, l2: 0 });
export const l2 = (l2 = 0.01): Regularizer => ({ l1: 0, l2 });
export const l1l2 = (o: { l1?: number; l2?: number } = {}): Regularizer => ({ l1: o.l1 ?? 0.01, l2: o.l2 ?? 0.01 });

export function getRegularizer(r: Regularizer | 'l1' | 'l2' | 'l1l2' | undefined): Regularizer | undefined {
  if (r === undefined) return undefined;
  if (r === 'l1') return l1();
  if (r === 'l2') return l2();
  if (r === 'l1l2') return l1l2();
  if (typeof r === 'object' && typeof r.l1 === 'number' && typeof r.l2 === 'number') return r;
  throw new SinapsisError(`unknown regularizer ${JSON.stringify(r)}; use sn.regularizers.l1(0.01), l2(0.01), l1l2({...}) or 'l1' / 'l2'`);
}

/** The penalty of one weight tensor as a scalar graph node. */
export function penalty(r: Regularizer, w: Tensor): Tensor | undefined {
  const terms: Tensor[] = [];
  if (r.l1) terms.push(ops.mul(ops.sum(ops.abs(w)), r.l1));
  if (r.l2) terms.push(ops.mul(ops.sum(ops.square(w)), r.l2));
  return terms.reduce<Tensor | undefined>((a, t) => (a ? ops.add(a, t) : t), undefined);
}
