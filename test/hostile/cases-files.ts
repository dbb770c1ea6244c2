// Tampered model files: a real file saved by model.save(), its JSON config
// or tensors edited, encoded again. loadModel validates everything it relies
// on and raises a FormatError for each problem, releasing every GPU buffer
// it took (the probe's leak check runs after every case).
import * as sn from '../../src/index.js';
import type { Case, Ctx } from './probe.js';
import { CONFIG_KEY, type SavedConfig, err, layerOf, load, ok, randomBytes, rawSafetensors, savedBytes, savedConvBytes, tamper } from './fixtures.js';

const area = 'files';

type Mutate = (config: SavedConfig, tensors: Record<string, sn.HostTensor>) => void;
const tampered = (mutate: Mutate) => async (ctx: Ctx) => load(ctx, tamper(await savedBytes(ctx), mutate));
const tamperedConv = (mutate: Mutate) => async (ctx: Ctx) => load(ctx, tamper(await savedConvBytes(ctx), mutate));
const t = (shape: number[]) => sn.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);

const cases: Case[] = [
  {
    area, name: 'the untampered file loads (control)',
    run: async (ctx) => {
      const m = await sn.loadModel(await savedBytes(ctx), { device: ctx.device });
      try {
        return (await m.predict([[1, 2, 3, 4]])).shape;
      } finally {
        m.dispose();
      }
    },
    expect: ok((s: number[]) => (s.join() === '1,2' ? true : `predict gave shape [${s}]`)),
  },
];

// optimizerStep: a non-negative integer.
for (const step of [-5, 2.5, 'abc', null]) {
  cases.push({
    area, name: `optimizerStep ${JSON.stringify(step)}`,
    run: tampered((c) => { c.optimizerStep = step; }),
    expect: err(sn.FormatError, 'optimizerStep'),
  });
}

cases.push(
  {
    area, name: 'optimizer state for a weight that does not exist (optimizer/d9/kernel/m)',
    run: tampered((c, ts) => { ts['optimizer/d9/kernel/m'] = t([4, 3]); }),
    expect: err(sn.FormatError, 'd9/kernel'),
  },
  {
    area, name: 'optimizer state of the wrong shape (optimizer/d1/kernel/m as [5])',
    run: tampered((c, ts) => { ts['optimizer/d1/kernel/m'] = t([5]); }),
    expect: err(sn.FormatError, 'd1/kernel/m', '[5]', '[4, 3]'),
  },
  {
    area, name: 'optimizer state of the right size but swapped shape (optimizer/d1/kernel/v as [3, 4])',
    run: tampered((c, ts) => { ts['optimizer/d1/kernel/v'] = t([3, 4]); }),
    expect: err(sn.FormatError, 'd1/kernel/v', '[3, 4]', '[4, 3]'),
  },
  {
    area, name: "an unknown optimizer state name (optimizer/d1/kernel/zz) for Adam",
    run: tampered((c, ts) => { ts['optimizer/d1/kernel/zz'] = t([4, 3]); }),
    expect: err(sn.FormatError, 'zz'),
  },
  {
    area, name: 'optimizer state without the optimizer/ weight part (optimizer/m)',
    run: tampered((c, ts) => { ts['optimizer/m'] = t([1]); }),
    expect: err(sn.FormatError, 'optimizer/m'),
  },
  {
    area, name: "activation 'constructor' in a layer config",
    run: tampered((c) => { layerOf(c, 'd1').config.activation = 'constructor'; }),
    expect: err(sn.FormatError, "'constructor'", 'relu'),
  },
  {
    area, name: 'activation 5 (a number) in a layer config',
    run: tampered((c) => { layerOf(c, 'd1').config.activation = 5; }),
    expect: err(sn.FormatError, 'activation', 'd1'),
  },
  {
    area, name: "loss 'valueOf' in the compile config",
    run: tampered((c) => { c.compile!.loss = 'valueOf'; }),
    expect: err(sn.FormatError, "'valueOf'", 'meanSquaredError'),
  },
  {
    area, name: "loss 'constructor' in the compile config",
    run: tampered((c) => { c.compile!.loss = 'constructor'; }),
    expect: err(sn.FormatError, "'constructor'", 'meanSquaredError'),
  },
  {
    area, name: "metrics ['toString'] in the compile config",
    run: tampered((c) => { c.compile!.metrics = ['toString']; }),
    expect: err(sn.FormatError, "'toString'", 'accuracy'),
  },
  {
    area, name: 'metrics "accuracy" (a string, not an array) in the compile config',
    run: tampered((c) => { c.compile!.metrics = 'accuracy'; }),
    expect: err(sn.FormatError, 'metrics', 'array'),
  },
  {
    area, name: "optimizer name 'constructor' in the compile config",
    run: tampered((c) => { c.compile!.optimizer.name = 'constructor'; }),
    expect: err(sn.FormatError, "'constructor'", 'adam'),
  },
  {
    area, name: 'optimizer config learningRate -1',
    run: tampered((c) => { c.compile!.optimizer.config.learningRate = -1; }),
    expect: err(sn.FormatError, 'learningRate', '-1'),
  },
  {
    area, name: 'optimizer config beta1 5',
    run: tampered((c) => { c.compile!.optimizer.config.beta1 = 5; }),
    expect: err(sn.FormatError, 'beta1', '5'),
  },
  {
    area, name: 'optimizer config with an unknown key (lr)',
    run: tampered((c) => { c.compile!.optimizer.config.lr = 0.1; }),
    expect: err(sn.FormatError, "'lr'"),
  },
  {
    area, name: 'optimizer config null',
    run: tampered((c) => { (c.compile!.optimizer as { config: unknown }).config = null; }),
    expect: err(sn.FormatError, 'optimizer'),
  },
  {
    area, name: "layer class '__proto__' (its config otherwise a Dense's)",
    run: tampered((c) => { layerOf(c, 'd1').className = '__proto__'; }),
    expect: err(sn.FormatError, "'__proto__'", 'Dense'),
  },
  {
    area, name: 'layer class 42 (a number)',
    run: tampered((c) => { layerOf(c, 'd1').className = 42; }),
    expect: err(sn.FormatError, 'class'),
  },
);

