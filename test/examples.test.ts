// The course's worked examples (examples/perceptron, graph-basics,
// pinn-advection, regression), each run small. The tests import the
// examples' own modules, so they exercise the code the examples run.
//
// Tolerances, stated once:
//  - Perceptron weights: exact. The rule's steps are +-lr * x with x in
//    {0, 1} and error in {-1, 0, 1}, so the GPU's f32 arithmetic is
//    reproduced exactly by a host loop that rounds every value to f32.
//  - Graph-basics values: KNOWN (1e-5 abs + 1e-5 rel): a few f32 ops on
//    small integers, exact in practice.
//  - PINN derivatives against central differences of the CPU interpreter
//    (f32 per op): see PINN_FD below.
//  - Regression: a restored model's validation loss equals the best epoch's
//    logged one to 1e-5 relative (same weights, same evaluation program).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { GATES, rosenblattReference, trainGate, trainXorNetwork } from '../examples/perceptron/perceptron.js';
import { graphOne, graphTwo, walkThrough, type NodeReport } from '../examples/graph-basics/graphs.js';
import { buildPinn, feeds, samplePoints, sizesOf, trainPinn, evaluateGrid } from '../examples/pinn-advection/pinn.js';
import { renderPanels, diverging } from '../examples/pinn-advection/heatmap.js';
import { trainRegression } from '../examples/regression/regression.js';
import { assertClose } from './helpers.js';
import { GRAPH, KNOWN, type Tol } from './tolerances.js';

let device: sn.Device;
test.before(async () => {
  device = await sn.createDevice();
});
test.after(() => {
  device.destroy();
});

// ------------------------------------------------------------------ perceptron

for (const gate of ['AND', 'OR'] as const) {
  test(`perceptron: Rosenblatt's rule learns ${gate}, with the same weights as the rule run on the host`, async () => {
    const buffers = sn.liveBufferCount(device.gpu);
    const run = await trainGate(device, gate, { learningRate: 0.1, epochs: 50 });
    assert.is(sn.liveBufferCount(device.gpu), buffers, 'every GPU buffer of the two programs and their shared store is released');
    assert.ok(run.convergedAt > 0, `${gate} did not converge in 50 epochs`);
    assert.equal(run.outputs, [...GATES[gate]]);
    const ref = rosenblattReference(gate, run.convergedAt, 0.1);
    run.history.forEach((h, e) => assert.equal({ w: h.w, b: h.b }, ref[e], `weights after epoch ${e + 1}`));
  });
}

test('perceptron: XOR is never learned (at most 3 of 4 right in 30 epochs); the rule still runs as on the host', async () => {
  const run = await trainGate(device, 'XOR', { learningRate: 0.1, epochs: 30 });
  assert.is(run.convergedAt, -1);
  assert.is(run.history.length, 30);
  assert.ok(run.bestCorrect <= 3, `best ${run.bestCorrect}/4`);
  const ref = rosenblattReference('XOR', 30, 0.1);
  run.history.forEach((h, e) => assert.equal({ w: h.w, b: h.b }, ref[e], `weights after epoch ${e + 1}`));
});

test('perceptron: a 2-2-1 sigmoid network trained with Adam learns XOR', async () => {
  const net = await trainXorNetwork(device, { epochs: 1000 });
  assert.is(net.correct, 4, `outputs ${net.probabilities.map((p) => p.toFixed(3)).join(', ')}`);
  assert.ok(net.loss < 0.05, `loss ${net.loss} after ${net.epochs} epochs`);
  assert.ok(net.lossHistory[0] > 0.5, `initial loss ${net.lossHistory[0]}`);
});

// ------------------------------------------------------------------ graph basics

const row = (rows: NodeReport[], name: string) => {
  const r = rows.find((x) => x.name === name || x.name.startsWith(`${name} `));
  if (!r) assert.unreachable(`no node '${name}' in ${rows.map((x) => x.name).join(', ')}`);
  return r!;
};
const close = (got: number, want: number, what: string) => assertClose([got], [want], KNOWN, what);

