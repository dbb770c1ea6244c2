// The layers of a transformer: embedding (int32 ids in, rows out, ids checked
// on the host), positionEmbedding, layerNormalization (against TF.js's
// layer) and multiHeadAttention (against a float64 reference written from
// Keras' equations, and by finite differences); Keras weight names and
// shapes; save and load; a sequential model whose first layer is an
// embedding takes int32 data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import './node-require.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as sn from '../src/index.js';
import type { LayerContext } from '../src/nn/layers/layer.js';
import { Rng, assertClose, device, gradCheck, throwsWith, uniform } from './helpers.js';
import { GRAPH } from './tolerances.js';

/** A layer context whose params are graph inputs, so gradCheck differentiates them too. */
function inputsAsParams(params: Record<string, sn.Tensor>, training = false): LayerContext {
  return { graph: Object.values(params)[0].graph, training, param: (_l, name) => params[name], addLoss: () => undefined, addUpdate: () => undefined };
}

test('embedding: int32 ids [n, t] -> rows of embeddings [n, t, outputDim]; a sequential model built on it takes int32 data', async () => {
  const dev = await device();
  const model = sn.sequential([sn.layers.embedding({ inputDim: 11, outputDim: 5, inputShape: [7], name: 'emb' })]);
  assert.equal(model.outputShape, [7, 5]);
  model.compile({ device: dev, loss: 'meanSquaredError', optimizer: 'sgd' });
  const ids = Int32Array.from({ length: 3 * 7 }, (_, i) => (i * 5 + 3) % 11);
  const table = (await model.getWeights())['emb/embeddings'];
  assert.equal(table.shape, [11, 5]);
  for (const x of [sn.tensor(ids, [3, 7], 'int32'), Array.from(ids), [[...ids.slice(0, 7)], [...ids.slice(7, 14)], [...ids.slice(14)]]]) {
    const y = await model.predict(x as sn.Data);
    assert.equal(y.shape, [3, 7, 5]);
    const expected = Float32Array.from({ length: 3 * 7 * 5 }, (_, i) => table.data[ids[Math.floor(i / 5)] * 5 + (i % 5)]);
    assertClose(y.data, expected, { atol: 0, rtol: 0 }, 'embedding rows');
  }
  model.dispose();
});

test('embedding: an id out of range or not an integer is an InputError naming the sample and position, before the GPU', async () => {
  const dev = await device();
  const model = sn.sequential([sn.layers.embedding({ inputDim: 10, outputDim: 3, inputShape: [4] }), sn.layers.flatten(), sn.layers.dense({ units: 1 })]);
  model.compile({ device: dev, loss: 'meanSquaredError', optimizer: 'sgd' });
  const y = [[0], [1]];
  await throwsWith(() => model.fit([[1, 2, 3, 4], [5, 6, 10, 1]], y, { verbose: 0 }), sn.InputError, 'fit x sample 1 at position [2] is id 10', 'ids 0..9');
  await throwsWith(() => model.predict([[1, 2, 3, 4], [5, -1, 0, 1]]), sn.InputError, 'predict x sample 1 at position [1] is id -1');
  await throwsWith(() => model.evaluate([[1, 2.5, 3, 4], [5, 6, 0, 1]], y), sn.InputError, 'evaluate x sample 0 at position [1] is 2.5', 'integers');
  await throwsWith(() => model.predict(sn.tensor([1, 2, 3, 4.25], [1, 4])), sn.InputError, 'sample 0 at position [3] is 4.25');
  await throwsWith(() => model.predict([[1, 2, 'a', 4]] as never), sn.InputError, 'sample 0 at position [2]', 'not a number');
  model.dispose();
});

test('embedding on a float32 input is a ShapeError telling how to make an int32 input', async () => {
  const x = sn.input({ shape: [4] });
  await throwsWith(() => sn.layers.embedding({ inputDim: 5, outputDim: 2, name: 'e' }).apply(x), sn.ShapeError, "layer 'e' (Embedding)", "dtype: 'int32'");
  await throwsWith(() => sn.input({ shape: [4], dtype: 'int8' as never }), sn.InputError, "dtype must be 'float32' or 'int32'");
  await throwsWith(() => sn.layers.embedding({ inputDim: 0, outputDim: 2 }), sn.InputError, 'inputDim');
  await throwsWith(() => sn.layers.embedding({ outputDim: 2 } as never), sn.InputError, 'inputDim is missing');
});

