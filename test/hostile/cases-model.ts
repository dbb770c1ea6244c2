// The model's life cycle and its data checks: using a model before compile,
// after dispose, compile with garbage, x and y of the wrong shape or count,
// sparse labels out of range.
import * as sn from '../../src/index.js';
import type { Case, Ctx, Fragment } from './probe.js';
import { LABELS, X, Y, err, hostX, ok, quiet, sparse, tinyModel, withModel, word } from './fixtures.js';

const area = 'model';
const q = (name: string): Fragment => [`'${name}'`, `"${name}"`, `\`${name}\``];
const any = <T>(v: unknown) => v as T;

/** An uncompiled tiny model; fn's result is returned and the model disposed. */
async function uncompiled(ctx: Ctx, fn: (m: sn.Model) => unknown): Promise<unknown> {
  const m = tinyModel(ctx, { compile: false });
  try {
    return await fn(m);
  } finally {
    m.dispose();
  }
}

/** A compiled tiny model disposed before fn runs. */
async function disposed(ctx: Ctx, fn: (m: sn.Model) => unknown): Promise<unknown> {
  const m = tinyModel(ctx);
  await m.predict(X);
  m.dispose();
  return fn(m);
}

function compileWith(ctx: Ctx, config: unknown): Promise<unknown> {
  return uncompiled(ctx, (m) => { m.compile(any(config)); return 'compiled'; });
}

