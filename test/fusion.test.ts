// Fusion (src/plan/fusion.ts, src/ops/fused.ts): elementwise chains run as
// one kernel, a chain that starts from a matmul or conv2d runs in that
// kernel's store, and a chain read only by a reduction runs in the
// reduction's loads. Each case checks both what the plan contains (the
// dispatch labels: proof that fusion happened, or did not where it must not)
// and the values against the CPU reference, on odd shapes with operands
// broadcast along different axes, for both matmul kernel families.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { Rng, compareToCpu, device, tiledDevice, uniform } from './helpers.js';
import { GRAPH, convolution, matmul as matmulTol } from './tolerances.js';

const ops = sn.ops;

async function labels(outputs: Record<string, sn.Tensor>, dev: sn.Device): Promise<string[]> {
  const prog = await sn.compile(dev, outputs[Object.keys(outputs)[0]].graph, { outputs });
  try {
    return prog.plan.dispatches.map((d) => d.label);
  } finally {
    prog.dispose();
  }
}

for (const [family, getDevice] of [['register', device], ['tiled', tiledDevice]] as const) {
  test(`dense layer (${family}): matmul + bias + relu is one dispatch and matches the CPU on 13x37 x 37x19`, async () => {
    const dev = await getDevice();
    const g = sn.graph();
    const x = g.input('x', [13, 37]);
    const w = g.input('w', [37, 19]);
    const b = g.input('b', [19]);
    const y = ops.relu(ops.matmul(x, w).add(b));
    assert.equal(await labels({ y }, dev), [`matmul_${family}+add+relu`]);
    const rng = new Rng(3);
    await compareToCpu({ y }, { x: uniform([13, 37], rng), w: uniform([37, 19], rng), b: uniform([19], rng) }, { device: dev, tol: matmulTol(37) });
  });

  test(`batched transposed matmul (${family}) with a chain of three ops over operands broadcast by row and by column`, async () => {
    const dev = await getDevice();
    const g = sn.graph();
    const a = g.input('a', [3, 11, 6]);
    const bm = g.input('bm', [3, 9, 11]);
    const row = g.input('row', [3, 6, 1]);
    const col = g.input('col', [9]);
    // (a^T b^T) is [3, 6, 9]; scaled per row, shifted per column, then tanh.
    const y = ops.tanh(ops.matmul(a, bm, { transposeA: true, transposeB: true }).mul(row).sub(col));
    assert.equal(await labels({ y }, dev), [`matmul_${family}_tA_tB+mul+sub+tanh`]);
    const rng = new Rng(4);
    await compareToCpu({ y }, { a: uniform([3, 11, 6], rng), bm: uniform([3, 9, 11], rng), row: uniform([3, 6, 1], rng), col: uniform([9], rng) }, { device: dev, tol: matmulTol(11) });
  });

  test(`conv2d (${family}) + bias + relu is one dispatch and matches the CPU (13x11 images, 3 -> 5 channels, stride 2, 'same')`, async () => {
    const dev = await getDevice();
    const g = sn.graph();
    const x = g.input('x', [2, 13, 11, 3]);
    const f = g.input('f', [3, 3, 3, 5]);
    const b = g.input('b', [5]);
    const y = ops.relu(ops.conv2d(x, f, { strides: 2, padding: 'same' }).add(b));
    assert.equal((await labels({ y }, dev)).map((l) => l.replace(/ \dx\d/, '')), ['conv2d+add+relu']);
    const rng = new Rng(5);
    await compareToCpu({ y }, { x: uniform([2, 13, 11, 3], rng), f: uniform([3, 3, 3, 5], rng), b: uniform([5], rng) }, { device: dev, tol: convolution(27) });
  });
}

