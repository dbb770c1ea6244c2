// conv2d and its backward ops: each kernel (forward, backprop to the input,
// backprop to the filter) against the CPU reference on odd shapes (13 x 11
// images, 3 and 5 channels, batch 2: multiples of no register block), with
// stride 2, 'same' padding around odd kernels (3, 5), 'valid', dilation 2,
// mixed per-axis options; the CPU reference against hand-computed values
// ('same' padding split as TensorFlow does it); finite-difference checks of
// the gradients of all three ops (so gradients of gradients); MNIST-size
// dispatches within the 65535-workgroup limit; shape errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { Rng, compareToCpu, device, gradCheck, throwsWith, tiledDevice, uniform } from './helpers.js';
import { EXACT, GRAPH, convolution } from './tolerances.js';

const { ops } = sn;
type Shape = readonly number[];
type Options = sn.ops.Conv2dOptions;

interface Case { x: Shape; f: Shape; opts: Options; out: Shape }

const cases: Case[] = [
  { x: [2, 13, 11, 3], f: [3, 3, 3, 5], opts: {}, out: [2, 11, 9, 5] },
  { x: [2, 13, 11, 3], f: [3, 3, 3, 5], opts: { strides: 2, padding: 'same' }, out: [2, 7, 6, 5] },
  { x: [2, 13, 11, 5], f: [5, 5, 5, 3], opts: { padding: 'same' }, out: [2, 13, 11, 3] },
  { x: [2, 13, 11, 3], f: [5, 5, 3, 5], opts: { strides: 2, padding: 'same' }, out: [2, 7, 6, 5] },
  { x: [2, 13, 11, 5], f: [5, 5, 5, 3], opts: { strides: 2, padding: 'valid' }, out: [2, 5, 4, 3] },
  { x: [2, 13, 11, 3], f: [3, 3, 3, 5], opts: { dilations: 2 }, out: [2, 9, 7, 5] },
  { x: [2, 13, 11, 3], f: [3, 3, 3, 4], opts: { dilations: 2, padding: 'same' }, out: [2, 13, 11, 4] },
  { x: [2, 13, 11, 5], f: [3, 5, 5, 3], opts: { strides: [2, 1], dilations: [1, 2], padding: 'same' }, out: [2, 7, 11, 3] },
  { x: [1, 13, 11, 1], f: [1, 1, 1, 6], opts: { strides: [3, 2] }, out: [1, 5, 6, 6] },
  // Unpadded, few values per window (the unrolled kernel on CPU drivers: at most 27): 25 taps on one
  // channel with strides and dilations, 7 output channels (two groups, one partial); then 40 values (looped).
  { x: [2, 13, 11, 1], f: [5, 5, 1, 7], opts: { strides: [2, 1], dilations: [1, 2] }, out: [2, 5, 3, 7] },
  { x: [2, 13, 11, 2], f: [5, 4, 2, 7], opts: { strides: [2, 1], dilations: [1, 2] }, out: [2, 5, 5, 7] },
  // Stride and dilation 1: on CPU drivers the forward pass (unless fully unrolled) and the input
  // gradient run the row kernels (pixel blocks of at most 14 along a row; the cases above at stride 1
  // run them too, 37 channels in 3 channel blocks, 70 output channels in 5):
  // 'same' padding on one channel; a 5 x 3 filter on 2 channels with rows of 29 (3 blocks of 10, the
  // last partial); a 1 x 1 filter on 4 channels; a 3 x 5 filter on one channel with rows of 31 (3
  // blocks of 11).
  { x: [2, 13, 11, 1], f: [3, 3, 1, 5], opts: { padding: 'same' }, out: [2, 13, 11, 5] },
  { x: [1, 7, 29, 2], f: [5, 3, 2, 3], opts: { padding: 'same' }, out: [1, 7, 29, 3] },
  { x: [2, 5, 17, 4], f: [1, 1, 4, 3], opts: {}, out: [2, 5, 17, 3] },
  { x: [2, 9, 31, 1], f: [3, 5, 1, 4], opts: {}, out: [2, 7, 27, 4] },
  // More channels than one register block holds (16 on CPU drivers): several channel blocks, the last partial.
  { x: [2, 9, 7, 17], f: [3, 3, 17, 19], opts: { strides: 2, padding: 'same' }, out: [2, 5, 4, 19] },
  // Many filter blocks: on CPU drivers the filter gradient's 210 threads run in 27 workgroups of 8, the last partial.
  { x: [1, 6, 5, 37], f: [3, 3, 37, 70], opts: { padding: 'same' }, out: [1, 6, 5, 70] },
];

const describe = (c: Case) => `x ${JSON.stringify(c.x)} * f ${JSON.stringify(c.f)} ${JSON.stringify(c.opts)}`;

