// Scaled dot-product attention as fused kernels, FlashAttention-2 style:
// q [b, tq, heads, d], k and v [b, tk, heads, d] (Keras 3's layout), output
// [b, tq, heads, d]; per (batch, head) softmax(scale q k^T (+ causal mask)) v,
// with an online softmax in one pass over the keys, so nothing of size
// tq x tk is ever written to memory. The backward pass recomputes the scores:
//   o  = attention(q, k, v)
//   s  = attentionStats(q, k, o, do)     per query: L = logsumexp of its scores, D = do . o
//   dq = attentionDq(q, k, v, do, s)     dk = attentionDk(q, k, v, do, s)     dv = attentionDv(q, k, do, s)
// (a graph node has one output, so the four backward kernels each recompute
// the scores: linear memory, four passes). Their own gradients, for second
// order, come from the same attention written with matmul and softmax
// (composedAttention) and differentiated: slower, and only when asked for.
import { ShapeError, fmtShape } from '../errors.js';
import { grad } from '../graph/autodiff.js';
import type { Shape } from '../graph/shape.js';
import type { Attrs, Tensor } from '../graph/tensor.js';
import * as cpu from '../cpu/attention.js';
import type { AttentionGeometry } from '../cpu/attention.js';
import type { KernelCaps } from '../graph/kernel-binding.js';
import { apply, checkTensor, defineOp, flag } from '../graph/op-registry.js';
import { MAX_HEAD_SIZE, attentionSpec, type AttentionKernel } from './attention-kernels.js';
import { mul, stopGradient, where } from './elementwise.js';
import { matmul } from './matmul.js';
import { sum } from './reduce.js';
import { transpose } from './shape-ops.js';
import { softmax } from './softmax.js';

export interface AttentionOptions {
  /** Position i attends to keys 0..i only (needs as many queries as keys). Default false. */
  causal?: boolean;
  /** Multiplies the scores; default 1 / sqrt(d). */
  scale?: number;
}

interface AttentionAttrs { causal: boolean; scale: number }

/** The geometry of q [b, tq, h, d] against keys [b, tk, h, d]. */
function geometry(q: Shape, k: Shape, a: Attrs): AttentionGeometry {
  const attrs = a as unknown as AttentionAttrs;
  return { batch: q[0], tq: q[1], tk: k[1], heads: q[2], d: q[3], causal: attrs.causal, scale: attrs.scale };
}

/** q, k and v agree: rank 4, one batch, head count and head size; k and v one length; causal needs tq = tk. */
function checkShapes(op: string, q: Shape, k: Shape, v: Shape, causal: boolean): void {
  const shapes = `q ${fmtShape(q)}, k ${fmtShape(k)}, v ${fmtShape(v)}`;
  if (q.length !== 4 || k.length !== 4 || v.length !== 4) throw new ShapeError(`${op}: q, k and v must be [batch, time, heads, headSize], got ${shapes}`);
  if (k[0] !== q[0] || v[0] !== q[0] || k[2] !== q[2] || v[2] !== q[2] || k[3] !== q[3] || v[3] !== q[3]) {
    throw new ShapeError(`${op}: q, k and v must agree in batch, heads and head size, got ${shapes}`);
  }
  if (k[1] !== v[1]) throw new ShapeError(`${op}: k and v must have as many positions, got ${shapes}`);
  if (causal && q[1] !== k[1]) throw new ShapeError(`${op}: causal attention needs as many queries as keys, got ${shapes}`);
  if (q[3] > MAX_HEAD_SIZE) throw new ShapeError(`${op}: the head size ${q[3]} is over the kernels' ${MAX_HEAD_SIZE}`);
}

/** The kernels: barrier-free rows (CPU drivers) or workgroup tiles (GPUs). */
function variants(kind: AttentionKernel, keysOf: (node: Tensor) => Shape) {
  const spec = (tiled: boolean) => (node: Tensor) => attentionSpec(kind, geometry(node.inputs[0].shape, keysOf(node), node.attrs), { variant: tiled ? 'tiled' : 'rows' });
  return {
    kernels: { rows: spec(false), tiled: spec(true) },
    candidates: () => ['rows', 'tiled'],
    choose: (_node: Tensor, caps: KernelCaps) => (caps.matmul === 'tiled' ? 'tiled' : 'rows'),
  };
}

const keysOf = (node: Tensor) => node.inputs[1].shape;

/**
 * The gradients of the fused backward op `node` from the composed attention
 * (differentiated twice): the adjoint `adj` of its output, contracted with
 * the composed version of what it computes, differentiated by (q, k, v, do).
 */
