// Layer-level checks: batch normalization (values, gradients for input,
// gamma and beta, moving averages, inference mode), add/concatenate, and the
// convolutional layers' shapes, gradients and save/load.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import type { LayerContext } from '../src/nn/layers/layer.js';
import { Rng, assertClose, device, gradCheck, throwsWith, uniform } from './helpers.js';
import { GRAPH } from './tolerances.js';

/** A layer context whose params are graph inputs, so gradCheck differentiates them too. */
function inputsAsParams(params: Record<string, sn.Tensor>, training: boolean): LayerContext {
  return {
    graph: Object.values(params)[0].graph,
    training,
    param: (_l, name) => params[name],
    addLoss: () => undefined,
    addUpdate: () => undefined,
  };
}

test('batchNormalization (training) normalises each channel with batch statistics', async () => {
  const dev = await device();
  const rng = new Rng(7);
  const shape = [3, 5, 4, 3];
  const x = uniform(shape, rng, -2, 3);
  const gamma = [1.5, -0.5, 2], beta = [0.1, 0.2, -0.3];
  const g = sn.graph();
  const xt = g.input('x', shape);
  const ctx = inputsAsParams({ gamma: g.input('gamma', [3]), beta: g.input('beta', [3]), movingMean: g.input('mm', [3]), movingVariance: g.input('mv', [3]) }, true);
  const bn = sn.layers.batchNormalization({ epsilon: 1e-3 });
  const y = bn.call([xt], ctx);
  const prog = await sn.compile(dev, g, { outputs: { y } });
  const out = await prog.run({ x, gamma, beta, mm: [0, 0, 0], mv: [1, 1, 1] });
  // Host reference: per channel mean and biased variance over n, h, w.
  const n = x.length / 3;
  const expected = new Float32Array(x.length);
  for (let c = 0; c < 3; c++) {
    let m = 0, v = 0;
    for (let i = c; i < x.length; i += 3) m += x[i];
    m /= n;
    for (let i = c; i < x.length; i += 3) v += (x[i] - m) ** 2;
    v /= n;
    for (let i = c; i < x.length; i += 3) expected[i] = ((x[i] - m) / Math.sqrt(v + 1e-3)) * gamma[c] + beta[c];
  }
  assertClose(out.y.data, expected, GRAPH, 'batch norm output');
  prog.dispose();
});

test('batchNormalization gradients for input, gamma and beta match finite differences', async () => {
  const bn = sn.layers.batchNormalization({ epsilon: 1e-2 });
  await gradCheck((x, gamma, beta) => {
    const ctx = inputsAsParams({ gamma, beta, movingMean: gamma, movingVariance: gamma }, true);
    return bn.call([x], ctx);
  }, [[4, 3, 2, 3], [3], [3]], { device: await device() });
});

