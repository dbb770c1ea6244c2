// The Keras-style Model API end to end, on small data: fit / evaluate /
// predict against host computations, partial batches, save / load (weights,
// optimizer state, files), callbacks, dropout, weight penalties, the
// functional API, error messages, and GPU buffer lifetimes.
//
// Tolerances: host references here are f64 loops over values the GPU
// computed in f32 (or over the same inputs). A loss that is a mean of <= 10
// per-sample terms of magnitude ~1 agrees to a few f32 ULPs; LOSS_TOL
// (1e-6 absolute + 1e-5 relative) leaves a wide margin for the fused
// softmax-cross-entropy (computed on logits on the GPU, from probabilities on
// the host) while a padded row counted, a sample dropped or a missing penalty
// term moves the loss by ~0.1. Weights after a few SGD steps of a linear layer
// are checked to 1e-5 (updates of size ~0.1). Where the same compiled plan
// runs on the same data (a saved and loaded model), results must be bitwise
// equal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sn from '../src/index.js';
import { throwsWith } from './helpers.js';

const LOSS_TOL = { atol: 1e-6, rtol: 1e-5 };

let device: sn.Device;
let dir: string;
test.before(async () => {
  device = await sn.createDevice();
  dir = mkdtempSync(join(tmpdir(), 'sinapsis-model-test-'));
});
test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ helpers

/** mulberry32, so every run sees the same data. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomTensor(shape: number[], seed: number, lo = -1, hi = 1): sn.HostTensor {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return sn.tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * r()), shape);
}

function labels(n: number, classes: number, seed: number): sn.HostTensor {
  const r = rng(seed);
  return sn.tensor(Float32Array.from({ length: n }, () => Math.floor(r() * classes)), [n]);
}

function close(actual: number, expected: number, what: string, tol = LOSS_TOL): void {
  const err = Math.abs(actual - expected);
  assert.ok(err <= tol.atol + tol.rtol * Math.abs(expected), `${what}: got ${actual}, expected ${expected} (|err| ${err.toExponential(2)})`);
}

function allClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, atol: number): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= atol)) assert.unreachable(`${what}: [${i}] got ${actual[i]}, expected ${expected[i]} (atol ${atol})`);
  }
}

function bitwiseEqual(a: Float32Array, b: Float32Array, what: string): void {
  assert.is(a.length, b.length, `${what}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) assert.unreachable(`${what}: [${i}] ${a[i]} !== ${b[i]}`);
}

function weightsEqual(a: Record<string, sn.HostTensor>, b: Record<string, sn.HostTensor>, what: string): void {
  assert.equal(Object.keys(a).sort(), Object.keys(b).sort(), `${what}: weight names`);
  for (const k of Object.keys(a)) bitwiseEqual(a[k].data, b[k].data, `${what} '${k}'`);
}

function maxDiff(a: Record<string, sn.HostTensor>, b: Record<string, sn.HostTensor>): number {
  let d = 0;
  for (const k of Object.keys(a)) for (let i = 0; i < a[k].size; i++) d = Math.max(d, Math.abs(a[k].data[i] - b[k].data[i]));
  return d;
}

/** Mean sparse categorical cross-entropy from predicted probabilities [n, classes], in f64. */
function meanSparseCE(probs: sn.HostTensor, y: sn.HostTensor): number {
  const [n, k] = probs.shape;
  let s = 0;
  for (let i = 0; i < n; i++) s -= Math.log(probs.data[i * k + y.data[i]]);
  return s / n;
}

/** Fraction of rows whose argmax is the label. */
function accuracyOf(probs: sn.HostTensor, y: sn.HostTensor): number {
  const [n, k] = probs.shape;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs.data[i * k + j] > probs.data[i * k + best]) best = j;
    if (best === y.data[i]) hits++;
  }
  return hits / n;
}

/** Mean squared error over every element, in f64. */
function mse(pred: sn.HostTensor, y: sn.HostTensor): number {
  let s = 0;
  for (let i = 0; i < pred.size; i++) s += (pred.data[i] - y.data[i]) ** 2;
  return s / pred.size;
}

