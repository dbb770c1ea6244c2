// Reductions: sum, mean and max over single, several, negative and all axes,
// with and without keepDims, on odd shapes; the one-workgroup-per-output
// path for long reductions into few outputs; gradients.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { Rng, assertClose, compareToCpu, device, distinct, gradCheck, uniform } from './helpers.js';
import { ELEMENTWISE, EXACT, KNOWN, reduction, type Tol } from './tolerances.js';

const { ops } = sn;
type Shape = readonly number[];
type Kind = 'sum' | 'mean' | 'max';
const reducers: Record<Kind, (x: sn.Tensor, o: sn.ops.ReduceOptions) => sn.Tensor> = { sum: ops.sum, mean: ops.mean, max: ops.max };

interface Case { shape: Shape; axis?: number | number[]; keepDims?: boolean; out: Shape }

const cases: Case[] = [
  { shape: [37, 61], axis: 0, out: [61] },
  { shape: [37, 61], axis: 1, out: [37] },
  { shape: [37, 61], axis: -1, out: [37] },
  { shape: [37, 61], axis: -2, keepDims: true, out: [1, 61] },
  { shape: [37, 61], axis: [0, 1], out: [] },
  { shape: [37, 61], out: [] },
  { shape: [37, 61], keepDims: true, out: [1, 1] },
  { shape: [3, 5, 7, 2], axis: 1, out: [3, 7, 2] },
  { shape: [3, 5, 7, 2], axis: [1, 3], out: [3, 7] },
  { shape: [3, 5, 7, 2], axis: [0, 2], keepDims: true, out: [1, 5, 1, 2] },
  { shape: [3, 5, 7, 2], axis: [-1, 0], out: [5, 7] },
  { shape: [3, 5, 7, 2], axis: [2, 1], keepDims: true, out: [3, 1, 1, 2] },
  { shape: [3, 5, 7, 2], axis: [0, 1, 2], out: [2] },
  { shape: [3, 5, 7, 2], out: [] },
  { shape: [11], axis: 0, out: [] },
  { shape: [11], axis: -1, keepDims: true, out: [1] },
];

const reducedLength = (c: Case) => {
  const axes = c.axis === undefined ? c.shape.map((_, i) => i) : (Array.isArray(c.axis) ? c.axis : [c.axis]).map((a) => (a + c.shape.length) % c.shape.length);
  return axes.reduce((n, a) => n * c.shape[a], 1);
};

const tolFor = (kind: Kind, r: number): Tol => (kind === 'max' ? EXACT : reduction(r));

for (const kind of ['sum', 'mean', 'max'] as Kind[]) {
  for (const c of cases) {
    const what = `${kind} of ${JSON.stringify(c.shape)} axis ${JSON.stringify(c.axis)}${c.keepDims ? ' keepDims' : ''}`;
    test(`${what}: shape ${JSON.stringify(c.out)}, GPU matches CPU`, async () => {
      const g = sn.graph();
      const x = g.input('x', c.shape);
      const y = reducers[kind](x, { axis: c.axis, keepDims: c.keepDims });
      assert.equal([...y.shape], [...c.out]);
      await compareToCpu({ y }, { x: uniform(c.shape, new Rng(21), -1, 1) }, { tol: tolFor(kind, reducedLength(c)) });
    });
  }
}

test('reductions on known values (a [2, 3] matrix)', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 3]);
  const { gpu } = await compareToCpu(
    { s0: ops.sum(x, { axis: 0 }), s1: ops.sum(x, { axis: -1 }), m1: ops.mean(x, { axis: 1, keepDims: true }), mx0: ops.max(x, { axis: 0 }), all: ops.max(x), sAll: ops.sum(x) },
    { x: [1, -2, 3, 4, 5, -6] },
  );
  assert.equal([...gpu.s0.data], [5, 3, -3]);
  assert.equal([...gpu.s1.data], [2, 3]);
  assert.equal(gpu.m1.shape, [2, 1]);
  assertClose(gpu.m1.data, [2 / 3, 1], KNOWN, 'mean over axis 1');
  assert.equal([...gpu.mx0.data], [4, 5, 3]);
  assert.equal(gpu.all.shape, []);
  assert.equal([...gpu.all.data], [5]);
  assert.equal([...gpu.sAll.data], [5]);
});

