// Data that is not finite numbers (NaN, Infinity, strings, null, ...) given
// to fit, evaluate and predict: an InputError naming the input, the sample
// and the position, before anything runs; terminateOnNaN for a loss that
// turns non-finite during training.
import * as sn from '../../src/index.js';
import type { Case, Ctx, Fragment } from './probe.js';
import { LABELS, N, X, Y, err, f32With, hostX, hostY, isHistory, ok, quiet, sparse, withBad, withModel, word } from './fixtures.js';

const area = 'data';
type Where = 'fit' | 'evaluate' | 'predict';

/** How a message may name position p within a sample. */
const position = (p: number): string[] => [`position ${p}`, `index ${p}`, `element ${p}`, `feature ${p}`, `column ${p}`, `[${p}]`];

/** The bad value as a message may print it. */
function valueText(v: unknown): Fragment {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'boolean') return [String(v), 'boolean'];
  return ['object', '{}'];
}

const describe = (v: unknown) => (typeof v === 'string' ? `'${v}'` : v === undefined ? 'undefined' : typeof v === 'object' && v !== null ? '{}' : String(v));

async function call(ctx: Ctx, where: Where, x: unknown, y: unknown, sparseLabels = false): Promise<unknown> {
  return withModel(ctx, async (m) => {
    if (where === 'fit') return m.fit(x as sn.HostTensor, y as sn.HostTensor, { epochs: 1, batchSize: 2, ...quiet });
    if (where === 'evaluate') return m.evaluate(x as sn.HostTensor, y as sn.HostTensor);
    return m.predict(x as sn.HostTensor);
  }, sparseLabels ? sparse : {});
}

const cases: Case[] = [];

// Nested arrays with one bad value at sample 3, position 2 of x (or 1 of y).
const badValues: unknown[] = [NaN, Infinity, -Infinity, 'abc', '1.5', null, undefined, {}, true];
for (const v of badValues) {
  cases.push({
    area, name: `fit: x (nested arrays) holds ${describe(v)} at sample 3, position 2`,
    run: (ctx) => call(ctx, 'fit', withBad(X, 3, 2, v), Y),
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), valueText(v)),
  });
}
for (const v of [NaN, 'abc', null]) {
  cases.push({
    area, name: `fit: y (nested arrays) holds ${describe(v)} at sample 3, position 1`,
    run: (ctx) => call(ctx, 'fit', X, withBad(Y, 3, 1, v)),
    expect: err(sn.InputError, word('y'), 'sample 3', position(1), valueText(v)),
  });
}
for (const v of [NaN, -Infinity, null, undefined, 'abc', {}, true]) {
  cases.push({
    area, name: `predict: x (nested arrays) holds ${describe(v)} at sample 3, position 2`,
    run: (ctx) => call(ctx, 'predict', withBad(X, 3, 2, v), undefined),
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), valueText(v)),
  });
}
for (const v of [NaN, 'abc']) {
  cases.push({
    area, name: `evaluate: x (nested arrays) holds ${describe(v)} at sample 3, position 2`,
    run: (ctx) => call(ctx, 'evaluate', withBad(X, 3, 2, v), Y),
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), valueText(v)),
  });
}
for (const v of [-Infinity, null]) {
  cases.push({
    area, name: `evaluate: y (nested arrays) holds ${describe(v)} at sample 3, position 1`,
    run: (ctx) => call(ctx, 'evaluate', X, withBad(Y, 3, 1, v)),
    expect: err(sn.InputError, word('y'), 'sample 3', position(1), valueText(v)),
  });
}

