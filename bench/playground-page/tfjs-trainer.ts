// The playground's network and training in TensorFlow.js, for the benchmark:
// the same layers, initial weights, batches (rows weighted as in
// examples/playground/network.ts), loss and plain SGD, and like ours one
// epoch of steps then both losses read back one epoch behind.
import * as tf from '@tensorflow/tfjs-core';
import type { Experiment } from '../../examples/playground/experiment.js';
import type { Schedule } from '../../examples/playground/schedule.js';

export class TfjsTrainer {
  epoch = 0;
  private readonly weights: tf.Variable[];
  private readonly biases: tf.Variable[];
  private readonly optimizer: tf.SGDOptimizer;
  private readonly first: { x: tf.Tensor2D; t: tf.Tensor2D; w: tf.Tensor2D }[];
  private readonly later: { x: tf.Tensor2D; t: tf.Tensor2D; w: tf.Tensor2D }[];
  private readonly evalX: tf.Tensor2D;
  private readonly evalT: tf.Tensor2D;
  private pending: { epoch: number; data: Promise<Float32Array | Int32Array | Uint8Array> } | undefined;

  constructor(private readonly ex: Experiment, schedule: Schedule) {
    const { sizes, spec } = ex;
    this.weights = spec.params.weights.map((w, l) => tf.variable(tf.tensor2d(w, [sizes[l], sizes[l + 1]])));
    this.biases = spec.params.biases.map((b) => tf.variable(tf.tensor1d(b)));
    this.optimizer = tf.train.sgd(spec.learningRate);
    const inputs = sizes[0];
    const rows = schedule.rows;
    const upload = (b: Schedule['firstEpoch'][number]) => ({ x: tf.tensor2d(b.x, [rows, inputs]), t: tf.tensor2d(b.t, [rows, 1]), w: tf.tensor2d(b.w, [rows, 1]) });
    this.first = schedule.firstEpoch.map(upload);
    this.later = schedule.laterEpochs.map(upload);
    this.evalX = tf.tensor2d(spec.evalX, [spec.evalT.length, inputs]);
    this.evalT = tf.tensor2d(spec.evalT, [spec.evalT.length, 1]);
  }

  private forward(x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    const last = this.weights.length - 1;
    this.weights.forEach((w, l) => {
      const z = tf.add(tf.matMul(h, w), this.biases[l]) as tf.Tensor2D;
      h = l < last || this.ex.spec.outputActivation === 'tanh' ? tf.tanh(z) : z;
    });
    return h;
  }

  /** One epoch of steps, then the losses submitted; resolves to the previous epoch's losses. */
  async epochStep(): Promise<void> {
    for (const b of this.epoch === 0 ? this.first : this.later) {
      this.optimizer.minimize(() => tf.sum(tf.mul(b.w, tf.mul(tf.square(tf.sub(this.forward(b.x), b.t)), 0.5))) as tf.Scalar);
    }
    this.epoch++;
    const previous = this.pending;
    this.pending = { epoch: this.epoch, data: this.read() };
    if (previous) await previous.data;
  }

  private read(): Promise<Float32Array | Int32Array | Uint8Array> {
    const t = this.losses();
    return t.data().finally(() => t.dispose());
  }

  private losses(): tf.Tensor1D {
    return tf.tidy(() => {
      const n = this.ex.spec.evalT.length;
      const k = this.ex.spec.trainCount;
      const se = tf.mul(tf.square(tf.sub(this.forward(this.evalX), this.evalT)), 0.5);
      return tf.stack([tf.mean(tf.slice(se, [0, 0], [k, 1])), tf.mean(tf.slice(se, [k, 0], [n - k, 1]))]) as tf.Tensor1D;
    });
  }

  async flush(): Promise<{ epoch: number; train: number; test: number }> {
    const p = this.pending ?? { epoch: this.epoch, data: this.read() };
    this.pending = undefined;
    const d = await p.data;
    return { epoch: p.epoch, train: d[0], test: d[1] };
  }

  dispose(): void {
    tf.dispose([...this.weights, ...this.biases, this.evalX, this.evalT, ...[...this.first, ...this.later].flatMap((b) => [b.x, b.t, b.w])]);
    this.optimizer.dispose();
  }
}