for (const [channels, pool, stride] of [[8, 2, 2], [3, 2, 2], [4, 3, 1]] as const) {
  test(`relu backward runs in the max-pool backward kernel (${channels} channels, pool ${pool}, stride ${stride}) and dx matches the CPU`, async () => {
    const g = sn.graph();
    const x = g.input('x', [2, 7, 9, channels]);
    const r = ops.relu(x.sub(0.1));
    const p = ops.maxPool2d(r, { poolSize: pool, strides: stride });
    const w = g.input('w', p.shape);
    const [dx] = g.grad(p.mul(w).sum(), [x]);
    const l = await labels({ dx }, await device());
    assert.ok(l.includes(`maxPool2dGrad ${pool}x${pool}+step+mul`), l.join(', '));
    const rng = new Rng(13 + channels);
    await compareToCpu({ dx }, { x: uniform([2, 7, 9, channels], rng), w: uniform(p.shape, rng) }, { tol: GRAPH });
  });
}

test('elementwise chain: one kernel for a diamond with broadcast operands and literal scalars', async () => {
  const g = sn.graph();
  const x = g.input('x', [5, 7]);
  const r = g.input('r', [5, 1]);
  const c = g.input('c', [7]);
  const t = x.mul(r);
  // t is read twice inside the chain (a diamond); 0.5 and 2 become literals.
  const y = ops.sigmoid(t.mul(0.5)).add(t.square()).sub(c).mul(2);
  assert.equal(await labels({ y }, await device()), ['mul+mul+sigmoid+square+add+sub+mul']);
  const rng = new Rng(6);
  await compareToCpu({ y }, { x: uniform([5, 7], rng), r: uniform([5, 1], rng), c: uniform([7], rng) }, { tol: GRAPH });
});

test('a value read outside the chain, or requested as an output, keeps its own buffer', async () => {
  const g = sn.graph();
  const x = g.input('x', [6, 5]);
  const h = ops.tanh(x.add(1));
  const y = h.mul(3).sum({ axis: 1 });
  const z = h.exp();
  // h feeds two chains (mul -> sum, exp), so add+tanh is a chain of its own; mul runs in the reduction's loads.
  assert.equal(await labels({ y, z }, await device()), ['add+tanh', 'mul+sum', 'exp']);
  // Asking for h itself as an output changes nothing about it, and the values still agree.
  await compareToCpu({ y, z, h }, { x: uniform([6, 5], new Rng(7)) }, { tol: GRAPH });
  // A matmul whose output is requested is not fused into the add that follows it.
  const m = ops.matmul(x, g.input('w', [5, 3]));
  assert.equal(await labels({ m, s: m.add(1) }, await device()), ['matmul_register', 'add']);
});

test('reductions compute their input with the chain that produces it: one pass, two passes and one workgroup per output, sum and max', async () => {
  const g = sn.graph();
  const x = g.input('x', [64, 9, 9, 5]);
  const row = g.input('row', [5]);
  const t = g.input('t', [2049, 3]);
  const u = g.input('u', [7, 13]);
  // [64, 9, 9, 5] -> [5]: 5184 values per output, split into two passes (the chain runs in the first).
  const bias = x.mul(row).sub(0.25).sum({ axis: [0, 1, 2] });
  // [2049, 3] -> [3]: few long reductions, one workgroup each.
  const ss = t.sub(0.5).square().sum({ axis: 0 });
  // [7, 13] -> [7, 1]: many short ones; max with keepDims, over a broadcast operand.
  const m = ops.abs(u.mul(row.sum().add(1))).max({ axis: 1, keepDims: true });
  const l = await labels({ bias, ss, m }, await device());
  assert.equal(l, ['mul+sub+sum', 'sum', 'sub+square+sum_wg', 'sum', 'add', 'mul+abs+max'], l.join(', '));
  const rng = new Rng(21);
  await compareToCpu({ bias, ss, m }, { x: uniform([64, 9, 9, 5], rng), row: uniform([5], rng), t: uniform([2049, 3], rng), u: uniform([7, 13], rng) }, { tol: GRAPH });
});

