// The planner and the executor: buffer reuse on a deep MLP with its backward
// pass, values against the CPU interpreter, buffer lifetimes (dispose, long
// training runs), one optimizer step against the CPU, printing, and choosing
// which outputs to read back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { Rng, assertClose, compareToCpu, device, uniform } from './helpers.js';
import { GRAPH, UPDATE } from './tolerances.js';

const { ops } = sn;

const LAYERS = 20, WIDTH = 33, BATCH = 17, IN = 13, CLASSES = 7;

/** Seeded He-like uniform weights, so the 20 relu layers neither vanish nor explode. */
const init = (seed: number) => (shape: readonly number[]) => uniform(shape, new Rng(seed), -1, 1).map((v) => v * Math.sqrt(6 / shape[0]));

/** A 20-layer MLP (dense + relu, width 33, batch 17) with a softmax cross-entropy loss. */
function mlp() {
  const g = sn.graph();
  const x = g.input('x', [BATCH, IN]);
  const onehot = g.input('onehot', [BATCH, CLASSES]);
  const params: sn.Tensor[] = [];
  let h = x;
  for (let l = 0; l < LAYERS; l++) {
    const last = l === LAYERS - 1;
    const fanIn = l === 0 ? IN : WIDTH;
    const w = g.param(`dense_${l}/kernel`, [fanIn, last ? CLASSES : WIDTH], init(100 + l));
    const b = g.param(`dense_${l}/bias`, [last ? CLASSES : WIDTH], (s) => uniform(s, new Rng(200 + l), -0.1, 0.1));
    params.push(w, b);
    h = h.matmul(w).add(b);
    if (!last) h = h.relu();
  }
  const loss = ops.logSoftmax(h).mul(onehot).sum({ axis: 1 }).neg().mean();
  const onehotData = new Float32Array(BATCH * CLASSES);
  for (let i = 0; i < BATCH; i++) onehotData[i * CLASSES + ((i * 3) % CLASSES)] = 1;
  const inputs = { x: uniform([BATCH, IN], new Rng(7), -1, 1), onehot: onehotData };
  return { g, x, loss, logits: h, params, inputs };
}

test('20-layer MLP with its backward pass: planned memory < 0.5 of naive, values match the CPU', async () => {
  const { g, loss, logits, params, inputs } = mlp();
  const grads = g.grad(loss, params);
  const outputs: Record<string, sn.Tensor> = { loss, logits };
  params.forEach((p, i) => { outputs[`d_${p.name}`] = grads[i]; });
  const dev = await device();
  const prog = await sn.compile(dev, g, { outputs });
  try {
    const m = prog.memory;
    assert.ok(m.naiveBytes > 0 && m.plannedBytes > 0, JSON.stringify(m));
    assert.ok(m.plannedBytes < 0.5 * m.naiveBytes, `planned ${m.plannedBytes} B vs naive ${m.naiveBytes} B (ratio ${(m.plannedBytes / m.naiveBytes).toFixed(3)})`);
    // Every one of the 40 gradients is an output and so holds its own buffer to the end; the rest share a few.
    assert.ok(m.buffers < params.length + 12, `${m.buffers} pooled buffers for ${prog.plan.dispatches.length} dispatches`);
    // Parameters are persistent, not intermediates.
    const paramBytes = params.reduce((s, p) => s + p.size * 4, 0);
    assert.ok(m.persistentBytes >= paramBytes, `persistent ${m.persistentBytes} >= params ${paramBytes}`);
    const gpu = await prog.run(inputs);
    const names = Object.keys(outputs);
    const cpu = sn.interpret(names.map((n) => outputs[n]), inputs);
    names.forEach((n, i) => assertClose(gpu[n].data, cpu[i], GRAPH, `MLP output '${n}'`));
    assert.ok(gpu.loss.data[0] > 0.1 && Number.isFinite(gpu.loss.data[0]), `loss ${gpu.loss.data[0]}`);
    // The gradients reach the first layer (the relus did not all die).
    assert.ok(gpu['d_dense_0/kernel'].data.some((v) => Math.abs(v) > 1e-6), 'first-layer gradient is nonzero');
  } finally {
    prog.dispose();
  }
});

