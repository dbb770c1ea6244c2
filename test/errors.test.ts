// Bad input gets a clear error: the right SinapsisError subclass, and a
// message naming the op or input, what was expected and what was found.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { device, throwsWith } from './helpers.js';

const { ops } = sn;

// ------------------------------------------------------------------ shapes at build time

test('matmul inner-dimension mismatch names the op and both shapes', async () => {
  const g = sn.graph();
  const a = g.input('a', [3, 5]);
  const b = g.input('b', [4, 2]);
  await throwsWith(() => ops.matmul(a, b), sn.ShapeError, 'matmul', '[3, 5]', '[4, 2]', '5 vs 4');
  await throwsWith(() => a.matmul(g.input('c', [2, 3]), { transposeB: true }), sn.ShapeError, 'matmul', '[3, 5]', '[2, 3]', 'transposeB');
  await throwsWith(() => ops.matmul(a, g.input('v', [5])), sn.ShapeError, 'matmul', 'rank', '[5]');
});

test('matmul batch dimensions that do not broadcast name both shapes', async () => {
  const g = sn.graph();
  await throwsWith(() => ops.matmul(g.input('a', [2, 3, 4]), g.input('b', [5, 4, 3])), sn.ShapeError, 'matmul', '[2]', '[5]');
});

test('broadcasting mismatch names the op and both shapes', async () => {
  const g = sn.graph();
  const a = g.input('a', [5, 7, 3]);
  const b = g.input('b', [7, 2]);
  await throwsWith(() => ops.add(a, b), sn.ShapeError, 'add', '[5, 7, 3]', '[7, 2]');
  await throwsWith(() => a.mul(g.input('c', [4, 1, 1])), sn.ShapeError, 'mul', '[5, 7, 3]', '[4, 1, 1]');
  await throwsWith(() => ops.greater(g.input('d', [2]), g.input('e', [3])), sn.ShapeError, 'greater', '[2]', '[3]');
  await throwsWith(() => ops.broadcastTo(a, [5, 7]), sn.ShapeError, 'broadcastTo', '[5, 7, 3]', '[5, 7]');
});

test('a shape error inside a layer scope names the layer', async () => {
  const g = sn.graph();
  const a = g.input('a', [2, 3]);
  g.scope = 'dense_1';
  await throwsWith(() => ops.matmul(a, g.input('w', [4, 5])), sn.ShapeError, 'dense_1: matmul', '[2, 3]', '[4, 5]');
  await throwsWith(() => ops.add(a, g.input('b', [4])), sn.ShapeError, 'dense_1: add', '[2, 3]', '[4]');
  g.scope = undefined;
  await throwsWith(() => ops.matmul(a, g.input('w2', [4, 5])), sn.ShapeError, /^matmul/);
});

test('reshape to the wrong size names both shapes and sizes', async () => {
  const g = sn.graph();
  const x = g.input('x', [3, 5]);
  await throwsWith(() => ops.reshape(x, [4, 4]), sn.ShapeError, 'reshape', '[3, 5]', '15', '[4, 4]');
  await throwsWith(() => x.reshape([-1, 4]), sn.ShapeError, 'reshape', '[3, 5]', '[-1, 4]');
  await throwsWith(() => x.reshape([-1, -1]), sn.ShapeError, 'reshape', '-1');
  await throwsWith(() => x.reshape([0, 15]), sn.ShapeError, 'reshape');
});

test('transpose with a bad perm, concat of mismatched shapes, pad with bad paddings', async () => {
  const g = sn.graph();
  const x = g.input('x', [2, 3, 4]);
  await throwsWith(() => ops.transpose(x, [0, 1]), sn.ShapeError, 'transpose', '[0, 1]', '[2, 3, 4]');
  await throwsWith(() => ops.transpose(x, [0, 1, 1]), sn.ShapeError, 'transpose');
  await throwsWith(() => ops.concat([x, g.input('y', [2, 4, 4])], 2), sn.ShapeError, 'concat', '[2, 3, 4]', '[2, 4, 4]');
  await throwsWith(() => ops.concat([x, x], 3), sn.ShapeError, 'concat', 'axis 3');
  await throwsWith(() => ops.pad(x, [[1, 1]]), sn.ShapeError, 'pad', '[2, 3, 4]');
  await throwsWith(() => ops.softmax(x, 3), sn.ShapeError, 'softmax', 'axis 3');
});

