// The course's two computational graphs, built with the engine, with every
// intermediate node named so a backpropagation walk-through can print its
// forward value and its adjoint (d output / d node).
//
//   graph 1: f(x1, x2, x3) = (4 x2 + x2^2 + 3 x3,  x1 x2 + 3 x3); at (1, 2, 2) = (18, 8)
//   graph 2: f(x, y) = (x / y + 5)^2 + x;                        at (6, 2)    = 70,
//            df/dx = 2 (x/y + 5) / y + 1 = 9,  df/dy = -2 (x/y + 5) x / y^2 = -24
//
// g.grad(f, [node, ...]) accepts any node of the graph as x, not only
// inputs: the adjoint of an intermediate node is the gradient of the output
// with respect to it. A node the output does not depend on gets 0.
import * as sn from '../../src/index.js';

/** A graph whose nodes are named for printing: inputs first, then intermediates, then outputs. */
export interface NamedGraph {
  graph: sn.Graph;
  /** Every node of the walk-through, in forward (creation) order, by name. */
  nodes: Record<string, sn.Tensor>;
  /** The outputs, by name (each a one-element tensor, so each has adjoints). */
  outputs: Record<string, sn.Tensor>;
  /** The point the course evaluates it at. */
  at: Record<string, number>;
}

/** f(x1, x2, x3) = (4 x2 + x2^2 + 3 x3, x1 x2 + 3 x3), split into one node per operation. */
export function graphOne(): NamedGraph {
  const g = sn.graph();
  const x1 = g.input('x1', [1]);
  const x2 = g.input('x2', [1]);
  const x3 = g.input('x3', [1]);
  const a = x2.mul(4); //        a = 4 x2
  const b = x2.square(); //      b = x2^2
  const c = x3.mul(3); //        c = 3 x3   (shared by both outputs)
  const d = a.add(b); //         d = a + b
  const f1 = d.add(c); //        f1 = d + c
  const e = x1.mul(x2); //       e = x1 x2
  const f2 = e.add(c); //        f2 = e + c
  return {
    graph: g,
    nodes: { x1, x2, x3, 'a = 4*x2': a, 'b = x2^2': b, 'c = 3*x3': c, 'd = a + b': d, 'f1 = d + c': f1, 'e = x1*x2': e, 'f2 = e + c': f2 },
    outputs: { f1, f2 },
    at: { x1: 1, x2: 2, x3: 2 },
  };
}

/** f(x, y) = (x / y + 5)^2 + x, split into one node per operation. */
export function graphTwo(): NamedGraph {
  const g = sn.graph();
  const x = g.input('x', [1]);
  const y = g.input('y', [1]);
  const a = x.div(y); //   a = x / y
  const b = a.add(5); //   b = a + 5
  const c = b.square(); // c = b^2
  const f = c.add(x); //   f = c + x
  return {
    graph: g,
    nodes: { x, y, 'a = x/y': a, 'b = a + 5': b, 'c = b^2': c, 'f = c + x': f },
    outputs: { f },
    at: { x: 6, y: 2 },
  };
}

/** One row of the walk-through: a node's forward value and, per output, its adjoint. */
export interface NodeReport {
  name: string;
  value: number;
  /** d output / d node, by output name. */
  adjoint: Record<string, number>;
}

/**
 * Compiles one program whose outputs are every node's value and, for every
 * output f, the adjoints g.grad(f, nodes) of all nodes, runs it once at
 * `inputs` (default: the graph's course point) and returns one row per node.
 */
export async function walkThrough(device: sn.Device, ng: NamedGraph, inputs: Record<string, number> = ng.at): Promise<NodeReport[]> {
  const names = Object.keys(ng.nodes);
  const nodes = names.map((n) => ng.nodes[n]);
  const outputs: Record<string, sn.Tensor> = {};
  names.forEach((n, i) => { outputs[`value ${i}`] = nodes[i]; });
  for (const [fName, f] of Object.entries(ng.outputs)) {
    ng.graph.grad(f, nodes).forEach((d, i) => { outputs[`d${fName}/d ${i}`] = d; });
  }
  const prog = await sn.compile(device, ng.graph, { outputs });
  try {
    const feed: Record<string, number[]> = {};
    for (const [k, v] of Object.entries(inputs)) feed[k] = [v];
    const out = await prog.run(feed);
    return names.map((name, i) => ({
      name,
      value: out[`value ${i}`].data[0],
      adjoint: Object.fromEntries(Object.keys(ng.outputs).map((f) => [f, out[`d${f}/d ${i}`].data[0]])),
    }));
  } finally {
    prog.dispose();
  }
}

/** The walk-through as a text table: node, forward value, one adjoint column per output. */
export function formatReport(rows: readonly NodeReport[]): string {
  const outs = Object.keys(rows[0]?.adjoint ?? {});
  const width = Math.max(4, ...rows.map((r) => r.name.length));
  const num = (v: number) => (Object.is(v, -0) ? 0 : v).toFixed(4).padStart(10);
  const header = `${'node'.padEnd(width)}  ${'value'.padStart(10)}${outs.map((f) => `  ${`d${f}/dnode`.padStart(10)}`).join('')}`;
  const lines = rows.map((r) => `${r.name.padEnd(width)}  ${num(r.value)}${outs.map((f) => `  ${num(r.adjoint[f])}`).join('')}`);
  return [header, '-'.repeat(header.length), ...lines].join('\n');
}
