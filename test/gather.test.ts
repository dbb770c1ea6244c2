// Integer tensors and the indexing ops: int32 inputs (checked on the host),
// gather on every axis with indices of several shapes (TF.js's output
// shape), its scatter-add gradient in both variants (segment sums and
// atomics) against the CPU reference and finite differences, and oneHot.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { variantKey } from '../src/graph/kernel-binding.js';
import { buildPlan } from '../src/plan/plan.js';
import { Program } from '../src/exec/program.js';
import { Rng, assertClose, compareToCpu, device, gradCheck, throwsWith, uniform } from './helpers.js';
import { EXACT, reduction } from './tolerances.js';

const { ops } = sn;
type Shape = readonly number[];

/** Int32 indices in [0, dim), every value of the range used when there are enough. */
const ids = (n: number, dim: number, rng: Rng) => Int32Array.from({ length: n }, (_, i) => (i < dim ? i : rng.int(dim)));

const cases: { x: Shape; idx: Shape; axis: number; out: Shape }[] = [
  { x: [7, 5], idx: [11], axis: 0, out: [11, 5] },
  { x: [7, 5], idx: [3, 4], axis: 0, out: [3, 4, 5] },
  { x: [3, 13, 5], idx: [2, 9], axis: 1, out: [3, 2, 9, 5] },
  { x: [3, 4, 6], idx: [5], axis: 2, out: [3, 4, 5] },
  { x: [3, 4, 6], idx: [5], axis: -1, out: [3, 4, 5] },
  { x: [300, 3], idx: [2, 17], axis: 0, out: [2, 17, 3] },
];

for (const c of cases) {
  test(`gather x ${JSON.stringify(c.x)} indices ${JSON.stringify(c.idx)} axis ${c.axis} -> ${JSON.stringify(c.out)}: GPU = CPU, and its gradient (both kernels) = CPU and finite differences`, async () => {
    const rng = new Rng(3);
    const axis = c.axis < 0 ? c.axis + c.x.length : c.axis;
    const idxData = ids(c.idx.reduce((a, b) => a * b, 1), c.x[axis], rng);
    const g = sn.graph();
    const x = g.input('x', c.x);
    const idx = g.input('idx', c.idx, 'int32');
    const y = ops.gather(x, idx, c.axis);
    assert.equal([...y.shape], [...c.out]);
    assert.is(y.dtype, 'float32');
    const dy = g.input('dy', c.out);
    const dx = ops.gatherGrad(dy, idx, c.x, c.axis);
    const data = { x: uniform(c.x, rng), idx: idxData, dy: uniform(c.out, rng) };
    // Each index may repeat: a row of dx sums up to count / dim + 1 rows of dy.
    const repeats = Math.ceil(idxData.length / c.x[axis]) + 1;
    await compareToCpu({ y, dx }, data, { tol: { y: EXACT, dx: reduction(repeats) } });
    // Both scatter kernels, forced.
    const dev = await device();
    const [expected] = sn.interpret([dx], data);
    for (const variant of ['segments', 'atomic']) {
      const plan = buildPlan(g, { outputs: { dx } }, { ...dev.caps, choices: new Map([[variantKey(dx), variant]]) });
      assert.ok(plan.dispatches.some((d) => d.label.includes(variant)), `${variant} planned: ${plan.dispatches.map((d) => d.label).join(', ')}`);
      const prog = await Program.create(dev, plan);
      try {
        assertClose((await prog.run(data)).dx.data, expected, reduction(repeats), `gatherGrad '${variant}'`);
      } finally {
        prog.dispose();
      }
    }
    await gradCheck((xs) => ops.gather(xs, xs.graph.input('i', c.idx, 'int32'), c.axis), [c.x], { fixed: { i: idxData }, gen: (s, r) => uniform(s, r) });
  });
}

test('oneHot: int32 ids -> float32 rows of depth; an id outside [0, depth) gives zeros', async () => {
  const g = sn.graph();
  const idx = g.input('idx', [2, 3], 'int32');
  const y = ops.oneHot(idx, 4);
  assert.equal([...y.shape], [2, 3, 4]);
  const { gpu } = await compareToCpu({ y }, { idx: new Int32Array([0, 3, 1, 2, -1, 4]) }, { tol: EXACT });
  assert.equal([...gpu.y.data], [1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('the second derivative through gather: d/d(dy) of gatherGrad is gather', async () => {
  await gradCheck((dy) => ops.gatherGrad(dy, dy.graph.input('i', [6], 'int32'), [4, 3]), [[6, 3]], { fixed: { i: new Int32Array([3, 0, 3, 1, 2, 3]) }, gen: (s, r) => uniform(s, r) });
});

test('int32 inputs: integer values only, named; float ops refuse them; reshape views them', async () => {
  const g = sn.graph();
  const idx = g.input('idx', [2, 2], 'int32');
  const x = g.input('x', [5, 3]);
  await throwsWith(() => ops.add(idx, 1), sn.ShapeError, 'add', 'float32', 'int32');
  await throwsWith(() => ops.gather(x, x), sn.ShapeError, 'gather', 'int32', 'float32');
  await throwsWith(() => ops.oneHot(idx, 0), sn.ShapeError, 'oneHot', 'depth');
  const flat = ops.reshape(idx, [4]);
  assert.is(flat.dtype, 'int32');
  const y = ops.gather(x, flat);
  const prog = await sn.compile(await device(), g, { outputs: { y } });
  try {
    await throwsWith(() => prog.run({ x: new Float32Array(15), idx: [0, 1.5, 2, 3] }), sn.InputError, "'idx'", 'element 1', '1.5');
    const out = await prog.run({ x: Float32Array.from({ length: 15 }, (_, i) => i), idx: sn.tensor([[4, 0], [2, 2]], undefined, 'int32') });
    assert.equal([...out.y.data], [12, 13, 14, 0, 1, 2, 6, 7, 8, 6, 7, 8]);
  } finally {
    prog.dispose();
  }
  assert.ok(sn.tensor([1, 2, 3], [3], 'int32').data instanceof Int32Array);
  assert.is(sn.tensor([1, 2, 3], [3], 'int32').dtype, 'int32');
  assert.equal([...sn.tensor([[16777217, 2]], undefined, 'int32').data], [16777217, 2], 'ids past 2^24 keep their value');
  await throwsWith(() => sn.tensor([1, 2.5], [2], 'int32'), sn.InputError, 'element 1', '2.5');
  await throwsWith(() => g.input('bad', [2], 'int64' as 'int32'), sn.InputError, 'dtype');
});

test.run();
