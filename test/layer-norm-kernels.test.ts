// The layer-normalization kernels (shaders/layer_norm_*.wgsl) run standalone
// with the raw WebGPU API against the CPU reference (src/cpu/layer-norm.ts)
// on odd widths, and the CPU reference's backward formulas against central
// finite differences of its own forward pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { layerNorm, layerNormBackward, layerNormStats } from '../src/cpu/layer-norm.js';
import { centralDifferences, errors, range } from './fd.js';
import { dispatch } from './gpu-dispatch.js';
import { assertClose, device, Rng, uniform } from './helpers.js';
import { layerNormOutputLength, layerNormSpec, type LayerNormKernel } from '../src/ops/layer-norm-kernels.js';
import { layerNorm as layerNormTol } from './seq-tolerances.js';
import { FINITE_DIFF } from './tolerances.js';

const VERBOSE = process.argv.includes('--verbose');
const log = (s: string) => { if (VERBOSE) console.log(s); };

interface Case {
  x: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  dy: Float32Array;
  rows: number;
  c: number;
}

function makeCase(rows: number, c: number, seed = 1, offset = 0): Case {
  const rng = new Rng(seed);
  const x = uniform([rows, c], rng).map((v) => v + offset);
  return { x, gamma: uniform([c], rng, 0.5, 1.5), beta: uniform([c], rng, -0.5, 0.5), dy: uniform([rows, c], rng), rows, c };
}

async function checkAll(t: Case, epsilon = 1e-3, xmax = 1): Promise<void> {
  const gpu = (await device()).gpu;
  const stats = layerNormStats(t.x, t.c, epsilon);
  const grads = layerNormBackward(t.x, t.gamma, t.dy, t.c, epsilon);
  const paramGrads = new Float32Array(2 * t.c);
  paramGrads.set(grads.dgamma, 0);
  paramGrads.set(grads.dbeta, t.c);
  const want: Record<LayerNormKernel, Float32Array> = { forward: layerNorm(t.x, t.gamma, t.beta, t.c, epsilon), dx: grads.dx, stats, paramGrads };
  const inputs: Record<LayerNormKernel, Float32Array[]> = {
    forward: [t.x, t.gamma, t.beta],
    dx: [t.x, t.gamma, t.dy],
    stats: [t.x],
    paramGrads: [t.x, t.dy, stats],
  };
  const tol = layerNormTol(t.c, t.rows, xmax);
  for (const kind of ['forward', 'dx', 'stats', 'paramGrads'] as const) {
    const got = await dispatch(gpu, layerNormSpec(kind, t.rows, t.c, epsilon), inputs[kind], layerNormOutputLength(kind, t.rows, t.c));
    const e = errors(got, want[kind]);
    log(`  ${kind.padEnd(10)} rows ${t.rows} c ${t.c}: max abs ${e.abs.toExponential(2)}, max rel ${e.rel.toExponential(2)} (atol ${tol.atol.toExponential(2)})`);
    assertClose(got, want[kind], tol, `${kind} rows ${t.rows} c ${t.c} GPU vs CPU`);
  }
}

for (const [rows, c] of [[1, 7], [5, 13], [37, 33], [23, 100], [2 * 3 * 4, 7]] as const) {
  test(`GPU vs CPU: ${rows} rows of width ${c} (forward, dx, stats, dgamma/dbeta)`, async () => {
    await checkAll(makeCase(rows, c, rows * 100 + c));
  });
}

test('GPU vs CPU: rows far from zero (values 100 +- 1)', async () => {
  await checkAll(makeCase(9, 33, 7, 100), 1e-3, 101);
});

test('GPU vs CPU: epsilon = 0.1 (the EPS override reaches the kernels)', async () => {
  await checkAll(makeCase(6, 13, 8), 0.1);
});

test('GPU: constant rows give beta (variance 0, epsilon keeps rstd finite) and dx = 0', async () => {
  const gpu = (await device()).gpu;
  const t = makeCase(3, 13, 5);
  t.x.fill(0.75);
  const y = await dispatch(gpu, layerNormSpec('forward', 3, 13), [t.x, t.gamma, t.beta], 39);
  assertClose(y, [...t.beta, ...t.beta, ...t.beta], { atol: 1e-6, rtol: 0 }, 'y of constant rows');
  const dx = await dispatch(gpu, layerNormSpec('dx', 3, 13), [t.x, t.gamma, t.dy], 39);
  const want = layerNormBackward(t.x, t.gamma, t.dy, 13).dx;
  assertClose(dx, want, layerNormTol(13, 3), 'dx of constant rows');
});

test('CPU reference: backward formulas vs central differences of the forward pass', () => {
  for (const [rows, c] of [[3, 7], [2, 13]] as const) {
    const t = makeCase(rows, c, 11);
    const w = t.dy; // f = sum(w * y), so dy = w
    const grads = layerNormBackward(t.x, t.gamma, w, c);
    const forward = () => layerNorm(t.x, t.gamma, t.beta, c);
    const check = (name: string, x: Float32Array, got: Float32Array) => {
      const fd = centralDifferences(forward, x, w, range(x.length));
      const e = errors(got, fd);
      log(`  d${name} rows ${rows} c ${c} vs central differences: max abs ${e.abs.toExponential(2)}`);
      assertClose(got, fd, FINITE_DIFF, `d${name} rows ${rows} c ${c}: backward vs central differences`);
    };
    check('x', t.x, grads.dx);
    check('gamma', t.gamma, grads.dgamma);
    check('beta', t.beta, grads.dbeta);
  }
});

test('CPU reference: with gamma = 1, beta = 0 and epsilon = 0 every row of y has mean 0 and variance 1', () => {
  const t = makeCase(4, 33, 3);
  const y = layerNorm(t.x, new Float32Array(33).fill(1), new Float32Array(33), 33, 0);
  for (let r = 0; r < 4; r++) {
    const row = y.subarray(r * 33, (r + 1) * 33);
    const mean = row.reduce((s, v) => s + v, 0) / 33;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / 33;
    assert.ok(Math.abs(mean) < 1e-6 && Math.abs(variance - 1) < 1e-5, `row ${r}: mean ${mean}, variance ${variance}`);
  }
});

test.run();
