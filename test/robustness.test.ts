// createDevice({ robustness: false }): a device without WebGPU's bounds
// checks trains exactly as the default one does. Each kernel keeps its own
// indices in range (edge threads clamp their reads and skip their writes), so
// dropping the checks must change no value: a kernel that relied on them
// (reading past a buffer's end and getting zero or a clamped value) would
// give different numbers here, or none. Odd sizes everywhere, so every
// kernel has partial tiles, partial vec4 groups and edge threads. On
// SwiftShader the two devices also run different matmul variants (subgroup-
// shared loads of A only with the checks, KernelCaps.matmulSharedA), which
// must agree bit for bit as well: same products, summed in the same order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { Rng, sizeOf, uniform } from './helpers.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Pixel-like values in [0, 1), or integer class labels below `classes`. */
function data(shape: number[], seed: number, classes?: number): sn.HostTensor {
  const rng = new Rng(seed);
  return sn.tensor(classes ? Float32Array.from({ length: sizeOf(shape) }, () => rng.int(classes)) : uniform(shape, rng, 0, 1), shape);
}

/** Three epochs of a small convnet with batch norm and an MLP head on odd shapes; the losses and every weight. */
async function train(device: sn.Device) {
  const model = sn.sequential([
    sn.layers.conv2d({ filters: 5, kernelSize: 3, activation: 'relu', inputShape: [11, 9, 3], seed: 1, name: 'conv' }),
    sn.layers.maxPool2d({ poolSize: 2 }),
    sn.layers.batchNormalization({ name: 'bn' }),
    sn.layers.flatten(),
    sn.layers.dense({ units: 13, activation: 'elu', seed: 2, name: 'hidden' }),
    sn.layers.dropout({ rate: 0.25, seed: 3 }),
    sn.layers.dense({ units: 7, activation: 'softmax', seed: 4, name: 'out' }),
  ]);
  model.compile({ device, optimizer: sn.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
  try {
    const h = await model.fit(data([37, 11, 9, 3], 5), data([37], 6, 7), { epochs: 3, batchSize: 9, shuffle: true, seed: 7, verbose: 0 });
    return { loss: h.history.loss, weights: await model.getWeights() };
  } finally {
    model.dispose();
  }
}

test('a device without bounds checks trains bit for bit like the default device', async () => {
  const checked = await sn.createDevice();
  const unchecked = await sn.createDevice({ robustness: false });
  try {
    assert.is(checked.robustness, true);
    assert.is(unchecked.robustness, !isNode);
    const a = await train(checked);
    const b = await train(unchecked);
    assert.equal(b.loss, a.loss);
    assert.ok(a.loss[2] < a.loss[0], `the loss falls: ${a.loss.join(', ')}`);
    assert.equal(Object.keys(b.weights).sort(), Object.keys(a.weights).sort());
    for (const [name, w] of Object.entries(a.weights)) assert.equal([...b.weights[name].data], [...w.data], name);
  } finally {
    checked.destroy();
    unchecked.destroy();
  }
});

test.run();
