// ops.layerNorm as an op: forward and gradients (x, gamma, beta) on the GPU
// against the CPU reference, against the same normalization composed from
// mean, sub and sqrt, and against finite differences; the second
// derivative; shape errors.
import { test } from 'uvu';
import * as sn from '../src/index.js';
import { Rng, assertClose, compareToCpu, gradCheck, throwsWith, uniform } from './helpers.js';
import { GRAPH } from './tolerances.js';

const { ops } = sn;
type Shape = readonly number[];

for (const shape of [[3, 7], [2, 5, 13], [37, 33], [4, 100]] as Shape[]) {
  test(`layerNorm over the last axis of ${JSON.stringify(shape)}: forward and gradients = CPU = composed form`, async () => {
    const c = shape[shape.length - 1];
    const g = sn.graph();
    const x = g.input('x', shape);
    const gamma = g.input('gamma', [c]);
    const beta = g.input('beta', [c]);
    const w = g.input('w', shape);
    const y = ops.layerNorm(x, gamma, beta);
    const [dx, dgamma, dbeta] = g.grad(ops.sum(ops.mul(y, w)), [x, gamma, beta]);
    const composed = ops.composedLayerNorm(x, gamma, beta, 1e-3);
    const [cx, cg, cb] = g.grad(ops.sum(ops.mul(composed, w)), [x, gamma, beta]);
    const rng = new Rng(6);
    const data = { x: uniform(shape, rng, -2, 3), gamma: uniform([c], rng, 0.5, 1.5), beta: uniform([c], rng), w: uniform(shape, rng) };
    const { gpu } = await compareToCpu({ y, dx, dgamma, dbeta }, data, { tol: GRAPH });
    const { gpu: viaOps } = await compareToCpu({ y: composed, dx: cx, dgamma: cg, dbeta: cb }, data, { tol: GRAPH });
    for (const n of ['y', 'dx', 'dgamma', 'dbeta'] as const) assertClose(gpu[n].data, viaOps[n].data, GRAPH, `${n}: fused kernels vs composed ops`);
  });
}

test('layerNorm gradients against central finite differences', async () => {
  const gen = (s: Shape, r: Rng) => uniform(s, r, -1.5, 1.5);
  await gradCheck((x, gamma, beta) => ops.layerNorm(x, gamma, beta), [[4, 9], [9], [9]], { gen, maxChecks: 24 });
});

test('second derivative through layerNorm (the composed path) = CPU and finite differences', async () => {
  const gen = (s: Shape, r: Rng) => uniform(s, r, -1.5, 1.5);
  await gradCheck((x, gamma) => {
    const g = x.graph;
    const beta = g.constant(new Float32Array(5), [5]);
    const w = g.constant(uniform([3, 5], new Rng(3)), [3, 5]);
    const [dx, dgamma] = g.grad(ops.sum(ops.mul(ops.layerNorm(x, gamma, beta), w)), [x, gamma]);
    return ops.add(ops.mul(dx, dx), ops.mul(dgamma, 3));
  }, [[3, 5], [5]], { gen, maxChecks: 15 });
});

test('layerNorm shape errors name the op and the shapes', async () => {
  const g = sn.graph();
  const x = g.input('x', [4, 6]);
  await throwsWith(() => ops.layerNorm(x, g.input('g', [5]), g.input('b', [6])), sn.ShapeError, 'layerNorm', '[6]', '[5]', '[4, 6]');
  await throwsWith(() => ops.layerNorm(x, g.input('g2', [6]), g.input('b2', [6]), { epsilon: 0 }), sn.ShapeError, 'layerNorm', 'epsilon');
});

test.run();
