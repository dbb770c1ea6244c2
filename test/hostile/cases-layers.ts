// Layer configs a careless user writes (units 0, rate 1, kernelSize 'a',
// unknown keys), sequential() of things that are not layers, and models
// assembled from wrong pieces. Config values are checked where they are
// given, and the error names the option (any SinapsisError: the existing
// tests pin ShapeError for some of them).
import * as sn from '../../src/index.js';
import type { Case, Ctx, Fragment } from './probe.js';
import { X, Y, err, ok, quiet } from './fixtures.js';

const area = 'layers';
const q = (name: string): Fragment => [`'${name}'`, `"${name}"`, `\`${name}\``];
const any = <T>(v: unknown) => v as T;
const shown = (v: unknown): Fragment => (v === undefined ? ['undefined', 'missing', 'required'] : typeof v === 'string' ? v : Array.isArray(v) ? JSON.stringify(v) : String(v));
const label = (v: unknown) => (v === undefined ? 'missing' : typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? JSON.stringify(v) : String(v));

/** Makes the layer, then a model from it on a sample shape, compiled; disposes what it made. */
async function assemble(ctx: Ctx, make: () => sn.Layer, inputShape: number[] = [4]): Promise<string> {
  const layer = make();
  const m = sn.sequential([layer], { inputShape });
  try {
    m.compile({ device: ctx.device, loss: 'meanSquaredError' });
    return 'assembled';
  } finally {
    m.dispose();
  }
}

const cases: Case[] = [];

