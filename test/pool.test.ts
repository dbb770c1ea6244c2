// Max and average pooling and their backward ops: every kernel (forward,
// maxPool2dGrad, maxPool2dGradGrad, avgPool2dGrad) against the CPU reference
// on odd shapes (13 x 11 images, 3 and 5 channels, batch 2) with 'valid'
// and 'same' padding, default and explicit strides, ties; hand-computed
// values for TensorFlow's 'same' split and for average pooling's border cells
// (divided by the cells inside the image); finite-difference checks of every
// gradient rule; a grid folded past 65535 workgroups; shape errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { Rng, compareToCpu, device, distinct, gradCheck, ints, throwsWith, uniform } from './helpers.js';
import { EXACT, pooling } from './tolerances.js';

const { ops } = sn;
type Shape = readonly number[];
type Options = sn.ops.Pool2dOptions;

interface Case { x: Shape; opts: Options; out: Shape; ties?: boolean }

const cases: Case[] = [
  { x: [2, 13, 11, 3], opts: {}, out: [2, 6, 5, 3] },
  { x: [2, 13, 11, 3], opts: { poolSize: 2, padding: 'same' }, out: [2, 7, 6, 3] },
  { x: [2, 13, 11, 5], opts: { poolSize: 3, strides: 2, padding: 'same' }, out: [2, 7, 6, 5] },
  { x: [2, 13, 11, 3], opts: { poolSize: 3, strides: 1, padding: 'same' }, out: [2, 13, 11, 3], ties: true },
  { x: [2, 13, 11, 5], opts: { poolSize: [3, 2], strides: [1, 2], padding: 'same' }, out: [2, 13, 6, 5] },
  { x: [2, 13, 11, 3], opts: { poolSize: 3, strides: 2 }, out: [2, 6, 5, 3], ties: true },
  { x: [2, 13, 11, 3], opts: { poolSize: [5, 3], strides: [2, 3], padding: 'same' }, out: [2, 7, 4, 3] },
  // Channels a multiple of 4: the kernels' vec4 path (4 channels per unit, each with its own largest cell).
  { x: [2, 13, 11, 4], opts: { poolSize: 3, strides: 2, padding: 'same' }, out: [2, 7, 6, 4] },
  { x: [2, 13, 11, 8], opts: { poolSize: 2 }, out: [2, 6, 5, 8], ties: true },
  { x: [2, 13, 11, 8], opts: { poolSize: [3, 2], strides: 1, padding: 'same' }, out: [2, 13, 11, 8] },
  // Strides past the pool size: cells between windows get no gradient.
  { x: [2, 13, 11, 4], opts: { poolSize: 2, strides: 3 }, out: [2, 4, 4, 4] },
  { x: [2, 13, 11, 3], opts: { poolSize: [2, 3], strides: [3, 4], padding: 'same' }, out: [2, 5, 3, 3], ties: true },
  { x: [2, 13, 11, 4], opts: { poolSize: 3, strides: 3, padding: 'same' }, out: [2, 5, 4, 4] },
];

const describe = (c: Case) => `x ${JSON.stringify(c.x)} ${JSON.stringify(c.opts)}`;

for (const c of cases) {
  test(`max/avg pooling and backward ops: ${describe(c)} -> ${JSON.stringify(c.out)} match CPU${c.ties ? ' (with ties)' : ''}`, async () => {
    const g = sn.graph();
    const x = g.input('x', c.x);
    const dy = g.input('dy', c.out);
    const ddx = g.input('ddx', c.x);
    const max = ops.maxPool2d(x, c.opts);
    const avg = ops.avgPool2d(x, c.opts);
    assert.equal([...max.shape], [...c.out]);
    assert.equal([...avg.shape], [...c.out]);
    const rng = new Rng(11);
    // Small integers give many ties: both sides must route them to the same (first) cell.
    const xs = c.ties ? ints(c.x, rng, 2) : distinct(c.x, rng);
    const [ph, pw] = typeof c.opts.poolSize === 'number' ? [c.opts.poolSize, c.opts.poolSize] : c.opts.poolSize ?? [2, 2];
    const [sh, sw] = typeof c.opts.strides === 'number' ? [c.opts.strides, c.opts.strides] : c.opts.strides ?? [ph, pw];
    const covering = Math.ceil(ph / sh) * Math.ceil(pw / sw);
    await compareToCpu(
      {
        max, avg,
        dmax: ops.maxPool2dGrad(x, dy, c.opts),
        davg: ops.avgPool2dGrad(dy, c.x, c.opts),
        gg: ops.maxPool2dGradGrad(x, ddx, c.opts),
      },
      { x: xs, dy: uniform(c.out, rng), ddx: uniform(c.x, rng) },
      { tol: { max: EXACT, gg: EXACT, avg: pooling(ph * pw), dmax: pooling(covering), davg: pooling(covering) } },
    );
  });
}

