// npm run mnist -- [--model mlp|cnn] [--epochs 5|6] [--batch-size 32] [--hidden 128] [--dropout 0.2] [--lr 0.001] [--lr-decay 0.7|0.75] [--limit N] [--save model.safetensors] [--load model.safetensors] [--test-each-epoch] [--robustness off]
// Trains on the MNIST training set in Node (Dawn) and prints the test accuracy.
// The learning rate is multiplied by --lr-decay after each epoch: the
// optimizer reads it at every step, so the schedule needs no recompile.
// --load continues from a model saved with --save (its architecture and
// weights; the optimizer starts afresh at --lr).
// --test-each-epoch prints the test accuracy after every epoch (a long run
// then shows its whole learning curve, not just the end point); the schedule
// is fixed in advance, nothing is chosen by looking at the test set.
// --robustness off trains on a Dawn device without WebGPU's bounds checks
// (sn.createDevice({ robustness: false })): faster on SwiftShader.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as sn from '../../src/index.js';
import { numberOption } from '../cli.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'mlp' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string', default: '32' },
    dropout: { type: 'string', default: '0.2' },
    hidden: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.001' },
    'lr-decay': { type: 'string' },
    limit: { type: 'string' },
    'validation-split': { type: 'string', default: '0' },
    save: { type: 'string' },
    load: { type: 'string' },
    seed: { type: 'string' },
    'test-each-epoch': { type: 'boolean', default: false },
    robustness: { type: 'string', default: 'on' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log('usage: npm run mnist -- [--model mlp|cnn] [--epochs 5 (cnn: 6)] [--batch-size 32] [--hidden 128] [--dropout 0.2] [--lr 0.001] [--lr-decay 0.7 (cnn: 0.75)] [--limit N] [--validation-split 0.1] [--save model.safetensors] [--load model.safetensors] [--seed 1] [--test-each-epoch] [--robustness on|off]');
  process.exit(0);
}
const num = numberOption;

if (args.robustness !== 'on' && args.robustness !== 'off') throw new Error(`--robustness must be 'on' or 'off', got '${args.robustness}'`);
const device = await sn.createDevice({ robustness: args.robustness === 'on' });
console.log(`device: ${device.info.vendor} ${device.info.architecture} (${device.info.description})${device.robustness ? '' : ', bounds checks off'}`);
const t0 = performance.now();
const data = await sn.datasets.mnist(args.limit ? { trainLimit: num('limit', args.limit) } : {});
console.log(`MNIST: ${data.train.x.shape[0]} training and ${data.test.x.shape[0]} test images (${((performance.now() - t0) / 1000).toFixed(1)} s to load)`);

const seed = args.seed === undefined ? undefined : num('seed', args.seed);
const hidden = num('hidden', args.hidden);
const dropout = num('dropout', args.dropout);
let model: sn.Model;
if (args.load) {
  model = await sn.loadModel(new Uint8Array(readFileSync(args.load)), { device });
  console.log(`loaded ${args.load}`);
} else if (args.model === 'mlp') {
  model = sn.sequential([
    sn.layers.flatten({ inputShape: [28, 28, 1] }),
    sn.layers.dense({ units: hidden, activation: 'relu', seed }),
    ...(dropout > 0 ? [sn.layers.dropout({ rate: dropout, seed })] : []),
    sn.layers.dense({ units: 10, activation: 'softmax', seed: seed === undefined ? undefined : seed + 1 }),
  ]);
} else if (args.model === 'cnn') {
  // The classic Keras MNIST convnet.
  model = sn.sequential([
    sn.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], seed }),
    sn.layers.maxPool2d({ poolSize: 2 }),
    sn.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', seed: seed === undefined ? undefined : seed + 1 }),
    sn.layers.maxPool2d({ poolSize: 2 }),
    sn.layers.flatten(),
    sn.layers.dropout({ rate: 0.5, seed }),
    sn.layers.dense({ units: 10, activation: 'softmax', seed: seed === undefined ? undefined : seed + 2 }),
  ]);
} else {
  throw new Error(`--model must be 'mlp' or 'cnn' (got '${args.model}')`);
}
const optimizer = sn.optimizers.adam({ learningRate: num('lr', args.lr) });
// The convnet's defaults are the schedule of its measured run (README): 6 epochs, decay 0.75.
const cnn = args.model === 'cnn';
const decay = num('lr-decay', args['lr-decay'] ?? (cnn ? '0.75' : '0.7'));
model.compile({ device, optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
console.log(model.summary());

const start = performance.now();
await model.fit(data.train.x, data.train.y, {
  epochs: num('epochs', args.epochs ?? (cnn ? '6' : '5')),
  batchSize: num('batch-size', args['batch-size']),
  validationSplit: num('validation-split', args['validation-split']),
  shuffle: true,
  seed,
  callbacks: [sn.callbacks.lambda({
    onEpochEnd: async (epoch) => {
      optimizer.learningRate *= decay;
      if (!args['test-each-epoch']) return;
      const t = await model.evaluate(data.test.x, data.test.y);
      console.log(`epoch ${epoch + 1}: test loss ${t.loss.toFixed(4)}, test accuracy ${(t.accuracy * 100).toFixed(2)}% (${((performance.now() - start) / 1000).toFixed(0)} s)`);
    },
  })],
});
const trainSecs = (performance.now() - start) / 1000;
const { loss, accuracy } = await model.evaluate(data.test.x, data.test.y);
console.log(`test loss ${loss.toFixed(4)}, test accuracy ${(accuracy * 100).toFixed(2)}% (training took ${trainSecs.toFixed(1)} s)`);
if (args.save) {
  await model.save(args.save);
  console.log(`saved to ${args.save}`);
}
model.dispose();
device.destroy();