test('graph-basics: f(x1,x2,x3) = (4x2 + x2^2 + 3x3, x1x2 + 3x3) at (1,2,2) = (18, 8), with every adjoint', async () => {
  const rows = await walkThrough(device, graphOne());
  close(row(rows, 'f1').value, 18, 'f1');
  close(row(rows, 'f2').value, 8, 'f2');
  // Forward values of the intermediates.
  for (const [n, v] of [['a', 8], ['b', 4], ['c', 6], ['d', 12], ['e', 2]] as const) close(row(rows, n).value, v, `node ${n}`);
  // df1/d(x1, x2, x3) = (0, 4 + 2 x2, 3) = (0, 8, 3); df2/d(x1, x2, x3) = (x2, x1, 3) = (2, 1, 3).
  const expected: Record<string, [number, number]> = { x1: [0, 2], x2: [8, 1], x3: [3, 3], a: [1, 0], b: [1, 0], c: [1, 1], d: [1, 0], e: [0, 1], f1: [1, 0], f2: [0, 1] };
  for (const [n, [d1, d2]] of Object.entries(expected)) {
    close(row(rows, n).adjoint.f1, d1, `df1/d${n}`);
    close(row(rows, n).adjoint.f2, d2, `df2/d${n}`);
  }
});

test('graph-basics: f(x,y) = (x/y + 5)^2 + x at (6,2) = 70, df/dx = 9, df/dy = -24, and the intermediate adjoints', async () => {
  const rows = await walkThrough(device, graphTwo());
  close(row(rows, 'f').value, 70, 'f');
  close(row(rows, 'x').adjoint.f, 9, 'df/dx');
  close(row(rows, 'y').adjoint.f, -24, 'df/dy');
  // a = x/y = 3, b = a + 5 = 8, c = b^2 = 64; df/dc = 1, df/db = 2b = 16, df/da = 16.
  for (const [n, v, d] of [['a', 3, 16], ['b', 8, 16], ['c', 64, 1]] as const) {
    close(row(rows, n).value, v, `node ${n}`);
    close(row(rows, n).adjoint.f, d, `df/d${n}`);
  }
  // At another point too (x = 1, y = 4): f = (1/4 + 5)^2 + 1 = 28.5625, df/dx = 2 * 5.25 / 4 + 1 = 3.625, df/dy = -2 * 5.25 * 1 / 16 = -0.65625.
  const other = await walkThrough(device, graphTwo(), { x: 1, y: 4 });
  close(row(other, 'f').value, 28.5625, 'f(1, 4)');
  close(row(other, 'x').adjoint.f, 3.625, 'df/dx (1, 4)');
  close(row(other, 'y').adjoint.f, -0.65625, 'df/dy (1, 4)');
});

// ------------------------------------------------------------------ PINN

/**
 * PINN derivatives against central differences of the CPU interpreter,
 * step h = 1e-2, f32 arithmetic per op:
 *  - truncation (h^2/6)|f'''|: the network is a smooth tanh MLP with O(1)
 *    weights at initialization; |f'''| <= ~10 gives <= 2e-4;
 *  - rounding: the loss (~1) and the outputs (~1) carry ~1e-7 relative
 *    rounding per evaluation, / 2h -> ~1e-5.
 * 2e-3 relative + 1e-4 absolute leaves a ~5x margin; the values checked are
 * asserted to be well above the absolute floor, and a wrong second-order
 * rule (a missing term of tanh's derivative, a sign) moves them by O(1)
 * relative.
 */
const PINN_FD: Tol = { atol: 1e-4, rtol: 2e-3 };
const PINN_H = 1e-2;

