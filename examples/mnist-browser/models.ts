// The models the page offers. The list is built from what sn.layers has: the
// convnet appears (enabled) once the engine ships conv2d and maxPool2d.
import * as sn from '../../src/index.js';

export interface ModelChoice {
  id: string;
  label: string;
  /** Why the choice is disabled, or undefined when it can be built. */
  missing?: string;
  build?: (seed: number) => sn.Model;
}

type LayerFactory = (config: Record<string, unknown>) => sn.Layer;
const layerNamed = (name: string): LayerFactory | undefined => (sn.layers as unknown as Record<string, LayerFactory | undefined>)[name];

export function modelChoices(): ModelChoice[] {
  const conv2d = layerNamed('conv2d');
  const maxPool2d = layerNamed('maxPool2d');
  return [
    {
      id: 'mlp',
      label: 'MLP 784-128-10',
      build: (seed) =>
        sn.sequential([
          sn.layers.flatten({ inputShape: [28, 28, 1] }),
          sn.layers.dense({ units: 128, activation: 'relu', seed }),
          sn.layers.dense({ units: 10, activation: 'softmax', seed: seed + 1 }),
        ]),
    },
    conv2d && maxPool2d
      ? {
          id: 'cnn',
          label: 'CNN 2×conv-pool-10',
          build: (seed) =>
            sn.sequential([
              conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], seed }),
              maxPool2d({ poolSize: 2 }),
              conv2d({ filters: 16, kernelSize: 3, activation: 'relu', seed: seed + 1 }),
              maxPool2d({ poolSize: 2 }),
              sn.layers.flatten(),
              sn.layers.dense({ units: 10, activation: 'softmax', seed: seed + 2 }),
            ]),
        }
      : { id: 'cnn', label: 'CNN (needs conv2d)', missing: 'sn.layers has no conv2d / maxPool2d yet' },
  ];
}

/** An optimizer by the name the settings use. */
export function makeOptimizer(name: string, learningRate: number) {
  const make = (sn.optimizers as unknown as Record<string, ((c: { learningRate: number }) => ReturnType<typeof sn.optimizers.adam>) | undefined>)[name];
  if (!make) throw new Error(`unknown optimizer '${name}'`);
  return make({ learningRate });
}

/** Parameters of a compiled model, from its summary's last line. */
export function paramCount(model: sn.Model): number {
  const m = /Total params: (\d+)/.exec(model.summary());
  return m ? Number(m[1]) : NaN;
}