test('a chain also read outside the reduction keeps its own buffer', async () => {
  const g = sn.graph();
  const a = g.input('a', [6, 11]);
  const p = a.mul(a.add(1));
  const y = p.sum({ axis: 0 });
  const z = p.exp();
  assert.equal(await labels({ y, z }, await device()), ['add+mul', 'sum', 'exp']);
  await compareToCpu({ y, z }, { a: uniform([6, 11], new Rng(22)) }, { tol: GRAPH });
});

test('a broadcast read only by elementwise kernels is never materialised; one a matmul reads is', async () => {
  const g = sn.graph();
  const x = g.input('x', [5, 7]);
  const r = g.input('r', [5, 1]);
  const w = g.input('w', [7, 3]);
  const b = ops.broadcastTo(r, [5, 7]);
  // Two chains and a reduction's prologue read b: each reads r through a broadcast index.
  const y = x.mul(b);
  const z = ops.exp(x.add(b));
  const s = b.mul(x).sum({ axis: 0 });
  assert.equal(await labels({ y, z, s }, await device()), ['mul', 'add+exp', 'mul+sum']);
  const rng = new Rng(23);
  const inputs = { x: uniform([5, 7], rng), r: uniform([5, 1], rng), w: uniform([7, 3], rng) };
  await compareToCpu({ y, z, s }, inputs, { tol: GRAPH });
  // A matmul reads its operands' buffers: that broadcast is computed.
  const m = ops.matmul(ops.broadcastTo(g.input('c', [1, 7]), [5, 7]), w);
  assert.equal(await labels({ m }, await device()), ['broadcastTo', 'matmul_register']);
});

test('the gradient of a two-pass reduction (broadcasts of reshaped broadcasts) is read through composed indices, never materialised', async () => {
  const g = sn.graph();
  const x = g.input('x', [64, 9, 9, 5]);
  const w = g.input('w', [64, 9, 9, 5]);
  const v = g.input('v', [5]);
  // sum over [0, 1, 2] runs in two passes; its gradient broadcasts [5] to [72, 5], reshapes, broadcasts again, reshapes back.
  const y = x.mul(w).sum({ axis: [0, 1, 2] });
  const [dx] = g.grad(y.mul(v).sum(), [x]);
  const l = await labels({ dx }, await device());
  assert.not.ok(l.some((d) => d === 'broadcastTo'), l.join(', '));
  const rng = new Rng(24);
  await compareToCpu({ dx }, { x: uniform([64, 9, 9, 5], rng), w: uniform([64, 9, 9, 5], rng), v: uniform([5], rng) }, { tol: GRAPH });
});

/** Whether the one elementwise dispatch of the plan for `outputs` reads and writes four values at a time. */
async function vec4Chain(outputs: Record<string, sn.Tensor>): Promise<boolean> {
  const prog = await sn.compile(await device(), outputs[Object.keys(outputs)[0]].graph, { outputs });
  try {
    assert.is(prog.plan.dispatches.length, 1, prog.plan.dispatches.map((d) => d.label).join(', '));
    return /var<storage, read_write> out: array<vec4f>/.test(prog.plan.dispatches[0].shader);
  } finally {
    prog.dispose();
  }
}

test('a chain whose last dimension is a multiple of 4 runs four values at a time: whole rows, broadcast rows and columns, literals', async () => {
  const g = sn.graph();
  const x = g.input('x', [3, 5, 12]);
  const row = g.input('row', [12]);
  const col = g.input('col', [3, 5, 1]);
  const y = ops.tanh(x.mul(row).add(col)).sub(0.5).mul(x);
  assert.ok(await vec4Chain({ y }), 'expected the vec4 kernel');
  const rng = new Rng(25);
  await compareToCpu({ y }, { x: uniform([3, 5, 12], rng), row: uniform([12], rng), col: uniform([3, 5, 1], rng) }, { tol: GRAPH });
  // Through a broadcast of a reshaped broadcast: [2, 1, 8] -> [2, 3, 8] -> [6, 8], read by a [6, 8] chain.
  const h = g.input('h', [2, 1, 8]);
  const z = g.input('z', [6, 8]);
  const b = ops.reshape(ops.broadcastTo(h, [2, 3, 8]), [6, 8]);
  const w = ops.exp(z.sub(b));
  assert.ok(await vec4Chain({ w }), 'expected the vec4 kernel through the broadcasts');
  await compareToCpu({ w }, { h: uniform([2, 1, 8], rng), z: uniform([6, 8], rng) }, { tol: GRAPH });
});