/** A small classifier: [inputs] -> dense relu -> dense softmax. */
function classifier(inputs: number, hidden: number, classes: number, seed: number, extra: sn.Layer[] = []): sn.Sequential {
  return sn.sequential([
    sn.layers.dense({ units: hidden, activation: 'relu', inputShape: [inputs], seed }),
    ...extra,
    sn.layers.dense({ units: classes, activation: 'softmax', seed: seed + 1 }),
  ]);
}

function expectError(fn: () => unknown, cls: new (...a: never[]) => Error, ...patterns: (string | RegExp)[]): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    for (const p of patterns) {
      const msg = (e as Error).message;
      assert.ok(typeof p === 'string' ? msg.includes(p) : p.test(msg), `message ${JSON.stringify(msg)} should contain ${p}`);
    }
    return;
  }
  assert.unreachable(`expected ${cls.name}, nothing was thrown`);
}

async function expectRejection(p: Promise<unknown>, cls: new (...a: never[]) => Error, ...patterns: (string | RegExp)[]): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expectError(() => { if (caught) throw caught; }, cls, ...patterns);
}

// ------------------------------------------------------------------ training

test('MNIST subset: the loss falls over 2 epochs of a 784-32-10 MLP', async () => {
  const mnist = await sn.datasets.mnist({ trainLimit: 2000, testLimit: 500 });
  assert.equal(mnist.train.x.shape, [2000, 28, 28, 1]);
  const model = sn.sequential([
    sn.layers.flatten({ inputShape: [28, 28, 1] }),
    sn.layers.dense({ units: 32, activation: 'relu', seed: 11 }),
    sn.layers.dense({ units: 10, activation: 'softmax', seed: 12 }),
  ]);
  model.compile({ device, optimizer: sn.optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  try {
    const h = await model.fit(mnist.train.x, mnist.train.y, { epochs: 2, batchSize: 64, verbose: 0, seed: 5 });
    const { loss, accuracy } = h.history;
    assert.equal(h.epoch, [0, 1]);
    // Measured (seeded): loss 1.88 -> 1.03, accuracy 0.42 -> 0.76, test subset 0.76. Chance is 0.1 and ln(10) = 2.30.
    assert.ok(loss[1] < 0.75 * loss[0], `epoch losses ${loss}`);
    assert.ok(loss[1] < 1.4, `final loss ${loss[1]}`);
    assert.ok(accuracy[1] > 0.7, `final-epoch accuracy ${accuracy[1]} (threshold 0.7)`);
    const ev = await model.evaluate(mnist.test.x, mnist.test.y);
    assert.ok(ev.accuracy > 0.65, `test-subset accuracy ${ev.accuracy} (threshold 0.65)`);
  } finally {
    model.dispose();
  }
});

test('fit trains on a last partial batch: n = 10, batchSize 4 gives batches of 4, 4, 2 (SGD replayed on the host)', async () => {
  const n = 10, inDim = 3, outDim = 2, lr = 0.1;
  const x = randomTensor([n, inDim], 1);
  const y = randomTensor([n, outDim], 2);
  const model = sn.sequential([sn.layers.dense({ units: outDim, inputShape: [inDim], name: 'lin' })]);
  model.compile({ device, optimizer: sn.optimizers.sgd({ learningRate: lr }), loss: 'mse' });
  try {
    const W0 = Float32Array.from([0.5, -0.25, 0.75, 0.1, -0.6, 0.3]);
    const b0 = Float32Array.from([0.05, -0.1]);
    model.setWeights({ 'lin/kernel': W0, 'lin/bias': b0 });

    // Host replay: mse over the two outputs, mean over the batch, one SGD step per batch.
    const W = Float64Array.from(W0), b = Float64Array.from(b0);
    const batchLosses: number[] = [];
    for (const [start, count] of [[0, 4], [4, 4], [8, 2]]) {
      const gW = new Float64Array(W.length), gb = new Float64Array(outDim);
      let loss = 0;
      for (let i = start; i < start + count; i++) {
        for (let j = 0; j < outDim; j++) {
          let pred = b[j];
          for (let k = 0; k < inDim; k++) pred += x.data[i * inDim + k] * W[k * outDim + j];
          const err = pred - y.data[i * outDim + j];
          loss += (err * err) / (outDim * count);
          const dPred = (2 * err) / (outDim * count);
          gb[j] += dPred;
          for (let k = 0; k < inDim; k++) gW[k * outDim + j] += x.data[i * inDim + k] * dPred;
        }
      }
      batchLosses.push(loss);
      for (let i = 0; i < W.length; i++) W[i] -= lr * gW[i];
      for (let j = 0; j < outDim; j++) b[j] -= lr * gb[j];
    }

    const seen: { batch: number; loss: number }[] = [];
    let params: { samples: number; steps: number; batchSize: number } | undefined;
    const counter: sn.callbacks.Callback = {
      setModel: (_m, p) => { params = p; },
      onBatchEnd: (batch, logs) => { seen.push({ batch, loss: logs.loss }); },
    };
    const h = await model.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0, callbacks: [counter] });
    assert.equal(params && { samples: params.samples, steps: params.steps, batchSize: params.batchSize }, { samples: 10, steps: 3, batchSize: 4 });
    assert.equal(seen.map((s) => s.batch), [0, 1, 2]);
    // One compiled training step per batch size; their run counts are the batches of each size.
    assert.is((await model.trainStepProgram(4)).runs, 2, 'batches of 4');
    assert.is((await model.trainStepProgram(2)).runs, 1, 'batches of 2');
    // The running mean the callback sees weights each batch by its sample count (4, 4, 2).
    const [l1, l2, l3] = batchLosses;
    close(seen[0].loss, l1, 'running loss after batch 1');
    close(seen[1].loss, (4 * l1 + 4 * l2) / 8, 'running loss after batch 2');
    close(seen[2].loss, (4 * l1 + 4 * l2 + 2 * l3) / 10, 'running loss after batch 3');
    close(h.history.loss[0], (4 * l1 + 4 * l2 + 2 * l3) / 10, 'epoch loss');
    // The weights took all three steps, the last one from samples 8 and 9 only.
    const w = await model.getWeights();
    allClose(w['lin/kernel'].data, W, 'kernel after the epoch', 1e-5);
    allClose(w['lin/bias'].data, b, 'bias after the epoch', 1e-5);
  } finally {
    model.dispose();
  }
});

