// Symbolic reverse-mode autodiff: known derivatives, higher-order and mixed
// derivatives (grad of grad), common-subexpression elimination of repeated
// expressions, zeros for independent inputs, and the scalar requirement.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { assertClose, compareToCpu, device, throwsWith } from './helpers.js';
import { GRAPH, KNOWN } from './tolerances.js';

const { ops } = sn;

test('design example: (x/y + 5)^2 + x at (6, 2) = 70, df/dx = 9, df/dy = -24', async () => {
  const g = sn.graph();
  const x = g.input('x', [1]);
  const y = g.input('y', [1]);
  const f = x.div(y).add(5).square().add(x);
  const [dfdx, dfdy] = g.grad(f.sum(), [x, y]);
  const { gpu } = await compareToCpu({ f, dfdx, dfdy }, { x: [6], y: [2] }, { tol: GRAPH });
  assert.equal([...gpu.f.data], [70]);
  assert.equal([...gpu.dfdx.data], [9]);
  assert.equal([...gpu.dfdy.data], [-24]);
});

test('higher derivatives of x^3 at x = 2: 12, 12, 6, 0 (grad of grad of grad)', async () => {
  const g = sn.graph();
  const x = g.input('x', [1]);
  const f = x.pow(3);
  const [d1] = g.grad(f.sum(), [x]);
  const [d2] = g.grad(d1.sum(), [x]);
  const [d3] = g.grad(d2.sum(), [x]);
  const [d4] = g.grad(d3.sum(), [x]);
  const { gpu } = await compareToCpu({ f, d1, d2, d3, d4 }, { x: [2] }, { tol: GRAPH });
  assert.equal([...gpu.f.data], [8]);
  assert.equal([...gpu.d1.data], [12]);
  assert.equal([...gpu.d2.data], [12]);
  assert.equal([...gpu.d3.data], [6]);
  assert.equal([...gpu.d4.data], [0]);
});

test('second derivative elementwise on a vector: d2/dx2 of sum(x^3) = 6x; of sum(tanh) = -2 tanh (1 - tanh^2)', async () => {
  const g = sn.graph();
  const x = g.input('x', [5]);
  const [d1] = g.grad(x.pow(3).sum(), [x]);
  const [d2] = g.grad(d1.sum(), [x]);
  const [t1] = g.grad(x.tanh().sum(), [x]);
  const [t2] = g.grad(t1.sum(), [x]);
  const data = [-1.5, -0.5, 0.25, 1, 2];
  const { gpu } = await compareToCpu({ d2, t2 }, { x: data }, { tol: GRAPH });
  assertClose(gpu.d2.data, data.map((v) => 6 * v), KNOWN, 'd2/dx2 sum(x^3)');
  assertClose(gpu.t2.data, data.map((v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)), KNOWN, 'd2/dx2 sum(tanh x)');
});

test('the course graph: f = (4 x2 + x2^2 + 3 x3, x1 x2 + 3 x3) at (1, 2, 2) = (18, 8), and 3 x3 is computed once', async () => {
  const g = sn.graph();
  const x1 = g.input('x1', [1]);
  const x2 = g.input('x2', [1]);
  const x3 = g.input('x3', [1]);
  // 3 * x3 written twice, as two separate expressions.
  const f1 = x2.mul(4).add(x2.square()).add(x3.mul(3));
  const f2 = x1.mul(x2).add(x3.mul(3));
  const dev = await device();
  const prog = await sn.compile(dev, g, { outputs: { f1, f2 } });
  try {
    const out = await prog.run({ x1: [1], x2: [2], x3: [2] });
    assert.equal([...out.f1.data], [18]);
    assert.equal([...out.f2.data], [8]);
    const timesThree = prog.plan.dispatches.filter((d) => {
      const n = d.node;
      if (!n || n.op !== 'mul') return false;
      const [a, b] = n.inputs;
      const isThree = (t: sn.Tensor) => t.kind === 'const' && t.attrs.value === 3;
      return (a === x3 && isThree(b)) || (b === x3 && isThree(a));
    });
    assert.is(timesThree.length, 1, `dispatches multiplying x3 by 3:\n${prog.toString()}`);
    assert.is(timesThree[0].label, 'mul');
    assert.ok(prog.plan.cseMerged >= 1, `cseMerged = ${prog.plan.cseMerged}`);
    // 3*x3 feeds both outputs, so it keeps its own dispatch; the rest of each output is one fused chain.
    assert.equal(prog.plan.dispatches.map((d) => d.label), ['mul', 'mul+square+add+add', 'mul+add'], prog.toString());
  } finally {
    prog.dispose();
  }
});

