// Scheduling: common-subexpression elimination, dead-node elimination and a
// topological order. Node ids are already topological (a node only refers to
// earlier nodes), so the order is the surviving nodes sorted by id.
import type { Tensor } from '../graph/tensor.js';
import { getOp } from '../graph/op-registry.js';

export interface Schedule {
  /** The canonical node standing for each node (itself unless merged by CSE). */
  canonical(t: Tensor): Tensor;
  /** Op nodes to run, in order (views included: they cost nothing but keep the order honest). */
  ops: Tensor[];
  /** Every live node, op or leaf. */
  live: Set<Tensor>;
  /** How many op nodes of the graph (up to the last root) CSE found to repeat an earlier one. */
  merged: number;
  /** Op nodes whose inputs are all constants, evaluated at plan time with their CPU reference: they run as constants. */
  folded: Map<Tensor, Float32Array>;
}

/** Constant folding is for small tensors (gradient seeds, scaled constants); large ones stay kernels. */
const FOLD_LIMIT = 1 << 16;

function cseKey(t: Tensor, canon: Map<Tensor, Tensor>): string | undefined {
  if (t.kind === 'input' || t.kind === 'param') return undefined;
  if (t.kind === 'const') {
    // Scalars merge by value; larger constants only with themselves.
    return 'value' in t.attrs ? `const:${String(t.attrs.value)}:${t.shape.join(',')}` : undefined;
  }
  if (getOp(t.op).noCse) return undefined;
  return `${t.op}(${t.inputs.map((i) => canon.get(i)!.id).join(',')})${JSON.stringify(t.attrs)}:${t.shape.join(',')}`;
}

export function schedule(roots: readonly Tensor[]): Schedule {
  const graph = roots[0]?.graph;
  const canon = new Map<Tensor, Tensor>();
  let merged = 0;
  if (graph) {
    const byKey = new Map<string, Tensor>();
    const last = Math.max(...roots.map((r) => r.id));
    for (let id = 0; id <= last; id++) {
      const t = graph.nodes[id];
      const key = cseKey(t, canon);
      const seen = key === undefined ? undefined : byKey.get(key);
      if (seen) {
        canon.set(t, seen);
        if (t.kind === 'op') merged++;
      } else {
        canon.set(t, t);
        if (key !== undefined) byKey.set(key, t);
      }
    }
  }
  const canonical = (t: Tensor) => canon.get(t) ?? t;
  // Fold ops over constants, in id order so folded values feed later folds.
  const folded = new Map<Tensor, Float32Array>();
  const constValue = (t: Tensor) => (t.kind === 'const' ? t.graph.constValues.get(t) : folded.get(t));
  if (graph) {
    const last = Math.max(...roots.map((r) => r.id));
    for (let id = 0; id <= last; id++) {
      const t = graph.nodes[id];
      if (t.kind !== 'op' || canonical(t) !== t || t.size > FOLD_LIMIT || getOp(t.op).noCse) continue;
      const values = t.inputs.map((i) => constValue(canonical(i)));
      if (values.length === 0 || values.some((v) => v === undefined)) continue;
      // Folding must not grow persistent memory: a broadcast of a scalar stays a (cheap) kernel.
      if (t.size > Math.max(...values.map((v) => v!.length))) continue;
      folded.set(t, getOp(t.op).cpu(values as Float32Array[], t.inputs.map((i) => i.shape), t.shape, t.attrs));
    }
  }
  // Walk back from the roots over canonical inputs: whatever is not reached is dead.
  const live = new Set<Tensor>();
  const stack = roots.map(canonical);
  while (stack.length) {
    const t = stack.pop()!;
    if (live.has(t)) continue;
    live.add(t);
    if (!folded.has(t)) for (const i of t.inputs) stack.push(canonical(i));
  }
  const ops = [...live].filter((t) => t.kind === 'op' && !folded.has(t)).sort((a, b) => a.id - b.id);
  return { canonical, ops, live, merged, folded };
}