test('pipelined fit (no batch callback: losses read back a group of batches at a time) matches batch-by-batch fit exactly', async () => {
  // 90 samples in batches of 4: 22 full batches and one of 2 per epoch, so each epoch has a full group of
  // READ_GROUP (16) readbacks and a partial one, and the last batch runs on a second compiled program.
  const n = 90;
  const x = randomTensor([n, 3], 3);
  const y = randomTensor([n, 2], 4);
  const run = async (callbacks: sn.callbacks.Callback[]) => {
    const model = sn.sequential([sn.layers.dense({ units: 4, activation: 'tanh', inputShape: [3], seed: 5, name: 'h' }), sn.layers.dense({ units: 2, seed: 6, name: 'o' })]);
    model.compile({ device, optimizer: sn.optimizers.adam({ learningRate: 0.05 }), loss: 'mse' });
    try {
      // Two compiled programs take turns, so the optimizer step must carry across them.
      const h = await model.fit(x, y, { epochs: 3, batchSize: 4, shuffle: true, seed: 7, verbose: 0, callbacks });
      return { loss: h.history.loss, weights: await model.getWeights() };
    } finally {
      model.dispose();
    }
  };
  const batches: number[] = [];
  const piped = await run([]);
  const stepped = await run([{ onBatchEnd: (b) => { batches.push(b); } }]);
  const perEpoch = Array.from({ length: Math.ceil(n / 4) }, (_, i) => i);
  assert.equal(batches, [...perEpoch, ...perEpoch, ...perEpoch]);
  assert.equal(piped.loss, stepped.loss);
  for (const [name, w] of Object.entries(stepped.weights)) assert.equal([...piped.weights[name].data], [...w.data], name);
  assert.ok(piped.loss[2] < piped.loss[0], `loss falls: ${piped.loss.join(', ')}`);
});

test('a loss that stops being finite mid-group stops fit with an error naming the epoch and batch', async () => {
  const x = randomTensor([60, 3], 8);
  // NaN in the data is refused before training (test/hostile.test.ts); a value near float32's
  // largest overflows the squared error instead. Sample 37: batch 10 of 15 (batch size 4, no
  // shuffle), inside the first group of readbacks.
  x.data[37 * 3] = 3e38;
  const y = randomTensor([60, 2], 9);
  const model = sn.sequential([sn.layers.dense({ units: 2, inputShape: [3], seed: 1 })]);
  model.compile({ device, optimizer: sn.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
  try {
    await throwsWith(() => model.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 }), sn.SinapsisError, 'the loss became Infinity at epoch 1, batch 10');
  } finally {
    model.dispose();
  }
});

