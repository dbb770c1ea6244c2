// The elementwise family: every unary and binary op on the GPU against the
// CPU reference (odd shapes, broadcasting, number operands, extreme inputs),
// and every differentiable one against central finite differences.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { Rng, assertClose, awayFromZero, compareToCpu, distinct, gradCheck, ints, uniform, type Data } from './helpers.js';
import { ELEMENTWISE, EXACT, KNOWN, type Tol } from './tolerances.js';

const { ops } = sn;
type Shape = readonly number[];

// ------------------------------------------------------------------ unary

interface UnaryCase {
  name: string;
  f: (x: sn.Tensor) => sn.Tensor;
  /** Inputs inside the op's domain and away from its kinks. */
  gen: (shape: Shape, rng: Rng) => Float32Array;
  tol?: Tol;
  /** false: piecewise constant (or pow 0), its gradient must be exactly zero. */
  differentiable?: boolean;
}

const signed = (s: Shape, r: Rng) => awayFromZero(s, r, 0.2, 2);
const positive = (s: Shape, r: Rng) => uniform(s, r, 0.3, 2.5);
const negative = (s: Shape, r: Rng) => uniform(s, r, -2, -0.3);

const unaryCases: UnaryCase[] = [
  { name: 'neg', f: ops.neg, gen: signed, tol: EXACT },
  { name: 'square', f: ops.square, gen: signed },
  { name: 'sqrt', f: ops.sqrt, gen: positive },
  { name: 'exp', f: ops.exp, gen: (s, r) => uniform(s, r, -3, 2) },
  { name: 'log', f: ops.log, gen: positive },
  { name: 'abs', f: ops.abs, gen: signed, tol: EXACT },
  { name: 'relu', f: ops.relu, gen: signed, tol: EXACT },
  { name: 'sigmoid', f: ops.sigmoid, gen: (s, r) => uniform(s, r, -4, 4) },
  { name: 'tanh', f: ops.tanh, gen: (s, r) => uniform(s, r, -2.5, 2.5) },
  { name: 'leakyRelu(0.2)', f: (x) => ops.leakyRelu(x), gen: signed },
  { name: 'leakyRelu(0.05)', f: (x) => ops.leakyRelu(x, 0.05), gen: signed },
  { name: 'elu', f: (x) => ops.elu(x), gen: signed },
  { name: 'elu(0.7)', f: (x) => ops.elu(x, 0.7), gen: signed },
  { name: 'softplus', f: ops.softplus, gen: (s, r) => uniform(s, r, -4, 4) },
  { name: 'step', f: ops.step, gen: signed, tol: EXACT, differentiable: false },
  { name: 'sign', f: ops.sign, gen: signed, tol: EXACT, differentiable: false },
  { name: 'pow 2', f: (x) => ops.pow(x, 2), gen: signed },
  { name: 'pow 3', f: (x) => ops.pow(x, 3), gen: signed },
  { name: 'pow 3 of negative x', f: (x) => ops.pow(x, 3), gen: negative },
  { name: 'pow -1', f: (x) => ops.pow(x, -1), gen: (s, r) => awayFromZero(s, r, 0.4, 2) },
  { name: 'pow 0.5', f: (x) => ops.pow(x, 0.5), gen: positive },
  { name: 'pow 0', f: (x) => ops.pow(x, 0), gen: signed, tol: EXACT, differentiable: false },
  { name: 'pow 6 (integer above the unrolled range) of negative x', f: (x) => ops.pow(x, 6), gen: (s, r) => uniform(s, r, -1.6, -0.4) },
  { name: 'pow 5 of negative x', f: (x) => ops.pow(x, 5), gen: (s, r) => uniform(s, r, -1.6, -0.4) },
  { name: 'sin', f: ops.sin, gen: (s, r) => uniform(s, r, -4, 4) },
  { name: 'cos', f: ops.cos, gen: (s, r) => uniform(s, r, -4, 4) },
  // Both sides of the kernel's switch from the series to the erfc fit at |x| = 0.5, and the tails.
  { name: 'erf', f: ops.erf, gen: (s, r) => uniform(s, r, -3.5, 3.5) },
  { name: 'erf near 0', f: ops.erf, gen: (s, r) => uniform(s, r, -0.6, 0.6) },
  { name: 'gelu', f: (x) => ops.gelu(x), gen: (s, r) => uniform(s, r, -4, 4) },
  { name: 'gelu (tanh approximation)', f: (x) => ops.gelu(x, { approximate: true }), gen: (s, r) => uniform(s, r, -4, 4) },
  { name: 'silu', f: ops.silu, gen: (s, r) => uniform(s, r, -4, 4) },
];

