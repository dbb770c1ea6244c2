// The training part of a plan: which parameters the optimizer updates and
// the graph nodes of their gradients (autodiff appends them to the graph).
import { SinapsisError, fmtShape } from '../errors.js';
import { grad } from '../graph/autodiff.js';
import type { Graph } from '../graph/graph.js';
import type { Tensor } from '../graph/tensor.js';

export interface Training {
  /** Trainable parameters the loss depends on, each updated by the optimizer. */
  trainable: Tensor[];
  /** d loss / d param, one per trainable parameter. */
  grads: Tensor[];
}

/** Every node `t` depends on, itself included. */
function dependencies(t: Tensor): Set<Tensor> {
  const deps = new Set<Tensor>();
  const stack = [t];
  while (stack.length) {
    const n = stack.pop()!;
    if (deps.has(n)) continue;
    deps.add(n);
    stack.push(...n.inputs);
  }
  return deps;
}

/** minimize.params, if given: params of this graph only. */
function checkParams(graph: Graph, given: unknown): void {
  if (given === undefined) return;
  if (!Array.isArray(given)) throw new SinapsisError(`compile: minimize.params must be an array of params of the graph, got ${typeof given}`);
  given.forEach((p, i) => {
    const what = p && typeof p === 'object' && 'kind' in p ? String(p) : typeof p;
    if (!p || typeof p !== 'object' || !('graph' in p) || p.kind !== 'param') throw new SinapsisError(`compile: minimize.params[${i}] must be a param (g.param(...)), got ${what}`);
    if (p.graph !== graph) throw new SinapsisError(`compile: minimize.params[${i}] (${what}) belongs to another graph`);
  });
}

/** The parameters `loss` trains (minimize.params, or every trainable one it depends on) and their gradients. */
export function differentiate(graph: Graph, minimize: { loss: Tensor; params?: readonly Tensor[] } | undefined): Training {
  if (!minimize) return { trainable: [], grads: [] };
  const { loss } = minimize;
  if (!loss || typeof loss !== 'object' || !('graph' in loss)) throw new SinapsisError('compile: minimize.loss must be a graph tensor (a scalar)');
  if (loss.graph !== graph) throw new SinapsisError('compile: minimize.loss belongs to another graph');
  if (loss.size !== 1) throw new SinapsisError(`compile: minimize.loss must be a scalar, got shape ${fmtShape(loss.shape)}`);
  checkParams(graph, minimize.params);
  const deps = dependencies(loss);
  const trainable = (minimize.params ?? graph.params).filter((p) => deps.has(p) && graph.paramInfo.get(p)?.trainable !== false);
  return { trainable, grads: grad(loss, trainable) };
}
