// The attention kernels (shaders/attention_*.wgsl) run standalone with the
// raw WebGPU API against the CPU reference (src/cpu/attention.ts) on odd
// shapes, and the CPU reference's backward formulas against central finite
// differences of its own forward pass.
import * as assert from 'uvu/assert';
import { attentionBackward, attentionGeometry, attentionStats, dotProductAttention } from '../src/cpu/attention.js';
import { checkAll, fmtG, log, makeCase, test, type Case } from './attention-check.js';
import { attentionOutputLength, attentionSpec, type AttentionKernel } from '../src/ops/attention-kernels.js';
import { centralDifferences, errors, range } from './fd.js';
import { dispatch } from './gpu-dispatch.js';
import { assertClose, device } from './helpers.js';
import { attention as attentionTol } from './seq-tolerances.js';
import { FINITE_DIFF } from './tolerances.js';

const odd = { batch: 2, tq: 13, tk: 13, heads: 3, d: 7 };

test('GPU vs CPU: self-attention t = 13, 3 heads, head size 7, batch 2, 3 rows a thread', async () => {
  await checkAll(makeCase(odd), { rows: 3 });
});

test('GPU vs CPU: causal, t = 13, 3 heads, head size 7, batch 2', async () => {
  await checkAll(makeCase({ ...odd, causal: true }, 2));
});

test('GPU vs CPU: cross attention tq = 5, tk = 11, with a given scale', async () => {
  await checkAll(makeCase({ ...odd, tq: 5, tk: 11, scale: 0.9 }, 3));
});

test('GPU vs CPU: head size 33, one row a thread, causal: forward, dq, dk', async () => {
  // Three of the five kernels (stats and dv share their loops): compiling is most of the time on SwiftShader.
  await checkAll(makeCase({ batch: 1, tq: 9, tk: 9, heads: 2, d: 33, causal: true }, 9), { rows: 1 }, ['forward', 'dq', 'dk']);
});

test('GPU: the kernels chained (forward -> stats -> dq, dk, dv, all on the GPU) match the CPU backward', async () => {
  const gpu = (await device()).gpu;
  const c = makeCase({ ...odd, causal: true }, 10);
  const { g } = c;
  const run = (kind: AttentionKernel, inputs: Float32Array[]) => dispatch(gpu, attentionSpec(kind, g), inputs, attentionOutputLength(kind, g));
  const o = await run('forward', [c.q, c.k, c.v]);
  const stats = await run('stats', [c.q, c.k, o, c.dO]);
  const want = attentionBackward(c.q, c.k, c.v, c.dO, g);
  const tol = attentionTol(g.d, g.tq, g.scale);
  assertClose(await run('dq', [c.q, c.k, c.v, c.dO, stats]), want.dq, tol, 'dq');
  assertClose(await run('dk', [c.q, c.k, c.v, c.dO, stats]), want.dk, tol, 'dk');
  assertClose(await run('dv', [c.q, c.k, c.dO, stats]), want.dv, tol, 'dv');
});

/** softmax(scale q k^T) v for one (batch, head) of [b, t, h, d] tensors, from plain JS arrays: no code shared with src/cpu/attention.ts. */
function naiveAttention(c: Case): Float32Array {
  const { g } = c;
  const out = new Float32Array(c.q.length);
  const vec = (x: Float32Array, len: number, n: number, t: number, h: number) => Array.from(x.subarray(((n * len + t) * g.heads + h) * g.d, ((n * len + t) * g.heads + h + 1) * g.d));
  for (let n = 0; n < g.batch; n++) {
    for (let h = 0; h < g.heads; h++) {
      const Q = range(g.tq).map((i) => vec(c.q, g.tq, n, i, h));
      const K = range(g.tk).map((j) => vec(c.k, g.tk, n, j, h));
      const V = range(g.tk).map((j) => vec(c.v, g.tk, n, j, h));
      const S = Q.map((qi) => K.map((kj) => g.scale * qi.reduce((s, x, e) => s + x * kj[e], 0)));
      const P = S.map((row) => {
        const m = Math.max(...row);
        const e = row.map((x) => Math.exp(x - m));
        const z = e.reduce((a, b) => a + b, 0);
        return e.map((x) => x / z);
      });
      P.forEach((row, i) => {
        for (let e = 0; e < g.d; e++) out[((n * g.tq + i) * g.heads + h) * g.d + e] = row.reduce((s, p, j) => s + p * V[j][e], 0);
      });
    }
  }
  return out;
}

test('GPU forward and the CPU reference vs a naive softmax(q k^T / sqrt(d)) v at t = 64, 4 heads, head size 16', async () => {
  const gpu = (await device()).gpu;
  const c = makeCase({ batch: 1, tq: 64, tk: 64, heads: 4, d: 16 }, 11);
  const naive = naiveAttention(c);
  const tol = attentionTol(16, 64);
  assertClose(dotProductAttention(c.q, c.k, c.v, c.g), naive, tol, 'CPU reference vs naive');
  const got = await dispatch(gpu, attentionSpec('forward', c.g), [c.q, c.k, c.v], attentionOutputLength('forward', c.g));
  const e = errors(got, naive);
  log(`  forward vs naive t 64: max abs ${e.abs.toExponential(2)}, max rel ${e.rel.toExponential(2)}`);
  assertClose(got, naive, tol, 'GPU forward vs naive');
});