test('max of all-negative values is negative (no 0 seeps in as an initial value)', async () => {
  const g = sn.graph();
  const x = g.input('x', [3, 1200]);
  const data = uniform([3, 1200], new Rng(4), -9, -1);
  const { gpu } = await compareToCpu({ a: ops.max(x, { axis: 1 }), b: ops.max(x, { axis: 0 }), c: ops.max(x) }, { x: data }, { tol: EXACT });
  assert.ok(gpu.a.data.every((v) => v < -1) && gpu.c.data[0] < -1, `${[...gpu.a.data]}`);
});

// Few outputs, long reduced length: the one-workgroup-per-output kernel.
const longCases: { shape: Shape; axis?: number | number[]; out: Shape }[] = [
  { shape: [3000], out: [] },
  { shape: [2, 1500], axis: 1, out: [2] },
  { shape: [1500, 2], axis: 0, out: [2] },
  { shape: [4, 40, 3, 30], axis: [1, 3], out: [4, 3] },
  { shape: [1025], axis: 0, out: [] },
  { shape: [63, 1024], axis: -1, out: [63] },
];

for (const kind of ['sum', 'mean', 'max'] as Kind[]) {
  for (const c of longCases) {
    test(`long ${kind} of ${JSON.stringify(c.shape)} axis ${JSON.stringify(c.axis)} -> ${JSON.stringify(c.out)}`, async () => {
      const g = sn.graph();
      const x = g.input('x', c.shape);
      const y = reducers[kind](x, { axis: c.axis });
      const r = c.shape.reduce((n, d) => n * d, 1) / c.out.reduce((n, d) => n * d, 1);
      const prog = await sn.compile(await device(), g, { outputs: { y } });
      const labels = prog.plan.dispatches.map((d) => d.label);
      prog.dispose();
      const expectWg = c.out.reduce((n, d) => n * d, 1) < 64;
      assert.ok(labels.includes(kind === 'max' ? (expectWg ? 'max_wg' : 'max') : expectWg ? 'sum_wg' : 'sum'), `kernels: ${labels.join(', ')}`);
      await compareToCpu({ y }, { x: uniform(c.shape, new Rng(8), -1, 1) }, { tol: tolFor(kind, r) });
    });
  }
}

// Long reductions over leading axes into few outputs (a conv bias gradient) run as two passes.
for (const kind of ['sum', 'mean', 'max'] as Kind[]) {
  test(`${kind} of [2, 37, 65, 5] over the leading axes runs in two passes (65 x 74 chunks) and matches the CPU`, async () => {
    const g = sn.graph();
    const x = g.input('x', [2, 37, 65, 5]);
    const y = reducers[kind](x, { axis: [0, 1, 2], keepDims: true });
    const prog = await sn.compile(await device(), g, { outputs: { y } });
    const shapes = prog.plan.dispatches.map((d) => `${d.label} -> [${d.node!.shape.join(', ')}]`);
    prog.dispose();
    const op = kind === 'max' ? 'max' : 'sum';
    assert.equal(shapes.slice(0, 2), [`${op} -> [74, 5]`, `${op} -> [5]`]);
    assert.equal(y.shape, [1, 1, 1, 5]);
    await compareToCpu({ y }, { x: uniform([2, 37, 65, 5], new Rng(9), -1, 1) }, { tol: tolFor(kind, 4810) });
  });
}

test('a long leading-axes sum whose length is prime stays one pass', async () => {
  const g = sn.graph();
  const x = g.input('x', [4099, 3]);
  const y = ops.sum(x, { axis: 0 });
  const prog = await sn.compile(await device(), g, { outputs: { y } });
  const labels = prog.plan.dispatches.map((d) => d.label);
  prog.dispose();
  assert.equal(labels, ['sum_wg']);
  await compareToCpu({ y }, { x: uniform([4099, 3], new Rng(10), -1, 1) }, { tol: tolFor('sum', 4099) });
});