function composedGrad(node: Tensor, adj: Tensor, which: 'dq' | 'dk' | 'dv'): (Tensor | null)[] {
  // Partial derivatives: the inputs are cut from whatever they depend on
  // (the outer differentiation follows those paths itself), and so is the
  // adjoint, a constant here.
  const cut = node.inputs.slice(0, -1).map(stopGradient);
  const [q, k] = cut;
  const v = which === 'dv' ? undefined : cut[2];
  const dO = cut[which === 'dv' ? 2 : 3];
  const attrs = node.attrs as unknown as AttentionAttrs;
  // dv does not depend on v: a stand-in of v's shape (zeros) keeps the formula whole.
  const vv = v ?? q.graph.constant(new Float32Array(k.size), k.shape);
  const o = composedAttention(q, k, vv, attrs);
  const [dq, dk, dv] = grad(sum(mul(o, dO)), [q, k, vv]);
  const target = which === 'dq' ? dq : which === 'dk' ? dk : dv;
  return [...grad(sum(mul(target, stopGradient(adj))), cut), null];
}

defineOp({
  name: 'attention',
  shape: ([q, k, v], attrs) => {
    checkShapes('dotProductAttention', q, k, v, (attrs as unknown as AttentionAttrs).causal);
    return [...q];
  },
  cpu: ([q, k, v], [qs, ks], _o, attrs) => cpu.dotProductAttention(q, k, v, geometry(qs, ks, attrs)),
  grad: (dy, node) => {
    const [q, k, v] = node.inputs;
    const stats = apply('attentionStats', [q, k, node, dy], node.attrs);
    return [apply('attentionDq', [q, k, v, dy, stats], node.attrs), apply('attentionDk', [q, k, v, dy, stats], node.attrs), apply('attentionDv', [q, k, dy, stats], node.attrs)];
  },
  variants: variants('forward', keysOf),
});

defineOp({
  name: 'attentionStats',
  shape: ([q]) => [q[0], q[1], q[2], 2],
  cpu: ([q, k, o, dO], [qs, ks], _o, attrs) => cpu.attentionStats(q, k, o, dO, geometry(qs, ks, attrs)),
  // No gradient of its own: the backward ops that read it take theirs from the composed attention.
  variants: variants('stats', keysOf),
});

const backward = [
  { name: 'attentionDq', which: 'dq', kind: 'dq', out: (q: Shape) => q },
  { name: 'attentionDk', which: 'dk', kind: 'dk', out: (_q: Shape, k: Shape) => k },
  { name: 'attentionDv', which: 'dv', kind: 'dv', out: (_q: Shape, k: Shape) => k },
] as const;

for (const b of backward) {
  defineOp({
    name: b.name,
    shape: ([q, k]) => [...b.out(q, k)],
    cpu: (inputs, [qs, ks], _o, attrs) => {
      const g = geometry(qs, ks, attrs);
      const [q, k] = inputs;
      const v = b.which === 'dv' ? new Float32Array(g.batch * g.tk * g.heads * g.d) : inputs[2];
      const dO = inputs[b.which === 'dv' ? 2 : 3];
      return cpu.attentionBackward(q, k, v, dO, g)[b.which];
    },
    grad: (adj, node) => composedGrad(node, adj, b.which),
    variants: variants(b.kind, keysOf),
  });
}

/**
 * The same attention from matmul and softmax (materialising the [tq, tk]
 * scores): the slower path the backward ops differentiate for second order,
 * the composition the fused kernels are measured against, and the path of
 * attention with dropout on its probabilities (`probabilities` maps them).
 */
export function composedAttention(q: Tensor, k: Tensor, v: Tensor, options: { causal: boolean; scale: number; probabilities?: (p: Tensor) => Tensor }): Tensor {
  const perHead = (t: Tensor) => transpose(t, [0, 2, 1, 3]);
  let scores = mul(matmul(perHead(q), perHead(k), { transposeB: true }), options.scale);
  if (options.causal) {
    const [tq, tk] = [q.shape[1], k.shape[1]];
    const visible = q.graph.constant(Float32Array.from({ length: tq * tk }, (_, i) => (i % tk <= Math.floor(i / tk) ? 1 : 0)), [tq, tk]);
    // A large finite negative, not -Infinity: exp of it is 0, and 0 * it stays finite in the gradient.
    scores = where(visible, scores, -1e30);
  }
  const p = softmax(scores, -1);
  return perHead(matmul(options.probabilities ? options.probabilities(p) : p, perHead(v)));
}

/**
 * softmax(scale q k^T (+ causal mask)) v per batch and head: q [b, tq, heads,
 * d], k and v [b, tk, heads, d] -> [b, tq, heads, d]. `scale` defaults to
 * 1/sqrt(d); `causal` lets query i attend to keys 0..i. Differentiable in
 * q, k and v (second order too).
 */
export function dotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) checkTensor('dotProductAttention', name, t);
  const causal = flag('dotProductAttention', 'causal', options?.causal);
  checkShapes('dotProductAttention', q.shape, k.shape, v.shape, causal);
  const scale = options?.scale ?? 1 / Math.sqrt(q.shape[3]);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new ShapeError(`dotProductAttention: scale must be a finite number, got ${String(options?.scale)}`);
  return apply('attention', [q, k, v], { causal, scale });
}
