import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';

let device: sn.Device;
test.before(async () => { device = await sn.createDevice(); });

test('XOR is learned by a 2-4-1 network', async () => {
  const model = sn.sequential([
    sn.layers.dense({ units: 4, activation: 'tanh', inputShape: [2], seed: 1 }),
    sn.layers.dense({ units: 1, activation: 'sigmoid', seed: 2 }),
  ]);
  model.compile({ device, optimizer: sn.optimizers.sgd({ learningRate: 0.5, momentum: 0.9 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const x = sn.tensor([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
  const y = sn.tensor([0, 1, 1, 0], [4, 1]);
  const h = await model.fit(x, y, { epochs: 300, batchSize: 4, verbose: 0, seed: 3 });
  const p = await model.predict(x);
  assert.ok(h.history.loss[299] < 0.1, `final loss ${h.history.loss[299]}`);
  assert.equal([...p.data].map((v) => Math.round(v)), [0, 1, 1, 0]);
  const ev = await model.evaluate(x, y);
  assert.is(ev.accuracy, 1);
  model.dispose();
});

test.run();