test('evaluate over n not divisible by its batch equals the mean loss computed on the host from predict()', async () => {
  const n = 10;
  const x = randomTensor([n, 5], 3);
  const y = labels(n, 3, 4);
  const model = classifier(5, 8, 3, 21);
  model.compile({ device, optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  try {
    await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, seed: 1 });
    const probs = await model.predict(x, { batchSize: 3 }); // batches 3, 3, 3, 1
    assert.equal(probs.shape, [n, 3]);
    const whole = await model.predict(x);
    allClose(probs.data, whole.data, 'predict in batches of 3 vs one batch', 1e-6);
    for (const batchSize of [4, 3, 7, 10, 64]) {
      const ev = await model.evaluate(x, y, { batchSize });
      close(ev.loss, meanSparseCE(probs, y), `evaluate loss, batchSize ${batchSize}`);
      assert.is(ev.accuracy, accuracyOf(probs, y), `evaluate accuracy, batchSize ${batchSize}`);
    }
  } finally {
    model.dispose();
  }
});

// ------------------------------------------------------------------ save / load

test('save -> loadModel gives bitwise identical predictions; the file holds named tensors and the config', async () => {
  const x = randomTensor([12, 5], 5);
  const y = labels(12, 3, 6);
  const model = classifier(5, 8, 3, 31);
  model.compile({ device, optimizer: sn.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  try {
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, seed: 2 });
    const bytes = await model.save();
    const file = sn.decodeSafetensors(bytes);
    const names = model.layers.filter((l) => l.className === 'Dense').flatMap((l) => [`${l.name}/kernel`, `${l.name}/bias`]);
    assert.equal(Object.keys(file.tensors).sort(), names.sort());
    assert.ok(!Object.keys(file.tensors).some((k) => k.startsWith('optimizer/')), 'no optimizer state unless asked');
    const config = JSON.parse(file.metadata['sinapsis.config']) as { layers: unknown[]; compile: { loss: string; optimizer: { name: string } } };
    assert.is(config.layers.length, 2);
    assert.is(config.compile.loss, 'sparseCategoricalCrossentropy');
    assert.is(config.compile.optimizer.name, 'adam');

    const loaded = await sn.loadModel(bytes, { device });
    try {
      weightsEqual(await loaded.getWeights(), await model.getWeights(), 'loaded weights');
      const a = await model.predict(x);
      const b = await loaded.predict(x);
      assert.equal(b.shape, a.shape);
      bitwiseEqual(b.data, a.data, 'predictions after load');
      const evA = await model.evaluate(x, y);
      const evB = await loaded.evaluate(x, y);
      assert.equal(evB, evA);
    } finally {
      loaded.dispose();
    }
  } finally {
    model.dispose();
  }
});

test('save({ includeOptimizer: true }) round-trips the optimizer state: continued training matches the original', async () => {
  const x = randomTensor([16, 5], 7);
  const y = labels(16, 3, 8);
  const model = classifier(5, 8, 3, 41);
  model.compile({ device, optimizer: sn.optimizers.adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy' });
  try {
    await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, seed: 3 });
    const withState = await model.save({ includeOptimizer: true });
    const withoutState = await model.save();
    assert.ok(Object.keys(sn.decodeSafetensors(withState).tensors).some((k) => k.startsWith('optimizer/')), 'optimizer tensors in the file');

    const resumed = await sn.loadModel(withState, { device });
    const fresh = await sn.loadModel(withoutState, { device });
    try {
      // Two more steps (one epoch of two batches, same order) on each.
      const cont = { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 as const };
      await model.fit(x, y, cont);
      await resumed.fit(x, y, cont);
      await fresh.fit(x, y, cont);
      const original = await model.getWeights();
      weightsEqual(await resumed.getWeights(), original, 'resumed training vs original');
      // Without the state (m, v and the step count start over) the two steps go elsewhere.
      const off = maxDiff(await fresh.getWeights(), original);
      assert.ok(off > 1e-4, `training without the saved optimizer state should differ (max diff ${off})`);
    } finally {
      resumed.dispose();
      fresh.dispose();
    }
  } finally {
    model.dispose();
  }
});

