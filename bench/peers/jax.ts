// jax-js (@jax-js/jax) in bench/train-peers.ts: the model as a pure function
// of a parameter tree, valueAndGrad of the loss, and Adam written by hand
// (Keras' formulas; the @jax-js/optax package of its README is not on npm),
// all inside one jit-compiled step:
//   step(params, m, v, x, onehot, lrT) -> [loss, params', m', v']
// lrT = lr * sqrt(1 - beta2^t) / (1 - beta1^t) is computed on the host and
// passed as a scalar array, so the traced step does not change between steps.
// Per step the batch is uploaded from host memory (np.array(Float32Array)),
// the jitted step runs, and the step resolves when the loss is on the host
// (await loss.data()) and the new parameters and Adam state are ready
// (blockUntilReady: jax-js is lazy, and work left pending would otherwise
// run inside the next engine's step).
//
// Backends: webgpu (a GPUDevice on navigator.gpu, the same Dawn adapter as
// sinapsis) and wasm (in Node there is no global Worker, so jax-js runs its
// wasm kernels on one thread). Layout: jax-js convolutions are NCHW with
// OIHW kernels (lax.conv); with one input channel the NHWC batch is the same
// bytes. Max pooling is lax.reduceWindow(x, np.max, [2, 2], [2, 2]).
// Labels go in one-hot (the cross-entropy is written out:
// -mean(sum(onehot * logSoftmax(logits)))), the same loss as sparse labels.
//
// Ownership: jax-js arrays are reference counted and every function takes
// ownership of its arguments; `.ref` adds a reference where a value is used twice.
import { randomData } from '../harness.js';
import { ADAM, type Batch, type Engine, type ModelSpec } from './common.js';

type Jax = typeof import('@jax-js/jax');
type Arr = import('@jax-js/jax').Array;
type Params = Record<string, Arr>;

let loading: Promise<{ jax: Jax; devices: string[] }> | undefined;
function loadJax() {
  loading ??= (async () => {
    const jax = await import('@jax-js/jax');
    const devices = await jax.init('webgpu', 'wasm');
    return { jax, devices: devices as string[] };
  })();
  return loading;
}

export async function jaxVersionLine(): Promise<string> {
  const { devices } = await loadJax();
  return `jax-js: initialized backends ${devices.join(', ') || 'none'}`;
}

/** Parameter shapes and Glorot-uniform fan sizes, in the order the forward pass uses them. */
function paramSpecs(spec: ModelSpec): { name: string; shape: number[]; fanIn: number; fanOut: number }[] {
  if (spec.conv) {
    return [
      { name: 'conv1/kernel', shape: [32, 1, 3, 3], fanIn: 9, fanOut: 32 * 9 },
      { name: 'conv1/bias', shape: [32], fanIn: 0, fanOut: 0 },
      { name: 'conv2/kernel', shape: [64, 32, 3, 3], fanIn: 32 * 9, fanOut: 64 * 9 },
      { name: 'conv2/bias', shape: [64], fanIn: 0, fanOut: 0 },
      { name: 'dense/kernel', shape: [64 * 5 * 5, 10], fanIn: 64 * 5 * 5, fanOut: 10 },
      { name: 'dense/bias', shape: [10], fanIn: 0, fanOut: 0 },
    ];
  }
  const widths = [784, ...spec.hidden, 10];
  return widths.slice(1).flatMap((w, i) => [
    { name: `dense${i}/kernel`, shape: [widths[i], w], fanIn: widths[i], fanOut: w },
    { name: `dense${i}/bias`, shape: [w], fanIn: 0, fanOut: 0 },
  ]);
}