test('positionEmbedding: row p of its table at every position p, for sequences up to sequenceLength', async () => {
  const dev = await device();
  const x = sn.input({ shape: [5, 3] });
  const pos = sn.layers.positionEmbedding({ sequenceLength: 8, name: 'pos' });
  const model = sn.model({ inputs: x, outputs: pos.apply(x) });
  model.compile({ device: dev, loss: 'meanSquaredError', optimizer: 'sgd' });
  const table = (await model.getWeights())['pos/embeddings'];
  assert.equal(table.shape, [8, 3]);
  const y = await model.predict(new Float32Array(2 * 5 * 3));
  const expected = Float32Array.from({ length: 2 * 5 * 3 }, (_, i) => table.data[i % 15]);
  assertClose(y.data, expected, { atol: 0, rtol: 0 }, 'position rows');
  await throwsWith(() => pos.apply(sn.input({ shape: [9, 3] })), sn.ShapeError, "layer 'pos'", '9 positions', 'sequenceLength 8');
  model.dispose();
});

test('layerNormalization equals TF.js layers.layerNormalization with the same gamma and beta (odd shapes, epsilon 1e-3)', async () => {
  const dev = await device();
  const rng = new Rng(3);
  const [t, c] = [5, 13];
  const gamma = uniform([c], rng, 0.5, 1.5), beta = uniform([c], rng);
  const x = uniform([3, t, c], rng, -2, 3);
  const model = sn.sequential([sn.layers.layerNormalization({ inputShape: [t, c], name: 'ln' })]);
  model.compile({ device: dev, loss: 'meanSquaredError', optimizer: 'sgd' });
  model.setWeights({ 'ln/gamma': gamma, 'ln/beta': beta });
  const ours = await model.predict(sn.tensor(x, [3, t, c]));
  const theirs = tfl.layers.layerNormalization({ axis: -1, epsilon: 1e-3, inputShape: [t, c] });
  const tm = tfl.sequential({ layers: [theirs] });
  theirs.setWeights([tf.tensor(gamma), tf.tensor(beta)]);
  const expected = (tm.predict(tf.tensor(x, [3, t, c])) as tf.Tensor).dataSync();
  assertClose(ours.data, expected, GRAPH, 'layerNormalization vs TF.js');
  model.dispose();
});

test('layerNormalization without center or scale has no beta or gamma; any axis but the last is a ShapeError', async () => {
  const plain = sn.sequential([sn.layers.layerNormalization({ inputShape: [4, 6], center: false, scale: false, name: 'plain' })]);
  assert.equal([...plain.weightShapes().keys()], []);
  const onlyGamma = sn.sequential([sn.layers.layerNormalization({ inputShape: [6], center: false, name: 'g' })]);
  assert.equal([...onlyGamma.weightShapes().keys()], ['g/gamma']);
  await throwsWith(() => sn.sequential([sn.layers.layerNormalization({ inputShape: [4, 6], axis: 1, name: 'a1' })]), sn.ShapeError, "layer 'a1'", 'last axis only');
  await throwsWith(() => sn.layers.layerNormalization({ epsilon: 0 }), sn.InputError, 'epsilon');
});

// ------------------------------------------------------------------ multi-head attention

interface MhaShapes { n: number; tq: number; tv: number; dq: number; dv: number; dk: number; heads: number; keyDim: number; valueDim: number }

/** Keras' MultiHeadAttention in float64 loops, from its equations. */
function referenceMha(s: MhaShapes, w: Record<string, Float32Array>, query: Float32Array, value: Float32Array, key: Float32Array, causal: boolean): Float64Array {
  const project = (x: Float32Array, t: number, d: number, part: string, size: number) => {
    const out = new Float64Array(s.n * t * s.heads * size);
    for (let r = 0; r < s.n * t; r++) {
      for (let j = 0; j < s.heads * size; j++) {
        let acc = w[`${part}/bias`][j];
        for (let i = 0; i < d; i++) acc += x[r * d + i] * w[`${part}/kernel`][i * s.heads * size + j];
        out[r * s.heads * size + j] = acc;
      }
    }
    return out;
  };
  const q = project(query, s.tq, s.dq, 'query', s.keyDim);
  const k = project(key, s.tv, s.dk, 'key', s.keyDim);
  const v = project(value, s.tv, s.dv, 'value', s.valueDim);
  const att = new Float64Array(s.n * s.tq * s.heads * s.valueDim);
  for (let b = 0; b < s.n; b++) {
    for (let h = 0; h < s.heads; h++) {
      for (let i = 0; i < s.tq; i++) {
        const keys = causal ? i + 1 : s.tv;
        const scores: number[] = [];
        for (let j = 0; j < keys; j++) {
          let dot = 0;
          for (let e = 0; e < s.keyDim; e++) dot += q[((b * s.tq + i) * s.heads + h) * s.keyDim + e] * k[((b * s.tv + j) * s.heads + h) * s.keyDim + e];
          scores.push(dot / Math.sqrt(s.keyDim));
        }
        const m = Math.max(...scores);
        const p = scores.map((x) => Math.exp(x - m));
        const z = p.reduce((a, x) => a + x, 0);
        for (let e = 0; e < s.valueDim; e++) {
          let acc = 0;
          for (let j = 0; j < keys; j++) acc += (p[j] / z) * v[((b * s.tv + j) * s.heads + h) * s.valueDim + e];
          att[((b * s.tq + i) * s.heads + h) * s.valueDim + e] = acc;
        }
      }
    }
  }
  const out = new Float64Array(s.n * s.tq * s.dq);
  for (let r = 0; r < s.n * s.tq; r++) {
    for (let j = 0; j < s.dq; j++) {
      let acc = w['attention_output/bias'][j];
      for (let i = 0; i < s.heads * s.valueDim; i++) acc += att[r * s.heads * s.valueDim + i] * w['attention_output/kernel'][i * s.dq + j];
      out[r * s.dq + j] = acc;
    }
  }
  return out;
}

