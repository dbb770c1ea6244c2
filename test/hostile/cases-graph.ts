// The static-graph API with careless arguments: g.grad with the wrong
// things, ops with shapes that do not fit, axes out of range, window options
// that make no sense, operands that are not tensors or numbers; and
// non-finite constants, which are legal and must compute IEEE values.
import * as sn from '../../src/index.js';
import type { Case, Ctx } from './probe.js';
import { err, ok, sameValues } from './fixtures.js';

const area = 'graph';
const { ops } = sn;
const any = <T>(v: unknown) => v as T;

/** Compiles { y: build(x) } for an input x of shape [2] and runs it on `x`. */
async function compute(ctx: Ctx, build: (x: sn.Tensor) => sn.Tensor, x: number[]): Promise<Float32Array> {
  const g = sn.graph();
  const input = g.input('x', [x.length]);
  const prog = await sn.compile(ctx.device, g, { outputs: { y: build(input) } });
  try {
    return (await prog.run({ x })).y.data;
  } finally {
    prog.dispose();
  }
}

/** A fresh graph with x [2, 3] and an image [1, 6, 6, 2] and filter [3, 3, 2, 4]. */
function parts() {
  const g = sn.graph();
  return { g, x: g.input('x', [2, 3]), img: g.input('img', [1, 6, 6, 2]), f: g.input('f', [3, 3, 2, 4]) };
}