const ODD: Shape = [5, 7, 3];

for (const c of unaryCases) {
  test(`unary ${c.name}: GPU matches CPU on ${JSON.stringify(ODD)}`, async () => {
    const g = sn.graph();
    const x = g.input('x', ODD);
    const data = c.gen(ODD, new Rng(7));
    const { gpu } = await compareToCpu({ y: c.f(x) }, { x: data }, { tol: c.tol ?? ELEMENTWISE });
    assert.ok(gpu.y.data.every(Number.isFinite), `${c.name}: every value finite`);
  });
  test(`unary ${c.name}: gradient`, async () => {
    const { grads } = await gradCheck(c.f, [[4, 9]], { gen: c.gen, seed: 3 });
    if (c.differentiable === false) assert.ok(grads[0].every((v) => v === 0), `${c.name}: gradient is exactly zero`);
    else assert.ok(grads[0].some((v) => Math.abs(v) > 1e-3), `${c.name}: gradient is not trivially zero`);
  });
}

test('unary ops hold known values', async () => {
  const g = sn.graph();
  const x = g.input('x', [6]);
  const data = [-2, -0.5, 0.25, 1, 2, 4];
  const outs = {
    neg: ops.neg(x), square: ops.square(x), abs: ops.abs(x), relu: ops.relu(x), step: ops.step(x),
    leaky: ops.leakyRelu(x, 0.1), cube: ops.pow(x, 3), recip: ops.pow(x, -1), elu: ops.elu(x),
  };
  const { gpu } = await compareToCpu(outs, { x: data });
  const v = (k: keyof typeof outs) => [...gpu[k].data];
  assert.equal(v('neg'), [2, 0.5, -0.25, -1, -2, -4]);
  assert.equal(v('square'), [4, 0.25, 0.0625, 1, 4, 16]);
  assert.equal(v('abs'), [2, 0.5, 0.25, 1, 2, 4]);
  assert.equal(v('relu'), [0, 0, 0.25, 1, 2, 4]);
  assert.equal(v('step'), [0, 0, 1, 1, 1, 1]);
  assert.equal(v('cube'), [-8, -0.125, 0.015625, 1, 8, 64]);
  assert.equal(v('recip'), [-0.5, -2, 4, 1, 0.5, 0.25]);
  assertClose(v('leaky'), [-0.2, -0.05, 0.25, 1, 2, 4], KNOWN, 'leakyRelu(0.1)');
  assertClose(v('elu'), [Math.exp(-2) - 1, Math.exp(-0.5) - 1, 0.25, 1, 2, 4], KNOWN, 'elu');
});

test('step and relu at exactly 0: step(0) = 0, relu(0) = 0', async () => {
  const g = sn.graph();
  const x = g.input('x', [3]);
  const { gpu } = await compareToCpu({ s: ops.step(x), r: ops.relu(x) }, { x: [-0, 0, 1e-30] }, { tol: EXACT });
  assert.equal([...gpu.s.data], [0, 0, 1]);
});

