// Options of fit, evaluate and predict (batchSize, epochs, validationSplit,
// unknown keys, ...), the array types x may come in, setWeights, and a second
// fit while one runs.
import * as sn from '../../src/index.js';
import type { Case, Ctx, Fragment } from './probe.js';
import { N, X, Y, err, f32X, hostX, hostY, isHistory, ok, quiet, referencePredictions, sameValues, tinyModel, withModel } from './fixtures.js';

const area = 'options';
const q = (name: string): Fragment => [`'${name}'`, `"${name}"`, `\`${name}\``];
const shown = (v: unknown): Fragment => (typeof v === 'string' ? v : String(v));
const any = <T>(v: unknown) => v as T;

type Where = 'fit' | 'evaluate' | 'predict';
function withOptions(ctx: Ctx, where: Where, options: Record<string, unknown>): Promise<unknown> {
  return withModel<unknown>(ctx, (m) => {
    if (where === 'fit') return m.fit(X, Y, { ...quiet, ...options });
    if (where === 'evaluate') return m.evaluate(X, Y, any(options));
    return m.predict(X, any(options));
  });
}

const cases: Case[] = [];

for (const where of ['predict', 'evaluate', 'fit'] as const) {
  for (const v of [0, -4, 2.5, NaN, '32']) {
    cases.push({
      area, name: `${where}: batchSize ${typeof v === 'string' ? `'${v}'` : String(v)}`,
      run: (ctx) => withOptions(ctx, where, { batchSize: v }),
      expect: err(sn.InputError, 'batchSize', shown(v)),
    });
  }
}
for (const v of [0, -1, 1.5, NaN, '2']) {
  cases.push({
    area, name: `fit: epochs ${typeof v === 'string' ? `'${v}'` : String(v)}`,
    run: (ctx) => withOptions(ctx, 'fit', { epochs: v }),
    expect: err(sn.InputError, 'epochs', shown(v)),
  });
}
for (const v of [NaN, -0.1, 1, 1.5, '0.1']) {
  cases.push({
    area, name: `fit: validationSplit ${typeof v === 'string' ? `'${v}'` : String(v)}`,
    run: (ctx) => withOptions(ctx, 'fit', { validationSplit: v }),
    expect: err(sn.InputError, 'validationSplit', shown(v)),
  });
}
for (const [where, key] of [['fit', 'batch_size'], ['fit', 'epoch'], ['fit', 'validation_split'], ['fit', 'callback'], ['evaluate', 'batch_size'], ['predict', 'batch_size']] as const) {
  cases.push({
    area, name: `${where}: unknown option '${key}'`,
    run: (ctx) => withOptions(ctx, where, { [key]: key === 'callback' ? [] : key === 'validation_split' ? 0.2 : 2 }),
    expect: err(sn.InputError, q(key)),
  });
}
cases.push(
  { area, name: 'fit: verbose 5', run: (ctx) => withOptions(ctx, 'fit', { verbose: 5 }), expect: err(sn.InputError, 'verbose', '5') },
  { area, name: "fit: shuffle 'yes'", run: (ctx) => withOptions(ctx, 'fit', { shuffle: 'yes' }), expect: err(sn.InputError, 'shuffle') },
  { area, name: 'fit: seed NaN', run: (ctx) => withOptions(ctx, 'fit', { seed: NaN }), expect: err(sn.InputError, 'seed', 'NaN') },
  { area, name: "fit: seed 'abc'", run: (ctx) => withOptions(ctx, 'fit', { seed: 'abc' }), expect: err(sn.InputError, 'seed') },
  {
    area, name: 'fit: callbacks that is one callback, not an array',
    run: (ctx) => withOptions(ctx, 'fit', { callbacks: sn.callbacks.earlyStopping({ monitor: 'loss' }) }),
    expect: err(sn.InputError, 'callbacks'),
  },
  { area, name: 'fit: callbacks [5]', run: (ctx) => withOptions(ctx, 'fit', { callbacks: [5] }), expect: err(sn.InputError, 'callbacks') },
  { area, name: 'fit: validationData [x] (no y)', run: (ctx) => withOptions(ctx, 'fit', { validationData: [hostX()] }), expect: err(sn.InputError, 'validationData') },
  { area, name: 'fit: validationData that is a HostTensor', run: (ctx) => withOptions(ctx, 'fit', { validationData: hostX() }), expect: err(sn.InputError, 'validationData') },
  {
    area, name: 'fit: validationData whose samples have the wrong shape',
    run: (ctx) => withOptions(ctx, 'fit', { validationData: [sn.tensor(new Float32Array(N * 5), [N, 5]), hostY()] }),
    expect: err(sn.InputError, 'validationData', '[6, 5]'),
  },
);