test('long sum of a known ramp: sum(1..3000) = 4501500, mean = 1500.5', async () => {
  const g = sn.graph();
  const x = g.input('x', [3000]);
  const y = g.input('y', [2, 1500]);
  const data = Float32Array.from({ length: 3000 }, (_, i) => i + 1);
  const { gpu } = await compareToCpu(
    { s: ops.sum(x), m: ops.mean(x), rows: ops.sum(y, { axis: 1 }), mx: ops.max(y, { axis: 1 }) },
    { x: data, y: data },
    // Integer partial sums below 2^24 are exact in f32 whatever the order; the mean multiplies by 1/3000.
    { tol: { s: EXACT, rows: EXACT, mx: EXACT, m: ELEMENTWISE } },
  );
  assert.equal([...gpu.s.data], [4501500]);
  assertClose(gpu.m.data, [1500.5], KNOWN, 'mean(1..3000)');
  assert.equal([...gpu.rows.data], [1125750, 3375750]);
  assert.equal([...gpu.mx.data], [1500, 3000]);
});

// ------------------------------------------------------------------ gradients

const gradCases: { shape: Shape; axis?: number | number[]; keepDims?: boolean }[] = [
  { shape: [5, 7], axis: 0 },
  { shape: [5, 7], axis: -1, keepDims: true },
  { shape: [3, 4, 5], axis: [0, 2] },
  { shape: [3, 4, 5], axis: [-1, -2], keepDims: true },
  { shape: [3, 4, 5] },
];

for (const kind of ['sum', 'mean', 'max'] as Kind[]) {
  for (const c of gradCases) {
    test(`${kind} gradient, ${JSON.stringify(c.shape)} axis ${JSON.stringify(c.axis)}${c.keepDims ? ' keepDims' : ''}`, async () => {
      // max: distinct values 0.07 apart, so the argmax cannot change within +-h.
      const gen = kind === 'max' ? (s: Shape, r: Rng) => distinct(s, r, 0.07) : undefined;
      const { grads } = await gradCheck((x) => reducers[kind](x, { axis: c.axis, keepDims: c.keepDims }), [c.shape], { gen, seed: 17 });
      if (kind === 'max') {
        const outCount = c.shape.reduce((n, d) => n * d, 1) / reducedLength({ ...c, out: [] });
        assert.is(grads[0].filter((v) => v !== 0).length, outCount, 'max: one nonzero gradient per output');
      }
    });
  }
}

test('long reduction gradients ([2, 1500] over axis 1)', async () => {
  await gradCheck((x) => ops.sum(x, { axis: 1 }), [[2, 1500]], { gen: (s, r) => uniform(s, r, -1, 1), maxChecks: 24 });
  await gradCheck((x) => ops.max(x, { axis: 1 }), [[2, 1500]], { gen: (s, r) => distinct(s, r, 0.03), maxChecks: 24 });
});

test('max gradient splits evenly between ties', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 4]);
  const [dx] = g.grad(ops.mul(ops.max(x, { axis: 1 }), g.constant([3, 5], [2])).sum(), [x]);
  const { gpu } = await compareToCpu({ dx }, { x: [1, 7, 7, 2, 4, 4, 4, 0] });
  const want = [0, 1.5, 1.5, 0, 5 / 3, 5 / 3, 5 / 3, 0];
  assertClose(gpu.dx.data, want, KNOWN, 'max gradient with ties');
});

test('axis errors: out of range and repeated axes are ShapeErrors', () => {
  const g = sn.graph();
  const x = g.input('x', [2, 3]);
  assert.throws(() => ops.sum(x, { axis: 2 }), (e: Error) => e instanceof sn.ShapeError && /axis 2 is out of range for a tensor of rank 2/.test(e.message));
  assert.throws(() => ops.max(x, { axis: -3 }), (e: Error) => e instanceof sn.ShapeError && /axis -3/.test(e.message));
  assert.throws(() => ops.mean(x, { axis: [1, -1] }), (e: Error) => e instanceof sn.ShapeError && /twice/.test(e.message));
});

test.run();