for (const v of [0, -1, 2.5, 'a', NaN, undefined, null, Infinity]) {
  cases.push({
    area, name: `dense: units ${label(v)}`,
    run: (ctx) => assemble(ctx, () => sn.layers.dense(any({ units: v }))),
    expect: err(sn.SinapsisError, 'units', shown(v)),
  });
}
cases.push({ area, name: 'dense() with no config', run: (ctx) => assemble(ctx, () => sn.layers.dense(any(undefined))), expect: err(sn.SinapsisError, 'units') });
for (const v of [1, -0.1, 'a', NaN, undefined]) {
  cases.push({
    area, name: `dropout: rate ${label(v)}`,
    run: (ctx) => assemble(ctx, () => sn.layers.dropout(any({ rate: v }))),
    expect: err(sn.SinapsisError, 'rate', shown(v)),
  });
}
for (const v of [0, -1, [3], 'a', undefined, [3, 3, 3], 2.5]) {
  cases.push({
    area, name: `conv2d: kernelSize ${label(v)}`,
    run: (ctx) => assemble(ctx, () => sn.layers.conv2d(any({ filters: 2, kernelSize: v })), [6, 6, 1]),
    expect: err(sn.SinapsisError, 'kernelSize', shown(v)),
  });
}
const conv: [string, Record<string, unknown>, Fragment[]][] = [
  ['filters 0', { filters: 0 }, ['filters', '0']],
  ['filters 2.5', { filters: 2.5 }, ['filters', '2.5']],
  ['strides 0', { strides: 0 }, ['strides', '0']],
  ["padding 'full'", { padding: 'full' }, ['padding', 'full']],
  ["padding 'SAME' (TF's capitals)", { padding: 'SAME' }, ['padding', 'SAME']],
  ['dilationRate 0', { dilationRate: 0 }, ['dilationRate', '0']],
];
for (const [what, config, includes] of conv) {
  cases.push({
    area, name: `conv2d: ${what}`,
    run: (ctx) => assemble(ctx, () => sn.layers.conv2d(any({ filters: 2, kernelSize: 2, ...config })), [6, 6, 1]),
    expect: err(sn.SinapsisError, ...includes),
  });
}
const pools: [string, () => sn.Layer, Fragment[]][] = [
  ['maxPool2d: poolSize 0', () => sn.layers.maxPool2d(any({ poolSize: 0 })), ['poolSize', '0']],
  ['maxPool2d: strides -1', () => sn.layers.maxPool2d(any({ strides: -1 })), ['strides', '-1']],
  ["maxPool2d: padding 'full'", () => sn.layers.maxPool2d(any({ padding: 'full' })), ['padding', 'full']],
  ['avgPool2d: poolSize 2.5', () => sn.layers.avgPool2d(any({ poolSize: 2.5 })), ['poolSize', '2.5']],
  ['maxPool2d: poolSize 8 on a 6x6 image', () => sn.layers.maxPool2d({ poolSize: 8, name: 'big_pool' }), ['big_pool', '8']],
];
for (const [what, make, includes] of pools) {
  cases.push({ area, name: what, run: (ctx) => assemble(ctx, make, [6, 6, 1]), expect: err(sn.SinapsisError, ...includes) });
}
cases.push(
  {
    area, name: 'conv2d: kernelSize 7 on a 6x6 image names the layer',
    run: (ctx) => assemble(ctx, () => sn.layers.conv2d({ filters: 2, kernelSize: 7, name: 'too_wide' }), [6, 6, 1]),
    expect: err(sn.ShapeError, 'too_wide', '7'),
  },
  {
    area, name: 'conv2d on samples of rank 1 names the layer',
    run: (ctx) => assemble(ctx, () => sn.layers.conv2d({ filters: 2, kernelSize: 2, name: 'flat_conv' }), [4]),
    expect: err(sn.ShapeError, 'flat_conv', '[4]'),
  },
  {
    area, name: 'reshape: targetShape of the wrong size names the layer',
    run: (ctx) => assemble(ctx, () => sn.layers.reshape({ targetShape: [3, 2], name: 'bad_reshape' })),
    expect: err(sn.ShapeError, 'bad_reshape', '[3, 2]'),
  },
  {
    area, name: "reshape: targetShape 'abc'",
    run: (ctx) => assemble(ctx, () => sn.layers.reshape(any({ targetShape: 'abc' }))),
    expect: err(sn.SinapsisError, 'targetShape'),
  },
  {
    area, name: 'reshape: targetShape [-1, -1]',
    run: (ctx) => assemble(ctx, () => sn.layers.reshape({ targetShape: [-1, -1] })),
    expect: err(sn.SinapsisError, '-1'),
  },
  {
    area, name: 'batchNormalization: momentum 1',
    run: (ctx) => assemble(ctx, () => sn.layers.batchNormalization({ momentum: 1 })),
    expect: err(sn.SinapsisError, 'momentum', '1'),
  },
  {
    area, name: 'batchNormalization: epsilon 0',
    run: (ctx) => assemble(ctx, () => sn.layers.batchNormalization({ epsilon: 0 })),
    expect: err(sn.SinapsisError, 'epsilon', '0'),
  },
  {
    area, name: "batchNormalization: momentum '0.9' (a string)",
    run: (ctx) => assemble(ctx, () => sn.layers.batchNormalization(any({ momentum: '0.9' }))),
    expect: err(sn.SinapsisError, 'momentum'),
  },
  {
    area, name: 'concatenate: axis 5 on samples of rank 1',
    run: () => {
      const a = sn.input({ shape: [4] });
      return sn.layers.concatenate({ axis: 5 }).apply([a, a]);
    },
    expect: err(sn.ShapeError, 'axis 5'),
  },
  {
    area, name: 'add applied to one input',
    run: () => sn.layers.add().apply([sn.input({ shape: [4] })]),
    expect: err(sn.ShapeError, 'two'),
  },
  {
    area, name: "dense: unknown config key 'activaton' (a typo)",
    run: (ctx) => assemble(ctx, () => sn.layers.dense(any({ units: 2, activaton: 'relu' }))),
    expect: err(sn.InputError, q('activaton')),
  },
  {
    area, name: "conv2d: unknown config key 'kernel_size' (Keras' spelling)",
    run: (ctx) => assemble(ctx, () => sn.layers.conv2d(any({ filters: 2, kernelSize: 2, kernel_size: 3 })), [6, 6, 1]),
    expect: err(sn.InputError, q('kernel_size')),
  },
  {
    area, name: "dense: useBias 'no' (a string)",
    run: (ctx) => assemble(ctx, () => sn.layers.dense(any({ units: 2, useBias: 'no' }))),
    expect: err(sn.SinapsisError, 'useBias'),
  },
  {
    area, name: 'dense: inputShape [0]',
    run: () => sn.sequential([sn.layers.dense({ units: 2, inputShape: [0] })]),
    expect: err(sn.ShapeError, '[0]'),
  },
  {
    area, name: "dense: inputShape 'abc'",
    run: () => sn.sequential([sn.layers.dense(any({ units: 2, inputShape: 'abc' }))]),
    expect: err(sn.SinapsisError, 'inputShape'),
  },
  {
    area, name: 'dense: inputShape 4 (a number, not an array)',
    run: () => sn.sequential([sn.layers.dense(any({ units: 2, inputShape: 4 }))]),
    expect: err(sn.SinapsisError, 'inputShape'),
  },
  { area, name: 'sequential([])', run: () => sn.sequential([]), expect: err(sn.SinapsisError, 'sequential') },
  { area, name: 'sequential([5])', run: () => sn.sequential(any([5])), expect: err(sn.SinapsisError, 'layer', ['not a layer', 'is 5', 'got 5', 'number']) },
  { area, name: "sequential('dense')", run: () => sn.sequential(any('dense')), expect: err(sn.SinapsisError, 'sequential') },
  { area, name: 'sequential(undefined)', run: () => sn.sequential(any(undefined)), expect: err(sn.SinapsisError, 'sequential') },
  {
    area, name: 'sequential([dense, {}]) (the second is not a layer)',
    run: () => sn.sequential(any([sn.layers.dense({ units: 2, inputShape: [4] }), {}])),
    expect: err(sn.SinapsisError, ['layer 1', 'index 1', '[1]', 'second']),
  },
  {
    area, name: 'sequential whose first layer has no inputShape',
    run: () => sn.sequential([sn.layers.dense({ units: 2 })]),
    expect: err(sn.SinapsisError, 'inputShape'),
  },
  {
    area, name: "two layers named 'same' in one model",
    run: (ctx) => {
      const m = sn.sequential([sn.layers.dense({ units: 3, inputShape: [4], name: 'same' }), sn.layers.dense({ units: 2, name: 'same' })]);
      try {
        m.compile({ device: ctx.device, loss: 'meanSquaredError' });
        return 'compiled';
      } finally {
        m.dispose();
      }
    },
    expect: err(sn.SinapsisError, "'same'", ['duplicate', 'unique', 'twice', 'already']),
  },
  { area, name: 'sn.model({ inputs: 5, outputs: 6 })', run: () => sn.model(any({ inputs: 5, outputs: 6 })), expect: err(sn.SinapsisError, 'inputs') },
  { area, name: 'sn.model({})', run: () => sn.model(any({})), expect: err(sn.SinapsisError, 'inputs') },
  { area, name: 'sn.input({ shape: [0] })', run: () => sn.input({ shape: [0] }), expect: err(sn.ShapeError, '[0]') },
  { area, name: "sn.input({ shape: 'abc' })", run: () => sn.input(any({ shape: 'abc' })), expect: err(sn.ShapeError, 'shape') },
  { area, name: 'sn.input()', run: () => sn.input(any(undefined)), expect: err(sn.SinapsisError, 'shape') },
  {
    area, name: "a layer named 'constructor' trains, saves and loads",
    run: async (ctx) => {
      const m = sn.sequential([sn.layers.dense({ units: 3, inputShape: [4], name: 'constructor' }), sn.layers.dense({ units: 2, name: 'toString' })]);
      try {
        m.compile({ device: ctx.device, loss: 'meanSquaredError' });
        await m.fit(X, Y, { epochs: 1, batchSize: 3, ...quiet });
        const again = await sn.loadModel(await m.save(), { device: ctx.device });
        try {
          return (await again.predict(X)).shape;
        } finally {
          again.dispose();
        }
      } finally {
        m.dispose();
      }
    },
    expect: ok((s: number[]) => (s.join() === '6,2' ? true : `shape [${s}]`)),
  },
);

export default cases;
