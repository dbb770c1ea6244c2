// Optimizers: every update rule against a CPU reference of its Keras formula.
//
// The graph is loss = sum(w * c) + sum(w^2) with w a [3, 5] or [7, 44] param of known
// initial values and c a fixed input, so the gradient is g = c + 2w and every
// step can be replayed on the host. The references below are plain loops in
// f64 written from the formulas in DESIGN.md ("Contract details") and the
// Keras/paper definitions (Keras 2 `tf.keras.optimizers` docs, Zeiler 2012 for
// Adadelta, Loshchilov & Hutter for AdamW's decoupled decay); they do not call
// the engine.
//
// Tolerance: |gpu - cpu| <= 1e-6 + 1e-6 |cpu| per element after 5 steps. The
// GPU computes in f32 (unit roundoff 6e-8): each step is a handful of f32
// operations on values of magnitude <= ~3 (a gradient, a state update, one
// sqrt and one division at 2.5 ULP each); the worst error measured over five
// steps is 1.7e-7 (Adam at lr 0.05), a ~6x margin. Every update checked moves
// the parameters by at least 1e-3 (asserted), 1000x the tolerance, so a wrong
// coefficient, sign, epsilon placement or bias correction cannot hide in it;
// even evaluating Adam's 1 - beta2 in f32 (1.3e-5 relative off for 0.999)
// shows up as 1.7e-6 after five steps at lr 0.05.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';

const TOL = { atol: 1e-6, rtol: 1e-6 };
const STEPS = 5;

// The parameter's shape: [3, 5] (15 values: the update kernel takes one f32
// at a time), or [7, 44] (308 values: four at a time as vec4s, over several
// threads, the last one partly idle). useShape() sets these.
let SHAPE: number[] = [];
let N = 0;
/** Known initial values in [-1.35, 1.45], none zero. */
let W0 = new Float64Array();
/** The fixed input c. */
let C = new Float64Array();
function useShape(shape: number[]): void {
  SHAPE = shape;
  N = shape[0] * shape[1];
  W0 = Float64Array.from({ length: N }, (_, i) => ((i * 7) % 15 - 7) * 0.2 + 0.05);
  C = Float64Array.from({ length: N }, (_, i) => Math.sin(i + 1) * 1.5);
}
useShape([3, 5]);

let device: sn.Device;
test.before(async () => {
  device = await sn.createDevice();
});

// ------------------------------------------------------------ CPU references

type Hyper = Record<string, number | boolean>;

/** One optimizer step on p (in place) from gradient g, at 1-based step t with learning rate lr. */
interface Reference {
  step(p: Float64Array, g: Float64Array, t: number, lr: number): void;
}

const zeros = () => new Float64Array(N);

function sgdRef(h: Hyper): Reference {
  const momentum = (h.momentum as number) ?? 0;
  const nesterov = (h.nesterov as boolean) ?? false;
  const velocity = zeros();
  return {
    step(p, g, _t, lr) {
      for (let i = 0; i < N; i++) {
        if (momentum === 0) {
          p[i] -= lr * g[i];
          continue;
        }
        // Keras SGD: v = momentum * v - lr * g; p += v, or with Nesterov p += momentum * v - lr * g.
        velocity[i] = momentum * velocity[i] - lr * g[i];
        p[i] += nesterov ? momentum * velocity[i] - lr * g[i] : velocity[i];
      }
    },
  };
}

function adagradRef(h: Hyper): Reference {
  const eps = (h.epsilon as number) ?? 1e-7;
  const acc = new Float64Array(N).fill((h.initialAccumulatorValue as number) ?? 0.1);
  return {
    step(p, g, _t, lr) {
      for (let i = 0; i < N; i++) {
        acc[i] += g[i] * g[i];
        p[i] -= (lr * g[i]) / (Math.sqrt(acc[i]) + eps);
      }
    },
  };
}

