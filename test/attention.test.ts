// ops.dotProductAttention as an op: forward and gradients on the GPU (both
// kernel variants) against the CPU reference, against the same attention
// composed from matmul and softmax, and against finite differences; the
// second derivative; memory of a training step linear in t; shape errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { variantKey } from '../src/graph/kernel-binding.js';
import { buildPlan } from '../src/plan/plan.js';
import { Program } from '../src/exec/program.js';
import { defaultCaps } from '../src/graph/kernel-binding.js';
import { Rng, assertClose, compareToCpu, device, gradCheck, throwsWith, uniform } from './helpers.js';
import { GRAPH } from './tolerances.js';

const { ops } = sn;
type Shape = readonly number[];

interface Case { name: string; q: Shape; k: Shape; options: sn.ops.AttentionOptions }
const cases: Case[] = [
  { name: 'self attention t 13, heads 3, head size 7, batch 2', q: [2, 13, 3, 7], k: [2, 13, 3, 7], options: {} },
  { name: 'causal', q: [2, 13, 3, 7], k: [2, 13, 3, 7], options: { causal: true } },
  { name: 'cross attention tq 5, tk 11, scale 0.9', q: [2, 5, 3, 7], k: [2, 11, 3, 7], options: { scale: 0.9 } },
];

/** Attention and the gradients of sum(w * attention) for q, k, v. */
function build(g: sn.Graph, c: Case) {
  const q = g.input('q', c.q);
  const k = g.input('k', c.k);
  const v = g.input('v', c.k);
  const w = g.input('w', c.q);
  const o = ops.dotProductAttention(q, k, v, c.options);
  const [dq, dk, dv] = g.grad(ops.sum(ops.mul(o, w)), [q, k, v]);
  const composed = ops.composedAttention(q, k, v, { causal: c.options.causal ?? false, scale: c.options.scale ?? 1 / Math.sqrt(c.q[3]) });
  const [cq, ck, cv] = g.grad(ops.sum(ops.mul(composed, w)), [q, k, v]);
  return { outputs: { o, dq, dk, dv }, composed: { o: composed, dq: cq, dk: ck, dv: cv } };
}

for (const c of cases) {
  test(`attention ${c.name}: forward and gradients, both kernels, = CPU reference = matmul/softmax composition`, async () => {
    const g = sn.graph();
    const { outputs, composed } = build(g, c);
    const rng = new Rng(9);
    const data = { q: uniform(c.q, rng), k: uniform(c.k, rng), v: uniform(c.k, rng), w: uniform(c.q, rng) };
    const { gpu } = await compareToCpu(outputs, data, { tol: GRAPH });
    const { gpu: viaMatmul } = await compareToCpu(composed, data, { tol: GRAPH });
    for (const n of ['o', 'dq', 'dk', 'dv'] as const) assertClose(gpu[n].data, viaMatmul[n].data, GRAPH, `${n}: fused kernels vs matmul/softmax composition`);
    const dev = await device();
    const nodes = g.nodes.filter((t) => t.op.startsWith('attention'));
    for (const variant of ['rows', 'tiled']) {
      const plan = buildPlan(g, { outputs }, { ...dev.caps, choices: new Map(nodes.map((t) => [variantKey(t), variant])) });
      const prog = await Program.create(dev, plan);
      try {
        const out = await prog.run(data);
        for (const n of ['o', 'dq', 'dk', 'dv'] as const) assertClose(out[n].data, gpu[n].data, GRAPH, `${n} with the '${variant}' kernels`);
      } finally {
        prog.dispose();
      }
    }
  });
}

test('attention gradients against central finite differences of the forward pass (causal, t 6, heads 2, head size 5)', async () => {
  const gen = (s: Shape, r: Rng) => uniform(s, r);
  await gradCheck((q, k, v) => ops.dotProductAttention(q, k, v, { causal: true }), [[1, 6, 2, 5], [1, 6, 2, 5], [1, 6, 2, 5]], { gen, maxChecks: 24 });
});

test('second derivative: the gradient of attention differentiated again (the composed path) = CPU and finite differences', async () => {
  const gen = (s: Shape, r: Rng) => uniform(s, r);
  await gradCheck((q, k, v) => {
    const g = q.graph;
    const w = g.constant(uniform([1, 4, 2, 3], new Rng(2)), [1, 4, 2, 3]);
    const [dq, dk, dv] = g.grad(ops.sum(ops.mul(ops.dotProductAttention(q, k, v, { causal: true }), w)), [q, k, v]);
    return ops.add(ops.add(ops.mul(dq, dq), ops.mul(dk, 2)), ops.mul(dv, dq));
  }, [[1, 4, 2, 3], [1, 4, 2, 3], [1, 4, 2, 3]], { gen, maxChecks: 16 });
});

test('a training step with attention takes memory linear in t: nothing of size t x t (planned bytes at t = 64, 256, 1024)', async () => {
  const bytes: number[] = [];
  for (const t of [64, 256, 1024]) {
    const g = sn.graph();
    const x = g.input('x', [1, t, 4, 16]);
    const wq = g.param('wq', [16, 16]);
    const q = ops.matmul(x, wq);
    const o = ops.dotProductAttention(q, x, x, { causal: true });
    const loss = ops.mean(ops.square(o));
    const plan = buildPlan(g, { outputs: { loss }, minimize: { loss, optimizer: sn.optimizers.adam() } }, defaultCaps);
    bytes.push(plan.memory.plannedBytes);
  }
  // Linear: 4x the positions, about 4x the bytes (quadratic would be 16x).
  assert.ok(bytes[1] / bytes[0] < 4.5 && bytes[2] / bytes[1] < 4.5, `planned bytes ${bytes.join(' / ')}`);
});

test('attention shape errors name the op and every shape', async () => {
  const g = sn.graph();
  const q = g.input('q', [2, 5, 3, 7]);
  await throwsWith(() => ops.dotProductAttention(q, g.input('k', [2, 5, 3, 8]), g.input('v', [2, 5, 3, 8])), sn.ShapeError, 'dotProductAttention', '[2, 5, 3, 7]', '[2, 5, 3, 8]');
  await throwsWith(() => ops.dotProductAttention(q, g.input('k2', [2, 6, 3, 7]), g.input('v2', [2, 6, 3, 7]), { causal: true }), sn.ShapeError, 'dotProductAttention', 'causal', '[2, 6, 3, 7]');
  await throwsWith(() => ops.dotProductAttention(q, g.input('k3', [2, 6, 3, 7]), g.input('v3', [2, 5, 3, 7])), sn.ShapeError, 'dotProductAttention', '[2, 6, 3, 7]', '[2, 5, 3, 7]');
  await throwsWith(() => ops.dotProductAttention(g.input('q4', [5, 3, 7]), q, q), sn.ShapeError, 'dotProductAttention', '[5, 3, 7]');
});

test.run();