test('chains that cannot run four values at a time run one at a time, and match the CPU', async () => {
  const g = sn.graph();
  // Last dimension 6: four consecutive values may straddle two rows.
  const a = g.input('a', [4, 6]);
  const y = ops.sigmoid(a.mul(g.input('r', [6])));
  assert.not.ok(await vec4Chain({ y }));
  // Last dimension 4, but read from [6, 2] broadcast pairs: four consecutive values mix two source rows.
  const p = g.input('p', [6, 1]);
  const q = g.input('q', [3, 4]);
  const z = q.add(ops.reshape(ops.broadcastTo(p, [6, 2]), [3, 4]));
  assert.not.ok(await vec4Chain({ z }));
  const rng = new Rng(26);
  await compareToCpu({ y, z }, { a: uniform([4, 6], rng), r: uniform([6], rng), p: uniform([6, 1], rng), q: uniform([3, 4], rng) }, { tol: GRAPH });
});

test('a chain with more operands than a kernel may bind is split, and still matches the CPU', async () => {
  const g = sn.graph();
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'h', 'k'];
  const xs = names.map((n) => g.input(n, [4, 3]));
  const y = xs.slice(1).reduce((acc, t) => acc.add(t).mul(1.5), xs[0]);
  const l = await labels({ y }, await device());
  assert.ok(l.length > 1, `expected the chain split, got ${l.join(', ')}`);
  const rng = new Rng(8);
  await compareToCpu({ y }, Object.fromEntries(names.map((n) => [n, uniform([4, 3], rng)])), { tol: GRAPH });
});

test('training a dense relu network: the layer and its relu backward each run inside a matmul, and the loss matches the CPU', async () => {
  const g = sn.graph();
  const x = g.input('x', [9, 7]);
  const t = g.input('t', [9, 2]);
  const w1 = g.param('w1', [7, 5], () => uniform([7, 5], new Rng(9)));
  const b1 = g.param('b1', [5], () => uniform([5], new Rng(10)));
  const w2 = g.param('w2', [5, 2], () => uniform([5, 2], new Rng(11)));
  const h = ops.relu(ops.matmul(x, w1).add(b1));
  const loss = ops.matmul(h, w2).sub(t).square().mean();
  const dev = await device();
  const prog = await sn.compile(dev, g, { outputs: { loss }, minimize: { loss, optimizer: sn.optimizers.sgd({ learningRate: 0.1 }) } });
  try {
    const l = prog.plan.dispatches.map((d) => d.label);
    assert.ok(l.includes('matmul_register+add+relu'), l.join(', '));
    // dh = dy w2^T, then relu's backward (dy * step(h)) in the same kernel's store.
    assert.ok(l.includes('matmul_register_tB+step+mul'), l.join(', '));
    const rng = new Rng(12);
    const inputs = { x: uniform([9, 7], rng), t: uniform([9, 2], rng) };
    const [cpuLoss] = sn.interpret([loss], inputs);
    const out = await prog.run(inputs);
    assert.ok(Math.abs(out.loss.data[0] - cpuLoss[0]) < 1e-5, `loss ${out.loss.data[0]} vs CPU ${cpuLoss[0]}`);
  } finally {
    prog.dispose();
  }
});

test.run();
