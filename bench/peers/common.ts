// What every engine of bench/train-peers.ts shares: the three models, the
// random batch, and the interface an engine implements.
import os from 'node:os';
import { DAWN_NO_ROBUSTNESS } from '../../src/device.js';
import { randomData } from '../harness.js';

export type ModelKey = 'mlp' | 'mlp512' | 'cnn';

export interface ModelSpec {
  key: ModelKey;
  name: string;
  /** Dense hidden layers (relu) before the 10-way softmax; empty for the convnet. */
  hidden: number[];
  conv: boolean;
}

export const MODELS: Record<ModelKey, ModelSpec> = {
  mlp: { key: 'mlp', name: 'MLP 784-128-10', hidden: [128], conv: false },
  mlp512: { key: 'mlp512', name: 'MLP 784-512-512-10', hidden: [512, 512], conv: false },
  cnn: { key: 'cnn', name: 'convnet Conv32-Pool-Conv64-Pool-Dense10 (28x28x1)', hidden: [], conv: true },
};

/** One batch on the host; every engine uploads it again on every step. */
export interface Batch {
  size: number;
  /** [size, 28, 28, 1] (NHWC) = [size, 784], pixel-like values in [0, 1). */
  x: Float32Array;
  /** [size] class labels 0..9 as floats (sparse labels). */
  labels: Float32Array;
  /** [size, 10] one-hot rows of `labels` (for the engines that take dense targets). */
  onehot: Float32Array;
}

export function makeBatch(size: number): Batch {
  const x = randomData(size * 784, 7, 1).map((v) => (v + 1) / 2);
  const labels = Float32Array.from({ length: size }, (_, i) => (i * 7 + 3) % 10);
  const onehot = new Float32Array(size * 10);
  labels.forEach((c, i) => (onehot[i * 10 + c] = 1));
  return { size, x, labels, onehot };
}

/** Keras' Adam defaults, as every engine is set up. */
export const ADAM = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/** A model built and compiled by one engine, ready to train on the batch. */
export interface Trainer {
  /** One training step (forward, loss, backward, Adam update); resolves with the loss once it is on the host. */
  step(): Promise<number>;
  /** Steps one step() call takes (default 1); its time is divided by this. */
  stepsPerCall?: number;
  /** Milliseconds from building the model to the first loss on the host (compile included). */
  firstStepMs: number;
  /** Loss of that first step. */
  firstLoss: number;
  dispose(): void;
}

export interface Engine {
  /** Column label, e.g. "TF.js webgpu". */
  name: string;
  /** Build, compile and run the first step. Throws (with a reason) where the engine cannot train the model. */
  setup(spec: ModelSpec, batch: Batch): Promise<Trainer>;
  /** Called before each of this engine's steps (TF.js switches its active backend here). */
  activate?(): Promise<void>;
}

/**
 * navigator.gpu for the peers (TF.js webgpu and jax-js look there, and at
 * navigator.userAgent): a Dawn instance from the same `webgpu` package that
 * src/device.ts uses. Call after sn.createDevice(): where Dawn found no
 * adapter by itself, createDevice has set VK_ICD_FILENAMES to SwiftShader,
 * so this instance finds the same adapter. The GPU object is kept referenced
 * here for the life of the process (Dawn can crash if it is collected).
 */
let peerGpu: GPU | undefined;
export async function installNavigatorGpu(robustness = true): Promise<GPUAdapterInfo | undefined> {
  const dawn = (await import('webgpu')) as unknown as { create(flags: string[]): GPU; globals: Record<string, unknown> };
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  peerGpu = dawn.create(robustness ? [] : [DAWN_NO_ROBUSTNESS]);
  // Node 20 has no navigator; Node 21+ has one whose gpu is undefined. Either way, replace it.
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu: peerGpu, userAgent: `Node.js/${process.version}`, hardwareConcurrency: os.cpus().length, language: 'en-US' },
    configurable: true,
    writable: true,
  });
  const adapter = await peerGpu.requestAdapter();
  return adapter?.info;
}

/** An error's message on one line, short enough for a table cell. */
export function reason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const line = msg.replace(/\s+/g, ' ').trim();
  return line.length > 110 ? `${line.slice(0, 107)}...` : line;
}