// ------------------------------------------------------------------ known values

async function run(outputs: Record<string, sn.Tensor>, inputs: Record<string, number[]>): Promise<Record<string, number[]>> {
  const { gpu } = await compareToCpu(outputs, inputs, { tol: pooling(9) });
  return Object.fromEntries(Object.entries(gpu).map(([k, v]) => [k, [...v.data]]));
}

test("'same' pads at the end (TensorFlow's split): pool 2, stride 1 on a row of 3", async () => {
  const g = sn.graph();
  const x = g.input('x', [1, 1, 3, 1]);
  const out = await run({ y: ops.maxPool2d(x, { poolSize: [1, 2], strides: 1, padding: 'same' }) }, { x: [1, 3, 2] });
  assert.equal(out.y, [3, 3, 2]); // windows [1 3], [3 2], [2 pad]
});

test('average pooling divides border windows by the cells inside the image', async () => {
  const g = sn.graph();
  const x = g.input('x', [1, 3, 3, 1]);
  const ones = g.input('ones', [1, 3, 3, 1]);
  const dy = g.input('dy', [1, 2, 2, 1]);
  const opts: Options = { poolSize: 2, padding: 'same' };
  const out = await run(
    { y: ops.avgPool2d(x, opts), flat: ops.avgPool2d(ones, opts), dx: ops.avgPool2dGrad(dy, [1, 3, 3, 1], opts) },
    { x: [0, 1, 2, 3, 4, 5, 6, 7, 8], ones: [1, 1, 1, 1, 1, 1, 1, 1, 1], dy: [4, 2, 2, 1] },
  );
  // Windows: rows {0,1} and {2}, columns {0,1} and {2}: 4, 2, 2 and 1 cells.
  assert.equal(out.y, [2, 3.5, 6.5, 8]);
  assert.equal(out.flat, [1, 1, 1, 1]);
  assert.equal(out.dx, [1, 1, 1, 1, 1, 1, 1, 1, 1]);
});

test('max pooling: the gradient goes to the first largest cell of a window; overlapping windows add up', async () => {
  const g = sn.graph();
  const x = g.input('x', [1, 3, 3, 1]);
  const dy = g.input('dy', [1, 2, 2, 1]);
  const opts: Options = { poolSize: 2, strides: 1 };
  const out = await run(
    { y: ops.maxPool2d(x, opts), dx: ops.maxPool2dGrad(x, dy, opts) },
    { x: [1, 1, 0, 1, 9, 1, 0, 1, 1], dy: [1, 10, 100, 1000] },
  );
  assert.equal(out.y, [9, 9, 9, 9]);
  assert.equal(out.dx, [0, 0, 0, 0, 1111, 0, 0, 0, 0]);
  const g2 = sn.graph();
  const x2 = g2.input('x', [1, 2, 2, 1]);
  const out2 = await run({ dx: ops.maxPool2dGrad(x2, g2.input('dy', [1, 1, 1, 1])) }, { x: [5, 5, 5, 5], dy: [7] });
  assert.equal(out2.dx, [7, 0, 0, 0]);
});

// ------------------------------------------------------------------ gradients

// Distinct values 0.07 apart: the finite-difference step (0.01) never changes a window's largest cell.
const spaced = (s: Shape, r: Rng) => distinct(s, r);
const gen = (s: Shape, r: Rng) => uniform(s, r, -1, 1);

const gradCases: { x: Shape; opts: Options; out: Shape }[] = [
  { x: [2, 7, 5, 3], opts: { poolSize: 3, strides: 2, padding: 'same' }, out: [2, 4, 3, 3] },
  { x: [2, 7, 5, 2], opts: { poolSize: [2, 3], strides: 1 }, out: [2, 6, 3, 2] },
  { x: [1, 5, 7, 3], opts: { poolSize: 2, padding: 'same' }, out: [1, 3, 4, 3] },
  { x: [1, 5, 7, 4], opts: { poolSize: 3, strides: 2, padding: 'same' }, out: [1, 3, 4, 4] },
];