for (const c of cases) {
  test(`conv2d, backprop input, backprop filter: ${describe(c)} -> ${JSON.stringify(c.out)} match CPU`, async () => {
    const g = sn.graph();
    const x = g.input('x', c.x);
    const f = g.input('f', c.f);
    const dy = g.input('dy', c.out);
    const y = ops.conv2d(x, f, c.opts);
    assert.equal([...y.shape], [...c.out]);
    const dx = ops.conv2dBackpropInput(dy, f, c.x, c.opts);
    const df = ops.conv2dBackpropFilter(x, dy, c.f, c.opts);
    const [kh, kw, cin, cout] = c.f;
    const rng = new Rng(7);
    await compareToCpu(
      { y, dx, df },
      { x: uniform(c.x, rng), f: uniform(c.f, rng), dy: uniform(c.out, rng) },
      { tol: { y: convolution(kh * kw * cin), dx: convolution(kh * kw * cout), df: convolution(c.out[0] * c.out[1] * c.out[2]) } },
    );
  });
}

// The 4 x 4 register blocks chosen for GPUs (caps.matmul 'tiled'), on a device forced onto that variant.
for (const c of [cases[1], cases[7], cases[9]]) {
  test(`GPU variant (4 x 4 blocks): ${describe(c)} matches CPU`, async () => {
    const g = sn.graph();
    const x = g.input('x', c.x);
    const f = g.input('f', c.f);
    const dy = g.input('dy', c.out);
    const [kh, kw, cin, cout] = c.f;
    const rng = new Rng(8);
    await compareToCpu(
      { y: ops.conv2d(x, f, c.opts), dx: ops.conv2dBackpropInput(dy, f, c.x, c.opts), df: ops.conv2dBackpropFilter(x, dy, c.f, c.opts) },
      { x: uniform(c.x, rng), f: uniform(c.f, rng), dy: uniform(c.out, rng) },
      { device: await tiledDevice(), tol: { y: convolution(kh * kw * cin), dx: convolution(kh * kw * cout), df: convolution(c.out[0] * c.out[1] * c.out[2]) } },
    );
  });
}

// ------------------------------------------------------------------ known values

async function run(outputs: Record<string, sn.Tensor>, inputs: Record<string, number[]>): Promise<Record<string, number[]>> {
  const { gpu } = await compareToCpu(outputs, inputs, { tol: EXACT });
  return Object.fromEntries(Object.entries(gpu).map(([k, v]) => [k, [...v.data]]));
}

test("'same' puts the odd padding cell at the end (TensorFlow's split): width 4, filter width 2", async () => {
  const g = sn.graph();
  const x = g.input('x', [1, 1, 4, 1]);
  const f = g.input('f', [1, 2, 1, 1]);
  const out = await run({ y: ops.conv2d(x, f, { padding: 'same' }) }, { x: [1, 2, 3, 4], f: [1, 10] });
  assert.equal(out.y, [21, 32, 43, 4]); // padding on the right: [1 2 3 4 0]
});

test("'same' with stride 2 on an even width: out = ceil(4 / 2), one padding cell at the end", async () => {
  const g = sn.graph();
  const x = g.input('x', [1, 1, 4, 1]);
  const f = g.input('f', [1, 3, 1, 1]);
  const out = await run({ y: ops.conv2d(x, f, { padding: 'same', strides: 2 }) }, { x: [1, 2, 3, 4], f: [1, 10, 100] });
  assert.equal(out.y, [321, 43]); // windows [1 2 3] and [3 4 0]
});

test('a 2x2 filter over a 3x3 image, two output channels, and its backward ops by hand', async () => {
  const g = sn.graph();
  const x = g.input('x', [1, 3, 3, 1]);
  const f = g.input('f', [2, 2, 1, 2]);
  const dy = g.input('dy', [1, 2, 2, 2]);
  const out = await run(
    { y: ops.conv2d(x, f), dx: ops.conv2dBackpropInput(dy, f, [1, 3, 3, 1]), df: ops.conv2dBackpropFilter(x, dy, [2, 2, 1, 2]) },
    // f[.., 0] = [[1, 0], [0, 1]] (main diagonal sum), f[.., 1] = [[0, 1], [1, 0]]; dy = 1 on channel 0 only.
    { x: [1, 2, 3, 4, 5, 6, 7, 8, 9], f: [1, 0, 0, 1, 0, 1, 1, 0], dy: [1, 0, 1, 0, 1, 0, 1, 0] },
  );
  assert.equal(out.y, [6, 6, 8, 8, 12, 12, 14, 14]);
  // dx: how many of the four windows put a diagonal tap of f[.., 0] on each cell.
  assert.equal(out.dx, [1, 1, 0, 1, 2, 1, 0, 1, 1]);
  // df[ky, kx, 0, 0] = sum of the 2x2 block of x at offset (ky, kx); channel 1 got no gradient.
  assert.equal(out.df, [12, 0, 16, 0, 24, 0, 28, 0]);
});

