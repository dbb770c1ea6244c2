// Matmul: shapes that are multiples of no tile (4, 32, 64), every transpose
// combination, batched and broadcast batches, on BOTH kernel variants (the
// register-blocked one and the shared-memory tiled one, each forced through
// its own device), and gradients.
//
// Cost note: shapes are override constants, so every distinct shape and
// transpose is its own pipeline, and SwiftShader takes ~1.8 s to compile one
// tiled pipeline (~50 ms for the register one). The tiled device therefore
// runs the cases marked `tiled` (every transpose, tile edges, batched and
// both broadcast directions), and its gradient checks use square operands,
// whose backward matmuls reuse the forward pipelines.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { Rng, compareToCpu, device, gradCheck, plainRegisterDevice, tiledDevice, uniform } from './helpers.js';
import { EXACT, GRAPH, matmul as matmulTol } from './tolerances.js';

const { ops } = sn;
type Shape = readonly number[];

interface Case { a: Shape; b: Shape; tA?: boolean; tB?: boolean; out: Shape; tiled?: boolean }

/** Operand shapes as stored (a transposed operand is stored [.., k, m] / [.., n, k]). */
const cases: Case[] = [
  { a: [37, 61], b: [61, 29], out: [37, 29], tiled: true },
  { a: [61, 37], b: [61, 29], tA: true, out: [37, 29], tiled: true },
  { a: [37, 61], b: [29, 61], tB: true, out: [37, 29], tiled: true },
  { a: [61, 37], b: [29, 61], tA: true, tB: true, out: [37, 29], tiled: true },
  { a: [1, 1], b: [1, 1], out: [1, 1], tiled: true },
  { a: [1, 7], b: [7, 1], out: [1, 1] },
  { a: [5, 3], b: [3, 1], out: [5, 1] },
  { a: [65, 33], b: [33, 67], out: [65, 67], tiled: true },
  { a: [3, 70], b: [70, 2], out: [3, 2] },
  { a: [3, 13, 9], b: [3, 9, 6], out: [3, 13, 6], tiled: true },
  { a: [3, 9, 13], b: [3, 6, 9], tA: true, tB: true, out: [3, 13, 6] },
  { a: [2, 3, 5, 7], b: [7, 4], out: [2, 3, 5, 4], tiled: true },
  { a: [5, 7], b: [2, 3, 7, 4], out: [2, 3, 5, 4], tiled: true },
  { a: [2, 3, 7, 5], b: [4, 7], tA: true, tB: true, out: [2, 3, 5, 4] },
  { a: [1, 5, 7], b: [3, 7, 4], out: [3, 5, 4] },
  { a: [3, 5, 7], b: [2, 1, 7, 4], out: [2, 3, 5, 4] },
  // Narrow outputs (the register kernel's narrow block, N <= 16), with every transpose and a batch.
  { a: [37, 61], b: [61, 10], out: [37, 10] },
  { a: [61, 37], b: [13, 61], tA: true, tB: true, out: [37, 13] },
  { a: [61, 37], b: [61, 16], tA: true, out: [37, 16] },
  { a: [2, 19, 5], b: [2, 17, 5], tB: true, out: [2, 19, 17] },
  { a: [2, 19, 5], b: [2, 5, 7], out: [2, 19, 7] },
  // Workgroup sizes of the register kernel: outputs of fewer than 16 workgroups of 8 x 8
  // threads shrink the workgroup (65 x 67 above: to 4 x 1 threads), and its height is then
  // fitted to the rows of blocks (261 rows: 8 x 3 threads with or without shared loads,
  // 33 blocks of 8 rows or 17 of 16, the last one partial).
  { a: [261, 19], b: [19, 263], out: [261, 263] },
  { a: [19, 261], b: [263, 19], tA: true, tB: true, out: [261, 263] },
  // A weight gradient with 783 input features: 8 x 7 threads (see the workgroup test below).
  { a: [9, 783], b: [9, 517], tA: true, out: [783, 517] },
];

const name = (c: Case) => `${JSON.stringify(c.a)}${c.tA ? 'ᵀ' : ''} x ${JSON.stringify(c.b)}${c.tB ? 'ᵀ' : ''}`;
const innerDim = (c: Case) => (c.tA ? c.a[c.a.length - 2] : c.a[c.a.length - 1]);