test('sigmoid at +-80 and tanh at +-50 saturate without NaN', async () => {
  const g = sn.graph();
  const x = g.input('x', [8]);
  const data = [-80, -50, -20, -1e-3, 1e-3, 20, 50, 80];
  const { gpu } = await compareToCpu({ s: ops.sigmoid(x), t: ops.tanh(x) }, { x: data });
  const s = [...gpu.s.data], t = [...gpu.t.data];
  assert.ok(s.every(Number.isFinite) && t.every(Number.isFinite), `finite: sigmoid ${s}, tanh ${t}`);
  assert.ok(s[0] >= 0 && s[0] < 1e-30 && s[7] === 1, `sigmoid(-80) ~ 0, sigmoid(80) = 1: ${s}`);
  assert.equal([t[0], t[1], t[6], t[7]], [-1, -1, 1, 1]);
  assertClose([s[3], t[4]], [1 / (1 + Math.exp(1e-3)), Math.tanh(1e-3)], KNOWN, 'sigmoid(-1e-3), tanh(1e-3)');
});

test('sigmoid and tanh gradients at +-80 / +-50 are 0, not NaN', async () => {
  const g = sn.graph();
  const x = g.input('x', [4]);
  const f = ops.add(ops.sigmoid(x), ops.tanh(x)).sum();
  const [dx] = g.grad(f, [x]);
  const { gpu } = await compareToCpu({ dx }, { x: [-80, -50, 50, 80] });
  assert.ok(gpu.dx.data.every((v) => v >= 0 && v < 1e-20), `gradients: ${[...gpu.dx.data]}`);
});

test('softplus for large |x| is x (or 0) and finite, its gradient is 1 (or 0)', async () => {
  const g = sn.graph();
  const x = g.input('x', [6]);
  const y = ops.softplus(x);
  const [dx] = g.grad(y.sum(), [x]);
  const data = [-200, -90, -30, 30, 90, 200];
  const { gpu } = await compareToCpu({ y, dx }, { x: data });
  const v = [...gpu.y.data];
  assert.ok(v.every(Number.isFinite), `finite: ${v}`);
  assert.ok(v[0] >= 0 && v[0] < 1e-30 && v[1] >= 0 && v[1] < 1e-30, `softplus(-200), softplus(-90) ~ 0: ${v}`);
  assert.equal([v[3], v[4], v[5]], [30, 90, 200]);
  const d = [...gpu.dx.data];
  assert.ok(d[0] < 1e-30 && d[1] < 1e-30 && d[4] === 1 && d[5] === 1, `gradients ${d}`);
});

test('pow: exponent 1 is the identity, a non-finite exponent is a ShapeError', () => {
  const g = sn.graph();
  const x = g.input('x', [2]);
  assert.is(ops.pow(x, 1), x);
  assert.throws(() => ops.pow(x, NaN), (e: Error) => e instanceof sn.ShapeError && /exponent/.test(e.message));
});

// ------------------------------------------------------------------ binary

type BinaryFn = (a: sn.ops.Operand, b: sn.ops.Operand) => sn.Tensor;
const arithmetic: [string, BinaryFn][] = [
  ['add', ops.add], ['sub', ops.sub], ['mul', ops.mul], ['div', ops.div], ['maximum', ops.maximum], ['minimum', ops.minimum],
];
const comparisons: [string, BinaryFn][] = [
  ['greater', ops.greater], ['greaterEqual', ops.greaterEqual], ['less', ops.less], ['lessEqual', ops.lessEqual], ['equal', ops.equal],
];

/** Operand pairs whose broadcast is [5, 7, 3] (or the tensor operand's shape for a number). */
const pairs: [Shape | number, Shape | number][] = [
  [[5, 7, 3], [5, 7, 3]],
  [[5, 7, 3], [7, 1]],
  [[7, 1], [5, 7, 3]],
  [[5, 7, 3], [1, 3]],
  [[5, 7, 3], []],
  [[], [5, 7, 3]],
  [[5, 1, 3], [7, 1]],
  [[5, 7, 3], 1.5],
  [-0.75, [5, 7, 3]],
];
const label = (s: Shape | number) => (typeof s === 'number' ? `number ${s}` : JSON.stringify(s));