for (const c of gradCases) {
  test(`gradients of maxPool2d and avgPool2d: x ${JSON.stringify(c.x)} ${JSON.stringify(c.opts)}`, async () => {
    await gradCheck((x) => ops.maxPool2d(x, c.opts), [c.x], { gen: spaced, seed: 61, maxChecks: 32 });
    await gradCheck((x) => ops.avgPool2d(x, c.opts), [c.x], { gen, seed: 63, maxChecks: 32 });
  });
}

for (const c of [gradCases[0], gradCases[3]]) test(`gradients of the backward ops: maxPool2dGrad (x, dy), maxPool2dGradGrad (x, ddx), avgPool2dGrad (dy): x ${JSON.stringify(c.x)}`, async () => {
  // x enters only through the routing, which is locally constant: its gradient is zero, as the rules say.
  const data = (n: number) => [distinct(c.x, new Rng(n))];
  await gradCheck((x, dy) => ops.maxPool2dGrad(x, dy, c.opts), [c.x, c.out], { data: data(1), gen, seed: 65, maxChecks: 24 });
  await gradCheck((x, ddx) => ops.maxPool2dGradGrad(x, ddx, c.opts), [c.x, c.x], { data: data(2), gen, seed: 67, maxChecks: 24 });
  await gradCheck((dy) => ops.avgPool2dGrad(dy, c.x, c.opts), [c.out], { gen, seed: 69, maxChecks: 24 });
});

test('second derivative through max and average pooling, GPU vs CPU', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 7, 5, 3]);
  const opts: Options = { poolSize: 3, strides: 2, padding: 'same' };
  const y = ops.add(ops.square(ops.maxPool2d(x, opts)), ops.square(ops.avgPool2d(x, opts))).sum();
  const [dx] = g.grad(y, [x]);
  const [ddx] = g.grad(ops.square(dx).sum(), [x]);
  await compareToCpu({ dx, ddx }, { x: distinct([2, 7, 5, 3], new Rng(13)) }, { tol: pooling(9) });
});

// ------------------------------------------------------------------ big grids

test('a grid past 65535 workgroups (16.8M outputs, 4 per thread) folds into two dimensions', async () => {
  // 4 outputs per thread x 64 threads x 65535 workgroups = 16,776,960 < 4097 * 4096.
  const shape = [1, 4097, 4096, 1];
  const g = sn.graph();
  const x = g.input('x', shape);
  const y = ops.avgPool2d(x, { poolSize: 1 });
  const prog = await sn.compile(await device(), g, { outputs: { y } });
  try {
    assert.equal(prog.plan.dispatches[0].workgroups.slice(0, 2), [65535, 2]);
    const data = new Float32Array(4097 * 4096);
    for (let i = 0; i < data.length; i++) data[i] = (i % 1021) - 510;
    const out = await prog.run({ x: data });
    let bad = 0;
    for (let i = 0; i < data.length; i++) if (out.y.data[i] !== data[i]) bad++;
    assert.is(bad, 0, 'every element copied once');
  } finally {
    prog.dispose();
  }
});

// ------------------------------------------------------------------ errors

test('shape errors name the op and the shapes', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 13, 11, 3]);
  await throwsWith(() => ops.maxPool2d(g.input('v', [13, 11, 3])), sn.ShapeError, 'maxPool2d', '[13, 11, 3]');
  await throwsWith(() => ops.avgPool2d(x, { poolSize: 14 }), sn.ShapeError, 'avgPool2d', '[14, 14]', '[2, 13, 11, 3]');
  await throwsWith(() => ops.maxPool2d(x, { poolSize: [2, 0] as [number, number] }), sn.ShapeError, 'maxPool2d', 'poolSize');
  await throwsWith(() => ops.maxPool2d(x, { padding: 'causal' as 'same' }), sn.ShapeError, 'maxPool2d', 'padding');
  await throwsWith(() => ops.maxPool2dGrad(x, g.input('dy', [2, 6, 5, 4])), sn.ShapeError, 'maxPool2dGrad', '[2, 6, 5, 3]', '[2, 6, 5, 4]');
  await throwsWith(() => ops.avgPool2dGrad(g.input('dy2', [2, 7, 6, 3]), [2, 13, 11, 3]), sn.ShapeError, 'avgPool2dGrad', '[2, 6, 5, 3]', '[2, 7, 6, 3]');
});

test.run();
