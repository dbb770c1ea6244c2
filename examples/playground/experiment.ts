// One experiment's numbers, from the state and its data: the active
// features, the layer sizes, the initial weights (drawn from `random`, as
// TensorFlow Playground's reset() does) and the arrays the worker's programs
// take. Used by the page, and by the benchmark to train the same network.
import type { DataSplit, Random } from './datasets.js';
import { activeFeatures, featureMatrix, gridPoints, type Feature } from './features.js';
import { initialParams, layerSizes } from './model.js';
import type { NetworkSpec } from './network.js';
import type { PlaygroundState } from './state.js';

export interface Experiment {
  features: Feature[];
  sizes: number[];
  /** Training points' features [n, inputs] and labels. */
  trainX: Float32Array;
  trainT: Float32Array;
  testX: Float32Array;
  testT: Float32Array;
  spec: Omit<NetworkSpec, 'batchRows'>;
}

export function experiment(state: PlaygroundState, data: DataSplit, random: Random, grid: number): Experiment {
  const features = activeFeatures(state);
  const sizes = layerSizes(features.length, state.networkShape);
  const params = initialParams(sizes, random, state.initZero);
  const trainX = featureMatrix(data.train, features);
  const testX = featureMatrix(data.test, features);
  const trainT = Float32Array.from(data.train, (p) => p.label);
  const testT = Float32Array.from(data.test, (p) => p.label);
  const evalX = new Float32Array(trainX.length + testX.length);
  evalX.set(trainX);
  evalX.set(testX, trainX.length);
  const evalT = new Float32Array(trainT.length + testT.length);
  evalT.set(trainT);
  evalT.set(testT, trainT.length);
  return {
    features, sizes, trainX, trainT, testX, testT,
    spec: {
      sizes, activation: state.activation, outputActivation: state.problem === 'classification' ? 'tanh' : 'linear',
      regularization: state.regularization, regularizationRate: state.regularizationRate, optimizer: state.optimizer,
      learningRate: state.learningRate, dropout: state.dropout, batchNorm: state.batchNorm,
      evalX, evalT, trainCount: data.train.length, gridX: featureMatrix(gridPoints(grid), features), params,
    },
  };
}