test('20-layer MLP compiled for training (minimize): planned memory < 0.5 of naive', async () => {
  const { g, loss } = mlp();
  const prog = await sn.compile(await device(), g, { outputs: { loss }, minimize: { loss, optimizer: sn.optimizers.sgd({ learningRate: 0.01 }) } });
  try {
    const m = prog.memory;
    assert.ok(m.plannedBytes < 0.5 * m.naiveBytes, `planned ${m.plannedBytes} B vs naive ${m.naiveBytes} B`);
  } finally {
    prog.dispose();
  }
});

test('dispose() brings liveBufferCount back to where it was; a disposed program refuses to run', async () => {
  const dev = await device();
  const before = sn.liveBufferCount(dev.gpu);
  const { g, loss, inputs } = mlp();
  const prog = await sn.compile(dev, g, { outputs: { loss }, minimize: { loss, optimizer: sn.optimizers.sgd({ momentum: 0.9 }) } });
  const during = sn.liveBufferCount(dev.gpu);
  assert.ok(during > before + LAYERS, `a compiled program holds buffers: ${before} -> ${during}`);
  await prog.run(inputs);
  await prog.params();
  assert.is(sn.liveBufferCount(dev.gpu), during, 'run() and params() leave no buffers behind');
  prog.dispose();
  assert.is(sn.liveBufferCount(dev.gpu), before);
  prog.dispose(); // twice is harmless
  assert.is(sn.liveBufferCount(dev.gpu), before);
  assert.ok(prog.isDisposed);
});

test('50 training runs keep liveBufferCount flat and lower the loss', async () => {
  const dev = await device();
  const { g, loss, inputs } = mlp();
  const prog = await sn.compile(dev, g, { outputs: { loss }, minimize: { loss, optimizer: sn.optimizers.adam({ learningRate: 1e-3 }) } });
  try {
    const first = (await prog.run(inputs)).loss.data[0];
    const count = sn.liveBufferCount(dev.gpu);
    let last = first;
    for (let i = 1; i < 50; i++) {
      const read = i % 10 === 9 ? undefined : [];
      const out = await prog.run(inputs, { read });
      if (out.loss) last = out.loss.data[0];
      if (i % 10 === 5) await prog.params();
      assert.is(sn.liveBufferCount(dev.gpu), count, `run ${i}: live buffers`);
    }
    last = (await prog.run(inputs)).loss.data[0];
    assert.is(sn.liveBufferCount(dev.gpu), count);
    assert.ok(last < first, `loss went from ${first} to ${last}`);
  } finally {
    prog.dispose();
  }
});

/** y = x w + b, loss = mean((y - t)^2): small enough to reason about, with a broadcast bias. */
function regression() {
  const g = sn.graph();
  const x = g.input('x', [6, 4]);
  const t = g.input('t', [6, 3]);
  const w0 = uniform([4, 3], new Rng(1), -1, 1);
  const b0 = uniform([3], new Rng(2), -0.5, 0.5);
  const w = g.param('w', [4, 3], w0);
  const b = g.param('b', [3], b0);
  const loss = x.matmul(w).add(b).sub(t).square().mean();
  const rng = new Rng(3);
  const inputs = { x: uniform([6, 4], rng, -1, 1), t: uniform([6, 3], rng, -1, 1) };
  return { g, x, w, b, loss, w0, b0, inputs };
}