/** Builds op(a, b) from tensor shapes or numbers; returns the graph inputs and their data. */
function binaryGraph(op: BinaryFn, sa: Shape | number, sb: Shape | number, gen: (s: Shape, k: number) => Float32Array) {
  const g = sn.graph();
  const inputs: Record<string, Data> = {};
  const operand = (s: Shape | number, name: string, k: number): sn.ops.Operand => {
    if (typeof s === 'number') return s;
    inputs[name] = gen(s, k);
    return g.input(name, s);
  };
  const y = op(operand(sa, 'a', 0), operand(sb, 'b', 1));
  return { y, inputs };
}

for (const [name, op] of arithmetic) {
  for (const [sa, sb] of pairs) {
    test(`binary ${name}: ${label(sa)} with ${label(sb)} GPU matches CPU`, async () => {
      const rng = new Rng(11);
      // Denominators away from 0; otherwise signed values in [-2, 2].
      const gen = (s: Shape, k: number) => (name === 'div' && k === 1 ? awayFromZero(s, rng, 0.3, 2) : uniform(s, rng, -2, 2));
      const { y, inputs } = binaryGraph(op, sa, sb, gen);
      assert.equal([...y.shape], typeof sa === 'number' ? [...(sb as Shape)] : typeof sb === 'number' ? [...sa] : [5, 7, 3]);
      await compareToCpu({ y }, inputs, { tol: ['add', 'sub', 'maximum', 'minimum'].includes(name) ? EXACT : ELEMENTWISE });
    });
  }
}

for (const [name, op] of comparisons) {
  test(`comparison ${name}: broadcasting with exact ties, GPU matches CPU exactly`, async () => {
    const rng = new Rng(5);
    for (const [sa, sb] of [[[5, 7, 3], [7, 1]], [[1, 3], [5, 7, 3]], [[5, 7, 3], 1], [0, [5, 7, 3]]] as [Shape | number, Shape | number][]) {
      const { y, inputs } = binaryGraph(op, sa, sb, (s) => ints(s, rng));
      const { gpu } = await compareToCpu({ y }, inputs, { tol: EXACT });
      const v = [...gpu.y.data];
      assert.ok(v.every((t) => t === 0 || t === 1), `${name}: values are 0 or 1`);
      assert.ok(v.includes(0) && v.includes(1), `${name}: both outcomes occur`);
    }
  });
}

test('comparisons and maximum/minimum on known values', async () => {
  const g = sn.graph();
  const a = g.input('a', [4]);
  const b = g.input('b', [4]);
  const { gpu } = await compareToCpu(
    { gt: ops.greater(a, b), ge: ops.greaterEqual(a, b), lt: ops.less(a, b), le: ops.lessEqual(a, b), eq: ops.equal(a, b), mx: ops.maximum(a, b), mn: ops.minimum(a, b) },
    { a: [1, 2, 3, -1], b: [2, 2, 1, -3] },
    { tol: EXACT },
  );
  assert.equal([...gpu.gt.data], [0, 0, 1, 1]);
  assert.equal([...gpu.ge.data], [0, 1, 1, 1]);
  assert.equal([...gpu.lt.data], [1, 0, 0, 0]);
  assert.equal([...gpu.le.data], [1, 1, 0, 0]);
  assert.equal([...gpu.eq.data], [0, 1, 0, 0]);
  assert.equal([...gpu.mx.data], [2, 2, 3, -1]);
  assert.equal([...gpu.mn.data], [1, 2, 1, -3]);
});

// Gradients: operand shapes that broadcast both ways, so the un-broadcasting sums are exercised.
const gradPairs: [Shape, Shape][] = [[[3, 4], [3, 4]], [[2, 3, 4], [3, 1]], [[1, 4], [3, 1]], [[3, 4], []]];