export function jaxEngine(device: 'webgpu' | 'wasm'): Engine {
  return {
    name: `jax-js ${device}`,
    async setup(spec: ModelSpec, batch: Batch) {
      const { jax, devices } = await loadJax();
      if (!devices.includes(device)) throw new Error(`jax.init() did not start its ${device} backend`);
      const { numpy: np, nn, lax, jit, valueAndGrad, tree, blockUntilReady } = jax;
      const n = batch.size;
      const t0 = performance.now();

      const specs = paramSpecs(spec);
      let params: Params = {};
      let m: Params = {};
      let v: Params = {};
      specs.forEach((p, i) => {
        const size = p.shape.reduce((a, b) => a * b, 1);
        const data = p.fanIn ? randomData(size, i + 1, Math.sqrt(6 / (p.fanIn + p.fanOut))) : new Float32Array(size);
        params[p.name] = np.array(data, { shape: p.shape, device });
        m[p.name] = np.zeros(p.shape, { device });
        v[p.name] = np.zeros(p.shape, { device });
      });

      const forward = (p: Params, x: Arr): Arr => {
        if (spec.conv) {
          const convRelu = (h: Arr, k: string, c: number) => nn.relu(lax.conv(h, p[`${k}/kernel`], [1, 1], 'VALID').add(p[`${k}/bias`].reshape([1, c, 1, 1])));
          const pool = (h: Arr) => lax.reduceWindow(h, (w: Arr) => np.max(w), [2, 2], [2, 2]);
          let h = x.reshape([n, 1, 28, 28]);
          h = pool(convRelu(h, 'conv1', 32)); // [n, 32, 13, 13]
          h = pool(convRelu(h, 'conv2', 64)); // [n, 64, 5, 5]
          return np.matmul(h.reshape([n, 64 * 5 * 5]), p['dense/kernel']).add(p['dense/bias']);
        }
        let h = x;
        const layers = spec.hidden.length + 1;
        for (let l = 0; l < layers; l++) {
          h = np.matmul(h, p[`dense${l}/kernel`]).add(p[`dense${l}/bias`]);
          if (l < layers - 1) h = nn.relu(h);
        }
        return h;
      };
      const lossFn = (p: Params, x: Arr, y: Arr): Arr => np.mean(np.sum(nn.logSoftmax(forward(p, x), -1).mul(y), -1)).mul(-1);

      const { beta1: b1, beta2: b2, epsilon: eps } = ADAM;
      const stepFn = jit((p: Params, m0: Params, v0: Params, x: Arr, y: Arr, lrT: Arr) => {
        const [loss, g] = valueAndGrad(lossFn)(tree.ref(p), x, y);
        const p1: Params = {};
        const m1: Params = {};
        const v1: Params = {};
        for (const k of Object.keys(p)) {
          const gk = (g as Params)[k];
          m1[k] = m0[k].mul(b1).add(gk.ref.mul(1 - b1));
          v1[k] = v0[k].mul(b2).add(gk.ref.mul(gk).mul(1 - b2));
          p1[k] = p[k].sub(m1[k].ref.mul(lrT.ref).div(np.sqrt(v1[k].ref).add(eps)));
        }
        lrT.dispose();
        return [loss, p1, m1, v1] as [Arr, Params, Params, Params];
      });

      let t = 0;
      const step = async () => {
        t++;
        const lrT = (ADAM.learningRate * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        const x = np.array(batch.x, { shape: [n, 784], device });
        const y = np.array(batch.onehot, { shape: [n, 10], device });
        const [loss, p1, m1, v1] = stepFn(params, m, v, x, y, np.array(lrT, { device }));
        params = p1;
        m = m1;
        v = v1;
        const value = (await loss.data())[0];
        await blockUntilReady([params, m, v]);
        return value;
      };
      const firstLoss = await step();
      const firstStepMs = performance.now() - t0;
      const placed = Object.values(params)[0].device;
      if (placed !== device) throw new Error(`the parameters ended up on ${placed}, not ${device}`);
      return {
        firstStepMs,
        firstLoss,
        step,
        dispose() {
          tree.dispose([params, m, v]);
          stepFn.dispose();
        },
      };
    },
  };
}
