// A one-block transformer learns to reverse a sequence: every output
// position must attend to the mirrored input position, which only attention
// (with position embeddings) can do. Small enough for npm test (seconds on a
// CPU driver); the accuracy asserted is on sequences it never trained on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { Rng, device } from './helpers.js';

const T = 6;
const VOCAB = 8;
const D = 32;

function sequences(n: number, rng: Rng): { x: sn.HostTensor<Int32Array>; y: sn.HostTensor } {
  const x = new Int32Array(n * T);
  const y = new Float32Array(n * T);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < T; j++) x[i * T + j] = Math.floor(rng.next() * VOCAB);
    for (let j = 0; j < T; j++) y[i * T + j] = x[i * T + T - 1 - j];
  }
  return { x: sn.tensor(x, [n, T], 'int32'), y: sn.tensor(y, [n, T]) };
}

/** Token + position embedding, one pre-norm block (causal off: the whole input is visible), a softmax over the vocabulary at each position. */
function transformer(seed: number): sn.Model {
  const ids = sn.input({ shape: [T], dtype: 'int32' });
  const tokens = sn.layers.embedding({ inputDim: VOCAB, outputDim: D, seed }).apply(ids);
  const positions = sn.layers.positionEmbedding({ sequenceLength: T, seed: seed + 1 }).apply(tokens);
  let h = sn.layers.add().apply([tokens, positions]);
  const a = sn.layers.layerNormalization().apply(h);
  h = sn.layers.add().apply([h, sn.layers.multiHeadAttention({ numHeads: 4, keyDim: 8, seed: seed + 2 }).apply([a, a])]);
  const m = sn.layers.layerNormalization().apply(h);
  const hidden = sn.layers.dense({ units: 2 * D, activation: 'gelu', seed: seed + 3 }).apply(m);
  h = sn.layers.add().apply([h, sn.layers.dense({ units: D, seed: seed + 4 }).apply(hidden)]);
  const out = sn.layers.dense({ units: VOCAB, activation: 'softmax', seed: seed + 5 }).apply(sn.layers.layerNormalization().apply(h));
  return sn.model({ inputs: ids, outputs: out });
}

test('a one-block transformer learns to reverse sequences of 6 tokens (held-out accuracy > 0.95)', async () => {
  const dev = await device();
  const rng = new Rng(21);
  const train = sequences(1536, rng);
  const heldOut = sequences(256, rng);
  const model = transformer(5);
  model.compile({ device: dev, optimizer: sn.optimizers.adam({ learningRate: 0.005 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const t0 = performance.now();
  const history = await model.fit(train.x, train.y, { epochs: 3, batchSize: 64, verbose: 0, seed: 3 });
  const seconds = (performance.now() - t0) / 1000;
  const result = await model.evaluate(heldOut.x, heldOut.y);
  console.log(`  reversal: loss ${history.history.loss.map((l) => l.toFixed(3)).join(' ')}; held-out accuracy ${result.accuracy.toFixed(3)} in ${seconds.toFixed(1)} s`);
  assert.ok(result.accuracy > 0.95, `held-out accuracy ${result.accuracy}`);
  // Chance is 1/8: the first epoch's loss starts near ln 8 = 2.08.
  assert.ok(history.history.loss[0] > 0.5, `first epoch loss ${history.history.loss[0]}`);
  model.dispose();
});

test.run();