test('dilation 2: a 2x2 filter reads cells two apart', async () => {
  const g = sn.graph();
  const x = g.input('x', [1, 3, 3, 1]);
  const f = g.input('f', [2, 2, 1, 1]);
  const out = await run({ y: ops.conv2d(x, f, { dilations: 2 }) }, { x: [1, 2, 3, 4, 5, 6, 7, 8, 9], f: [1, 10, 100, 1000] });
  assert.equal(out.y, [1 + 30 + 700 + 9000]);
});

// ------------------------------------------------------------------ gradients

const gen = (s: Shape, r: Rng) => uniform(s, r, -1, 1);

const gradCases: Case[] = [
  { x: [2, 7, 6, 3], f: [3, 3, 3, 4], opts: { strides: 2, padding: 'same' }, out: [2, 4, 3, 4] },
  { x: [2, 7, 6, 3], f: [3, 3, 3, 2], opts: { dilations: 2 }, out: [2, 3, 2, 2] },
  { x: [1, 6, 5, 2], f: [5, 5, 2, 3], opts: { padding: 'same' }, out: [1, 6, 5, 3] },
  { x: [2, 7, 5, 3], f: [3, 2, 3, 5], opts: { strides: [1, 2], dilations: [2, 1], padding: 'same' }, out: [2, 7, 3, 5] },
];

for (const c of gradCases) {
  test(`gradient of conv2d for x and filter: ${describe(c)}`, async () => {
    await gradCheck((x, f) => ops.conv2d(x, f, c.opts), [c.x, c.f], { gen, seed: 51, maxChecks: 32 });
  });
}

for (const c of gradCases.slice(0, 2)) {
  test(`gradient of conv2dBackpropInput for dy and filter: ${describe(c)}`, async () => {
    await gradCheck((dy, f) => ops.conv2dBackpropInput(dy, f, c.x, c.opts), [c.out, c.f], { gen, seed: 53, maxChecks: 24 });
  });
  test(`gradient of conv2dBackpropFilter for x and dy: ${describe(c)}`, async () => {
    await gradCheck((x, dy) => ops.conv2dBackpropFilter(x, dy, c.f, c.opts), [c.x, c.out], { gen, seed: 57, maxChecks: 24 });
  });
}

test('second derivative: d/d(x, f) of sum((d/dx sum(w * conv2d(x, f)^2))^2), GPU vs CPU', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 6, 5, 3]);
  const f = g.input('f', [3, 3, 3, 2]);
  const opts: Options = { strides: 2, padding: 'same' };
  const [dx] = g.grad(ops.square(ops.conv2d(x, f, opts)).sum(), [x]);
  const [ddx, ddf] = g.grad(ops.square(dx).sum(), [x, f]);
  const rng = new Rng(9);
  await compareToCpu({ dx, ddx, ddf }, { x: uniform([2, 6, 5, 3], rng), f: uniform([3, 3, 3, 2], rng) }, { tol: GRAPH });
});

test('conv2d and conv2dBackpropInput: the row kernels on CPU drivers at stride and dilation 1, the others otherwise', async () => {
  const d = await device();
  const kernelsOf = async (x: Shape, f: Shape, opts: Options) => {
    const g = sn.graph();
    const y = ops.conv2d(g.input('x', x), g.input('f', f), opts);
    const dx = ops.conv2dBackpropInput(g.input('dy', [...y.shape]), g.input('w', f), x, opts);
    const prog = await sn.compile(d, g, { outputs: { y, dx } });
    const labels = prog.plan.dispatches.map((x) => x.label).sort();
    prog.dispose();
    return labels;
  };
  const rows = d.caps.matmul === 'register';
  assert.equal(await kernelsOf([1, 7, 9, 4], [3, 3, 4, 2], { padding: 'same' }), rows ? ['conv2d rows 3x3', 'conv2dBackpropInput rows 3x3'] : ['conv2d 3x3', 'conv2dBackpropInput 3x3']);
  assert.equal(await kernelsOf([1, 7, 9, 37], [3, 3, 37, 2], { padding: 'same' }), rows ? ['conv2d rows 3x3', 'conv2dBackpropInput rows 3x3'] : ['conv2d 3x3', 'conv2dBackpropInput 3x3']);
  // Unpadded with few values per window, the forward pass keeps its fully unrolled kernel.
  assert.equal(await kernelsOf([1, 7, 9, 1], [3, 3, 1, 2], {}), rows ? ['conv2d unrolled 3x3', 'conv2dBackpropInput rows 3x3'] : ['conv2d 3x3', 'conv2dBackpropInput 3x3']);
  assert.equal(await kernelsOf([1, 7, 9, 1], [3, 3, 1, 2], { strides: 2, padding: 'same' }), ['conv2d 3x3', 'conv2dBackpropInput 3x3']);
  assert.equal(await kernelsOf([1, 7, 9, 1], [3, 3, 1, 2], { dilations: 2, padding: 'same' }), ['conv2d 3x3', 'conv2dBackpropInput 3x3']);
});