const cases: Case[] = [
  {
    area, name: 'g.grad(y, [x]) with y from another graph',
    run: () => { const a = sn.graph(); const x = a.input('x', [2]); const y = sn.graph().input('z', [2]).sum(); return a.grad(y, [x]); },
    expect: err(sn.SinapsisError, 'another graph'),
  },
  {
    area, name: 'g.grad(undefined, [x])',
    run: () => { const g = sn.graph(); const x = g.input('x', [2]); return g.grad(any(undefined), [x]); },
    expect: err(sn.SinapsisError, 'grad'),
  },
  {
    area, name: 'g.grad(y, x) (x not in an array)',
    run: () => { const g = sn.graph(); const x = g.input('x', [2]); return g.grad(x.sum(), any(x)); },
    expect: err(sn.SinapsisError, 'grad'),
  },
  {
    area, name: 'g.grad(y, [5])',
    run: () => { const g = sn.graph(); const x = g.input('x', [2]); return g.grad(x.sum(), any([5])); },
    expect: err(sn.SinapsisError, 'grad'),
  },
  {
    area, name: 'g.grad(y, [x]) with y of shape [2] (not a scalar)',
    run: () => { const g = sn.graph(); const x = g.input('x', [2]); return g.grad(x.square(), [x]); },
    expect: err(sn.ShapeError, 'scalar', '[2]'),
  },
  {
    area, name: 'g.grad(y, []) gives []',
    run: () => { const g = sn.graph(); const x = g.input('x', [2]); return g.grad(x.sum(), []); },
    expect: ok((r: unknown[]) => (Array.isArray(r) && r.length === 0 ? true : `got ${String(r)}`)),
  },
  {
    area, name: 'x.add(-Infinity) compiles and gives -Infinity',
    run: (ctx) => compute(ctx, (x) => x.add(-Infinity), [1, -2]),
    expect: ok((d: Float32Array) => sameValues(d, [-Infinity, -Infinity], 'y')),
  },
  {
    area, name: 'x.mul(Infinity) compiles and gives Infinity',
    run: (ctx) => compute(ctx, (x) => x.mul(Infinity), [1, 2]),
    expect: ok((d: Float32Array) => sameValues(d, [Infinity, Infinity], 'y')),
  },
  {
    area, name: 'x.add(NaN) compiles and gives NaN',
    run: (ctx) => compute(ctx, (x) => x.add(NaN), [1, 2]),
    expect: ok((d: Float32Array) => sameValues(d, [NaN, NaN], 'y')),
  },
  {
    area, name: 'x.div(0) gives Infinity and -Infinity',
    run: (ctx) => compute(ctx, (x) => x.div(0), [1, -2]),
    expect: ok((d: Float32Array) => sameValues(d, [Infinity, -Infinity], 'y')),
  },
  {
    area, name: 'x.maximum(-Infinity) (ops.maximum) is x',
    run: (ctx) => compute(ctx, (x) => ops.maximum(x, -Infinity), [1, -2]),
    expect: ok((d: Float32Array) => sameValues(d, [1, -2], 'y')),
  },

  // Shapes that do not fit.
  { area, name: 'add: [2, 3] + [4]', run: () => { const { g, x } = parts(); return ops.add(x, g.input('b', [4])); }, expect: err(sn.ShapeError, 'add', '[2, 3]', '[4]') },
  { area, name: 'matmul: [2, 3] x [2, 3]', run: () => { const { x } = parts(); return ops.matmul(x, x); }, expect: err(sn.ShapeError, 'matmul', '[2, 3]') },
  { area, name: 'matmul: [2, 3] x [3] (rank 1)', run: () => { const { g, x } = parts(); return ops.matmul(x, g.input('v', [3])); }, expect: err(sn.ShapeError, 'matmul', '[3]') },
  { area, name: "matmul: transposeA 'yes'", run: () => { const { x } = parts(); return ops.matmul(x, x, any({ transposeA: 'yes' })); }, expect: err(sn.SinapsisError, 'transposeA') },

  // Axes.
  { area, name: 'sum: axis 5 on rank 2', run: () => parts().x.sum({ axis: 5 }), expect: err(sn.ShapeError, 'sum', 'axis 5') },
  { area, name: 'sum: axis 1.5', run: () => parts().x.sum({ axis: 1.5 }), expect: err(sn.ShapeError, 'sum', '1.5') },
  { area, name: "sum: axis 'a'", run: () => parts().x.sum({ axis: any('a') }), expect: err(sn.SinapsisError, 'sum', 'axis') },
  { area, name: "sum: axis '1' (a string)", run: () => parts().x.sum({ axis: any('1') }), expect: err(sn.SinapsisError, 'sum', 'axis') },
  { area, name: 'sum: axis NaN', run: () => parts().x.sum({ axis: NaN }), expect: err(sn.ShapeError, 'sum', 'NaN') },
  { area, name: 'mean: axis [0, 0]', run: () => parts().x.mean({ axis: [0, 0] }), expect: err(sn.ShapeError, 'mean', 'twice') },
  { area, name: 'mean: axis [0, -2] (the same axis twice)', run: () => parts().x.mean({ axis: [0, -2] }), expect: err(sn.ShapeError, 'mean') },
  { area, name: 'max: axis -3 on rank 2', run: () => parts().x.max({ axis: -3 }), expect: err(sn.ShapeError, 'max', '-3') },
  { area, name: 'softmax: axis 2 on rank 2', run: () => parts().x.softmax(2), expect: err(sn.ShapeError, 'softmax', 'axis 2') },
  { area, name: "logSoftmax: axis 'x'", run: () => parts().x.logSoftmax(any('x')), expect: err(sn.SinapsisError, 'logSoftmax', 'axis') },
  { area, name: 'concat: axis 5', run: () => { const { x } = parts(); return ops.concat([x, x], 5); }, expect: err(sn.ShapeError, 'concat', '5') },
  { area, name: 'concat: axis 1.5', run: () => { const { x } = parts(); return ops.concat([x, x], 1.5); }, expect: err(sn.ShapeError, 'concat', '1.5') },
  { area, name: 'concat: []', run: () => ops.concat([], 0), expect: err(sn.SinapsisError, 'concat') },
  { area, name: 'concat: [x, 5]', run: () => { const { x } = parts(); return ops.concat(any([x, 5]), 0); }, expect: err(sn.SinapsisError, 'concat') },
  { area, name: 'concat: axis -1 works', run: () => { const { x } = parts(); return ops.concat([x, x], -1).shape; }, expect: ok((s: number[]) => (s.join() === '2,6' ? true : `shape [${s}]`)) },

  // Shape ops.
  { area, name: 'transpose: perm [0, 0]', run: () => parts().x.transpose([0, 0]), expect: err(sn.ShapeError, 'transpose', '[0, 0]') },
  { area, name: 'transpose: perm [0, 2]', run: () => parts().x.transpose([0, 2]), expect: err(sn.ShapeError, 'transpose', '[0, 2]') },
  { area, name: "transpose: perm 'ab'", run: () => parts().x.transpose(any('ab')), expect: err(sn.SinapsisError, 'transpose') },
  { area, name: 'slice: begin [0, 5] past the end', run: () => parts().x.slice([0, 5], [1, 1]), expect: err(sn.ShapeError, 'slice', '[2, 3]') },
  { area, name: 'slice: size [3, 1] too big', run: () => parts().x.slice([0, 0], [3, 1]), expect: err(sn.ShapeError, 'slice', '[3, 1]') },
  { area, name: 'slice: begin [-1, 0]', run: () => parts().x.slice([-1, 0], [1, 1]), expect: err(sn.ShapeError, 'slice', '-1') },
  { area, name: 'slice: begin [0.5, 0]', run: () => parts().x.slice([0.5, 0], [1, 1]), expect: err(sn.ShapeError, 'slice', '0.5') },
  { area, name: 'slice: begin with three entries for rank 2', run: () => parts().x.slice([0, 0, 0], [1, 1, 1]), expect: err(sn.ShapeError, 'slice') },
  { area, name: 'pad: a negative padding', run: () => ops.pad(parts().x, [[0, 0], [-1, 1]]), expect: err(sn.ShapeError, 'pad', '-1') },
  { area, name: 'reshape: [4, 4] from [2, 3]', run: () => parts().x.reshape([4, 4]), expect: err(sn.ShapeError, 'reshape', '[2, 3]', '[4, 4]') },
  { area, name: 'reshape: [2.5, 2]', run: () => parts().x.reshape([2.5, 2]), expect: err(sn.ShapeError, 'reshape', '2.5') },
  { area, name: "reshape: 'abc'", run: () => parts().x.reshape(any('abc')), expect: err(sn.SinapsisError, 'reshape') },
  { area, name: 'broadcastTo: [2, 3] to [3, 3]', run: () => ops.broadcastTo(parts().x, [3, 3]), expect: err(sn.ShapeError, 'broadcastTo', '[3, 3]') },

  // Window options.
  { area, name: 'conv2d: strides 0', run: () => { const { img, f } = parts(); return ops.conv2d(img, f, { strides: 0 }); }, expect: err(sn.SinapsisError, 'conv2d', 'strides') },
  { area, name: "conv2d: padding 'full'", run: () => { const { img, f } = parts(); return ops.conv2d(img, f, any({ padding: 'full' })); }, expect: err(sn.SinapsisError, 'conv2d', 'padding', 'full') },
  { area, name: 'conv2d: a 7x7 filter on a 6x6 image', run: () => { const { g, img } = parts(); return ops.conv2d(img, g.input('f7', [7, 7, 2, 4])); }, expect: err(sn.ShapeError, 'conv2d', '[7, 7, 2, 4]') },
  { area, name: 'conv2d: dilations 0', run: () => { const { img, f } = parts(); return ops.conv2d(img, f, { dilations: 0 }); }, expect: err(sn.SinapsisError, 'conv2d', 'dilations') },
  { area, name: 'conv2d: strides [1] (one entry)', run: () => { const { img, f } = parts(); return ops.conv2d(img, f, any({ strides: [1] })); }, expect: err(sn.SinapsisError, 'conv2d', 'strides') },
  { area, name: "conv2d: strides 'a'", run: () => { const { img, f } = parts(); return ops.conv2d(img, f, any({ strides: 'a' })); }, expect: err(sn.SinapsisError, 'conv2d', 'strides') },
  { area, name: 'conv2d: filter with 3 input channels for a 2-channel image', run: () => { const { g, img } = parts(); return ops.conv2d(img, g.input('f3', [3, 3, 3, 4])); }, expect: err(sn.ShapeError, 'conv2d', 'channels') },
  { area, name: 'maxPool2d: poolSize 0', run: () => ops.maxPool2d(parts().img, { poolSize: 0 }), expect: err(sn.SinapsisError, 'maxPool2d', 'poolSize') },
  { area, name: 'maxPool2d: strides 0', run: () => ops.maxPool2d(parts().img, { poolSize: 2, strides: 0 }), expect: err(sn.SinapsisError, 'maxPool2d', 'strides') },
  { area, name: "maxPool2d: padding 'full'", run: () => ops.maxPool2d(parts().img, any({ padding: 'full' })), expect: err(sn.SinapsisError, 'maxPool2d', 'padding') },
  { area, name: 'maxPool2d: poolSize 7 on a 6x6 image', run: () => ops.maxPool2d(parts().img, { poolSize: 7 }), expect: err(sn.ShapeError, 'maxPool2d', '7') },
  { area, name: 'avgPool2d: poolSize 2.5', run: () => ops.avgPool2d(parts().img, any({ poolSize: 2.5 })), expect: err(sn.SinapsisError, 'avgPool2d', 'poolSize') },

  // Operands and scalar options.
  { area, name: "pow(x, 'abc')", run: () => ops.pow(parts().x, any('abc')), expect: err(sn.SinapsisError, 'pow') },
  { area, name: "leakyRelu(x, 'a')", run: () => ops.leakyRelu(parts().x, any('a')), expect: err(sn.SinapsisError, 'leakyRelu', 'alpha') },
  { area, name: 'elu(x, NaN)', run: () => ops.elu(parts().x, NaN), expect: err(sn.SinapsisError, 'elu', 'alpha') },
  { area, name: "x.add('5') (a string)", run: () => parts().x.add(any('5')), expect: err(sn.SinapsisError, 'add') },
  { area, name: 'x.add(null)', run: () => parts().x.add(any(null)), expect: err(sn.SinapsisError, 'add') },
  { area, name: 'x.add(undefined)', run: () => parts().x.add(any(undefined)), expect: err(sn.SinapsisError, 'add') },
  { area, name: 'x.mul([1, 2, 3]) (a plain array)', run: () => parts().x.mul(any([1, 2, 3])), expect: err(sn.SinapsisError, 'mul') },
  { area, name: 'ops.add(1, 2) (no tensor)', run: () => ops.add(1, 2), expect: err(sn.SinapsisError, 'add') },
  { area, name: 'ops.relu(5) (a number)', run: () => ops.relu(any(5)), expect: err(sn.SinapsisError, 'relu') },
  { area, name: 'ops.sum(undefined)', run: () => ops.sum(any(undefined)), expect: err(sn.SinapsisError, 'sum') },

  // Graph construction.
  { area, name: "g.input('x', 'abc') (shape a string)", run: () => sn.graph().input('x', any('abc')), expect: err(sn.ShapeError, "'x'") },
  { area, name: "g.input('x', [2, -1])", run: () => sn.graph().input('x', [2, -1]), expect: err(sn.ShapeError, "'x'", '-1') },
  { area, name: 'g.input(5, [2]) (a name that is not a string)', run: () => sn.graph().input(any(5), [2]), expect: err(sn.InputError, 'name') },
  {
    area, name: "g.param('w', [2], [1, 2, 3]) (3 initial values for 2) at compile",
    run: async (ctx) => { const g = sn.graph(); const w = g.param('w_bad', [2], [1, 2, 3]); const p = await sn.compile(ctx.device, g, { outputs: { s: w.sum() } }); p.dispose(); return 'compiled'; },
    expect: err(sn.SinapsisError, 'w_bad', '3'),
  },
  { area, name: "g.constant('abc')", run: () => sn.graph().constant(any('abc')), expect: err(sn.InputError, 'constant', ['string', "'abc'", '"abc"']) },
  { area, name: "g.constant([1, 'a', 3], [3])", run: () => sn.graph().constant(any([1, 'a', 3]), [3]), expect: err(sn.InputError, 'constant') },
];

export default cases;