test('GPU vs CPU: long sequence t = 1024, causal (2 heads, head size 8)', async () => {
  await checkAll(makeCase({ batch: 1, tq: 1024, tk: 1024, heads: 2, d: 8, causal: true }, 12));
});

test('GPU vs CPU: more than 65535 workgroups fold into a 2-D grid (300000 rows, 4 threads a workgroup)', async () => {
  const options = { rows: 1, workgroupSize: 4 };
  const long = 300000;
  const spec = attentionSpec('forward', attentionGeometry({ batch: 1, tq: long, tk: 2, heads: 1, d: 1 }), options);
  assert.ok(spec.workgroups[1] > 1 && spec.workgroups[0] <= 65535, `grid ${spec.workgroups}`);
  await checkAll(makeCase({ batch: 1, tq: long, tk: 2, heads: 1, d: 1 }, 13), options, ['forward', 'stats', 'dq']);
  await checkAll(makeCase({ batch: 1, tq: 2, tk: long, heads: 1, d: 1 }, 14), options, ['dk', 'dv']);
});

test('GPU: a row with no key to look at (tk = 0) gets o = 0, L = the finite stand-in for -infinity, dq = 0', async () => {
  const gpu = (await device()).gpu;
  const c = makeCase({ batch: 2, tq: 3, tk: 0, heads: 2, d: 5 }, 15);
  const o = await dispatch(gpu, attentionSpec('forward', c.g), [c.q, c.k, c.v], attentionOutputLength('forward', c.g));
  assert.equal([...o], new Array(o.length).fill(0));
  const stats = await dispatch(gpu, attentionSpec('stats', c.g), [c.q, c.k, o, c.dO], attentionOutputLength('stats', c.g));
  for (let i = 0; i < stats.length; i += 2) assert.ok(stats[i] < -1e38 && stats[i + 1] === 0, `stats ${stats[i]}, ${stats[i + 1]}`);
  const dq = await dispatch(gpu, attentionSpec('dq', c.g), [c.q, c.k, c.v, c.dO, stats], attentionOutputLength('dq', c.g));
  assert.equal([...dq], new Array(dq.length).fill(0));
  assert.equal([...dotProductAttention(c.q, c.k, c.v, c.g)], new Array(o.length).fill(0), 'CPU reference: o = 0 too');
});

test('CPU reference: backward formulas vs central differences of the forward pass (cross, and causal)', () => {
  for (const shape of [{ batch: 2, tq: 3, tk: 4, heads: 2, d: 3 }, { batch: 1, tq: 4, tk: 4, heads: 2, d: 3, causal: true, scale: 0.7 }]) {
    const c = makeCase(shape, 16);
    const w = c.dO; // f = sum(w * o), so dO = w
    const grads = attentionBackward(c.q, c.k, c.v, w, c.g);
    const forward = () => dotProductAttention(c.q, c.k, c.v, c.g);
    for (const [name, x, got] of [['q', c.q, grads.dq], ['k', c.k, grads.dk], ['v', c.v, grads.dv]] as const) {
      const fd = centralDifferences(forward, x, w, range(x.length));
      const e = errors(got, fd);
      log(`  d${name} ${fmtG(c.g)} vs central differences: max abs ${e.abs.toExponential(2)}`);
      assertClose(got, fd, FINITE_DIFF, `d${name} ${fmtG(c.g)}: backward vs central differences`);
    }
  }
});

test('CPU reference: the statistics are logsumexp of the scores and dO . o = sum_j P dP', () => {
  const c = makeCase({ batch: 1, tq: 3, tk: 5, heads: 2, d: 4 }, 17);
  const { g } = c;
  const o = dotProductAttention(c.q, c.k, c.v, g);
  const stats = attentionStats(c.q, c.k, o, c.dO, g);
  for (let i = 0; i < g.tq; i++) {
    for (let h = 0; h < g.heads; h++) {
      const at = (x: Float32Array, t: number) => x.subarray((t * g.heads + h) * g.d, (t * g.heads + h + 1) * g.d);
      const s = range(g.tk).map((j) => g.scale * at(c.q, i).reduce((a, x, e) => a + x * at(c.k, j)[e], 0));
      const lse = Math.log(s.reduce((a, x) => a + Math.exp(x), 0));
      const dd = range(g.tk).reduce((a, j) => a + Math.exp(s[j] - lse) * at(c.dO, i).reduce((b, x, e) => b + x * at(c.v, j)[e], 0), 0);
      const r = (i * g.heads + h) * 2;
      assertClose([stats[r], stats[r + 1]], [lse, dd], { atol: 1e-6, rtol: 1e-5 }, `stats of query ${i}, head ${h}`);
    }
  }
});

test.run();