// The register kernel runs twice: on the default device (on SwiftShader with bounds checks, lanes share
// A's loads: caps.matmulSharedA) and forced to plain loads.
for (const variant of ['register', 'register plain', 'tiled'] as const) {
  const dev = variant === 'register' ? () => device() : variant === 'tiled' ? () => tiledDevice() : () => plainRegisterDevice();
  const kernel = variant === 'tiled' ? 'tiled' : 'register';
  test(`${variant}: the device runs the ${kernel} kernel`, async () => {
    const d = await dev();
    assert.is(d.caps.matmul, kernel);
    const g = sn.graph();
    const y = ops.matmul(g.input('a', [2, 3]), g.input('b', [3, 2])); // the known-product test below reuses this pipeline
    const prog = await sn.compile(d, g, { outputs: { y } });
    assert.equal(prog.plan.dispatches.map((x) => x.label), [`matmul_${kernel}`]);
    prog.dispose();
  });
  for (const c of cases.filter((x) => variant !== 'tiled' || x.tiled)) {
    test(`${variant}: ${name(c)} -> ${JSON.stringify(c.out)} matches CPU`, async () => {
      const g = sn.graph();
      const y = ops.matmul(g.input('a', c.a), g.input('b', c.b), { transposeA: c.tA, transposeB: c.tB });
      assert.equal([...y.shape], [...c.out]);
      const rng = new Rng(31);
      await compareToCpu({ y }, { a: uniform(c.a, rng), b: uniform(c.b, rng) }, { device: await dev(), tol: matmulTol(innerDim(c)) });
    });
  }
  test(`${variant}: known product [[1,2,3],[4,5,6]] x [[7,8],[9,10],[11,12]] and its transposes`, async () => {
    const g = sn.graph();
    const a = g.input('a', [2, 3]);
    const b = g.input('b', [3, 2]);
    const outputs: Record<string, sn.Tensor> = { ab: ops.matmul(a, b) };
    if (variant !== 'tiled') {
      Object.assign(outputs, { ba: ops.matmul(b, a), aat: ops.matmul(a, a, { transposeB: true }), ata: ops.matmul(a, a, { transposeA: true }), btat: ops.matmul(b, a, { transposeA: true, transposeB: true }) });
    }
    const { gpu } = await compareToCpu(outputs, { a: [1, 2, 3, 4, 5, 6], b: [7, 8, 9, 10, 11, 12] }, { device: await dev(), tol: EXACT });
    assert.equal([...gpu.ab.data], [58, 64, 139, 154]);
    if (variant === 'tiled') return;
    assert.equal([...gpu.ba.data], [39, 54, 69, 49, 68, 87, 59, 82, 105]);
    assert.equal([...gpu.aat.data], [14, 32, 32, 77]);
    assert.equal([...gpu.ata.data], [17, 22, 27, 22, 29, 36, 27, 36, 45]);
    assert.equal([...gpu.btat.data], [58, 139, 64, 154]);
  });
}