test('invalid shapes for inputs, params and constants', async () => {
  const g = sn.graph();
  await throwsWith(() => g.input('x', [2, 0]), sn.ShapeError, "'x'", '[2, 0]');
  await throwsWith(() => g.input('y', [2.5]), sn.ShapeError, "'y'");
  await throwsWith(() => g.param('p', [-1, 3]), sn.ShapeError, "'p'");
  await throwsWith(() => g.constant([1, 2, 3], [2, 2]), sn.InputError, 'constant', '[2, 2]', '4', 'got 3');
});

test('duplicate input names (and an input named like a param) are InputErrors naming the name', async () => {
  const g = sn.graph();
  g.input('x', [2]);
  await throwsWith(() => g.input('x', [3]), sn.InputError, "'x'", 'already used');
  g.param('w', [2]);
  await throwsWith(() => g.input('w', [2]), sn.InputError, "'w'", 'already used');
  await throwsWith(() => g.param('x', [2]), sn.InputError, "'x'", 'already used');
});

test('mixing tensors of two graphs is an error', async () => {
  const a = sn.graph().input('a', [2]);
  const b = sn.graph().input('b', [2]);
  await throwsWith(() => ops.add(a, b), sn.SinapsisError, 'another graph');
});

// ------------------------------------------------------------------ run()

async function program() {
  const g = sn.graph();
  const x = g.input('x', [2, 3]);
  const y = g.input('y', [3]);
  const prog = await sn.compile(await device(), g, { outputs: { z: x.add(y) } });
  return prog;
}

const ok = { x: [1, 2, 3, 4, 5, 6], y: [1, 1, 1] };

test('run() with an unknown input name lists the known inputs', async () => {
  const prog = await program();
  try {
    await throwsWith(() => prog.run({ ...ok, q: [1] }), sn.InputError, "'q'", "'x'", "'y'");
  } finally {
    prog.dispose();
  }
});

test('run() with a missing input names it and its shape', async () => {
  const prog = await program();
  try {
    await throwsWith(() => prog.run({ x: ok.x }), sn.InputError, "missing input 'y'", '[3]');
    await throwsWith(() => prog.run({ x: ok.x, y: undefined as unknown as number[] }), sn.InputError, "'y'");
    await throwsWith(() => prog.run(), sn.InputError, 'missing input');
  } finally {
    prog.dispose();
  }
});

test('run() with a wrong-length array names the input, the expected and the given length', async () => {
  const prog = await program();
  try {
    await throwsWith(() => prog.run({ ...ok, x: [1, 2, 3, 4, 5] }), sn.InputError, "input 'x'", 'expected length 6', 'got length 5');
    await throwsWith(() => prog.run({ ...ok, y: new Float32Array(7) }), sn.InputError, "input 'y'", 'expected length 3', 'got length 7');
    await throwsWith(() => prog.run({ ...ok, y: 3 }), sn.InputError, "input 'y'", 'single number');
  } finally {
    prog.dispose();
  }
});

test('run() with a HostTensor of the wrong size names the input and both shapes', async () => {
  const prog = await program();
  try {
    await throwsWith(() => prog.run({ ...ok, x: sn.tensor(new Float32Array(8), [2, 4]) }), sn.InputError, "input 'x'", '[2, 3]', '[2, 4]', '8 values');
    // Same size, other shape: accepted (the data is taken as flat).
    const out = await prog.run({ ...ok, x: sn.tensor([[1, 2], [3, 4], [5, 6]]) });
    assert.equal([...out.z.data], [2, 3, 4, 5, 6, 7]);
  } finally {
    prog.dispose();
  }
});