test('minimize with sgd: one step changes w by exactly -lr * grad (CPU), the returned loss is the pre-update one', async () => {
  const { g, w, b, loss, w0, b0, inputs } = regression();
  const lr = 0.1;
  const prog = await sn.compile(await device(), g, { outputs: { loss }, minimize: { loss, optimizer: sn.optimizers.sgd({ learningRate: lr }) } });
  try {
    // CPU reference: loss and gradients at the initial parameters.
    const [dw, db] = g.grad(loss, [w, b]);
    const [loss0, dw0, db0] = sn.interpret([loss, dw, db], inputs, { w: w0, b: b0 });
    assert.ok(dw0.some((v) => Math.abs(v) > 1e-3), 'the gradient is not trivially zero');
    const out1 = await prog.run(inputs);
    assertClose(out1.loss.data, loss0, GRAPH, 'first run returns the loss before the update');
    const p1 = await prog.params();
    const wantW = w0.map((v, i) => Math.fround(v - Math.fround(lr * dw0[i])));
    const wantB = b0.map((v, i) => Math.fround(v - Math.fround(lr * db0[i])));
    assertClose(p1.w.data, wantW, UPDATE, 'w after one sgd step');
    assertClose(p1.b.data, wantB, UPDATE, 'b after one sgd step');
    // The step really moved w: by lr * grad, far more than the tolerance.
    const moved = p1.w.data.reduce((m, v, i) => Math.max(m, Math.abs(v - w0[i])), 0);
    assert.ok(moved > 1e-3, `w moved by ${moved}`);
    // The second run reports the loss at the updated parameters, which is lower.
    const [loss1] = sn.interpret([loss], inputs, { w: p1.w.data, b: p1.b.data });
    const out2 = await prog.run(inputs);
    assertClose(out2.loss.data, loss1, GRAPH, 'second run returns the loss at the once-updated parameters');
    assert.ok(out2.loss.data[0] < out1.loss.data[0], `loss ${out1.loss.data[0]} -> ${out2.loss.data[0]}`);
  } finally {
    prog.dispose();
  }
});

test('minimize: only the listed params are updated, and params with trainable: false never are', async () => {
  const g = sn.graph();
  const x = g.input('x', [3]);
  const a = g.param('a', [3], [1, 2, 3]);
  const c = g.param('c', [3], [4, 5, 6]);
  const frozen = g.param('frozen', [3], [1, 1, 1], { trainable: false });
  const loss = x.mul(a).mul(c).mul(frozen).sum();
  const dev = await device();
  const p1 = await sn.compile(dev, g, { outputs: { loss }, minimize: { loss, optimizer: 'sgd', params: [a] } });
  await p1.run({ x: [1, 1, 1] });
  const v1 = await p1.params();
  p1.dispose();
  // sgd default lr 0.01; d loss / d a = x * c * frozen = c.
  assertClose(v1.a.data, [0.96, 1.95, 2.94], UPDATE, 'a updated');
  assert.equal([...v1.c.data], [4, 5, 6]);
  assert.equal([...v1.frozen.data], [1, 1, 1]);
  const p2 = await sn.compile(dev, g, { outputs: { loss }, minimize: { loss, optimizer: 'sgd' } });
  await p2.run({ x: [1, 1, 1] });
  const v2 = await p2.params();
  p2.dispose();
  assert.equal([...v2.frozen.data], [1, 1, 1], 'trainable: false');
  assert.ok(v2.c.data[0] !== 4 && v2.a.data[0] !== 1, 'both trainable params moved');
});

test('prog.toString() lists every kernel and the memory summary', async () => {
  const { g, loss } = regression();
  const prog = await sn.compile(await device(), g, { outputs: { loss }, minimize: { loss, optimizer: sn.optimizers.sgd() } });
  try {
    const text = prog.toString();
    const lines = text.split('\n');
    for (const d of prog.plan.dispatches) assert.ok(text.includes(d.label), `'${d.label}' listed`);
    assert.ok(/matmul_(register|tiled)/.test(text), text);
    assert.ok(text.includes("sgd 'w'") && text.includes("sgd 'b'"), 'optimizer updates listed');
    assert.ok(lines.some((l) => l.includes(`${prog.plan.dispatches.length} dispatches`)), 'dispatch count line');
    assert.ok(text.includes('slot 0'), 'buffer slots listed');
    assert.is(prog.dispatchCount, prog.plan.dispatches.length);
    // One line per dispatch, in order, before the summary.
    prog.plan.dispatches.forEach((d, i) => assert.ok(lines[i].trimStart().startsWith(`${i} `) && lines[i].includes(d.label), `line ${i}: ${lines[i]}`));
  } finally {
    prog.dispose();
  }
});