for (const units of [0, -3, 2.5, '64', null]) {
  cases.push({
    area, name: `dense units ${JSON.stringify(units)}`,
    run: tampered((c) => { layerOf(c, 'd1').config.units = units; }),
    expect: err(sn.FormatError, 'd1', 'units'),
  });
}

for (const kernelSize of ['abc', [0, 0], -1, [2], [2, 2, 2], null]) {
  cases.push({
    area, name: `conv2d kernelSize ${JSON.stringify(kernelSize)}`,
    run: tamperedConv((c) => { layerOf(c, 'c1').config.kernelSize = kernelSize; }),
    expect: err(sn.FormatError, 'c1', 'kernelSize'),
  });
}

cases.push(
  {
    area, name: "conv2d padding 'full'",
    run: tamperedConv((c) => { layerOf(c, 'c1').config.padding = 'full'; }),
    expect: err(sn.FormatError, 'c1', 'padding', 'full'),
  },
  {
    area, name: 'conv2d strides 0',
    run: tamperedConv((c) => { layerOf(c, 'c1').config.strides = 0; }),
    expect: err(sn.FormatError, 'c1', 'strides'),
  },
  {
    area, name: 'conv2d filters "2" (a string)',
    run: tamperedConv((c) => { layerOf(c, 'c1').config.filters = '2'; }),
    expect: err(sn.FormatError, 'c1', 'filters'),
  },
  {
    area, name: 'dropout rate 1.5',
    run: tampered((c) => { layerOf(c, 'drop').config.rate = 1.5; }),
    expect: err(sn.FormatError, 'drop', 'rate', '1.5'),
  },
  {
    area, name: 'dropout rate "0.1" (a string)',
    run: tampered((c) => { layerOf(c, 'drop').config.rate = '0.1'; }),
    expect: err(sn.FormatError, 'drop', 'rate'),
  },
  {
    area, name: 'duplicate layer names (d2 renamed d1)',
    run: tampered((c) => { layerOf(c, 'd2').config.name = 'd1'; }),
    expect: err(sn.FormatError, "'d1'"),
  },
  {
    area, name: 'a layer whose inbound is itself',
    run: tampered((c) => { layerOf(c, 'd2').inbound = ['d2']; }),
    expect: err(sn.FormatError, "'d2'"),
  },
  {
    area, name: 'a layer whose inbound is missing (names no layer)',
    run: tampered((c) => { layerOf(c, 'd2').inbound = ['nowhere']; }),
    expect: err(sn.FormatError, "'nowhere'"),
  },
  {
    area, name: 'a layer with no inbound ([])',
    run: tampered((c) => { layerOf(c, 'd2').inbound = []; }),
    expect: err(sn.FormatError, "'d2'"),
  },
  {
    area, name: 'a layer whose inbound is not an array ("drop")',
    run: tampered((c) => { layerOf(c, 'd2').inbound = 'drop'; }),
    expect: err(sn.FormatError, 'inbound'),
  },
  {
    area, name: 'a missing tensor (d1/bias deleted)',
    run: tampered((c, ts) => { delete ts['d1/bias']; }),
    expect: err(sn.FormatError, 'd1/bias'),
  },
  {
    area, name: 'an extra tensor (d3/kernel)',
    run: tampered((c, ts) => { ts['d3/kernel'] = t([2, 2]); }),
    expect: err(sn.FormatError, 'd3/kernel'),
  },
  {
    area, name: 'a tensor of swapped shape (d1/kernel as [3, 4])',
    run: tampered((c, ts) => { ts['d1/kernel'] = t([3, 4]); }),
    expect: err(sn.FormatError, 'd1/kernel', ['[3, 4]', '[3,4]'], ['[4, 3]', '[4,3]']),
  },
  {
    area, name: 'a tensor of the wrong size (d1/bias as [7])',
    run: tampered((c, ts) => { ts['d1/bias'] = t([7]); }),
    expect: err(sn.FormatError, 'd1/bias', ['[7]', '7 values'], '[3]'),
  },
  {
    area, name: 'the output names a layer that does not exist',
    run: tampered((c) => { c.output = 'nowhere'; }),
    expect: err(sn.FormatError, "'nowhere'"),
  },
  {
    area, name: 'input shape [-1, 4]',
    run: tampered((c) => { c.input.shape = [-1, 4]; }),
    expect: err(sn.FormatError, 'shape', '-1'),
  },
  {
    area, name: 'input shape "4" (a string)',
    run: tampered((c) => { c.input.shape = '4'; }),
    expect: err(sn.FormatError, 'shape'),
  },
  {
    area, name: 'layers null',
    run: tampered((c) => { (c as { layers: unknown }).layers = null; }),
    expect: err(sn.FormatError, 'layers'),
  },
  {
    area, name: 'a layer entry null',
    run: tampered((c) => { (c.layers as unknown[])[1] = null; }),
    expect: err(sn.FormatError, 'layer'),
  },
  {
    area, name: 'a layer config null',
    run: tampered((c) => { (layerOf(c, 'd2') as { config: unknown }).config = null; }),
    expect: err(sn.FormatError, 'config'),
  },
  {
    area, name: 'a layer inputShape "abc" in its config',
    run: tampered((c) => { layerOf(c, 'd1').config.inputShape = 'abc'; }),
    expect: err(sn.FormatError, 'd1', 'inputShape'),
  },
  {
    area, name: 'config version 2',
    run: tampered((c) => { c.version = 2; }),
    expect: err(sn.FormatError, 'version 2'),
  },
  {
    area, name: 'config that is not JSON',
    run: async (ctx) => {
      const { tensors, metadata } = sn.decodeSafetensors(await savedBytes(ctx));
      return load(ctx, sn.encodeSafetensors({ ...tensors }, { ...metadata, [CONFIG_KEY]: '{"format": "sinapsis-model", ' }));
    },
    expect: err(sn.FormatError, 'JSON'),
  },
  {
    area, name: 'config that is JSON null',
    run: async (ctx) => {
      const { tensors, metadata } = sn.decodeSafetensors(await savedBytes(ctx));
      return load(ctx, sn.encodeSafetensors({ ...tensors }, { ...metadata, [CONFIG_KEY]: 'null' }));
    },
    expect: err(sn.FormatError, CONFIG_KEY),
  },
  {
    area, name: 'safetensors without the model config',
    run: async (ctx) => {
      const { tensors } = sn.decodeSafetensors(await savedBytes(ctx));
      return load(ctx, sn.encodeSafetensors({ ...tensors }));
    },
    expect: err(sn.FormatError, CONFIG_KEY),
  },
  {
    area, name: 'truncated bytes (the first half of the file)',
    run: async (ctx) => { const b = await savedBytes(ctx); return load(ctx, b.slice(0, b.length >> 1)); },
    expect: err(sn.FormatError),
  },
  {
    area, name: 'truncated by one byte',
    run: async (ctx) => { const b = await savedBytes(ctx); return load(ctx, b.slice(0, b.length - 1)); },
    expect: err(sn.FormatError),
  },
  {
    area, name: 'random garbage bytes (4 KiB)',
    run: (ctx) => load(ctx, randomBytes(4096, 7)),
    expect: err(sn.FormatError),
  },
  {
    area, name: 'empty bytes',
    run: (ctx) => load(ctx, new Uint8Array(0)),
    expect: err(sn.FormatError),
  },
  {
    area, name: 'a header length past the end of the file',
    run: async (ctx) => { const b = (await savedBytes(ctx)).slice(); new DataView(b.buffer).setUint32(0, b.length + 100, true); return load(ctx, b); },
    expect: err(sn.FormatError, 'header length'),
  },
  {
    area, name: "'__proto__' as a tensor name",
    run: async (ctx) => {
      const { metadata } = sn.decodeSafetensors(await savedBytes(ctx));
      const header = JSON.stringify({ __metadata__: { ...metadata } }).slice(0, -1) + ',"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
      return load(ctx, rawSafetensors(header, new Uint8Array(4)));
    },
    expect: err(sn.FormatError, '__proto__'),
  },
  {
    area, name: "a tensor named 'optimizer/__proto__'",
    run: tampered((c, ts) => { ts['optimizer/__proto__'] = t([4, 3]); }),
    expect: err(sn.FormatError, '__proto__'),
  },
);

export default cases;
