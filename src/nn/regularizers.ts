// Weight penalties added to the training loss: l1 * sum|w| + l2 * sum(w^2) (Keras).
import { InputError } from '../errors.js';
import type { Tensor } from '../graph/tensor.js';
import * as ops from '../ops/index.js';

export interface Regularizer {
  readonly l1: number;
  readonly l2: number;
}

/** A penalty factor: a finite number >= 0. */
function factor(name: 'l1' | 'l2', v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InputError(`regularizer: ${name} must be a finite number >= 0, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

export const l1 = (l1 = 0.01): Regularizer => ({ l1: factor('l1', l1), l2: 0 });
export const l2 = (l2 = 0.01): Regularizer => ({ l1: 0, l2: factor('l2', l2) });
export const l1l2 = (o: { l1?: number; l2?: number } = {}): Regularizer => ({ l1: factor('l1', o.l1 ?? 0.01), l2: factor('l2', o.l2 ?? 0.01) });

/** A regularizer object ({ l1, l2 }, as saved), or one by name ('l1', 'l2', 'l1l2') with Keras' default factor 0.01. */
export function getRegularizer(r: unknown): Regularizer | undefined {
  if (r === undefined || r === null) return undefined;
  if (r === 'l1') return l1();
  if (r === 'l2') return l2();
  if (r === 'l1l2') return l1l2();
  if (typeof r === 'object' && !Array.isArray(r)) {
    const o = r as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'l1' && k !== 'l2');
    if (extra.length === 0 && ('l1' in o || 'l2' in o)) return { l1: factor('l1', o.l1 ?? 0), l2: factor('l2', o.l2 ?? 0) };
  }
  throw new InputError(`unknown regularizer ${JSON.stringify(r) ?? String(r)}; known: 'l1', 'l2', 'l1l2', or sn.regularizers.l1(0.01), l2(0.01), l1l2({ l1, l2 })`);
}

/** The penalty of one weight tensor as a scalar graph node. */
export function penalty(r: Regularizer, w: Tensor): Tensor | undefined {
  const terms: Tensor[] = [];
  if (r.l1) terms.push(ops.mul(ops.sum(ops.abs(w)), r.l1));
  if (r.l2) terms.push(ops.mul(ops.sum(ops.square(w)), r.l2));
  return terms.reduce<Tensor | undefined>((a, t) => (a ? ops.add(a, t) : t), undefined);
}