test('run() with { read: [...] } returns only the chosen outputs; read: [] returns none', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 3]);
  const a = x.exp();
  const b = x.sum({ axis: 1 });
  const c = x.mul(2);
  const prog = await sn.compile(await device(), g, { outputs: { a, b, c } });
  try {
    const data = [1, 2, 3, -1, -2, -3];
    const only = await prog.run({ x: data }, { read: ['b'] });
    assert.equal(Object.keys(only), ['b']);
    assert.equal([...only.b.data], [6, -6]);
    const two = await prog.run({ x: data }, { read: ['c', 'a'] });
    assert.equal(Object.keys(two).sort(), ['a', 'c']);
    assert.equal([...two.c.data], [2, 4, 6, -2, -4, -6]);
    assert.equal(two.c.shape, [2, 3]);
    const none = await prog.run({ x: data }, { read: [] });
    assert.equal(Object.keys(none), []);
    const all = await prog.run({ x: [0, 0, 0, 0, 0, 0] });
    assert.equal(Object.keys(all).sort(), ['a', 'b', 'c']);
    assert.equal([...all.a.data], [1, 1, 1, 1, 1, 1]);
    await assert.not.throws(() => prog.sync());
  } finally {
    prog.dispose();
  }
});

test('run() accepts a HostTensor, a typed array, a number array and a single number', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 2]);
  const s = g.input('s', []);
  const prog = await sn.compile(await device(), g, { outputs: { y: x.mul(s) } });
  try {
    const want = [2, 4, 6, 8];
    assert.equal([...(await prog.run({ x: sn.tensor([[1, 2], [3, 4]]), s: 2 })).y.data], want);
    assert.equal([...(await prog.run({ x: new Float32Array([1, 2, 3, 4]), s: [2] })).y.data], want);
    assert.equal([...(await prog.run({ x: new Float64Array([1, 2, 3, 4]), s: new Float32Array([2]) })).y.data], want);
    assert.equal([...(await prog.run({ x: [1, 2, 3, 4], s: 2 })).y.data], want);
  } finally {
    prog.dispose();
  }
});

test('runs are serialised: concurrent run() calls each see their own inputs', async () => {
  const g = sn.graph();
  const x = g.input('x', [3]);
  const prog = await sn.compile(await device(), g, { outputs: { y: x.square() } });
  try {
    const results = await Promise.all([1, 2, 3, 4].map((k) => prog.run({ x: [k, k, k] })));
    results.forEach((r, i) => assert.equal([...r.y.data], Array(3).fill((i + 1) ** 2)));
  } finally {
    prog.dispose();
  }
});

test('buffer reuse never lets a kernel read what a later one overwrote: a long chain with skips matches the CPU', async () => {
  // Every tensor is read again much later, so slot reuse must respect liveness.
  const g = sn.graph();
  const x = g.input('x', [9, 5]);
  const keep: sn.Tensor[] = [x];
  let h = x;
  for (let i = 0; i < 12; i++) {
    h = ops.tanh(h.mul(1.1).add(keep[Math.floor(i / 2)]));
    keep.push(h);
  }
  const y = ops.concat([keep[3], keep[7], h], 1).sum({ axis: 0 });
  await compareToCpu({ y, h }, { x: uniform([9, 5], new Rng(77), -1, 1) }, { tol: GRAPH });
});

test('outputs that are inputs, constants or views are read back correctly', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 3]);
  const c = g.constant([1, 2, 3], [3]);
  const { gpu } = await compareToCpu({ same: x, view: x.reshape([3, 2]), k: c, folded: c.mul(2), y: x.add(c) }, { x: [1, 2, 3, 4, 5, 6] });
  assert.equal([...gpu.same.data], [1, 2, 3, 4, 5, 6]);
  assert.equal(gpu.view.shape, [3, 2]);
  assert.equal([...gpu.k.data], [1, 2, 3]);
  assert.equal([...gpu.folded.data], [2, 4, 6]);
  assert.equal([...gpu.y.data], [2, 4, 6, 5, 7, 9]);
});

test.run();