test('run() with a string, an object or null instead of data names the input and what it got', async () => {
  const prog = await program();
  try {
    await throwsWith(() => prog.run({ ...ok, x: 'abcdef' as unknown as number[] }), sn.InputError, "input 'x'", 'string');
    await throwsWith(() => prog.run({ ...ok, x: { a: 1 } as unknown as number[] }), sn.InputError, "input 'x'", 'object');
    await throwsWith(() => prog.run({ ...ok, x: null as unknown as number[] }), sn.InputError, "input 'x'", 'null');
    await throwsWith(() => prog.run({ ...ok, x: ['1', 'a', 3, 4, 5, 6] as unknown as number[] }), sn.InputError, "input 'x'", 'element 1');
    await throwsWith(() => prog.run(null as unknown as Record<string, number[]>), sn.InputError, 'inputs');
  } finally {
    prog.dispose();
  }
});

test('run() asking to read an unknown output names it and the outputs', async () => {
  const prog = await program();
  try {
    await throwsWith(() => prog.run(ok, { read: ['w'] }), sn.InputError, "'w'", 'z');
  } finally {
    prog.dispose();
  }
});

test('after an input error the program still runs', async () => {
  const prog = await program();
  try {
    await prog.run({ ...ok, x: [1] }).catch(() => undefined);
    const out = await prog.run(ok);
    assert.equal([...out.z.data], [2, 3, 4, 5, 6, 7]);
  } finally {
    prog.dispose();
  }
});

test('reading a disposed program is an error saying so', async () => {
  const prog = await program();
  await prog.run(ok);
  prog.dispose();
  await throwsWith(() => prog.run(ok), sn.SinapsisError, 'disposed');
  await throwsWith(() => prog.params(), sn.SinapsisError, 'disposed');
  await throwsWith(() => prog.setParams({}), sn.SinapsisError, 'disposed');
});

// ------------------------------------------------------------------ compile()

test('compile() with outputs that are not graph tensors, or of another graph, or a non-scalar loss', async () => {
  const dev = await device();
  const g = sn.graph();
  const x = g.input('x', [2]);
  await throwsWith(() => sn.compile(dev, g, { outputs: { y: [1, 2] as unknown as sn.Tensor } }), sn.SinapsisError, "output 'y'");
  await throwsWith(() => sn.compile(dev, g, { outputs: { y: sn.graph().input('q', [1]) } }), sn.SinapsisError, "output 'y'", 'another graph');
  await throwsWith(() => sn.compile(dev, g, { outputs: { y: x }, minimize: { loss: x } }), sn.SinapsisError, 'scalar', '[2]');
  await throwsWith(() => sn.compile({} as sn.Device, g, { outputs: { y: x } }), sn.SinapsisError, 'device');
  await throwsWith(() => sn.compile(dev, g, undefined as unknown as sn.CompileOptions), sn.SinapsisError, 'outputs');
});

test('setParams with an unknown name or a wrong size names the parameter', async () => {
  const g = sn.graph();
  const w = g.param('w', [2, 2], [1, 2, 3, 4]);
  const x = g.input('x', [2]);
  const prog = await sn.compile(await device(), g, { outputs: { y: x.reshape([1, 2]).matmul(w) } });
  try {
    await throwsWith(() => prog.setParams({ v: new Float32Array(4) }), sn.InputError, "'v'");
    await throwsWith(() => prog.setParams({ w: new Float32Array(3) }), sn.InputError, "'w'", '[2, 2]', '3');
    prog.setParams({ w: new Float32Array([1, 0, 0, 1]) });
    assert.equal([...(await prog.run({ x: [5, 7] })).y.data], [5, 7]);
  } finally {
    prog.dispose();
  }
});

test.run();
