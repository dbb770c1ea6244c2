// npm run example:regression -- [--samples 500] [--epochs 200] [--batch-size 32] [--lr 0.01] [--patience 10] [--seed 42]
// Regression on a tabular data set (study hours, age, average -> two exam
// grades), with a validation split and early stopping.
import { parseArgs } from 'node:util';
import * as sn from '../../src/index.js';
import { FEATURES, NOISE_STD, TARGETS, expectedGrades, standardize, trainRegression } from './regression.js';
import { numberOption } from '../cli.js';

const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: '500' },
    epochs: { type: 'string', default: '200' },
    'batch-size': { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.01' },
    patience: { type: 'string', default: '10' },
    seed: { type: 'string', default: '42' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log('usage: npm run example:regression -- [--samples 500] [--epochs 200] [--batch-size 32] [--lr 0.01] [--patience 10] [--seed 42]');
  process.exit(0);
}
const num = numberOption;

const device = await sn.createDevice();
console.log('training (one epoch = one pass over the training students; validation loss after each)...');
const run = await trainRegression(device, {
  samples: num('samples', args.samples),
  epochs: num('epochs', args.epochs),
  batchSize: num('batch-size', args['batch-size']),
  learningRate: num('lr', args.lr),
  patience: num('patience', args.patience),
  seed: num('seed', args.seed),
  verbose: 0,
});
const { history, earlyStopping: es, data, trainRows } = run;
const n = data.x.shape[0];
console.log(run.model.summary());

console.log('\nhistory (mean squared error over both grades; mae = mean absolute error):');
console.log('epoch      loss       mae   valLoss    valMae');
const h = history.history;
// Every epoch of a short run; of a long one every fifth, the best and the last.
const shown = (e: number, i: number) => history.epoch.length <= 30 || e === 0 || (e + 1) % 5 === 0 || e === es.bestEpoch || i === history.epoch.length - 1;
history.epoch.forEach((e, i) => {
  if (!shown(e, i)) return;
  const mark = e === es.bestEpoch ? '  <- best' : '';
  console.log(`${String(e + 1).padStart(5)} ${h.loss[i].toFixed(4).padStart(9)} ${h.mae[i].toFixed(4).padStart(9)} ${h.valLoss[i].toFixed(4).padStart(9)} ${h.valMae[i].toFixed(4).padStart(9)}${mark}`);
});
if (es.stoppedEpoch >= 0) {
  console.log(`early stopping: no improvement of valLoss for ${es.patience} epochs after epoch ${es.bestEpoch + 1}; stopped after epoch ${es.stoppedEpoch + 1} and restored epoch ${es.bestEpoch + 1}'s weights`);
} else {
  console.log(`ran all ${history.epoch.length} epochs (best valLoss at epoch ${es.bestEpoch + 1})`);
}
console.log(`validation loss of the kept weights: ${run.bestValLoss.toFixed(4)} (the noise alone gives about ${(NOISE_STD ** 2).toFixed(2)})`);

console.log(`\npredictions for the first validation students (rows ${trainRows}.. of ${n}):`);
const rows = Math.min(6, n - trainRows);
const x = data.x.sliceRows(trainRows, rows);
const pred = await run.model.predict(standardize(x, run.scaler));
console.log(`${FEATURES.map((f) => f.padStart(8)).join('')}  |${TARGETS.map((t) => `${t} true/pred/formula`.padStart(26)).join('')}`);
for (let i = 0; i < rows; i++) {
  const f = [...x.data.subarray(i * 3, i * 3 + 3)];
  const expected = expectedGrades(f[0], f[1], f[2]);
  const cells = TARGETS.map((_, k) => `${data.y.data[(trainRows + i) * 2 + k].toFixed(2)} / ${pred.data[i * 2 + k].toFixed(2)} / ${expected[k].toFixed(2)}`.padStart(26));
  console.log(`${f.map((v) => v.toFixed(1).padStart(8)).join('')}  |${cells.join('')}`);
}
run.model.dispose();
device.destroy();
