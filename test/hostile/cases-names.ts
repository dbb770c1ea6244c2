// Names looked up in their own table only: 'constructor', 'toString',
// '__proto__', 'hasOwnProperty', 'valueOf' and typos are unknown names, and
// the error names the bad one and lists valid ones.
import * as sn from '../../src/index.js';
import type { Case, Ctx, Fragment } from './probe.js';
import { err, layerOf, load, savedBytes, tamper, tinyModel } from './fixtures.js';

const area = 'names';
const PROTO = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
/** The name quoted, as a message names it. */
const q = (name: string): Fragment => [`'${name}'`, `"${name}"`, `\`${name}\``];

async function compileWith(ctx: Ctx, config: Record<string, unknown>): Promise<string> {
  const m = tinyModel(ctx, { compile: false });
  try {
    m.compile({ device: ctx.device, loss: 'meanSquaredError', ...config } as sn.ModelCompileConfig);
    return 'compiled';
  } finally {
    m.dispose();
  }
}

/** Builds (and compiles) a one-layer model from a layer factory. */
async function buildWith(ctx: Ctx, make: () => sn.Layer): Promise<string> {
  const m = sn.sequential([make()]);
  try {
    m.compile({ device: ctx.device, loss: 'meanSquaredError', optimizer: 'sgd' });
    await m.predict([[1, 2, 3, 4]]);
    return 'built and ran';
  } finally {
    m.dispose();
  }
}

const cases: Case[] = [];

for (const name of [...PROTO, 'meanSquareError']) {
  cases.push({
    area, name: `compile: loss '${name}'`,
    run: (ctx) => compileWith(ctx, { loss: name }),
    expect: err(sn.InputError, q(name), 'meanSquaredError'),
  });
}
for (const name of [...PROTO, 'accuracyy']) {
  cases.push({
    area, name: `compile: metric '${name}'`,
    run: (ctx) => compileWith(ctx, { metrics: [name] }),
    expect: err(sn.InputError, q(name), 'accuracy'),
  });
}
for (const name of [...PROTO, 'adamm']) {
  cases.push({
    area, name: `compile: optimizer '${name}'`,
    run: (ctx) => compileWith(ctx, { optimizer: name }),
    expect: err(sn.InputError, q(name), 'adam'),
  });
}
for (const name of [...PROTO, 'rellu']) {
  cases.push({
    area, name: `dense: activation '${name}'`,
    run: (ctx) => buildWith(ctx, () => sn.layers.dense({ units: 2, inputShape: [4], activation: name })),
    expect: err(sn.InputError, q(name), 'relu'),
  });
}
for (const name of ['constructor', '__proto__', 'sigmoidd']) {
  cases.push({
    area, name: `activation layer: activation '${name}'`,
    run: (ctx) => buildWith(ctx, () => sn.layers.activation({ activation: name, inputShape: [4] })),
    expect: err(sn.InputError, q(name), 'relu'),
  });
}
for (const name of [...PROTO, 'glorotUnifrom']) {
  cases.push({
    area, name: `dense: kernelInitializer '${name}'`,
    run: (ctx) => buildWith(ctx, () => sn.layers.dense({ units: 2, inputShape: [4], kernelInitializer: name })),
    expect: err(sn.InputError, q(name), 'glorotUniform'),
  });
}
cases.push({
  area, name: "dense: biasInitializer 'valueOf'",
  run: (ctx) => buildWith(ctx, () => sn.layers.dense({ units: 2, inputShape: [4], biasInitializer: 'valueOf' })),
  expect: err(sn.InputError, q('valueOf'), 'zeros'),
});
for (const name of ['constructor', '__proto__', 'l3']) {
  cases.push({
    area, name: `dense: kernelRegularizer '${name}'`,
    run: (ctx) => buildWith(ctx, () => sn.layers.dense({ units: 2, inputShape: [4], kernelRegularizer: name as 'l2' })),
    expect: err(sn.InputError, q(name), 'l2'),
  });
}
for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'Dens']) {
  cases.push({
    area, name: `loadModel: a saved layer of class '${name}'`,
    run: async (ctx) => load(ctx, tamper(await savedBytes(ctx), (c) => { layerOf(c, 'd2').className = name; })),
    expect: err(sn.FormatError, q(name), 'Dense'),
  });
}
for (const name of ['constructor', 'adamm']) {
  cases.push({
    area, name: `sn.compile: minimize optimizer '${name}'`,
    run: async (ctx) => {
      const g = sn.graph();
      const w = g.param('w', [2], [1, 2]);
      const loss = w.square().sum();
      const prog = await sn.compile(ctx.device, g, { outputs: { loss }, minimize: { loss, optimizer: name } });
      prog.dispose();
      return 'compiled';
    },
    expect: err(sn.InputError, q(name), 'adam'),
  });
}

export default cases;
