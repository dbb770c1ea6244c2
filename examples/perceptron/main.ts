// npm run example:perceptron -- [--lr 0.1] [--epochs 50] [--xor-epochs 2000] [--seed 4]
// Rosenblatt's perceptron learns AND and OR, cannot learn XOR; a 2-2-1
// sigmoid network trained by backpropagation can.
import { parseArgs } from 'node:util';
import * as sn from '../../src/index.js';
import { GATES, INPUTS, trainGate, trainXorNetwork, type GateName } from './perceptron.js';
import { numberOption } from '../cli.js';

const { values: args } = parseArgs({
  options: {
    lr: { type: 'string', default: '0.1' },
    epochs: { type: 'string', default: '50' },
    'xor-epochs': { type: 'string', default: '2000' },
    seed: { type: 'string', default: '4' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log('usage: npm run example:perceptron -- [--lr 0.1] [--epochs 50] [--xor-epochs 2000] [--seed 4]');
  process.exit(0);
}
const num = numberOption;
const lr = num('lr', args.lr);
const epochs = num('epochs', args.epochs);

const device = await sn.createDevice();
const f = (v: number) => v.toFixed(2).padStart(5);

for (const gate of ['AND', 'OR', 'XOR'] as GateName[]) {
  console.log(`\n${gate}: perceptron rule, lr ${lr}, at most ${epochs} epochs (one epoch = the four samples in order)`);
  const run = await trainGate(device, gate, { learningRate: lr, epochs });
  run.history.slice(0, 12).forEach((h, i) => {
    console.log(`  epoch ${String(i + 1).padStart(3)}: ${h.errors} errors during the epoch, ${h.correct}/4 right after it;  w = (${f(h.w[0])}, ${f(h.w[1])}), b = ${f(h.b)}`);
  });
  if (run.history.length > 12) console.log(`  ... (${run.history.length - 12} more epochs)`);
  const table = INPUTS.map(([a, b], i) => `${a} ${b} -> ${run.outputs[i]} (want ${GATES[gate][i]})`).join(',  ');
  console.log(`  ${table}`);
  if (run.convergedAt > 0) {
    const sign = (v: number) => `${v < 0 ? '-' : '+'} ${Math.abs(v).toFixed(2)}`;
    console.log(`  learned ${gate} in ${run.convergedAt} epochs: output 1 where ${run.w[0].toFixed(2)} x1 ${sign(run.w[1])} x2 ${sign(run.b)} > 0`);
  } else {
    console.log(`  did not learn ${gate} in ${epochs} epochs: at best ${run.bestCorrect}/4 right (no line separates XOR's classes)`);
  }
}

console.log('\nXOR with a 2-2-1 sigmoid network (Adam, binary cross-entropy, full batch):');
const net = await trainXorNetwork(device, { epochs: num('xor-epochs', args['xor-epochs']), seed: num('seed', args.seed) });
for (let e = 0; e < net.lossHistory.length; e += Math.max(1, Math.floor(net.lossHistory.length / 8))) {
  console.log(`  epoch ${String(e + 1).padStart(5)}: loss ${net.lossHistory[e].toFixed(4)}`);
}
console.log(`  stopped after ${net.epochs} epochs, loss ${net.loss.toFixed(4)}`);
console.log(`  ${INPUTS.map(([a, b], i) => `${a} ${b} -> ${net.probabilities[i].toFixed(3)}`).join(',  ')}: ${net.correct}/4 right`);

device.destroy();