function adadeltaRef(h: Hyper): Reference {
  const rho = (h.rho as number) ?? 0.95;
  const eps = (h.epsilon as number) ?? 1e-7;
  const eg = zeros();
  const ex = zeros();
  return {
    step(p, g, _t, lr) {
      for (let i = 0; i < N; i++) {
        // Zeiler 2012, Algorithm 1: the update divides by RMS of the *updated* E[g^2].
        eg[i] = rho * eg[i] + (1 - rho) * g[i] * g[i];
        const dx = (Math.sqrt(ex[i] + eps) / Math.sqrt(eg[i] + eps)) * g[i];
        ex[i] = rho * ex[i] + (1 - rho) * dx * dx;
        p[i] -= lr * dx;
      }
    },
  };
}

function rmspropRef(h: Hyper): Reference {
  const rho = (h.rho as number) ?? 0.9;
  const momentum = (h.momentum as number) ?? 0;
  const eps = (h.epsilon as number) ?? 1e-7;
  const ms = zeros();
  const mom = zeros();
  return {
    step(p, g, _t, lr) {
      for (let i = 0; i < N; i++) {
        ms[i] = rho * ms[i] + (1 - rho) * g[i] * g[i];
        const increment = (lr * g[i]) / (Math.sqrt(ms[i]) + eps);
        if (momentum > 0) {
          mom[i] = momentum * mom[i] + increment;
          p[i] -= mom[i];
        } else {
          p[i] -= increment;
        }
      }
    },
  };
}

function adamRef(h: Hyper, decoupled: boolean): Reference {
  const b1 = (h.beta1 as number) ?? 0.9;
  const b2 = (h.beta2 as number) ?? 0.999;
  const eps = (h.epsilon as number) ?? 1e-7;
  const wd = decoupled ? ((h.weightDecay as number) ?? 0.004) : 0;
  const m = zeros();
  const v = zeros();
  return {
    step(p, g, t, lr) {
      const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (let i = 0; i < N; i++) {
        // AdamW: decay the weights by lr * weightDecay before the Adam step (decoupled).
        p[i] -= lr * wd * p[i];
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        p[i] -= (alpha * m[i]) / (Math.sqrt(v[i]) + eps);
      }
    },
  };
}

interface Case {
  label: string;
  make: (c: Hyper) => sn.optimizers.Optimizer;
  ref: (c: Hyper) => Reference;
  /** Learning rate when the config gives none (the design's default). */
  defaultLr: number;
  config: Hyper;
}

const cases: Case[] = [
  { label: 'sgd', make: (c) => sn.optimizers.sgd(c), ref: sgdRef, defaultLr: 0.01, config: { learningRate: 0.1 } },
  { label: 'sgd momentum', make: (c) => sn.optimizers.sgd(c), ref: sgdRef, defaultLr: 0.01, config: { learningRate: 0.05, momentum: 0.9 } },
  { label: 'sgd nesterov', make: (c) => sn.optimizers.sgd(c), ref: sgdRef, defaultLr: 0.01, config: { learningRate: 0.05, momentum: 0.8, nesterov: true } },
  { label: 'adagrad', make: (c) => sn.optimizers.adagrad(c), ref: adagradRef, defaultLr: 0.001, config: { learningRate: 0.1, initialAccumulatorValue: 0.3, epsilon: 1e-3 } },
  { label: 'adadelta', make: (c) => sn.optimizers.adadelta(c), ref: adadeltaRef, defaultLr: 1, config: { learningRate: 1, rho: 0.9, epsilon: 1e-3 } },
  { label: 'rmsprop', make: (c) => sn.optimizers.rmsprop(c), ref: rmspropRef, defaultLr: 0.001, config: { learningRate: 0.01, rho: 0.8, epsilon: 1e-3 } },
  { label: 'rmsprop momentum', make: (c) => sn.optimizers.rmsprop(c), ref: rmspropRef, defaultLr: 0.001, config: { learningRate: 0.01, rho: 0.9, momentum: 0.7 } },
  { label: 'adam', make: (c) => sn.optimizers.adam(c), ref: (c) => adamRef(c, false), defaultLr: 0.001, config: { learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-4 } },
  { label: 'adamw', make: (c) => sn.optimizers.adamw(c), ref: (c) => adamRef(c, true), defaultLr: 0.001, config: { learningRate: 0.05, weightDecay: 0.1 } },
];

