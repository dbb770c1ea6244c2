// Optimizer hyper-parameters out of range, of the wrong type, or unknown:
// an InputError naming the option, where the optimizer is made.
import * as sn from '../../src/index.js';
import type { Case, Fragment } from './probe.js';
import { X, Y, err, isHistory, ok, quiet, withModel } from './fixtures.js';

const area = 'optimizers';
const q = (name: string): Fragment => [`'${name}'`, `"${name}"`, `\`${name}\``];
type Factory = (c: Record<string, unknown>) => unknown;
const o = sn.optimizers as unknown as Record<string, Factory>;

const bad: [string, Record<string, unknown>, Fragment[]][] = [
  ['sgd', { momentum: -5 }, ['momentum', '-5']],
  ['adam', { beta1: 2 }, ['beta1', '2']],
  ['adam', { beta2: 1.5 }, ['beta2', '1.5']],
  ['adam', { epsilon: -1 }, ['epsilon', '-1']],
  ['rmsprop', { rho: -0.1 }, ['rho', '-0.1']],
  ['sgd', { learningRate: 0 }, ['learningRate', '0']],
  ['sgd', { learningRate: NaN }, ['learningRate', 'NaN']],
  ['adam', { lr: 0.01 }, [q('lr')]],
  ['sgd', { learningRate: '0.1' }, ['learningRate']],
  ['sgd', { nesterov: 'yes' }, ['nesterov']],
  ['rmsprop', { momentum: -1 }, ['momentum', '-1']],
  ['adam', { beta1: -0.1 }, ['beta1', '-0.1']],
  ['adagrad', { initialAccumulatorValue: -1 }, ['initialAccumulatorValue', '-1']],
  ['adadelta', { rho: 2 }, ['rho', '2']],
  ['adamw', { weightDecay: -1 }, ['weightDecay', '-1']],
  ['adam', { learningRate: Infinity }, ['learningRate', 'Infinity']],
  ['sgd', { learning_rate: 0.1 }, [q('learning_rate')]],
];

const cases: Case[] = bad.map(([name, config, includes]) => ({
  area,
  name: `${name}(${JSON.stringify(config).replace('null', String(Object.values(config)[0]))})`,
  run: () => o[name](config),
  expect: err(sn.InputError, ...includes),
}));

cases.push(
  {
    area, name: "optimizer 'Adam' (Keras' capitalisation) is accepted",
    run: (ctx) => withModel(ctx, (m) => m.fit(X, Y, { epochs: 1, batchSize: 3, ...quiet }), { optimizer: 'Adam' }),
    expect: ok(isHistory),
  },
  {
    area, name: 'sgd(5) (a number instead of a config)',
    run: () => o.sgd(5 as unknown as Record<string, unknown>),
    expect: err(sn.InputError, 'sgd'),
  },
);

export default cases;
