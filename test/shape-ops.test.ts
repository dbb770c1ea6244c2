// Data movement (reshape, transpose, slice, pad, concat) and softmax /
// logSoftmax: GPU vs CPU on odd shapes, known values, and gradients.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { Rng, assertClose, compareToCpu, device, gradCheck, uniform } from './helpers.js';
import { EXACT, KNOWN, SOFTMAX } from './tolerances.js';

const { ops } = sn;
type Shape = readonly number[];
const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i);
const size = (s: Shape) => s.reduce((n, d) => n * d, 1);
const gen = (s: Shape, r: Rng) => uniform(s, r, -1, 1);

// ------------------------------------------------------------------ reshape

test('reshape: -1 is inferred, values keep their row-major order, the result is a view', async () => {
  const g = sn.graph();
  const x = g.input('x', [3, 5, 7]);
  const a = ops.reshape(x, [-1, 7]);
  const b = ops.reshape(x, [5, -1]);
  const c = ops.reshape(x, [105]);
  assert.equal([...a.shape], [15, 7]);
  assert.equal([...b.shape], [5, 21]);
  assert.is(ops.reshape(x, [3, 5, 7]), x, 'reshape to the same shape is the identity');
  // Through an op so the reshape views an intermediate buffer, not the input.
  const d = ops.reshape(ops.neg(x), [7, -1, 3]);
  const { gpu } = await compareToCpu({ a, b, c, d }, { x: ramp(105) }, { tol: EXACT });
  assert.equal([...gpu.c.data], [...ramp(105)]);
  assert.equal(gpu.d.shape, [7, 5, 3]);
  assert.equal(gpu.d.data[104], -104);
  const prog = await sn.compile(await device(), g, { outputs: { a, b, c } });
  assert.is(prog.plan.dispatches.length, 0, 'reshapes of an input need no kernel');
  prog.dispose();
});

test('reshape: gradient', async () => {
  await gradCheck((x) => ops.reshape(ops.square(x), [-1, 2, 3]), [[4, 3, 2]], { gen });
});

// ------------------------------------------------------------------ transpose

const perms: [Shape, number[] | undefined][] = [
  [[3, 5, 7], [2, 0, 1]],
  [[3, 5, 7], [0, 2, 1]],
  [[3, 5, 7], [1, 0, 2]],
  [[3, 5, 7], undefined],
  [[2, 3, 4, 5], [3, 1, 0, 2]],
  [[2, 3, 4, 5], [0, 2, 3, 1]],
  [[2, 3, 4, 5], [1, 0, 3, 2]],
  [[37, 61], [1, 0]],
  [[1, 5, 1, 3], [3, 2, 1, 0]],
];

for (const [shape, perm] of perms) {
  test(`transpose ${JSON.stringify(shape)} perm ${JSON.stringify(perm)}: GPU matches CPU exactly`, async () => {
    const g = sn.graph();
    const x = g.input('x', shape);
    const y = ops.transpose(x, perm);
    const p = perm ?? shape.map((_, i) => shape.length - 1 - i);
    assert.equal([...y.shape], p.map((i) => shape[i]));
    const { gpu } = await compareToCpu({ y }, { x: ramp(size(shape)) }, { tol: EXACT });
    // Independent check of one element: out[c] = x[c permuted back].
    const coords = y.shape.map((d) => d - 1);
    const inCoords = new Array<number>(shape.length);
    p.forEach((src, d) => { inCoords[src] = coords[d]; });
    const flat = (cs: number[], s: Shape) => cs.reduce((acc, c, i) => acc * s[i] + c, 0);
    assert.is(gpu.y.data[size(shape) - 1], flat(inCoords, shape));
  });
}

test('transpose: known 2x3 values', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 3]);
  const { gpu } = await compareToCpu({ y: ops.transpose(x) }, { x: [1, 2, 3, 4, 5, 6] }, { tol: EXACT });
  assert.equal(gpu.y.toArray(), [[1, 4], [2, 5], [3, 6]]);
});

test('transpose: gradients (3-D and 4-D)', async () => {
  await gradCheck((x) => ops.transpose(ops.square(x), [2, 0, 1]), [[3, 4, 5]], { gen });
  await gradCheck((x) => ops.transpose(x, [3, 1, 0, 2]), [[2, 3, 2, 5]], { gen });
});

// ------------------------------------------------------------------ slice