// ------------------------------------------------------------ engine side

interface Built {
  prog: sn.Program;
  c: Float32Array;
}

async function build(optimizer: sn.optimizers.Optimizer | string): Promise<Built> {
  const g = sn.graph();
  const w = g.param('w', SHAPE, Float32Array.from(W0));
  const c = g.input('c', SHAPE);
  const loss = sn.ops.add(sn.ops.sum(sn.ops.mul(w, c)), sn.ops.sum(sn.ops.square(w)));
  const prog = await sn.compile(device, g, { outputs: { loss }, minimize: { loss, optimizer } });
  return { prog, c: Float32Array.from(C) };
}

/** The reference trajectory: params after each step and the loss each step reports (before its update). */
function replay(ref: Reference, lrs: readonly number[]): { p: Float64Array; losses: number[] } {
  // Start from the f32-rounded values the GPU starts from.
  const p = Float64Array.from(Float32Array.from(W0));
  const c = Float64Array.from(Float32Array.from(C));
  const losses: number[] = [];
  lrs.forEach((lr, k) => {
    let loss = 0;
    const g = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      loss += p[i] * c[i] + p[i] * p[i];
      g[i] = c[i] + 2 * p[i];
    }
    losses.push(loss);
    ref.step(p, g, k + 1, lr);
  });
  return { p, losses };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = TOL): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  let worst = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    const ratio = err / (tol.atol + tol.rtol * Math.abs(expected[i]));
    if (!(ratio <= worst)) { worst = ratio; at = i; }
  }
  if (!(worst <= 1)) {
    assert.unreachable(`${what}: [${at}] got ${actual[at]}, expected ${expected[at]} (|err| ${Math.abs(actual[at] - expected[at]).toExponential(2)}, atol ${tol.atol} rtol ${tol.rtol})`);
  }
}

/** Max |a - b|: used to show that an update (or a changed learning rate) moved things well beyond the tolerance. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

async function runSteps(built: Built, opt: sn.optimizers.Optimizer | undefined, lrs: readonly number[]): Promise<{ w: Float32Array; losses: number[] }> {
  const losses: number[] = [];
  for (const lr of lrs) {
    if (opt) opt.learningRate = lr;
    const out = await built.prog.run({ c: built.c });
    losses.push(out.loss.data[0]);
  }
  const params = await built.prog.params();
  assert.equal(params.w.shape, SHAPE);
  return { w: params.w.data, losses };
}

// ------------------------------------------------------------ tests

for (const k of cases) for (const shape of [[3, 5], [7, 44]]) {
  test(`${k.label}: 5 steps on a [${shape}] parameter match the CPU reference of the Keras formula`, async () => {
    useShape(shape);
    const opt = k.make(k.config);
    const built = await build(opt);
    try {
      const lr = (k.config.learningRate as number) ?? k.defaultLr;
      const lrs = Array<number>(STEPS).fill(lr);
      const got = await runSteps(built, undefined, lrs);
      const want = replay(k.ref(k.config), lrs);
      assertClose(got.w, want.p, `${k.label} params after ${STEPS} steps`);
      // run() reports the loss of the forward pass before that step's update.
      assertClose(got.losses, want.losses, `${k.label} loss per step`, { atol: 1e-5, rtol: 1e-5 });
      assert.ok(maxDiff(want.p, W0) > 1e-3, `${k.label}: the reference barely moved (${maxDiff(want.p, W0)})`);
    } finally {
      built.prog.dispose();
    }
  });

  test(`${k.label}: a new learningRate between runs on a [${shape}] parameter takes effect without recompiling`, async () => {
    useShape(shape);
    const opt = k.make(k.config);
    const built = await build(opt);
    try {
      const lr = (k.config.learningRate as number) ?? k.defaultLr;
      const lrs = [lr, lr, lr * 0.25, lr * 0.25, lr * 3];
      const dispatches = built.prog.dispatchCount;
      const got = await runSteps(built, opt, lrs);
      assert.is(built.prog.dispatchCount, dispatches);
      const want = replay(k.ref(k.config), lrs);
      assertClose(got.w, want.p, `${k.label} params after a learning-rate schedule`);
      // The schedule must matter: a constant rate ends far from it.
      const constant = replay(k.ref(k.config), Array<number>(STEPS).fill(lr));
      assert.ok(maxDiff(constant.p, want.p) > 1e-4, `${k.label}: the schedule made no difference (${maxDiff(constant.p, want.p)})`);
    } finally {
      built.prog.dispose();
    }
  });
}

/** Names as strings, each with the design's defaults (the reference gets an empty config, i.e. those defaults). */
const byName: [string, (c: Hyper) => Reference, number, Hyper][] = [
  ['sgd', sgdRef, 0.01, {}],
  ['momentum', sgdRef, 0.01, { momentum: 0.9 }],
  ['adagrad', adagradRef, 0.001, {}],
  ['adadelta', adadeltaRef, 1, {}],
  ['rmsprop', rmspropRef, 0.001, {}],
  ['adam', (c) => adamRef(c, false), 0.001, {}],
  ['Adam', (c) => adamRef(c, false), 0.001, {}],
  ['adamw', (c) => adamRef(c, true), 0.001, {}],
];