test('model.save(path) writes the file atomically (it exists, loads, leaves no temporary file)', async () => {
  const sub = mkdtempSync(join(dir, 'save-'));
  const path = join(sub, 'model.safetensors');
  const x = randomTensor([6, 5], 9);
  const model = classifier(5, 4, 3, 51);
  model.compile({ device, loss: 'sparseCategoricalCrossentropy' });
  try {
    const bytes = await model.save(path);
    assert.ok(existsSync(path));
    assert.equal(new Uint8Array(readFileSync(path)), bytes);
    // Overwriting an existing file works too and still leaves a single file.
    await model.fit(x, labels(6, 3, 10), { epochs: 1, batchSize: 6, verbose: 0 });
    const again = await model.save(path);
    assert.equal(readdirSync(sub), ['model.safetensors']);
    assert.equal(new Uint8Array(readFileSync(path)), again);
    const loaded = await sn.loadModel(new Uint8Array(readFileSync(path)), { device });
    try {
      bitwiseEqual((await loaded.predict(x)).data, (await model.predict(x)).data, 'predictions of the model loaded from the file');
    } finally {
      loaded.dispose();
    }
  } finally {
    model.dispose();
  }
});

test('getWeights returns weights only; compile with a new optimizer starts fresh state, the same object keeps it', async () => {
  const x = randomTensor([8, 4], 31);
  const y = randomTensor([8, 3], 32);
  const make = () => sn.sequential([sn.layers.dense({ units: 3, inputShape: [4], seed: 5, name: 'd' })]);
  const epoch = { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 as const };
  const a = make();
  const b = make();
  try {
    const optA = sn.optimizers.adam({ learningRate: 0.01 });
    a.compile({ device, optimizer: optA, loss: 'mse' });
    await a.fit(x, y, { ...epoch, epochs: 3 });
    assert.equal(Object.keys(await a.getWeights()).sort(), ['d/bias', 'd/kernel'], 'no optimizer state among the weights');
    const w = await a.getWeights();
    expectError(() => a.setWeights({ 'd/kernal': w['d/kernel'] }), sn.InputError, "no weight 'd/kernal'", 'd/kernel');

    // Same optimizer object: compiling again (e.g. to add a metric) keeps m, v and the step count...
    const saved = await a.save({ includeOptimizer: true });
    a.compile({ device, optimizer: optA, loss: 'mse', metrics: ['mae'] });
    const resumed = await sn.loadModel(saved, { device });
    try {
      await a.fit(x, y, epoch);
      await resumed.fit(x, y, epoch);
      weightsEqual(await a.getWeights(), await resumed.getWeights(), 'recompiled with the same optimizer vs resumed from its saved state');
    } finally {
      resumed.dispose();
    }

    // ...a new optimizer starts over, exactly like a fresh model given the same weights.
    const w2 = await a.getWeights();
    a.compile({ device, optimizer: sn.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
    b.compile({ device, optimizer: sn.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
    b.setWeights(w2);
    await a.fit(x, y, epoch);
    await b.fit(x, y, epoch);
    weightsEqual(await a.getWeights(), await b.getWeights(), 'recompiled with a new optimizer vs a fresh model');
    assert.is((await a.optimizerState()).step, 1);
  } finally {
    a.dispose();
    b.dispose();
  }
});

// ------------------------------------------------------------------ callbacks

test('earlyStopping: no improvement beyond minDelta stops after patience + 1 epochs; restoreBestWeights restores the best epoch', async () => {
  const x = randomTensor([12, 5], 11);
  const y = labels(12, 3, 12);
  const model = classifier(5, 8, 3, 61);
  model.compile({ device, optimizer: sn.optimizers.sgd({ learningRate: 0.1 }), loss: 'sparseCategoricalCrossentropy' });
  try {
    const perEpoch: Record<string, sn.HostTensor>[] = [];
    const recorder: sn.callbacks.Callback = { onEpochEnd: async () => { perEpoch.push(await model.getWeights()); } };
    // The first epoch always improves on "nothing yet"; no later change can beat minDelta = 1e9.
    const stop = sn.callbacks.earlyStopping({ monitor: 'valLoss', patience: 2, minDelta: 1e9, restoreBestWeights: true });
    const h = await model.fit(x, y, { epochs: 20, batchSize: 4, validationSplit: 0.25, verbose: 0, seed: 4, callbacks: [recorder, stop] });
    assert.equal(h.epoch, [0, 1, 2], 'patience 2: epochs 0 (best), 1, 2, then stop');
    assert.is(h.history.valLoss.length, 3);
    assert.is(stop.stoppedEpoch, 2);
    assert.is(stop.bestEpoch, 0);
    assert.is(perEpoch.length, 3);
    assert.ok(maxDiff(perEpoch[2], perEpoch[0]) > 1e-4, 'training moved the weights after the best epoch');
    weightsEqual(await model.getWeights(), perEpoch[0], 'weights restored to the best epoch');
  } finally {
    model.dispose();
  }
});

test('earlyStopping: a plateau (no strict improvement, minDelta 0) stops after patience + 1 epochs (at least 2)', async () => {
  // Zero inputs, zero bias and zero targets: the prediction is exact, every gradient is 0, the loss stays 0.
  const model = sn.sequential([sn.layers.dense({ units: 2, inputShape: [3], biasInitializer: 'zeros', seed: 1 })]);
  model.compile({ device, optimizer: 'sgd', loss: 'mse' });
  try {
    const x = sn.tensor(new Float32Array(8 * 3), [8, 3]);
    const y = sn.tensor(new Float32Array(8 * 2), [8, 2]);
    // Keras counts the first epoch as an improvement on "nothing yet", so patience 0 and 1 both stop at epoch 1.
    for (const [patience, epochs] of [[0, 2], [1, 2], [3, 4]]) {
      const stop = sn.callbacks.earlyStopping({ monitor: 'loss', patience });
      const h = await model.fit(x, y, { epochs: 10, batchSize: 4, verbose: 0, callbacks: [stop] });
      assert.equal(h.history.loss, Array<number>(epochs).fill(0), `patience ${patience}`);
      assert.is(stop.stoppedEpoch, epochs - 1);
      assert.is(stop.bestEpoch, 0);
    }
  } finally {
    model.dispose();
  }
});

test('modelCheckpoint writes a loadable file per epoch', async () => {
  const sub = mkdtempSync(join(dir, 'ckpt-'));
  const x = randomTensor([8, 5], 13);
  const y = labels(8, 3, 14);
  const model = classifier(5, 4, 3, 71);
  model.compile({ device, optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  try {
    const ckpt = sn.callbacks.modelCheckpoint({ filepath: join(sub, 'epoch-{epoch}.safetensors'), monitor: 'loss' });
    await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [ckpt] });
    assert.equal(readdirSync(sub).sort(), ['epoch-1.safetensors', 'epoch-2.safetensors', 'epoch-3.safetensors']);
    assert.equal(ckpt.saved, [1, 2, 3].map((e) => join(sub, `epoch-${e}.safetensors`)));
    const last = await sn.loadModel(new Uint8Array(readFileSync(join(sub, 'epoch-3.safetensors'))), { device });
    const first = await sn.loadModel(new Uint8Array(readFileSync(join(sub, 'epoch-1.safetensors'))), { device });
    try {
      weightsEqual(await last.getWeights(), await model.getWeights(), 'last checkpoint');
      assert.ok(maxDiff(await first.getWeights(), await model.getWeights()) > 1e-5, 'the first checkpoint holds earlier weights');
    } finally {
      last.dispose();
      first.dispose();
    }
  } finally {
    model.dispose();
  }
});

// ------------------------------------------------------------------ errors

test('clear errors: malformed files, bad labels, mismatched data, wrong shapes, no compile, unknown names', async () => {
  // A safetensors header that claims more bytes than the file has.
  const bad = new Uint8Array(24);
  new DataView(bad.buffer).setUint32(0, 1000, true);
  await expectRejection(sn.loadModel(bad, { device }), sn.FormatError);
  // Valid safetensors whose header is not JSON.
  const junk = new Uint8Array(16).fill(0x7b, 8);
  new DataView(junk.buffer).setUint32(0, 8, true);
  await expectRejection(sn.loadModel(junk, { device }), sn.FormatError);
  // Shorter than the 8-byte length field.
  await expectRejection(sn.loadModel(new Uint8Array(3), { device }), sn.FormatError);
  // Safetensors without a model config.
  await expectRejection(sn.loadModel(sn.encodeSafetensors({ w: sn.tensor([1, 2], [2]) }), { device }), sn.FormatError, 'sinapsis.config');

  const model = classifier(5, 4, 3, 81);
  await expectRejection(model.fit(randomTensor([4, 5], 1), labels(4, 3, 1)), sn.SinapsisError, 'compile');
  expectError(() => model.compile({ device, loss: 'hinge' }), sn.SinapsisError, "unknown loss 'hinge'", 'sparseCategoricalCrossentropy');
  expectError(() => model.compile({ device, loss: 'mse', optimizer: 'adamax' }), sn.SinapsisError, "unknown optimizer 'adamax'", 'adam');
  expectError(() => sn.layers.dense({ units: 3, activation: 'swishy' }), sn.SinapsisError, "unknown activation 'swishy'", 'relu');
  expectError(() => model.compile({ device, loss: 'mse', metrics: ['f1'] }), sn.SinapsisError, "unknown metric 'f1'");

  model.compile({ device, optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  try {
    const x = randomTensor([6, 5], 2);
    await expectRejection(model.fit(x, sn.tensor([0, 1, 2, 7, 1, 0], [6])), sn.InputError, 'label 3 is 7', '0..2');
    await expectRejection(model.evaluate(x, sn.tensor([0, 1, -1, 2, 1, 0], [6])), sn.InputError, 'label 2 is -1');
    await expectRejection(model.fit(x, sn.tensor([0, 1, 2, 1.5, 1, 0], [6])), sn.InputError, 'label 3 is 1.5');
    await expectRejection(model.fit(x, labels(4, 3, 3)), sn.InputError, '6 samples', '4');
    await expectRejection(model.fit(randomTensor([6, 4], 3), labels(6, 3, 3)), sn.InputError, '[6, 4]', '[n, 5]');
    await expectRejection(model.predict(randomTensor([2, 5, 1], 3)), sn.InputError, '[2, 5, 1]', '[n, 5]');
  } finally {
    model.dispose();
  }
});

// ------------------------------------------------------------------ layers

test('dropout: training losses differ across identical steps, predict is deterministic and dropout-free', async () => {
  const x = randomTensor([8, 6], 15);
  const y = labels(8, 3, 16);
  const make = (withDropout: boolean) => sn.sequential([
    sn.layers.dense({ units: 16, activation: 'relu', inputShape: [6], seed: 91, name: withDropout ? 'dropA' : 'plainA' }),
    ...(withDropout ? [sn.layers.dropout({ rate: 0.5, seed: 7 })] : []),
    sn.layers.dense({ units: 3, activation: 'softmax', seed: 92, name: withDropout ? 'dropB' : 'plainB' }),
  ]);
  const dropped = make(true);
  const plain = make(false);
  // A learning rate so small that the weights do not move measurably: only the dropout mask changes between steps.
  const opt = () => sn.optimizers.sgd({ learningRate: 1e-9 });
  dropped.compile({ device, optimizer: opt(), loss: 'sparseCategoricalCrossentropy' });
  plain.compile({ device, optimizer: opt(), loss: 'sparseCategoricalCrossentropy' });
  try {
    const w = await dropped.getWeights();
    plain.setWeights({ 'plainA/kernel': w['dropA/kernel'], 'plainA/bias': w['dropA/bias'], 'plainB/kernel': w['dropB/kernel'], 'plainB/bias': w['dropB/bias'] });
    // One full batch per epoch, same order: every step sees the same data.
    const same = { epochs: 4, batchSize: 8, shuffle: false, verbose: 0 as const };
    const withMask = (await dropped.fit(x, y, same)).history.loss;
    const without = (await plain.fit(x, y, same)).history.loss;
    const spread = (v: number[]) => Math.max(...v) - Math.min(...v);
    assert.ok(spread(withMask) > 1e-3, `dropout losses across identical steps: ${withMask}`);
    assert.ok(new Set(withMask).size === withMask.length, `a new mask every step: ${withMask}`);
    assert.ok(spread(without) < 1e-6, `without dropout the same step gives the same loss: ${without}`);

    const p1 = await dropped.predict(x);
    const p2 = await dropped.predict(x);
    bitwiseEqual(p1.data, p2.data, 'predict twice');
    bitwiseEqual(p1.data, (await plain.predict(x)).data, 'predict with dropout vs the same weights without the layer');
    // evaluate is inference too.
    assert.equal(await dropped.evaluate(x, y), await plain.evaluate(x, y));
  } finally {
    dropped.dispose();
    plain.dispose();
  }
});

test("l2 regularizer: evaluate's loss = data loss + l2 * sum(w^2), from predict and getWeights on the host", async () => {
  const l2 = 0.05;
  const x = randomTensor([10, 4], 17);
  const y = randomTensor([10, 2], 18);
  const model = sn.sequential([
    sn.layers.dense({ units: 6, activation: 'tanh', inputShape: [4], seed: 101, name: 'reg', kernelRegularizer: sn.regularizers.l2(l2) }),
    sn.layers.dense({ units: 2, seed: 102, name: 'free' }),
  ]);
  model.compile({ device, optimizer: sn.optimizers.sgd({ learningRate: 0.05 }), loss: 'mse' });
  try {
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, seed: 5 });
    const w = await model.getWeights();
    let sumSq = 0;
    for (const v of w['reg/kernel'].data) sumSq += v * v;
    const dataLoss = mse(await model.predict(x), y);
    const ev = await model.evaluate(x, y, { batchSize: 4 });
    assert.ok(l2 * sumSq > 0.05, `the penalty is large enough to see (${l2 * sumSq})`);
    close(ev.loss, dataLoss + l2 * sumSq, 'evaluate loss with the l2 penalty (only the regularized kernel counts)');
  } finally {
    model.dispose();
  }
});

test('functional API: sn.input + layer.apply + sn.model trains', async () => {
  // Targets from a fixed linear map of the inputs: learnable to a small loss.
  const x = randomTensor([32, 4], 19);
  const y = sn.tensor(Float32Array.from({ length: 32 }, (_, i) => {
    const r = x.data.subarray(i * 4, i * 4 + 4);
    return 0.5 * r[0] - r[1] + 0.25 * r[2] + 0.1;
  }), [32, 1]);
  const inp = sn.input({ shape: [4] });
  const hidden = sn.layers.dense({ units: 16, activation: 'tanh', seed: 111 }).apply(inp);
  const out = sn.layers.dense({ units: 1, seed: 112 }).apply(hidden);
  const model = sn.model({ inputs: inp, outputs: out });
  assert.equal(model.outputShape, [1]);
  model.compile({ device, optimizer: sn.optimizers.adam({ learningRate: 0.02 }), loss: 'mse', metrics: ['mae'] });
  try {
    const h = await model.fit(x, y, { epochs: 40, batchSize: 8, verbose: 0, seed: 6 });
    const loss = h.history.loss;
    assert.ok(loss[39] < 0.1 * loss[0], `loss ${loss[0]} -> ${loss[39]}`);
    assert.is(h.history.mae.length, 40);
    close((await model.evaluate(x, y)).loss, mse(await model.predict(x), y), 'evaluate vs predict');
  } finally {
    model.dispose();
  }
});

// ------------------------------------------------------------------ lifetimes

test('a long run keeps the live GPU buffer count flat across epochs; dispose() returns it to the start', async () => {
  const start = sn.liveBufferCount(device.gpu);
  const x = randomTensor([50, 6], 21);
  const y = labels(50, 3, 22);
  const model = classifier(6, 8, 3, 121, [sn.layers.dropout({ rate: 0.2, seed: 3 })]);
  model.compile({ device, optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const counts: number[] = [];
  const watch: sn.callbacks.Callback = {
    onEpochEnd: async () => {
      await model.getWeights(); // staging buffers for the read must be released too
      counts.push(sn.liveBufferCount(device.gpu));
    },
  };
  // 40 training samples in batches of 16, 16, 8 (two train programs) plus a validation program.
  await model.fit(x, y, { epochs: 25, batchSize: 16, validationSplit: 0.2, verbose: 0, seed: 7, callbacks: [watch] });
  assert.is(counts.length, 25);
  assert.ok(counts[0] > start, 'the model holds buffers while alive');
  assert.equal(counts, Array<number>(25).fill(counts[0]), `live buffers per epoch: ${counts}`);
  await model.predict(x);
  await model.save({ includeOptimizer: true });
  model.dispose();
  assert.is(sn.liveBufferCount(device.gpu), start, 'dispose() releases every buffer');
});

test.run();