// x in every array type a user has: the same predictions as a Float32Array HostTensor.
const typed: [string, () => unknown][] = [
  ['nested number arrays', () => X],
  ['a flat number[]', () => X.flat()],
  ['a flat Float32Array', () => f32X()],
  ['a flat Int32Array', () => Int32Array.from(X.flat())],
  ['a flat Float64Array', () => Float64Array.from(X.flat())],
  ['a flat Uint8Array', () => Uint8Array.from(X.flat())],
  ['a HostTensor built from an Int32Array', () => sn.tensor(Int32Array.from(X.flat()), [N, 4])],
  ['a HostTensor built from a Float64Array', () => sn.tensor(Float64Array.from(X.flat()), [N, 4])],
  ['a HostTensor built from a Uint8Array', () => sn.tensor(Uint8Array.from(X.flat()), [N, 4])],
];
for (const [what, make] of typed) {
  cases.push({
    area, name: `predict: x as ${what} gives the Float32Array predictions`,
    run: (ctx) => withModel(ctx, async (m) => sameValues((await m.predict(any(make()))).data, await referencePredictions(m), 'predictions')),
    expect: ok((r: true | string) => r),
  });
}
cases.push(
  {
    area, name: 'fit: x and y as flat Float64Arrays train',
    run: (ctx) => withModel(ctx, (m) => m.fit(any(Float64Array.from(X.flat())), any(Float64Array.from(Y.flat())), { epochs: 1, batchSize: 3, ...quiet })),
    expect: ok(isHistory),
  },
  {
    area, name: 'evaluate: x as a flat Uint8Array gives the Float32Array loss',
    run: (ctx) => withModel(ctx, async (m) => {
      const a = await m.evaluate(any(Uint8Array.from(X.flat())), Y);
      const b = await m.evaluate(hostX(), Y);
      return sameValues([a.loss], [b.loss], 'loss');
    }),
    expect: ok((r: true | string) => r),
  },
  {
    area, name: 'predict: a flat array whose length is not a multiple of the sample size',
    run: (ctx) => withModel(ctx, (m) => m.predict(any(new Float32Array(10)))),
    expect: err(sn.InputError, word('x'), '10', '4'),
  },
);

// setWeights.
const named = () => sn.sequential([
  sn.layers.dense({ units: 3, inputShape: [4], name: 'sw1', seed: 1 }),
  sn.layers.dense({ units: 2, name: 'sw2', seed: 2 }),
]);
cases.push(
  {
    area, name: 'setWeights before compile with an unknown name',
    run: () => named().setWeights({ 'nope/kernel': new Float32Array(12) }),
    expect: err(sn.InputError, 'nope/kernel', 'sw1/kernel'),
  },
  {
    area, name: 'setWeights before compile with a wrong shape',
    run: () => named().setWeights({ 'sw1/kernel': sn.tensor(new Float32Array(5), [5]) }),
    expect: err(sn.InputError, 'sw1/kernel', '[4, 3]'),
  },
  {
    area, name: 'setWeights before compile with a flat Float32Array of the wrong length',
    run: () => named().setWeights({ 'sw2/bias': new Float32Array(7) }),
    expect: err(sn.InputError, 'sw2/bias', '7'),
  },
  {
    area, name: 'setWeights after compile with a wrong shape',
    run: (ctx) => {
      const m = named();
      try {
        m.compile({ device: ctx.device, loss: 'meanSquaredError' });
        m.setWeights({ 'sw1/kernel': new Float32Array(5) });
        return 'accepted';
      } finally {
        m.dispose();
      }
    },
    expect: err(sn.InputError, 'sw1/kernel', '5'),
  },
  {
    area, name: 'setWeights(null)',
    run: () => named().setWeights(null as unknown as Record<string, Float32Array>),
    expect: err(sn.InputError, 'setWeights'),
  },
  {
    area, name: 'setWeights before compile with the right shape is used by the compiled model',
    run: async (ctx) => {
      const m = named();
      try {
        m.setWeights({ 'sw2/bias': new Float32Array([5, -5]) });
        m.compile({ device: ctx.device, loss: 'meanSquaredError' });
        return (await m.getWeights())['sw2/bias'].data;
      } finally {
        m.dispose();
      }
    },
    expect: ok((d: Float32Array) => sameValues(d, [5, -5], 'sw2/bias')),
  },
);

// A second fit while one runs.
async function concurrent(ctx: Ctx, during: (m: sn.Model) => Promise<unknown>): Promise<{ during: unknown; error: unknown; history: sn.History }> {
  const m = tinyModel(ctx);
  try {
    const x = sn.tensor(new Float32Array(64 * 4).map((_, i) => (i % 7) / 7), [64, 4]);
    const y = sn.tensor(new Float32Array(64 * 2).map((_, i) => (i % 5) / 5), [64, 2]);
    const first = m.fit(x, y, { epochs: 3, batchSize: 4, ...quiet });
    first.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 5));
    let result: unknown, error: unknown;
    try {
      result = await during(m);
    } catch (e) {
      error = e;
    }
    const history = await first;
    return { during: result, error, history };
  } finally {
    m.dispose();
  }
}
cases.push(
  {
    area, name: "a second fit while one runs rejects saying 'already'",
    run: async (ctx) => {
      const r = await concurrent(ctx, (m) => m.fit(X, Y, { epochs: 1, ...quiet }));
      if (r.error) throw r.error;
      return r.during;
    },
    expect: err(sn.SinapsisError, 'already'),
  },
  {
    area, name: 'the first fit still finishes all its epochs after a second was attempted',
    run: (ctx) => concurrent(ctx, (m) => m.fit(X, Y, { epochs: 1, ...quiet })),
    expect: ok((r: { history: sn.History }) => (r.history.epoch.length === 3 && r.history.history.loss.every(Number.isFinite) ? true : `history ${JSON.stringify(r.history)}`)),
  },
  {
    area, name: 'predict during fit works',
    run: (ctx) => concurrent(ctx, (m) => m.predict(X)),
    expect: ok((r: { during: sn.HostTensor; error: unknown }) =>
      r.error ? `predict threw ${String(r.error)}` : r.during.shape.join() === '6,2' && r.during.data.every(Number.isFinite) ? true : `predict gave ${String(r.during)}`),
  },
  {
    area, name: 'evaluate during fit works',
    run: (ctx) => concurrent(ctx, (m) => m.evaluate(X, Y)),
    expect: ok((r: { during: Record<string, number>; error: unknown }) =>
      r.error ? `evaluate threw ${String(r.error)}` : Number.isFinite(r.during?.loss) ? true : `evaluate gave ${JSON.stringify(r.during)}`),
  },
);

function word(name: string): RegExp {
  return new RegExp(`\\b${name}\\b`, 'i');
}

export default cases;