test('pinn: d phi/dx and d phi/dt (g.grad inside the graph) and d loss/d weights match central differences of sn.interpret', async () => {
  const points = samplePoints({ collocation: 60, boundary: 20, initial: 20 }, 5);
  const pinn = buildPinn(sizesOf(points), { seed: 2 });
  const params = pinn.net.params;
  const grads = pinn.graph.grad(pinn.loss, params);
  const outputs: Record<string, sn.Tensor> = { loss: pinn.loss, phi: pinn.phi, phiX: pinn.phiX, phiT: pinn.phiT };
  grads.forEach((d, i) => { outputs[`d${i}`] = d; });
  const prog = await sn.compile(device, pinn.graph, { outputs });
  try {
    const inputs = feeds(points);
    const gpu = await prog.run(inputs);
    const values: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(await prog.params())) values[k] = v.data;

    // The same graph on the CPU: forward, input derivatives and weight gradients.
    const cpu = sn.interpret([pinn.loss, pinn.phiX, pinn.phiT, ...grads], inputs, values);
    assertClose(gpu.loss.data, cpu[0], GRAPH, 'loss GPU vs CPU');
    assertClose(gpu.phiX.data, cpu[1], GRAPH, 'phi_x GPU vs CPU');
    assertClose(gpu.phiT.data, cpu[2], GRAPH, 'phi_t GPU vs CPU');
    grads.forEach((_, i) => assertClose(gpu[`d${i}`].data, cpu[3 + i], GRAPH, `d loss / d ${params[i].name} GPU vs CPU`));

    // phi at point i depends only on (x_i, t_i): shifting every x_i at once gives every d phi_i / d x_i.
    const phiAt = (shift: Partial<Record<'xr' | 'tr', number>>) => {
      const moved = { ...inputs };
      for (const [k, h] of Object.entries(shift)) moved[k] = inputs[k].map((v) => v + h!);
      return sn.interpret([pinn.phi], moved, values)[0];
    };
    for (const [name, key] of [['phiX', 'xr'], ['phiT', 'tr']] as const) {
      const up = phiAt({ [key]: PINN_H }), down = phiAt({ [key]: -PINN_H });
      const fd = up.map((u, i) => (u - down[i]) / (2 * PINN_H));
      assertClose(gpu[name].data, fd, PINN_FD, `${name} (GPU) vs central differences`);
      assert.ok(Math.max(...fd.map(Math.abs)) > 0.05, `${name}: derivatives too small to test`);
    }

    // d loss / d w for a few entries of every weight tensor, by moving one weight at a time.
    const lossAt = (name: string, j: number, h: number) => {
      const moved = { ...values, [name]: values[name].slice() };
      moved[name][j] += h;
      return sn.interpret([pinn.loss], inputs, moved)[0][0];
    };
    let checked = 0;
    params.forEach((p, i) => {
      const g = gpu[`d${i}`].data;
      // The largest entries (well above the absolute floor) and the first one.
      const picks = [...new Set([0, ...[...g.keys()].sort((a, b) => Math.abs(g[b]) - Math.abs(g[a])).slice(0, 3)])];
      const fd = picks.map((j) => (lossAt(p.name!, j, PINN_H) - lossAt(p.name!, j, -PINN_H)) / (2 * PINN_H));
      assertClose(picks.map((j) => g[j]), fd, PINN_FD, `d loss / d ${p.name} at [${picks.join(', ')}] (GPU) vs central differences`);
      checked += picks.filter((j) => Math.abs(g[j]) > 10 * PINN_FD.atol).length;
    });
    assert.ok(checked >= 2 * params.length, `only ${checked} checked gradients are well above the absolute tolerance`);
  } finally {
    prog.dispose();
  }
});

test('pinn: a short run (300 collocation points, 200 Adam steps) lowers the loss; the grid evaluation and the PNG work', async () => {
  const points = samplePoints({ collocation: 300, boundary: 50, initial: 50 }, 3);
  const trained = await trainPinn(device, points, { steps: 200, learningRate: 5e-3, logEvery: 50 });
  try {
    const first = trained.history[0], last = trained.history[trained.history.length - 1];
    assert.is(last.step, 199);
    assert.ok(last.loss < 0.5 * first.loss, `loss ${first.loss} -> ${last.loss}`);
    const grid = await evaluateGrid(device, trained, 21);
    assert.is(grid.predicted.length, 21 * 21);
    assert.ok(Number.isFinite(grid.relativeL2) && grid.relativeL2 > 0, `relative L2 ${grid.relativeL2}`);
    const png = renderPanels([{ title: 'phi', n: grid.n, data: grid.predicted, min: -1, max: 1, colormap: diverging }], 42);
    assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  } finally {
    trained.program.dispose();
  }
});

// ------------------------------------------------------------------ regression

test('regression: validation loss falls and early stopping restores the best epoch', async () => {
  // With these settings the run stops after epoch 63 (best: 59) on SwiftShader; either branch below is a pass.
  const run = await trainRegression(device, { samples: 200, epochs: 200, patience: 4, learningRate: 0.03, seed: 7 });
  try {
    const val = run.history.history.valLoss;
    assert.ok(Math.min(...val) < 0.1 * val[0], `valLoss ${val[0]} -> min ${Math.min(...val)}`);
    const es = run.earlyStopping;
    if (es.stoppedEpoch >= 0) {
      assert.is(val.length, es.stoppedEpoch + 1);
      assert.is(es.stoppedEpoch - es.bestEpoch, 4, 'stopped patience epochs after the best');
      assertClose([run.bestValLoss], [val[es.bestEpoch]], { atol: 0, rtol: 1e-5 }, 'restored weights give the best epoch\'s valLoss');
    } else {
      assert.ok(val[val.length - 1] < val[0], 'ran every epoch and the val loss fell');
    }
  } finally {
    run.model.dispose();
  }
});

test.run();