for (const [name, op] of arithmetic) {
  for (const [sa, sb] of gradPairs) {
    test(`binary ${name}: gradient, ${label(sa)} with ${label(sb)}`, async () => {
      let gen: (s: Shape, r: Rng) => Float32Array;
      if (name === 'div') gen = (s, r) => awayFromZero(s, r, 0.5, 1.5);
      else if (name === 'maximum' || name === 'minimum') {
        // a on multiples of 0.1, b offset by 0.05: every broadcast pair differs by >= 0.05 = 5h.
        let k = 0;
        gen = (s, r) => distinct(s, r, 0.1, k++ === 0 ? 0 : 0.05);
      } else gen = (s, r) => uniform(s, r, -1.5, 1.5);
      const { grads } = await gradCheck(op, [sa, sb], { gen, seed: 9 });
      assert.ok(grads.every((d) => d.some((v) => v !== 0)), `${name}: both gradients nonzero`);
    });
  }
  test(`binary ${name}: gradient with a number operand on either side`, async () => {
    const gen = (s: Shape, r: Rng) => awayFromZero(s, r, 0.5, 1.5);
    await gradCheck((x) => op(x, 0.3), [[3, 5]], { gen, seed: 2 });
    await gradCheck((x) => op(-0.2, x), [[3, 5]], { gen, seed: 2 });
  });
}

test('maximum/minimum gradients at ties go to the first operand (as TensorFlow)', async () => {
  const g = sn.graph();
  const a = g.input('a', [3]);
  const b = g.input('b', [3]);
  const f = ops.add(ops.maximum(a, b), ops.mul(ops.minimum(a, b), 10)).sum();
  const [da, db] = g.grad(f, [a, b]);
  const { gpu } = await compareToCpu({ da, db }, { a: [1, 2, 3], b: [1, 5, 0] }, { tol: EXACT });
  assert.equal([...gpu.da.data], [11, 10, 1]);
  assert.equal([...gpu.db.data], [0, 1, 10]);
});

test('comparisons pass no gradient: d/da of sum(greater(a, b) * a) is greater(a, b)', async () => {
  const g = sn.graph();
  const a = g.input('a', [4]);
  const b = g.input('b', [4]);
  const [da, db] = g.grad(ops.mul(ops.greater(a, b), a).sum(), [a, b]);
  const { gpu } = await compareToCpu({ da, db }, { a: [1, 2, 3, 4], b: [2, 1, 4, 3] }, { tol: EXACT });
  assert.equal([...gpu.da.data], [0, 1, 0, 1]);
  assert.equal([...gpu.db.data], [0, 0, 0, 0]);
});

test('broadcastTo: forward and gradient (sums over the broadcast axes)', async () => {
  const g = sn.graph();
  const x = g.input('x', [3, 1]);
  const { gpu } = await compareToCpu({ y: ops.broadcastTo(x, [2, 3, 4]) }, { x: [1, 2, 3] }, { tol: EXACT });
  assert.equal([...gpu.y.data.slice(0, 8)], [1, 1, 1, 1, 2, 2, 2, 2]);
  await gradCheck((t) => ops.broadcastTo(t, [2, 3, 4]), [[3, 1]]);
  await gradCheck((t) => ops.broadcastTo(t, [5, 4]), [[4]]);
});

test('rank-0 (scalar) tensors: unary, binary with broadcasting, and their gradients', async () => {
  const g = sn.graph();
  const s = g.input('s', []);
  const v = g.input('v', [3]);
  const y = ops.mul(ops.exp(s), v);
  assert.equal([...y.shape], [3]);
  const { gpu } = await compareToCpu({ y, e: ops.exp(s), sum: ops.sum(ops.square(s)) }, { s: [0.5], v: [1, 2, 3] });
  assert.equal(gpu.e.shape, []);
  assert.equal(gpu.sum.shape, []);
  assert.is(gpu.sum.data[0], 0.25);
  await gradCheck((a, b) => ops.mul(ops.tanh(a), b), [[], [3]]);
});