// Typed arrays and HostTensors.
cases.push(
  {
    area, name: 'fit: x HostTensor (Float32Array) holds NaN at sample 3, position 2',
    run: (ctx) => call(ctx, 'fit', sn.tensor(f32With(X, 3, 2, NaN), [N, 4]), Y),
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), 'NaN'),
  },
  {
    area, name: 'fit: x HostTensor holds Infinity at sample 3, position 2',
    run: (ctx) => call(ctx, 'fit', sn.tensor(f32With(X, 3, 2, Infinity), [N, 4]), Y),
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), 'Infinity'),
  },
  {
    area, name: 'fit: x HostTensor holds -Infinity at sample 3, position 2',
    run: (ctx) => call(ctx, 'fit', sn.tensor(f32With(X, 3, 2, -Infinity), [N, 4]), Y),
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), '-Infinity'),
  },
  {
    area, name: 'fit: x HostTensor holds NaN in its last value (sample 5, position 3)',
    run: (ctx) => call(ctx, 'fit', sn.tensor(f32With(X, 5, 3, NaN), [N, 4]), Y),
    expect: err(sn.InputError, word('x'), 'sample 5', position(3), 'NaN'),
  },
  {
    area, name: 'fit: x HostTensor holds NaN in its first value (sample 0, position 0)',
    run: (ctx) => call(ctx, 'fit', sn.tensor(f32With(X, 0, 0, NaN), [N, 4]), Y),
    expect: err(sn.InputError, word('x'), 'sample 0', position(0), 'NaN'),
  },
  {
    area, name: 'fit: x flat Float32Array (right length) holds NaN at sample 3, position 2',
    run: (ctx) => call(ctx, 'fit', f32With(X, 3, 2, NaN), Y),
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), 'NaN'),
  },
  {
    area, name: 'fit: x flat Float64Array holds 1e39 (Infinity in float32) at sample 3, position 2',
    run: (ctx) => { const a = Float64Array.from(X.flat()); a[14] = 1e39; return call(ctx, 'fit', a, Y); },
    expect: err(sn.InputError, word('x'), 'sample 3', position(2)),
  },
  {
    area, name: 'fit: x HostTensor built from a Float64Array holding 1e39 at sample 3, position 2',
    run: (ctx) => { const a = Float64Array.from(X.flat()); a[14] = 1e39; return call(ctx, 'fit', sn.tensor(a, [N, 4]), Y); },
    expect: err(sn.InputError, 'sample 3', position(2)),
  },
  {
    area, name: 'fit: y HostTensor holds Infinity at sample 3, position 1',
    run: (ctx) => call(ctx, 'fit', X, sn.tensor(f32With(Y, 3, 1, Infinity), [N, 2])),
    expect: err(sn.InputError, word('y'), 'sample 3', position(1), 'Infinity'),
  },
  {
    area, name: 'fit: sparse labels y hold NaN at sample 3',
    run: (ctx) => call(ctx, 'fit', X, LABELS.map((l, i) => (i === 3 ? NaN : l)), true),
    expect: err(sn.InputError, word('y'), 'sample 3', 'NaN'),
  },
  {
    area, name: "fit: sparse labels y hold the string 'abc' at sample 3",
    run: (ctx) => call(ctx, 'fit', X, LABELS.map((l, i) => (i === 3 ? 'abc' : l)), true),
    expect: err(sn.InputError, word('y'), 'sample 3', 'abc'),
  },
  {
    area, name: 'fit: validationData x holds NaN at sample 3, position 2',
    run: (ctx) => withModel(ctx, (m) => m.fit(X, Y, { epochs: 1, batchSize: 2, validationData: [sn.tensor(f32With(X, 3, 2, NaN), [N, 4]), hostY()], ...quiet })),
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), 'NaN'),
  },
  {
    area, name: 'fit: validationData y holds Infinity at sample 3, position 1',
    run: (ctx) => withModel(ctx, (m) => m.fit(X, Y, { epochs: 1, batchSize: 2, validationData: [hostX(), sn.tensor(f32With(Y, 3, 1, Infinity), [N, 2])], ...quiet })),
    expect: err(sn.InputError, word('y'), 'sample 3', position(1), 'Infinity'),
  },
  {
    area, name: 'evaluate: x HostTensor holds Infinity at sample 3, position 2',
    run: (ctx) => call(ctx, 'evaluate', sn.tensor(f32With(X, 3, 2, Infinity), [N, 4]), Y),
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), 'Infinity'),
  },
  {
    area, name: 'predict: x HostTensor holds NaN at sample 3, position 2',
    run: (ctx) => call(ctx, 'predict', sn.tensor(f32With(X, 3, 2, NaN), [N, 4]), undefined),
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), 'NaN'),
  },
  {
    area, name: 'predict: x flat Float32Array holds Infinity at sample 3, position 2',
    run: (ctx) => call(ctx, 'predict', f32With(X, 3, 2, Infinity), undefined),
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), 'Infinity'),
  },
  {
    area, name: 'predict: x flat Float64Array holds 1e39 at sample 3, position 2',
    run: (ctx) => { const a = Float64Array.from(X.flat()); a[14] = 1e39; return call(ctx, 'predict', a, undefined); },
    expect: err(sn.InputError, word('x'), 'sample 3', position(2)),
  },
  {
    area, name: 'predict: x flat Float64Array holds NaN at sample 3, position 2',
    run: (ctx) => { const a = Float64Array.from(X.flat()); a[14] = NaN; return call(ctx, 'predict', a, undefined); },
    expect: err(sn.InputError, word('x'), 'sample 3', position(2), 'NaN'),
  },
  {
    area, name: 'fit rejected for NaN in x leaves every weight as it was',
    run: (ctx) => withModel(ctx, async (m) => {
      const before = await m.getWeights();
      let error: unknown;
      await m.fit(withBad(X, 5, 3, NaN) as number[][], Y, { epochs: 1, batchSize: 2, shuffle: false, ...quiet }).catch((e) => { error = e; });
      const after = await m.getWeights();
      return { error, same: Object.keys(before).every((k) => before[k].data.every((v, i) => Object.is(v, after[k].data[i]))) };
    }),
    expect: ok((r: { error: unknown; same: boolean }) =>
      !(r.error instanceof sn.InputError) ? `fit did not reject with an InputError (${r.error === undefined ? 'no error' : String(r.error)})` : r.same ? true : 'the weights changed before the error'),
  },
);