test('register: lanes share A where subgroups are 4 lanes and bounds checks are on, and only in workgroups a multiple of 4 wide', async () => {
  const d = await device();
  const sizes = d.info.subgroupMinSize === 4 && d.info.subgroupMaxSize === 4;
  assert.is(d.caps.matmulSharedA, d.cpuDriver && d.robustness && sizes && d.gpu.features.has('subgroups'));
  assert.is((await plainRegisterDevice()).caps.matmulSharedA, false);
  const shaders = async (dev: sn.Device) => {
    const g = sn.graph();
    // 37 x 29: 4 x 4-thread workgroups; 37 x 10: a narrow block, 3 threads wide.
    const wide = ops.matmul(g.input('a', [37, 61]), g.input('b', [61, 29]));
    const narrow = ops.matmul(g.input('c', [37, 61]), g.input('d', [61, 10]));
    const prog = await sn.compile(dev, g, { outputs: { wide, narrow } });
    // Keyed by the workgroup's width, as the plan may order the two dispatches either way.
    const out = Object.fromEntries(prog.plan.dispatches.map((x) => [/@workgroup_size\((\d+)/.exec(x.shader)![1], /^enable subgroups;/m.test(x.shader) && /subgroupBroadcast\(/.test(x.shader)]));
    prog.dispose();
    return out;
  };
  assert.equal(await shaders(d), { 4: d.caps.matmulSharedA, 3: false });
  assert.equal(await shaders(await plainRegisterDevice()), { 4: false, 3: false });
  if (d.info.description.includes('SwiftShader') || d.info.architecture === 'swiftshader') assert.ok(d.caps.matmulSharedA, 'SwiftShader with bounds checks shares loads of A');
});

test('register: the workgroup height is fitted to the rows of blocks, so that no row of threads runs past the last', async () => {
  // 783 rows: 49 blocks of 16 rows (shared loads) or 98 of 8; 8 x 8 threads would leave
  // 7 or 6 rows of threads past the edge, 8 x 7 none.
  const heights = async (dev: sn.Device) => {
    const g = sn.graph();
    const tall = ops.matmul(g.input('a', [9, 783]), g.input('b', [9, 517]), { transposeA: true });
    const prog = await sn.compile(dev, g, { outputs: { tall } });
    const size = /@workgroup_size\((\d+), (\d+)/.exec(prog.plan.dispatches[0].shader)!;
    prog.dispose();
    return [Number(size[1]), Number(size[2])];
  };
  assert.equal(await heights(await device()), [8, 7]);
  assert.equal(await heights(await plainRegisterDevice()), [8, 7]);
});

// ------------------------------------------------------------------ gradients

const gradCases: Case[] = [
  { a: [5, 7], b: [7, 3], out: [5, 3] },
  { a: [7, 5], b: [7, 3], tA: true, out: [5, 3] },
  { a: [5, 7], b: [3, 7], tB: true, out: [5, 3] },
  { a: [7, 5], b: [3, 7], tA: true, tB: true, out: [5, 3] },
  { a: [2, 3, 4, 5], b: [5, 3], out: [2, 3, 4, 3] },
  { a: [4, 5], b: [2, 5, 3], out: [2, 4, 3] },
  { a: [2, 5, 4], b: [2, 3, 5], tA: true, tB: true, out: [2, 4, 3] },
  { a: [3, 4, 5], b: [2, 1, 5, 3], out: [2, 3, 4, 3] },
];

for (const c of gradCases) {
  test(`gradient of ${name(c)}`, async () => {
    const gen = (s: Shape, r: Rng) => uniform(s, r, -1, 1);
    await gradCheck((a, b) => ops.matmul(a, b, { transposeA: c.tA, transposeB: c.tB }), [c.a, c.b], { gen, seed: 41, maxChecks: 40 });
  });
}

// Square 6x6 operands: forward and backward of all four transposes need only the four
// pipelines NN, NT, TN, TT of 6x6x6. The broadcast batch case reuses its forward pipeline.
for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
  test(`tiled: gradient of 6x6${tA ? 'ᵀ' : ''} x 6x6${tB ? 'ᵀ' : ''}`, async () => {
    const gen = (s: Shape, r: Rng) => uniform(s, r, -1, 1);
    await gradCheck((a, b) => ops.matmul(a, b, { transposeA: tA, transposeB: tB }), [[6, 6], [6, 6]], { gen, seed: 43, device: await tiledDevice(), maxChecks: 12 });
  });
}

test('tiled: gradient of the broadcast batch [2, 3, 5, 7] x [7, 4]', async () => {
  const gen = (s: Shape, r: Rng) => uniform(s, r, -1, 1);
  await gradCheck((a, b) => ops.matmul(a, b), [[2, 3, 5, 7], [7, 4]], { gen, seed: 47, device: await tiledDevice(), maxChecks: 12 });
});

test('second derivative through matmul: d/dA of sum((A B)^2) fed back through grad', async () => {
  const g = sn.graph();
  const a = g.input('a', [3, 4]);
  const b = g.input('b', [4, 2]);
  const [da] = g.grad(ops.square(ops.matmul(a, b)).sum(), [a]);
  const [db] = g.grad(ops.square(da).sum(), [b]);
  const rng = new Rng(5);
  await compareToCpu({ da, db }, { a: uniform([3, 4], rng), b: uniform([4, 2], rng) }, { tol: GRAPH });
});

test.run();