test('slice: begin/size (with -1) on odd shapes, GPU matches CPU exactly', async () => {
  const g = sn.graph();
  const x = g.input('x', [5, 7, 3]);
  const outs = {
    a: ops.slice(x, [1, 2, 0], [3, 4, 3]),
    b: ops.slice(x, [4, 0, 2], [1, -1, 1]),
    c: ops.slice(x, [2], [2]),
    d: ops.slice(x, [0, 6, 1], [5, 1, 2]),
  };
  assert.equal([...outs.b.shape], [1, 7, 1]);
  assert.equal([...outs.c.shape], [2, 7, 3]);
  const { gpu } = await compareToCpu(outs, { x: ramp(105) }, { tol: EXACT });
  assert.equal(gpu.a.data[0], 1 * 21 + 2 * 3);
  assert.equal([...gpu.b.data], [86, 89, 92, 95, 98, 101, 104]);
  assert.equal([...gpu.c.data], [...ramp(105).slice(42, 84)]);
  assert.is(ops.slice(x, [0, 0, 0]), x, 'a slice of everything is the identity');
});

test('slice: out of range is a ShapeError naming the shapes', () => {
  const g = sn.graph();
  const x = g.input('x', [5, 7]);
  assert.throws(() => ops.slice(x, [3, 0], [3, 7]), (e: Error) => e instanceof sn.ShapeError && e.message.includes('[5, 7]') && e.message.includes('axis 0'));
});

test('slice: gradient (zero outside the block)', async () => {
  const { grads, w } = await gradCheck((x) => ops.slice(x, [1, 2, 0], [3, 4, 2]), [[5, 7, 3]], { gen, maxChecks: 105 });
  assert.is(grads[0][0], 0);
  assert.is(grads[0][(1 * 7 + 2) * 3], w[0], 'the first element of the block gets w[0]');
});

// ------------------------------------------------------------------ pad

test('pad: GPU matches CPU exactly, zeros around the block', async () => {
  const g = sn.graph();
  const x = g.input('x', [3, 4, 2]);
  const y = ops.pad(x, [[1, 2], [0, 3], [2, 1]]);
  assert.equal([...y.shape], [6, 7, 5]);
  const z = ops.pad(g.input('v', [3]), [[2, 1]]);
  const { gpu } = await compareToCpu({ y, z }, { x: ramp(24).map((v) => v + 1), v: [7, 8, 9] }, { tol: EXACT });
  assert.equal([...gpu.z.data], [0, 0, 7, 8, 9, 0]);
  const nonzero = gpu.y.data.filter((v) => v !== 0).length;
  assert.is(nonzero, 24);
  assert.is(gpu.y.data[(1 * 7 + 0) * 5 + 2], 1);
});

test('pad: gradient', async () => {
  await gradCheck((x) => ops.pad(x, [[1, 2], [0, 3], [2, 1]]), [[3, 4, 2]], { gen });
});

// ------------------------------------------------------------------ concat

test('concat: 2 and 3 inputs along a middle axis, first and last axes, negative axis', async () => {
  const g = sn.graph();
  const a = g.input('a', [3, 2, 5]);
  const b = g.input('b', [3, 4, 5]);
  const c = g.input('c', [3, 1, 5]);
  const d = g.input('d', [2, 2, 5]);
  const outs = {
    ab: ops.concat([a, b], 1),
    abc: ops.concat([a, b, c], 1),
    neg: ops.concat([c, a], -2),
    first: ops.concat([a, d], 0),
    last: ops.concat([a, a], 2),
  };
  assert.equal([...outs.abc.shape], [3, 7, 5]);
  assert.equal([...outs.first.shape], [5, 2, 5]);
  const rng = new Rng(3);
  const { gpu } = await compareToCpu(outs, { a: uniform([3, 2, 5], rng), b: uniform([3, 4, 5], rng), c: uniform([3, 1, 5], rng), d: uniform([2, 2, 5], rng) }, { tol: EXACT });
  assert.equal(gpu.last.shape, [3, 2, 10]);
});

test('concat: known values along axis 1', async () => {
  const g = sn.graph();
  const a = g.input('a', [2, 1]);
  const b = g.input('b', [2, 2]);
  const c = g.input('c', [2, 1]);
  const { gpu } = await compareToCpu({ y: ops.concat([a, b, c], 1) }, { a: [1, 2], b: [3, 4, 5, 6], c: [7, 8] }, { tol: EXACT });
  assert.equal(gpu.y.toArray(), [[1, 3, 4, 7], [2, 5, 6, 8]]);
});