test('optimizer names as strings work, with the default hyper-parameters', async () => {
  useShape([3, 5]);
  for (const [name, ref, lr, extra] of byName) {
    const built = await build(name);
    try {
      const lrs = Array<number>(STEPS).fill(lr);
      const got = await runSteps(built, undefined, lrs);
      const want = replay(ref(extra), lrs);
      assertClose(got.w, want.p, `'${name}' params after ${STEPS} steps`);
      assert.ok(maxDiff(want.p, W0) > 5e-4, `'${name}': the reference barely moved`);
    } finally {
      built.prog.dispose();
    }
  }
});

test('default hyper-parameters match the design (Keras defaults)', () => {
  const o = sn.optimizers;
  assert.equal({ ...o.sgd().config }, { learningRate: 0.01, momentum: 0, nesterov: false });
  assert.equal({ ...o.adagrad().config }, { learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 });
  assert.equal({ ...o.adadelta().config }, { learningRate: 1, rho: 0.95, epsilon: 1e-7 });
  assert.equal({ ...o.rmsprop().config }, { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7 });
  assert.equal({ ...o.adam().config }, { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  assert.equal({ ...o.adamw().config }, { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 });
  // A partial config keeps the other defaults.
  assert.equal({ ...o.adamw({ learningRate: 0.01 }).config }, { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 });
  assert.equal({ ...o.sgd({ momentum: 0.5 }).config }, { learningRate: 0.01, momentum: 0.5, nesterov: false });
  assert.is(o.adam().learningRate, 0.001);
  assert.is(o.adadelta().learningRate, 1);
});

test('bad optimizer names and learning rates are clear errors', async () => {
  const g = sn.graph();
  const w = g.param('w', [2], [1, 2]);
  const loss = sn.ops.sum(sn.ops.square(w));
  try {
    await sn.compile(device, g, { outputs: { loss }, minimize: { loss, optimizer: 'adamax' } });
    assert.unreachable('compile accepted an unknown optimizer');
  } catch (e) {
    assert.instance(e, sn.SinapsisError);
    assert.match((e as Error).message, /unknown optimizer 'adamax'/);
    assert.match((e as Error).message, /adam/);
  }
  assert.throws(() => sn.optimizers.adam({ learningRate: -1 }), /learningRate must be a positive number, got -1/);
  assert.throws(() => sn.optimizers.sgd({ learningRate: Number.NaN }), /learningRate/);
});

test.run();