const cases: Case[] = [
  { area, name: 'fit before compile', run: (ctx) => uncompiled(ctx, (m) => m.fit(X, Y, quiet)), expect: err(sn.SinapsisError, 'compile') },
  { area, name: 'predict before compile', run: (ctx) => uncompiled(ctx, (m) => m.predict(X)), expect: err(sn.SinapsisError, 'compile') },
  { area, name: 'evaluate before compile', run: (ctx) => uncompiled(ctx, (m) => m.evaluate(X, Y)), expect: err(sn.SinapsisError, 'compile') },
  {
    area, name: 'evaluate on a model compiled without a loss',
    run: (ctx) => uncompiled(ctx, (m) => { m.compile({ device: ctx.device }); return m.evaluate(X, Y); }),
    expect: err(sn.SinapsisError, 'loss'),
  },
  {
    area, name: 'fit on a model compiled without a loss',
    run: (ctx) => uncompiled(ctx, (m) => { m.compile({ device: ctx.device }); return m.fit(X, Y, quiet); }),
    expect: err(sn.SinapsisError, 'loss'),
  },
  {
    area, name: 'predict on a model compiled without a loss works',
    run: (ctx) => uncompiled(ctx, (m) => { m.compile({ device: ctx.device }); return m.predict(X); }),
    expect: ok((p: sn.HostTensor) => (p.shape.join() === '6,2' ? true : `shape [${p.shape}]`)),
  },
  { area, name: 'predict after dispose', run: (ctx) => disposed(ctx, (m) => m.predict(X)), expect: err(sn.SinapsisError, 'dispose') },
  { area, name: 'fit after dispose', run: (ctx) => disposed(ctx, (m) => m.fit(X, Y, quiet)), expect: err(sn.SinapsisError, 'dispose') },
  { area, name: 'evaluate after dispose', run: (ctx) => disposed(ctx, (m) => m.evaluate(X, Y)), expect: err(sn.SinapsisError, 'dispose') },
  { area, name: 'save after dispose', run: (ctx) => disposed(ctx, (m) => m.save()), expect: err(sn.SinapsisError, 'dispose') },
  { area, name: 'getWeights after dispose', run: (ctx) => disposed(ctx, (m) => m.getWeights()), expect: err(sn.SinapsisError, 'dispose') },
  { area, name: 'dispose twice is harmless', run: (ctx) => disposed(ctx, (m) => { m.dispose(); return 'ok'; }), expect: ok() },

  { area, name: 'compile() with no config', run: (ctx) => compileWith(ctx, undefined), expect: err(sn.SinapsisError, 'device') },
  { area, name: 'compile({}) (no device)', run: (ctx) => compileWith(ctx, {}), expect: err(sn.SinapsisError, 'device') },
  { area, name: 'compile({ device: {} })', run: (ctx) => compileWith(ctx, { device: {} }), expect: err(sn.SinapsisError, 'device') },
  { area, name: 'compile({ device: the raw GPUDevice })', run: (ctx) => compileWith(ctx, { device: ctx.device.gpu }), expect: err(sn.SinapsisError, 'device') },
  { area, name: 'compile with loss 5', run: (ctx) => compileWith(ctx, { device: ctx.device, loss: 5 }), expect: err(sn.InputError, 'loss', '5') },
  { area, name: 'compile with optimizer 5', run: (ctx) => compileWith(ctx, { device: ctx.device, optimizer: 5 }), expect: err(sn.InputError, 'optimizer', '5') },
  { area, name: 'compile with metrics [5]', run: (ctx) => compileWith(ctx, { device: ctx.device, loss: 'mse', metrics: [5] }), expect: err(sn.InputError, 'metric', '5') },
  { area, name: "compile with an unknown key 'los'", run: (ctx) => compileWith(ctx, { device: ctx.device, los: 'mse' }), expect: err(sn.InputError, q('los')) },
  {
    area, name: "compile with metrics 'accuracy' (a string, as TF.js accepts) reports accuracy",
    run: (ctx) => uncompiled(ctx, (m) => {
      m.compile({ device: ctx.device, loss: 'sparseCategoricalCrossentropy', metrics: any('accuracy') });
      return m.evaluate(X, LABELS);
    }),
    expect: ok((r: Record<string, number>) => (Number.isFinite(r.accuracy) ? true : `evaluate gave ${JSON.stringify(r)}`)),
  },

  // x and y of the wrong shape or count.
  {
    area, name: 'predict: samples of 5 features for a model of 4',
    run: (ctx) => withModel(ctx, (m) => m.predict(sn.tensor(new Float32Array(30), [6, 5]))),
    expect: err(sn.InputError, word('x'), '[6, 5]', '4'),
  },
  {
    area, name: 'predict: x of rank 3 ([6, 2, 2])',
    run: (ctx) => withModel(ctx, (m) => m.predict(sn.tensor(new Float32Array(24), [6, 2, 2]))),
    expect: err(sn.InputError, word('x'), '[6, 2, 2]'),
  },
  {
    area, name: 'predict: one sample as a flat [1, 2, 3, 4]',
    run: (ctx) => withModel(ctx, (m) => m.predict([1, 2, 3, 4])),
    expect: ok((p: sn.HostTensor) => (p.shape.join() === '1,2' ? true : `shape [${p.shape}]`)),
  },
  { area, name: 'predict(5)', run: (ctx) => withModel(ctx, (m) => m.predict(any(5))), expect: err(sn.InputError, word('x')) },
  { area, name: "predict('abc')", run: (ctx) => withModel(ctx, (m) => m.predict(any('abc'))), expect: err(sn.InputError, word('x')) },
  { area, name: 'predict(undefined)', run: (ctx) => withModel(ctx, (m) => m.predict(any(undefined))), expect: err(sn.InputError, word('x')) },
  { area, name: 'predict(null)', run: (ctx) => withModel(ctx, (m) => m.predict(any(null))), expect: err(sn.InputError, word('x')) },
  { area, name: 'predict([]) (no samples)', run: (ctx) => withModel(ctx, (m) => m.predict([])), expect: err(sn.InputError, word('x'), ['empty', 'no samples', '0 samples']) },
  {
    area, name: 'predict: ragged nested rows (sample 1 has 3 values)',
    run: (ctx) => withModel(ctx, (m) => m.predict([[1, 2, 3, 4], [1, 2, 3], [1, 2, 3, 4], [1, 2, 3, 4, 5]])),
    expect: err(sn.InputError, word('x'), 'sample 1'),
  },
  {
    area, name: 'fit: y with 5 samples for x with 6',
    run: (ctx) => withModel(ctx, (m) => m.fit(X, Y.slice(0, 5), quiet)),
    expect: err(sn.InputError, '6', '5'),
  },
  {
    area, name: 'evaluate: y with 7 samples for x with 6',
    run: (ctx) => withModel(ctx, (m) => m.evaluate(X, [...Y, [0, 0]])),
    expect: err(sn.InputError, '6', '7'),
  },
  {
    area, name: 'fit: y of 3 values per sample for 2 outputs (mse)',
    run: (ctx) => withModel(ctx, (m) => m.fit(X, sn.tensor(new Float32Array(18), [6, 3]), quiet)),
    expect: err(sn.InputError, word('y'), '[6, 3]'),
  },
  {
    area, name: 'fit: sparse label 5 at sample 3 for 2 classes',
    run: (ctx) => withModel(ctx, (m) => m.fit(X, LABELS.map((l, i) => (i === 3 ? 5 : l)), quiet), sparse),
    expect: err(sn.InputError, ['sample 3', 'label 3'], '5'),
  },
  {
    area, name: 'fit: sparse label -1 at sample 3',
    run: (ctx) => withModel(ctx, (m) => m.fit(X, LABELS.map((l, i) => (i === 3 ? -1 : l)), quiet), sparse),
    expect: err(sn.InputError, ['sample 3', 'label 3'], '-1'),
  },
  {
    area, name: 'fit: sparse label 0.5 (not an integer) at sample 3',
    run: (ctx) => withModel(ctx, (m) => m.fit(X, LABELS.map((l, i) => (i === 3 ? 0.5 : l)), quiet), sparse),
    expect: err(sn.InputError, ['sample 3', 'label 3'], '0.5'),
  },
  {
    area, name: 'evaluate: sparse label 2 at sample 3 for 2 classes',
    run: (ctx) => withModel(ctx, (m) => m.evaluate(X, LABELS.map((l, i) => (i === 3 ? 2 : l))), sparse),
    expect: err(sn.InputError, ['sample 3', 'label 3'], '2'),
  },
  {
    area, name: 'fit: sparse labels given one-hot ([6, 2])',
    run: (ctx) => withModel(ctx, (m) => m.fit(X, Y, quiet), sparse),
    expect: err(sn.InputError, '[6, 2]'),
  },
  {
    area, name: 'fit: validationSplit 0.5 of a single sample',
    run: (ctx) => withModel(ctx, (m) => m.fit([X[0]], [Y[0]], { validationSplit: 0.5, ...quiet })),
    expect: err(sn.InputError, 'validationSplit'),
  },
  {
    area, name: 'predict with batchSize larger than the number of samples works',
    run: (ctx) => withModel(ctx, (m) => m.predict(hostX(), { batchSize: 1000 })),
    expect: ok((p: sn.HostTensor) => (p.shape.join() === '6,2' ? true : `shape [${p.shape}]`)),
  },
  {
    area, name: 'summary() of an uncompiled model',
    run: (ctx) => uncompiled(ctx, (m) => m.summary()),
    expect: ok((s: string) => (typeof s === 'string' && s.includes('Total params: 23') ? true : `summary: ${String(s)}`)),
  },
];

export default cases;
