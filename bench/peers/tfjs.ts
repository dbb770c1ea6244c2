// TensorFlow.js in bench/train-peers.ts: the same Keras model built with
// tfjs-layers, compiled with tf.train.adam(1e-3) (epsilon = 1e-7, Keras'
// default) and sparseCategoricalCrossentropy, one model.trainOnBatch(x, y)
// per step (it awaits loss.data(), so the loss is on the host when it
// resolves). Two backends: webgpu (on navigator.gpu, the same Dawn adapter
// as sinapsis) and wasm (XNNPACK).
//
// One tfjs-core holds one active backend at a time. What works: one model
// instance per backend, built while that backend is active, and
// tf.setBackend(<its backend>) before each of its steps (Engine.activate,
// outside the timed region; it is a cheap switch once both backends are
// initialized). A model's weights and Adam slots then stay in the backend
// that created them and never move between backends; reading a tensor from
// the other backend would make tfjs-core copy it over on every step.
//
// The peer packages are imported dynamically: tfjs-backend-webgpu registers
// its backend at import time only if navigator.gpu exists by then, so the
// caller installs navigator first (common.ts: installNavigatorGpu).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { ADAM, type Engine } from './common.js';

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfLayers = typeof import('@tensorflow/tfjs-layers');
type TfWasm = typeof import('@tensorflow/tfjs-backend-wasm');

/** The packages' Node entry points are CommonJS: import() gives their exports as `default` (plus whatever names Node detects). */
function cjs<T>(m: T): T {
  const d = (m as { default?: T }).default;
  return d && typeof d === 'object' ? d : m;
}

interface Tf {
  tf: TfCore;
  tfl: TfLayers;
  wasm: TfWasm;
}
let loading: Promise<Tf> | undefined;
function loadTf(): Promise<Tf> {
  loading ??= (async () => {
    const tf = cjs(await import('@tensorflow/tfjs-core'));
    const tfl = cjs(await import('@tensorflow/tfjs-layers'));
    await import('@tensorflow/tfjs-backend-webgpu');
    const wasm = cjs(await import('@tensorflow/tfjs-backend-wasm'));
    // A file-system prefix: in Node the Emscripten loader reads the .wasm files with fs.
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    return { tf, tfl, wasm };
  })();
  return loading;
}

/** tfjs-core's environment (the wasm backend's thread count, the flags it chose) for the report. */
export async function tfjsVersionLine(): Promise<string> {
  const { tf, wasm } = await loadTf();
  let threads = '?';
  try {
    threads = String(wasm.getThreadsCount());
  } catch {
    /* not initialized */
  }
  const flag = async (name: string) => {
    try {
      return String(await tf.env().getAsync(name));
    } catch {
      return '?';
    }
  };
  return `TF.js ${tf.version_core}: wasm backend with ${threads} thread(s) (SIMD ${await flag('WASM_HAS_SIMD_SUPPORT')}, multithread support ${await flag('WASM_HAS_MULTITHREAD_SUPPORT')}); default flags otherwise`;
}

export function tfjsEngine(backend: 'webgpu' | 'wasm'): Engine {
  let tfm: Tf | undefined;
  return {
    name: `TF.js ${backend}`,
    async activate() {
      tfm ??= await loadTf();
      const { tf } = tfm;
      if (tf.getBackend() === backend) return;
      if (!tf.findBackendFactory(backend)) {
        throw new Error(backend === 'webgpu' ? 'tfjs-backend-webgpu registered no backend (navigator.gpu was missing at import)' : `no '${backend}' backend registered`);
      }
      if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed to initialize`);
    },
    async setup(spec, batch) {
      await this.activate!();
      const { tf, tfl } = tfm!;
      const n = batch.size;
      const xShape = spec.conv ? [n, 28, 28, 1] : [n, 784];
      const t0 = performance.now();
      const layers = spec.conv
        ? [
            tfl.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
            tfl.layers.maxPooling2d({ poolSize: 2 }),
            tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
            tfl.layers.maxPooling2d({ poolSize: 2 }),
            tfl.layers.flatten(),
            tfl.layers.dense({ units: 10, activation: 'softmax' }),
          ]
        : [
            ...spec.hidden.map((units, i) => tfl.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [784] } : {}) })),
            tfl.layers.dense({ units: 10, activation: 'softmax' }),
          ];
      const model = tfl.sequential({ layers });
      const optimizer = tf.train.adam(ADAM.learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
      model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
      // The batch comes from host memory on every step, as it does for sinapsis (run({ x, y }) uploads it).
      const step = async () => {
        const xs = tf.tensor(batch.x, xShape);
        const ys = tf.tensor(batch.labels, [n, 1]);
        try {
          return (await model.trainOnBatch(xs, ys)) as number;
        } finally {
          xs.dispose();
          ys.dispose();
        }
      };
      const firstLoss = await step();
      const firstStepMs = performance.now() - t0;
      return {
        firstStepMs,
        firstLoss,
        step,
        dispose() {
          model.dispose();
          optimizer.dispose();
        },
      };
    },
  };
}