// ------------------------------------------------------------------ MNIST sizes

test('MNIST convnet sizes at batch 128: every dispatch within 65535 workgroups per dimension, forward matches CPU', async () => {
  const g = sn.graph();
  const x = g.input('x', [128, 28, 28, 1]);
  const f1 = g.input('f1', [3, 3, 1, 32]);
  const y1 = ops.conv2d(x, f1);
  const f2 = g.input('f2', [3, 3, 32, 64]);
  const h = g.input('h', [128, 13, 13, 32]);
  const y2 = ops.conv2d(h, f2);
  const [df1] = g.grad(y1.sum(), [f1]);
  const [dh, df2] = g.grad(y2.sum(), [h, f2]);
  const prog = await sn.compile(await device(), g, { outputs: { y1, df1, dh, df2 } });
  try {
    const labels = prog.plan.dispatches.map((d) => d.label);
    // The first layer (one channel, no padding) runs the unrolled kernel on CPU drivers.
    const forward = prog.device.caps.matmul === 'register' ? 'conv2d unrolled 3x3' : 'conv2d 3x3';
    const backpropInput = prog.device.caps.matmul === 'register' ? 'conv2dBackpropInput rows 3x3' : 'conv2dBackpropInput 3x3';
    for (const want of [forward, backpropInput, 'conv2dBackpropFilter 3x3']) assert.ok(labels.includes(want), `${want} in ${labels.join(', ')}`);
    for (const d of prog.plan.dispatches) for (const n of d.workgroups) assert.ok(n >= 1 && n <= 65535, `${d.label}: workgroups ${d.workgroups.join(' x ')}`);
  } finally {
    prog.dispose();
  }
  // The first layer's forward pass at full size, against the CPU.
  const g1 = sn.graph();
  const y = ops.conv2d(g1.input('x', [128, 28, 28, 1]), g1.input('f', [3, 3, 1, 32]));
  const rng = new Rng(3);
  await compareToCpu({ y }, { x: uniform([128, 28, 28, 1], rng, 0, 1), f: uniform([3, 3, 1, 32], rng) }, { tol: convolution(9) });
});

// ------------------------------------------------------------------ errors

test('shape errors name the op and the shapes', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 13, 11, 3]);
  await throwsWith(() => ops.conv2d(x, g.input('f', [3, 3, 4, 5])), sn.ShapeError, 'conv2d', '[2, 13, 11, 3]', '[3, 3, 4, 5]', 'channels');
  await throwsWith(() => ops.conv2d(g.input('v', [13, 11, 3]), g.input('f2', [3, 3, 3, 5])), sn.ShapeError, 'conv2d', '[13, 11, 3]');
  await throwsWith(() => ops.conv2d(x, g.input('f3', [15, 3, 3, 5])), sn.ShapeError, 'conv2d', '[15, 3, 3, 5]', 'empty output');
  await throwsWith(() => ops.conv2d(x, g.input('f4', [3, 3, 3, 5]), { strides: 0 }), sn.ShapeError, 'conv2d', 'strides');
  await throwsWith(() => ops.conv2d(x, g.input('f5', [3, 3, 3, 5]), { dilations: [1, 1.5] as unknown as [number, number] }), sn.ShapeError, 'dilations');
  await throwsWith(() => ops.conv2d(x, g.input('f6', [3, 3, 3, 5]), { padding: 'full' as 'same' }), sn.ShapeError, 'padding', 'full');
  await throwsWith(() => ops.conv2dBackpropInput(g.input('dy', [2, 11, 9, 4]), g.input('f7', [3, 3, 3, 5]), [2, 13, 11, 3]), sn.ShapeError, 'conv2dBackpropInput', '[2, 11, 9, 5]', '[2, 11, 9, 4]');
  await throwsWith(() => ops.conv2dBackpropFilter(x, g.input('dy2', [2, 11, 9, 5]), [3, 3, 3, 5], { padding: 'same' }), sn.ShapeError, 'conv2dBackpropFilter', '[2, 13, 11, 5]');
});

test.run();
