// Reverse-mode autodiff over the static graph. grad(y, xs) walks the nodes
// that lie between xs and y in reverse creation order (a topological order)
// and appends each op's gradient rule as new graph nodes. The result is an
// ordinary part of the graph, so it can be differentiated again.
import { ShapeError, SinapsisError, fmtShape } from '../errors.js';
import type { Tensor } from './tensor.js';
import { apply, getOp } from './op-registry.js';

export function grad(y: Tensor, xs: readonly Tensor[]): Tensor[] {
  const g = y.graph;
  if (y.size !== 1) throw new ShapeError(`grad: y must be a scalar (one element), got shape ${fmtShape(y.shape)}; reduce it first, e.g. with sum() or mean()`);
  for (const x of xs) if (x.graph !== g) throw new SinapsisError(`grad: ${x} belongs to another graph than y`);

  // Nodes y depends on, and among them those that depend on some x.
  const needed = new Set<Tensor>([y]);
  for (let id = y.id; id >= 0; id--) {
    const n = g.nodes[id];
    if (needed.has(n)) for (const i of n.inputs) needed.add(i);
  }
  const targets = new Set(xs);
  const between = new Set<Tensor>();
  for (let id = 0; id <= y.id; id++) {
    const n = g.nodes[id];
    if (needed.has(n) && (targets.has(n) || n.inputs.some((i) => between.has(i)))) between.add(n);
  }

  const adjoint = new Map<Tensor, Tensor>();
  adjoint.set(y, g.constant(new Float32Array(1).fill(1), y.shape));
  const accumulate = (t: Tensor, d: Tensor) => {
    const prev = adjoint.get(t);
    // Adjoints of one tensor have its shape; 'add' is looked up in the registry (src/ops defines it).
    adjoint.set(t, prev ? apply('add', [prev, d]) : d);
  };

  for (let id = y.id; id >= 0; id--) {
    const node = g.nodes[id];
    const dy = adjoint.get(node);
    if (!dy || node.kind !== 'op' || !between.has(node)) continue;
    const def = getOp(node.op);
    if (!def.grad) continue; // piecewise-constant ops (step, comparisons) pass no gradient
    const grads = def.grad(dy, node);
    node.inputs.forEach((input, k) => {
      const d = grads[k];
      if (!d || !between.has(input)) return;
      if (d.size !== input.size || d.rank !== input.rank) {
        throw new SinapsisError(`grad: the rule of '${node.op}' gave a gradient of shape ${fmtShape(d.shape)} for an input of shape ${fmtShape(input.shape)}`);
      }
      accumulate(input, d);
    });
  }

  // Where y does not depend on x the gradient is zeros of x's shape.
  return xs.map((x) => adjoint.get(x) ?? g.constant(new Float32Array(x.size), x.shape));
}