test('more than 65535 workgroups: the 2-D dispatch covers every element exactly once', async () => {
  // 65535 * 64 threads fill the first dispatch row; 100 more need a second one.
  const n = 65535 * 64 + 100;
  const g = sn.graph();
  const x = g.input('x', [n / 4, 4]);
  const b = g.input('b', [4]);
  const data = Float32Array.from({ length: n }, (_, i) => i % 1000);
  const { gpu } = await compareToCpu({ y: ops.add(ops.neg(x), b) }, { x: data, b: [0.5, 1, 2, 4] }, { tol: EXACT });
  assert.is(gpu.y.data[n - 1], -((n - 1) % 1000) + 4);
  assert.is(gpu.y.data[65535 * 64], -((65535 * 64) % 1000) + 0.5);
});

test('erf, gelu and silu hold known values (erf from tables; gelu(x) = x Phi(x))', async () => {
  const g = sn.graph();
  const x = g.input('x', [6]);
  const xs = [0, 0.5, 1, -2, 3.2, -0.1];
  const { gpu } = await compareToCpu({ erf: ops.erf(x), gelu: ops.gelu(x), geluTanh: ops.gelu(x, { approximate: true }), silu: ops.silu(x) }, { x: xs }, { tol: KNOWN });
  assertClose(gpu.erf.data, [0, 0.5204998778, 0.8427007929, -0.9953222650, 0.9999939742, -0.1124629160], KNOWN, 'erf');
  assertClose(gpu.gelu.data, [0, 0.3457312306, 0.8413447461, -0.0455002639, 3.1978001, -0.0460172163], KNOWN, 'gelu');
  assertClose(gpu.geluTanh.data.slice(0, 3), [0, 0.3457140723, 0.8411919906], KNOWN, 'gelu, tanh approximation');
  assertClose(gpu.silu.data.slice(0, 3), [0, 0.3112296867, 0.7310585786], KNOWN, 'silu');
});

test('sin and cos to float32 accuracy over many periods (WGSL promises only 2^-11 for its builtins)', async () => {
  const g = sn.graph();
  const x = g.input('x', [7]);
  const xs = [0, 1e-4, Math.PI / 4, 2.5, -7.5, 100, 1000];
  const { gpu } = await compareToCpu({ s: ops.sin(x), c: ops.cos(x) }, { x: xs }, { tol: { atol: 2e-6, rtol: 1e-6 } });
  assertClose(gpu.s.data, xs.map((v) => Math.sin(Math.fround(v))), { atol: 2e-6, rtol: 1e-6 }, 'sin');
  assertClose(gpu.c.data, xs.map((v) => Math.cos(Math.fround(v))), { atol: 2e-6, rtol: 1e-6 }, 'cos');
});

test('where(cond, a, b) broadcasts all three; its gradient goes to a where cond holds, to b elsewhere, none to cond', async () => {
  const g = sn.graph();
  const c = g.input('c', [3, 1]);
  const a = g.input('a', [3, 4]);
  const b = g.input('b', [4]);
  const y = ops.where(c, a, b);
  assert.equal([...y.shape], [3, 4]);
  const rng = new Rng(4);
  const { gpu } = await compareToCpu({ y, z: ops.where(ops.greater(a, 0), a, 0) }, { c: [1, 0, 1], a: uniform([3, 4], rng), b: [7, 8, 9, 10] }, { tol: EXACT });
  assert.equal([...gpu.y.data.slice(4, 8)], [7, 8, 9, 10]);
  await gradCheck((x, z) => ops.where(ops.greater(x, 0), ops.square(x), ops.mul(z, 3)), [[5, 3], [3]], { gen: (s, r) => awayFromZero(s, r) });
});

test.run();