test('the course graph: Jacobian rows by grad of each output', async () => {
  const g = sn.graph();
  const x1 = g.input('x1', [1]);
  const x2 = g.input('x2', [1]);
  const x3 = g.input('x3', [1]);
  const f1 = x2.mul(4).add(x2.square()).add(x3.mul(3));
  const f2 = x1.mul(x2).add(x3.mul(3));
  const [a1, a2, a3] = g.grad(f1.sum(), [x1, x2, x3]);
  const [b1, b2, b3] = g.grad(f2.sum(), [x1, x2, x3]);
  const { gpu } = await compareToCpu({ a1, a2, a3, b1, b2, b3 }, { x1: [1], x2: [2], x3: [2] }, { tol: GRAPH });
  // df1 = (0, 4 + 2 x2, 3) = (0, 8, 3); df2 = (x2, x1, 3) = (2, 1, 3).
  assert.equal([gpu.a1.data[0], gpu.a2.data[0], gpu.a3.data[0]], [0, 8, 3]);
  assert.equal([gpu.b1.data[0], gpu.b2.data[0], gpu.b3.data[0]], [2, 1, 3]);
});

test('the gradient of something that does not depend on x is zeros of x\'s shape', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 3]);
  const z = g.input('z', [4]);
  const [dx, dz] = g.grad(z.square().sum(), [x, z]);
  assert.equal([...dx.shape], [2, 3]);
  const { gpu } = await compareToCpu({ dx, dz }, { z: [1, 2, 3, 4] }, { tol: GRAPH });
  assert.equal(gpu.dx.shape, [2, 3]);
  assert.equal([...gpu.dx.data], [0, 0, 0, 0, 0, 0]);
  assert.equal([...gpu.dz.data], [2, 4, 6, 8]);
});

test('a gradient through only piecewise-constant ops (step) is zeros', async () => {
  const g = sn.graph();
  const x = g.input('x', [3]);
  const [dx] = g.grad(ops.step(x).sum(), [x]);
  const { gpu } = await compareToCpu({ dx }, { x: [-1, 0.5, 2] });
  assert.equal([...gpu.dx.data], [0, 0, 0]);
});

test('grad of a non-scalar is a ShapeError naming the shape', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 3]);
  await throwsWith(() => g.grad(x.square(), [x]), sn.ShapeError, 'scalar', '[2, 3]');
  // One element of any rank counts as a scalar.
  const [d] = g.grad(x.sum({ keepDims: true }), [x]);
  assert.equal([...d.shape], [2, 3]);
});

test('mixed second derivative d2/dxdy of x^2 y^3 = 6 x y^2 (both orders)', async () => {
  const g = sn.graph();
  const x = g.input('x', [3]);
  const y = g.input('y', [3]);
  const f = x.square().mul(y.pow(3)).sum();
  const [fx, fy] = g.grad(f, [x, y]);
  const [fxy] = g.grad(fx.sum(), [y]);
  const [fyx] = g.grad(fy.sum(), [x]);
  const [fxx] = g.grad(fx.sum(), [x]);
  const xs = [1.5, -1, 0.5], ys = [-2, 3, 0.75];
  const { gpu } = await compareToCpu({ fx, fy, fxy, fyx, fxx }, { x: xs, y: ys }, { tol: GRAPH });
  xs.forEach((xv, i) => {
    const yv = ys[i];
    const want = [2 * xv * yv ** 3, 3 * xv * xv * yv * yv, 6 * xv * yv * yv, 6 * xv * yv * yv, 2 * yv ** 3];
    const got = [gpu.fx.data[i], gpu.fy.data[i], gpu.fxy.data[i], gpu.fyx.data[i], gpu.fxx.data[i]];
    assertClose(got, want, KNOWN, `element ${i}: fx, fy, fxy, fyx, fxx`);
  });
  assert.is(gpu.fxy.data[0], 36);
});

test('a tensor used twice accumulates both gradients: d/dx of sum(x * x + x) = 2x + 1', async () => {
  const g = sn.graph();
  const x = g.input('x', [4]);
  const [dx] = g.grad(x.mul(x).add(x).sum(), [x]);
  const { gpu } = await compareToCpu({ dx }, { x: [1, -2, 0.5, 3] }, { tol: GRAPH });
  assert.equal([...gpu.dx.data], [3, -3, 2, 7]);
});

test('grad with respect to an intermediate tensor and a parameter', async () => {
  const g = sn.graph();
  const x = g.input('x', [2]);
  const w = g.param('w', [2], [3, -1]);
  const h = x.mul(w);
  const f = h.square().sum();
  const [dh, dw] = g.grad(f, [h, w]);
  const { gpu } = await compareToCpu({ dh, dw }, { x: [2, 5] }, { tol: GRAPH });
  // h = (6, -5): df/dh = 2h, df/dw = 2h x.
  assert.equal([...gpu.dh.data], [12, -10]);
  assert.equal([...gpu.dw.data], [24, -50]);
});

test('grad across graphs is an error', async () => {
  const g1 = sn.graph();
  const g2 = sn.graph();
  const x = g1.input('x', [1]);
  const y = g2.input('y', [1]);
  await throwsWith(() => g2.grad(y.sum(), [x]), sn.SinapsisError, 'another graph');
});

test.run();