const SHAPES: MhaShapes = { n: 2, tq: 5, tv: 7, dq: 6, dv: 4, dk: 3, heads: 3, keyDim: 5, valueDim: 2 };

for (const [label, s, withKey, causal] of [
  ['cross attention, key given', SHAPES, true, false],
  ['cross attention, key = value', SHAPES, false, false],
  ['causal self attention', { ...SHAPES, tv: 5, dv: 6, dk: 6 }, false, true],
] as [string, MhaShapes, boolean, boolean][]) {
  test(`multiHeadAttention (${label}): Keras weight names and shapes, output = float64 reference`, async () => {
    const dev = await device();
    const rng = new Rng(11);
    const query = sn.input({ shape: [s.tq, s.dq], name: 'q_in' });
    const value = sn.input({ shape: [s.tv, s.dv], name: 'v_in' });
    const mha = sn.layers.multiHeadAttention({ numHeads: s.heads, keyDim: s.keyDim, valueDim: s.valueDim, causal, name: 'mha' });
    const shapes = new Map(Object.entries({
      'mha/query/kernel': [s.dq, s.heads, s.keyDim], 'mha/query/bias': [s.heads, s.keyDim],
      'mha/key/kernel': [withKey ? s.dk : s.dv, s.heads, s.keyDim], 'mha/key/bias': [s.heads, s.keyDim],
      'mha/value/kernel': [s.dv, s.heads, s.valueDim], 'mha/value/bias': [s.heads, s.valueDim],
      'mha/attention_output/kernel': [s.heads, s.valueDim, s.dq], 'mha/attention_output/bias': [s.dq],
    }));
    // One input per tensor: concatenate query, value (and key) into one sample [tq*dq + tv*dv (+ tv*dk)] and slice them apart.
    const keyIn = withKey ? sn.input({ shape: [s.tv, s.dk], name: 'k_in' }) : undefined;
    const out = mha.apply(keyIn ? [query, value, keyIn] : [query, value]);
    assert.equal(out.shape, [s.tq, s.dq]);
    const g = sn.graph();
    const qt = g.input('q', [s.n, s.tq, s.dq]), vt = g.input('v', [s.n, s.tv, s.dv]);
    const kt = withKey ? g.input('k', [s.n, s.tv, s.dk]) : undefined;
    const params: Record<string, sn.Tensor> = {};
    const weights: Record<string, Float32Array> = {};
    for (const [name, shape] of shapes) {
      const short = name.slice('mha/'.length);
      params[short] = g.input(short, shape);
      weights[short] = uniform(shape, rng, -0.6, 0.6);
    }
    const y = mha.call(kt ? [qt, vt, kt] : [qt, vt], inputsAsParams(params));
    const prog = await sn.compile(dev, g, { outputs: { y } });
    const data = { q: uniform([s.n, s.tq, s.dq], rng), v: uniform([s.n, s.tv, s.dv], rng), ...(withKey ? { k: uniform([s.n, s.tv, s.dk], rng) } : {}) };
    const got = await prog.run({ ...data, ...weights });
    const expected = referenceMha(withKey ? s : { ...s, dk: s.dv }, weights, data.q, data.v, withKey ? (data as { k: Float32Array }).k : data.v, causal);
    assertClose(got.y.data, expected, GRAPH, 'multi-head attention');
    prog.dispose();
  });
}