// A loss that becomes non-finite during training.
const explode = (ctx: Ctx, callbacks: unknown[]) => withModel(
  ctx,
  (m) => m.fit(X, Y, { epochs: 3, batchSize: 2, shuffle: false, callbacks: callbacks as sn.callbacks.Callback[], ...quiet }),
  { optimizer: sn.optimizers.sgd({ learningRate: 1e30 }) },
);
const terminateOnNaN = () => (sn.callbacks as unknown as { terminateOnNaN: () => unknown }).terminateOnNaN();
cases.push(
  {
    area, name: 'sn.callbacks.terminateOnNaN exists and makes a callback',
    run: () => terminateOnNaN(),
    expect: ok((cb: unknown) => (cb && typeof cb === 'object' ? true : `got ${typeof cb}`)),
  },
  {
    area, name: 'fit with terminateOnNaN and sgd learningRate 1e30 stops without throwing and returns a history',
    run: (ctx) => explode(ctx, [terminateOnNaN()]),
    expect: ok(isHistory),
  },
  {
    area, name: 'fit without terminateOnNaN and sgd learningRate 1e30 rejects naming the loss value and the learning rate',
    run: (ctx) => explode(ctx, []),
    expect: err(sn.SinapsisError, ['NaN', 'Infinity'], 'learning rate'),
  },
  {
    area, name: 'terminateOnNaN leaves a healthy run alone (3 epochs)',
    run: (ctx) => withModel(ctx, (m) => m.fit(X, Y, { epochs: 3, batchSize: 3, callbacks: [terminateOnNaN() as sn.callbacks.Callback], ...quiet })),
    expect: ok((h: sn.History) => (h.epoch.length === 3 ? true : `ran ${h.epoch.length} epochs`)),
  },
);

export default cases;