test('concat: gradients of 2 and 3 inputs', async () => {
  await gradCheck((a, b) => ops.concat([a, b], 1), [[3, 2, 4], [3, 3, 4]], { gen });
  await gradCheck((a, b, c) => ops.concat([ops.square(a), b, c], 1), [[2, 2, 3], [2, 1, 3], [2, 3, 3]], { gen });
});

test('concat: mismatched shapes are a ShapeError naming all shapes', () => {
  const g = sn.graph();
  const a = g.input('a', [3, 2]);
  const b = g.input('b', [4, 3]);
  assert.throws(() => ops.concat([a, b], 1), (e: Error) => e instanceof sn.ShapeError && e.message.includes('[3, 2]') && e.message.includes('[4, 3]'));
});

// ------------------------------------------------------------------ softmax

for (const [name, f] of [['softmax', ops.softmax], ['logSoftmax', ops.logSoftmax]] as const) {
  test(`${name}: last axis (default) and axis 0 on [5, 7, 3] and [17, 10], GPU matches CPU`, async () => {
    const g = sn.graph();
    const x = g.input('x', [5, 7, 3]);
    const z = g.input('z', [17, 10]);
    const rng = new Rng(13);
    const { gpu } = await compareToCpu(
      { last: f(x), axis0: f(x, 0), mid: f(x, -2), rows: f(z), cols: f(z, 0) },
      { x: uniform([5, 7, 3], rng, -3, 3), z: uniform([17, 10], rng, -3, 3) },
      { tol: SOFTMAX },
    );
    // Rows sum to 1 (softmax) or their exps do (logSoftmax), along the chosen axis.
    const p = (v: number) => (name === 'softmax' ? v : Math.exp(v));
    for (let r = 0; r < 17; r++) {
      let s = 0;
      for (let j = 0; j < 10; j++) s += p(gpu.rows.data[r * 10 + j]);
      assertClose([s], [1], KNOWN, `row ${r} sum`);
    }
    for (let j = 0; j < 10; j++) {
      let s = 0;
      for (let r = 0; r < 17; r++) s += p(gpu.cols.data[r * 10 + j]);
      assertClose([s], [1], KNOWN, `column ${j} sum`);
    }
  });

  test(`${name}: rows with large values (1000) stay finite and exact`, async () => {
    const g = sn.graph();
    const x = g.input('x', [3, 3]);
    const data = [1000, 999, 1001, -1000, -1001, -999, 0, 1000, -1000];
    const { gpu } = await compareToCpu({ y: f(x), t: f(x, 0) }, { x: data }, { tol: SOFTMAX });
    assert.ok(gpu.y.data.every((v) => !Number.isNaN(v) && (name === 'softmax' ? Number.isFinite(v) : v > -3000)), `${[...gpu.y.data]}`);
    // Row 0 is softmax([0, -1, 1]) shifted by 1000.
    const e = [Math.exp(-1), Math.exp(-2), 1];
    const s = e[0] + e[1] + e[2];
    const want = e.map((v) => (name === 'softmax' ? v / s : Math.log(v / s)));
    assertClose(gpu.y.data.slice(0, 3), want, KNOWN, 'row [1000, 999, 1001]');
    assertClose([gpu.y.data[7]], [name === 'softmax' ? 1 : 0], KNOWN, 'the 1000 of row [0, 1000, -1000]');
  });

  test(`${name}: gradients (last axis and axis 0)`, async () => {
    const g3 = (s: Shape, r: Rng) => uniform(s, r, -2, 2);
    await gradCheck((x) => f(x), [[4, 5]], { gen: g3 });
    await gradCheck((x) => f(x, 0), [[4, 3, 2]], { gen: g3 });
  });
}

test('softmax of a scalar and of a single column is 1', async () => {
  const g = sn.graph();
  const x = g.input('x', [4, 1]);
  const { gpu } = await compareToCpu({ y: ops.softmax(x), l: ops.logSoftmax(x) }, { x: [3, -2, 500, 0] }, { tol: EXACT });
  assert.equal([...gpu.y.data], [1, 1, 1, 1]);
  assert.equal([...gpu.l.data], [0, 0, 0, 0]);
});

test('a chain of data movement: pad(slice(transpose(x))) concat with reshape, and its gradient', async () => {
  await gradCheck(
    (x, y) => ops.concat([ops.pad(ops.slice(ops.transpose(x, [1, 0, 2]), [1, 0, 1], [3, 2, 2]), [[0, 0], [1, 0], [0, 1]]), ops.reshape(y, [3, 2, 3])], 1),
    [[2, 4, 3], [18]],
    { gen },
  );
});

test.run();