test('multiHeadAttention gradients (inputs and every weight) against finite differences', async () => {
  const s = { ...SHAPES, n: 1, tq: 3, tv: 4, heads: 2, keyDim: 3, valueDim: 2 };
  const mha = sn.layers.multiHeadAttention({ numHeads: s.heads, keyDim: s.keyDim, valueDim: s.valueDim });
  const names = ['query/kernel', 'query/bias', 'key/kernel', 'key/bias', 'value/kernel', 'value/bias', 'attention_output/kernel', 'attention_output/bias'];
  const shapes = [[s.dq, 2, 3], [2, 3], [s.dk, 2, 3], [2, 3], [s.dv, 2, 2], [2, 2], [2, 2, s.dq], [s.dq]];
  await gradCheck((q, v, k, ...ws) => mha.call([q, v, k], inputsAsParams(Object.fromEntries(names.map((n, i) => [n, ws[i]])))),
    [[s.n, s.tq, s.dq], [s.n, s.tv, s.dv], [s.n, s.tv, s.dk], ...shapes], { device: await device(), maxChecks: 16 });
});

test('multiHeadAttention: wrong inputs are ShapeErrors naming the layer and the shapes', async () => {
  const mha = sn.layers.multiHeadAttention({ numHeads: 2, keyDim: 4, name: 'att' });
  const q = sn.input({ shape: [5, 6] });
  await throwsWith(() => mha.apply(q), sn.ShapeError, "layer 'att'", 'takes [query, value]');
  await throwsWith(() => mha.apply([q, sn.input({ shape: [7, 3] }), sn.input({ shape: [6, 3] })]), sn.ShapeError, "layer 'att'", 'same length', '[6, 3]', '[7, 3]');
  await throwsWith(() => mha.apply([q, sn.input({ shape: [7] })]), sn.ShapeError, 'value samples of shape [t, features]', '[7]');
  const causal = sn.layers.multiHeadAttention({ numHeads: 2, keyDim: 4, causal: true, name: 'c' });
  await throwsWith(() => causal.apply([q, sn.input({ shape: [7, 6] })]), sn.ShapeError, "layer 'c'", 'one length');
  await throwsWith(() => sn.layers.multiHeadAttention({ numHeads: 2 } as never), sn.InputError, 'keyDim is missing');
  await throwsWith(() => sn.layers.multiHeadAttention({ numHeads: 2, keyDim: 4, dropout: 1 }), sn.InputError, 'dropout');
});

test('multiHeadAttention dropout acts while training only', async () => {
  const dev = await device();
  const x = sn.input({ shape: [6, 8] });
  const mha = sn.layers.multiHeadAttention({ numHeads: 2, keyDim: 4, dropout: 0.5, seed: 3, name: 'drop' });
  const model = sn.model({ inputs: x, outputs: mha.apply([x, x]) });
  model.compile({ device: dev, loss: 'meanSquaredError', optimizer: 'sgd' });
  const data = sn.tensor(uniform([4, 6, 8], new Rng(2)), [4, 6, 8]);
  const a = await model.predict(data), b = await model.predict(data);
  assertClose(a.data, b.data, { atol: 0, rtol: 0 }, 'inference is deterministic');
  const before = await model.evaluate(data, a);
  assert.ok(before.loss < 1e-10, `inference loss against its own prediction: ${before.loss}`);
  const h = await model.fit(data, a, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
  assert.ok(h.history.loss[0] > 1e-4, `training with dropout departs from the inference output: loss ${h.history.loss[0]}`);
  model.dispose();
});

test('a model with embedding, positionEmbedding, layerNormalization and multiHeadAttention saves and loads with equal predictions', async () => {
  const dev = await device();
  const ids = sn.input({ shape: [6], dtype: 'int32', name: 'ids' });
  const tok = sn.layers.embedding({ inputDim: 9, outputDim: 8 }).apply(ids);
  const pos = sn.layers.positionEmbedding({ sequenceLength: 6 }).apply(tok);
  const h = sn.layers.add().apply([tok, pos]);
  const n = sn.layers.layerNormalization().apply(h);
  const a = sn.layers.multiHeadAttention({ numHeads: 2, keyDim: 4, causal: true }).apply([n, n]);
  const logits = sn.layers.dense({ units: 9 }).apply(sn.layers.add().apply([h, a]));
  const model = sn.model({ inputs: ids, outputs: logits });
  model.compile({ device: dev, loss: 'meanSquaredError', optimizer: 'adam' });
  const x = sn.tensor(Int32Array.from({ length: 18 }, (_, i) => (i * 7) % 9), [3, 6], 'int32');
  const before = await model.predict(x);
  const bytes = await model.save();
  const loaded = await sn.loadModel(bytes, { device: dev });
  const after = await loaded.predict(x);
  assertClose(after.data, before.data, { atol: 0, rtol: 0 }, 'predictions after load');
  await throwsWith(() => loaded.predict([[0, 1, 2, 3, 4, 9]]), sn.InputError, 'is id 9');
  model.dispose();
  loaded.dispose();
});

test.run();
