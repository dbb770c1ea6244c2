// Weights and planned buffers larger than the device allows: an error at
// compile (DeviceError) or at loadModel (FormatError) naming the layer or
// param, its bytes and the limit, raised quickly and before any host or GPU
// memory is taken for it.
import * as sn from '../../src/index.js';
import type { Case, Ctx } from './probe.js';
import { LIMIT_NAMES, bytesText, err, layerOf, load, quiet, savedBytes, tamper } from './fixtures.js';

const area = 'limits';
/** Every case here must fail fast and without taking the memory. */
const fast = { maxMs: 2000, maxRssGrowthMB: 500 };

async function compileModel(ctx: Ctx, layers: sn.Layer[], then?: (m: sn.Model) => Promise<unknown>): Promise<string> {
  const m = sn.sequential(layers);
  try {
    m.compile({ device: ctx.device, optimizer: 'sgd', loss: 'meanSquaredError' });
    if (then) await then(m);
    return 'compiled';
  } finally {
    m.dispose();
  }
}

async function compileGraph(ctx: Ctx, build: (g: sn.Graph) => Record<string, sn.Tensor>): Promise<string> {
  const g = sn.graph();
  const prog = await sn.compile(ctx.device, g, { outputs: build(g) });
  prog.dispose();
  return 'compiled';
}

const cases: Case[] = [
  {
    area, name: 'model.compile: dense units 4e8 on a 784 input (kernel 1.25 TB)',
    run: (ctx) => compileModel(ctx, [sn.layers.dense({ units: 4e8, inputShape: [784], name: 'huge_dense' })]),
    expect: err(sn.DeviceError, 'huge_dense', bytesText(784 * 4e8 * 4), LIMIT_NAMES),
    ...fast,
  },
  {
    area, name: 'model.compile: dense 1e6 inputs x 1e5 units (kernel 400 GB)',
    run: (ctx) => compileModel(ctx, [sn.layers.dense({ units: 1e5, inputShape: [1e6], name: 'wide_dense' })]),
    expect: err(sn.DeviceError, 'wide_dense', bytesText(1e6 * 1e5 * 4), LIMIT_NAMES),
    ...fast,
  },
  {
    area, name: 'model.compile: conv2d filters 1e6, kernelSize 50 on [64, 64, 3] (kernel 30 GB)',
    run: (ctx) => compileModel(ctx, [sn.layers.conv2d({ filters: 1e6, kernelSize: 50, inputShape: [64, 64, 3], name: 'huge_conv' })]),
    expect: err(sn.DeviceError, 'huge_conv', bytesText(50 * 50 * 3 * 1e6 * 4), LIMIT_NAMES),
    ...fast,
  },
  {
    area, name: 'model.compile: conv2d filters 1e6, kernelSize 50 on [64, 64, 1] (kernel 10 GB, a typed array that fits)',
    run: (ctx) => compileModel(ctx, [sn.layers.conv2d({ filters: 1e6, kernelSize: 50, inputShape: [64, 64, 1], name: 'huge_conv1' })]),
    expect: err(sn.DeviceError, 'huge_conv1', bytesText(50 * 50 * 1e6 * 4), LIMIT_NAMES),
    ...fast,
  },
  {
    area, name: 'model.compile: dense 2700 x 1e5, a kernel just over 1 GiB (1.08e9 bytes)',
    run: (ctx) => compileModel(ctx, [sn.layers.dense({ units: 1e5, inputShape: [2700], name: 'just_over' })]),
    expect: err(sn.DeviceError, 'just_over', bytesText(2700 * 1e5 * 4), LIMIT_NAMES),
    ...fast,
  },
  {
    area, name: 'sn.compile: a graph param of shape [1e5, 1e5] (40 GB)',
    run: (ctx) => compileGraph(ctx, (g) => ({ s: g.param('big_param', [1e5, 1e5]).sum() })),
    expect: err(sn.DeviceError, 'big_param', bytesText(1e10 * 4), LIMIT_NAMES),
    ...fast,
  },
  {
    area, name: 'sn.compile: a graph input of shape [3e8] (1.2 GB)',
    run: (ctx) => compileGraph(ctx, (g) => ({ s: g.input('big_input', [3e8]).sum() })),
    expect: err(sn.DeviceError, 'big_input', bytesText(3e8 * 4), LIMIT_NAMES),
    ...fast,
  },
  {
    area, name: 'sn.compile: an intermediate matmul [2e4, 1] x [1, 2e4] (1.6 GB)',
    run: (ctx) => compileGraph(ctx, (g) => {
      const x = g.input('col', [2e4, 1]);
      return { s: x.matmul(x, { transposeB: true }).sum() };
    }),
    expect: err(sn.DeviceError, 'matmul', bytesText(2e4 * 2e4 * 4), LIMIT_NAMES),
    ...fast,
  },
  {
    area, name: 'predict: a batch of 200 through dense units 2e6 (activations 1.6 GB)',
    run: (ctx) => compileModel(ctx, [sn.layers.dense({ units: 2e6, inputShape: [1], name: 'fanout' })], (m) =>
      m.predict(Array.from({ length: 200 }, () => [1]), { batchSize: 200 })),
    expect: err(sn.DeviceError, 'fanout', LIMIT_NAMES),
    ...fast,
  },
  {
    area, name: 'fit: a batch of 200 through dense units 2e6 then dense 1 (activations 1.6 GB)',
    run: (ctx) => compileModel(ctx, [sn.layers.dense({ units: 2e6, inputShape: [1], name: 'fanout_fit' }), sn.layers.dense({ units: 1 })], (m) =>
      m.fit(Array.from({ length: 200 }, () => [1]), Array.from({ length: 200 }, () => [0]), { batchSize: 200, ...quiet })),
    expect: err(sn.DeviceError, 'fanout_fit', LIMIT_NAMES),
    ...fast,
  },
  {
    area, name: 'loadModel: a saved dense layer tampered to units 4e8',
    run: async (ctx) => load(ctx, tamper(await savedBytes(ctx), (c) => { layerOf(c, 'd1').config.units = 4e8; })),
    expect: err(sn.FormatError, 'd1'),
    ...fast,
  },
];

export default cases;
