// The network of an experiment, described without the engine (the page's
// main thread never loads it): layer sizes and initial parameters. Weights
// are drawn as TensorFlow Playground's buildNetwork draws them, Math.random()
// - 0.5 per link, neuron by neuron and within a neuron link by link from the
// previous layer, from the generator that made the data; every bias starts
// at 0.1. initZero starts everything at 0.
import type { Random } from './datasets.js';

/** Neurons per layer: inputs, hidden layers, one output. */
export const layerSizes = (inputs: number, hidden: readonly number[]): number[] => [inputs, ...hidden, 1];

export interface Params {
  /** Per layer, [fanIn, fanOut] row-major: weights[l][j * fanOut + i] links neuron j of layer l to neuron i of layer l + 1. */
  weights: Float32Array[];
  biases: Float32Array[];
}

export function initialParams(sizes: readonly number[], random: Random, initZero: boolean): Params {
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const fanIn = sizes[l - 1];
    const fanOut = sizes[l];
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < fanOut; i++) {
      for (let j = 0; j < fanIn; j++) {
        // TensorFlow Playground draws the weight even when initZero then sets it to 0.
        const v = random() - 0.5;
        w[j * fanOut + i] = initZero ? 0 : v;
      }
    }
    weights.push(w);
    biases.push(new Float32Array(fanOut).fill(initZero ? 0 : 0.1));
  }
  return { weights, biases };
}
