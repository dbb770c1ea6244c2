// Evaluates a graph on the CPU with every op's reference implementation: the
// oracle the GPU results are tested against, and the readable version of
// what a compiled program computes.
import { InputError, SinapsisError } from '../errors.js';
import type { Tensor } from '../graph/tensor.js';
import { getOp } from './op-registry.js';

export function interpret(
  outputs: readonly Tensor[],
  inputs: Readonly<Record<string, Float32Array | ArrayLike<number>>>,
  params: Readonly<Record<string, Float32Array>> = {},
): Float32Array[] {
  const values = new Map<Tensor, Float32Array>();
  const evaluate = (t: Tensor): Float32Array => {
    const known = values.get(t);
    if (known) return known;
    let v: Float32Array;
    if (t.kind === 'input') {
      const given = inputs[t.name!];
      if (!given) throw new InputError(`interpret: missing input '${t.name}'`);
      v = Float32Array.from(given);
    } else if (t.kind === 'param') {
      v = params[t.name!] ?? t.graph.paramInfo.get(t)!.init(t.shape);
    } else if (t.kind === 'const') {
      v = t.graph.constValues.get(t)!;
    } else {
      const args = t.inputs.map(evaluate);
      v = getOp(t.op).cpu(args, t.inputs.map((i) => i.shape), t.shape, t.attrs);
    }
    if (v.length !== t.size) throw new SinapsisError(`interpret: ${t} produced ${v.length} values`);
    values.set(t, v);
    return v;
  };
  // Evaluate in id order (topological) so deep graphs do not recurse deeply.
  const last = Math.max(...outputs.map((o) => o.id));
  const g = outputs[0]?.graph;
  const needed = new Set<Tensor>();
  const stack = [...outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (needed.has(t)) continue;
    needed.add(t);
    stack.push(...t.inputs);
  }
  if (g) for (let id = 0; id <= last; id++) if (needed.has(g.nodes[id])) evaluate(g.nodes[id]);
  return outputs.map(evaluate);
}