test('batchNormalization moves its running averages in training and uses them at inference', async () => {
  const dev = await device();
  const model = sn.sequential([sn.layers.batchNormalization({ inputShape: [2], momentum: 0.5, name: 'bn_test' })]);
  model.compile({ device: dev, optimizer: sn.optimizers.sgd({ learningRate: 1e-9 }), loss: 'mse' });
  const x = sn.tensor([1, 10, 3, 20, 5, 30, 7, 40], [4, 2]);
  await model.fit(x, sn.tensor(new Float32Array(8), [4, 2]), { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
  const w = await model.getWeights();
  // mean = [4, 25], biased variance = [5, 125]; moving = 0.5 * init + 0.5 * batch.
  assertClose(w['bn_test/movingMean'].data, [2, 12.5], GRAPH, 'moving mean');
  assertClose(w['bn_test/movingVariance'].data, [3, 63], GRAPH, 'moving variance');
  const p = await model.predict(sn.tensor([2, 12.5], [1, 2]));
  // Inference: (x - movingMean) / sqrt(movingVar + eps) * gamma + beta with gamma ~ 1, beta ~ 0 (lr 1e-9).
  assertClose(p.data, [0, 0], { atol: 1e-5, rtol: 0 }, 'inference uses the moving averages');
  model.dispose();
});

test('add and concatenate layers join branches; mismatches name the layer', async () => {
  const dev = await device();
  const x = sn.input({ shape: [3] });
  const a = sn.layers.dense({ units: 4, seed: 1 }).apply(x);
  const b = sn.layers.dense({ units: 4, seed: 2 }).apply(x);
  const sum = sn.layers.add().apply([a, b]);
  const cat = sn.layers.concatenate().apply([sum, x]);
  assert.equal([...cat.shape], [7]);
  const out = sn.layers.dense({ units: 1, seed: 3 }).apply(cat);
  const model = sn.model({ inputs: x, outputs: out });
  model.compile({ device: dev, optimizer: 'adam', loss: 'mse' });
  const h = await model.fit(sn.tensor(uniform([32, 3], new Rng(1)), [32, 3]), sn.tensor(uniform([32, 1], new Rng(2)), [32, 1]), { epochs: 20, batchSize: 8, verbose: 0 });
  assert.ok(h.history.loss[19] < h.history.loss[0], `loss ${h.history.loss[0]} -> ${h.history.loss[19]}`);
  model.dispose();
  await throwsWith(() => sn.layers.add({ name: 'bad_add' }).apply([a, x]), sn.ShapeError, "bad_add", '[4]', '[3]');
});

test('conv2d layer: output shapes follow TensorFlow rules; gradients for input, filter and bias', async () => {
  const same = sn.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' });
  const x = sn.input({ shape: [13, 11, 3] });
  assert.equal([...same.apply(x).shape], [7, 6, 4]);
  assert.equal([...sn.layers.conv2d({ filters: 2, kernelSize: [5, 3], dilationRate: 2 }).apply(x).shape], [5, 7, 2]);
  assert.equal([...sn.layers.maxPool2d({ poolSize: 2 }).apply(x).shape], [6, 5, 3]);
  assert.equal([...sn.layers.avgPool2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x).shape], [7, 6, 3]);
  assert.equal([...sn.layers.globalAveragePooling2d().apply(x).shape], [3]);
  await throwsWith(() => sn.layers.conv2d({ filters: 2, kernelSize: 15, name: 'too_big' }).apply(x), sn.ShapeError, 'too_big', '15x15');
  const conv = sn.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' });
  await gradCheck((xt, kernel, bias) => conv.call([xt], inputsAsParams({ kernel, bias }, true)), [[2, 7, 5, 2], [3, 3, 2, 3], [3]], { device: await device() });
});

test('a small convnet with batch norm and a residual join trains, and save/load keeps its predictions', async () => {
  const dev = await device();
  const data = await sn.datasets.mnist({ trainLimit: 512, testLimit: 64 });
  const x = sn.input({ shape: [28, 28, 1] });
  let h = sn.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', seed: 1 }).apply(x);
  let r = sn.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, seed: 2 }).apply(h);
  r = sn.layers.batchNormalization().apply(r);
  h = sn.layers.activation({ activation: 'relu' }).apply(sn.layers.add().apply([h, r]));
  h = sn.layers.maxPool2d({ poolSize: 2 }).apply(h);
  h = sn.layers.globalAveragePooling2d().apply(h);
  const y = sn.layers.dense({ units: 10, activation: 'softmax', seed: 3 }).apply(h);
  const model = sn.model({ inputs: x, outputs: y });
  model.compile({ device: dev, optimizer: sn.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const hist = await model.fit(data.train.x, data.train.y, { epochs: 3, batchSize: 64, verbose: 0, seed: 1 });
  // 24 steps of a global-average-pooled net: the loss must fall every epoch and by a clear margin (measured 2.38 -> 2.22).
  const l = hist.history.loss;
  assert.ok(l[1] < l[0] && l[2] < l[1] && l[2] < l[0] - 0.08, `loss ${l.join(' -> ')}`);
  const before = await model.predict(data.test.x);
  const again = await sn.loadModel(await model.save(), { device: dev });
  const after = await again.predict(data.test.x);
  assert.equal([...after.data], [...before.data], 'predictions after save/load');
  model.dispose();
  again.dispose();
});

test.run();
