// The programs a model compiles, each one static graph replayed per batch:
//   train(b):  forward with dropout on, loss + penalties, backward, optimizer step;
//              outputs the mean loss and the batch sums of each metric.
//   eval(b):   forward in inference mode with a row mask (the last batch is padded),
//              outputs masked sums of the per-sample loss and metrics.
//   predict(b): forward in inference mode, outputs the predictions.
import { SinapsisError } from '../errors.js';
import { Graph } from '../graph/graph.js';
import type { Initializer, Tensor } from '../graph/tensor.js';
import type { Shape } from '../graph/shape.js';
import * as ops from '../ops/index.js';
import { inScope, type Layer, type LayerContext, type SymbolicTensor } from './layers/layer.js';
import { getLoss, perSampleLoss } from './losses.js';
import { canonicalMetric, perSampleMetric } from './metrics.js';

export interface Topology {
  input: SymbolicTensor;
  output: SymbolicTensor;
  /** Layer applications in dependency order. */
  nodes: SymbolicTensor[];
}

/** Orders the layer applications between input and output. */
export function topology(input: SymbolicTensor, output: SymbolicTensor): Topology {
  const order: SymbolicTensor[] = [];
  const seen = new Set<SymbolicTensor>();
  const visit = (t: SymbolicTensor) => {
    if (seen.has(t)) return;
    seen.add(t);
    if (!t.layer && t !== input) throw new SinapsisError(`model: the output depends on the input '${t.name}', which is not the model's input '${input.name}'`);
    t.inputs.forEach(visit);
    if (t.layer) order.push(t);
  };
  visit(output);
  // Weights are named '<layer>/<weight>': two different layers of one name would share them by accident.
  const byName = new Map<string, Layer>();
  for (const n of order) {
    const other = byName.get(n.layer!.name);
    if (other && other !== n.layer) throw new SinapsisError(`model: two different layers are named '${n.layer!.name}'; layer names must be unique in a model`);
    byName.set(n.layer!.name, n.layer!);
  }
  return { input, output, nodes: order };
}

export function layersOf(topo: Topology): Layer[] {
  return [...new Set(topo.nodes.map((n) => n.layer!))];
}

export interface Traced {
  graph: Graph;
  x: Tensor;
  pred: Tensor;
  /** Sum of the layers' weight penalties (undefined when there are none). */
  penalty: Tensor | undefined;
  /** State updates the layers asked for (training only). */
  updates: { param: Tensor; value: Tensor }[];
}

/** Builds the forward pass of the model for a batch of `batch` samples. */
export function trace(topo: Topology, batch: number, training: boolean, initial: (name: string) => Float32Array | undefined): Traced {
  const graph = new Graph();
  const x = graph.input('x', [batch, ...topo.input.shape], topo.input.dtype);
  const losses: Tensor[] = [];
  const updates: { param: Tensor; value: Tensor }[] = [];
  const ctx: LayerContext = {
    graph,
    training,
    param(layer: Layer, weight: string, shape: Shape, init: Initializer, trainable = true) {
      const name = `${layer.name}/${weight}`;
      const existing = graph.paramsByName.get(name);
      if (existing) return existing;
      return graph.param(name, shape, (s) => initial(name) ?? init(s), { trainable });
    },
    addLoss: (t) => losses.push(t),
    addUpdate: (param, value) => { if (training) updates.push({ param, value }); },
  };
  const values = new Map<SymbolicTensor, Tensor>([[topo.input, x]]);
  for (const node of topo.nodes) {
    const layer = node.layer!;
    graph.scope = `layer '${layer.name}' (${layer.className})`;
    values.set(node, inScope(graph, () => layer.call(node.inputs.map((i) => values.get(i)!), ctx)));
  }
  graph.scope = undefined;
  const penalty = losses.reduce<Tensor | undefined>((a, t) => (a ? ops.add(a, t) : t), undefined);
  return { graph, x, pred: values.get(topo.output)!, penalty, updates };
}

/** Shape of the `y` input: the loss's targets for predictions of `predShape` (class labels drop the last axis). */
export function targetShape(loss: string, predShape: Shape): number[] {
  return getLoss(loss).targetShape(predShape);
}

export function trainGraph(traced: Traced, loss: string, metrics: readonly string[]) {
  const { graph, pred, penalty } = traced;
  const y = graph.input('y', targetShape(loss, pred.shape));
  const dataLoss = ops.mean(perSampleLoss(loss, pred, y));
  const total = penalty ? ops.add(dataLoss, penalty) : dataLoss;
  const outputs: Record<string, Tensor> = { loss: total };
  for (const m of metrics) outputs[canonicalMetric(m)] = ops.sum(perSampleMetric(m, pred, y, loss));
  return { outputs, loss: total, updates: traced.updates };
}

export function evalGraph(traced: Traced, loss: string, metrics: readonly string[]) {
  const { graph, pred, penalty } = traced;
  const batch = pred.shape[0];
  const y = graph.input('y', targetShape(loss, pred.shape));
  const mask = graph.input('mask', [batch]);
  const masked = (t: Tensor) => ops.sum(ops.mul(t, mask));
  const outputs: Record<string, Tensor> = { loss: masked(perSampleLoss(loss, pred, y)) };
  if (penalty) outputs.penalty = penalty;
  for (const m of metrics) outputs[canonicalMetric(m)] = masked(perSampleMetric(m, pred, y, loss));
  return { outputs };
}
