// A physics-informed neural network (PINN) for the advection equation
//
//   phi_t + u phi_x = 0   on (x, t) in (0, 1) x (0, 1),  u = 1,
//   phi(t, 0) = phi(t, 1)          (periodic boundary),
//   phi(0, x) = sin(2 pi x)        (initial condition),
//
// whose exact solution is phi = sin(2 pi (x - u t)). A tanh MLP N(x, t)
// takes the plain coordinates (x, t) (no Fourier features: the periodicity
// is learned from the boundary term, not built in) and is trained to make
//
//   loss = mean_r (N_t + u N_x)^2                     (residual, collocation points)
//        + mean_b (N(0, t_b) - N(1, t_b))^2           (periodic boundary)
//        + mean_i (N(x_i, 0) - sin(2 pi x_i))^2       (initial condition)
//
// small. N_x and N_t are derivatives of the network with respect to its
// inputs: g.grad(sum(N), [x, t]) adds the backward pass to the graph (each
// point's output depends only on its own input row, so the gradient of the
// sum is the per-point derivative). sn.compile(..., { minimize }) then
// differentiates the whole loss, backward pass included, with respect to the
// weights: a second-order graph, compiled once and replayed every step.
//
// Each step may use all collocation points (full batch) or a random subset
// of them drawn anew (minibatches, TrainOptions.batch); the boundary and
// initial terms always use all their points.
import * as sn from '../../src/index.js';

export const TWO_PI = 2 * Math.PI;

/** The exact solution sin(2 pi (x - u t)). */
export const exact = (x: number, t: number, velocity = 1) => Math.sin(TWO_PI * (x - velocity * t));

/** mulberry32: a small seeded generator of uniforms in [0, 1), so every run samples the same points. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PinnSizes {
  /** Residual (collocation) points, uniform in the square (default 10000). */
  collocation?: number;
  /** Boundary times t_b: each gives the pair (0, t_b), (1, t_b) (default 500). */
  boundary?: number;
  /** Initial-condition points x_i at t = 0 (default 500). */
  initial?: number;
}

/** The training points, one Float32Array per graph input (each [n, 1]). */
export interface PinnPoints {
  xr: Float32Array;
  tr: Float32Array;
  tb: Float32Array;
  xi: Float32Array;
  /** sin(2 pi x_i), the initial condition at the initial points. */
  phi0: Float32Array;
}

/** Uniform random points: collocation in (0,1)^2, boundary times and initial positions in (0,1). */
export function samplePoints(sizes: PinnSizes = {}, seed = 1): PinnPoints {
  const rand = seededRandom(seed);
  const uniform = (n: number) => Float32Array.from({ length: n }, rand);
  const nr = sizes.collocation ?? 10000;
  const xr = uniform(nr);
  const tr = uniform(nr);
  const tb = uniform(sizes.boundary ?? 500);
  const xi = uniform(sizes.initial ?? 500);
  const phi0 = xi.map((x) => Math.sin(TWO_PI * x));
  return { xr, tr, tb, xi, phi0 };
}

/** The weights of a tanh MLP with layer widths `widths` (first 2, last 1). */
export interface Mlp {
  params: sn.Tensor[];
  /** N(x, t) for x, t of shape [n, 1]: [n, 1]. */
  apply(x: sn.Tensor, t: sn.Tensor): sn.Tensor;
}

/**
 * Declares the MLP's parameters in graph g ('layer1/kernel', 'layer1/bias',
 * ...; Glorot-uniform kernels from `seed`, zero biases) and returns the
 * function that applies it. Graphs that declare the same widths get the same
 * names, so programs compiled from them can share one ParamStore.
 */
export function mlp(g: sn.Graph, widths: readonly number[], seed = 1): Mlp {
  if (widths[0] !== 2 || widths[widths.length - 1] !== 1) throw new Error(`mlp: widths must start with 2 inputs (x, t) and end with 1 output, got [${widths.join(', ')}]`);
  const layers = widths.slice(1).map((units, i) => ({
    w: g.param(`layer${i + 1}/kernel`, [widths[i], units], sn.initializers.glorotUniform({ seed: seed * 1000 + i })),
    b: g.param(`layer${i + 1}/bias`, [units]),
  }));
  return {
    params: layers.flatMap((l) => [l.w, l.b]),
    apply(x, t) {
      let h = sn.ops.concat([x, t], 1);
      layers.forEach((l, i) => {
        h = h.matmul(l.w).add(l.b);
        if (i < layers.length - 1) h = h.tanh();
      });
      return h;
    },
  };
}

export interface PinnGraph {
  graph: sn.Graph;
  net: Mlp;
  /** The total loss and its three terms (scalars). */
  loss: sn.Tensor;
  residualLoss: sn.Tensor;
  boundaryLoss: sn.Tensor;
  initialLoss: sn.Tensor;
  /** The network and its input derivatives at the collocation points, [n, 1] each. */
  phi: sn.Tensor;
  phiX: sn.Tensor;
  phiT: sn.Tensor;
}

export interface PinnGraphOptions {
  widths?: readonly number[];
  velocity?: number;
  seed?: number;
}

export const DEFAULT_WIDTHS = [2, 32, 32, 32, 1] as const;

/** The PINN training graph: inputs xr, tr [collocation, 1], tb [boundary, 1], xi, phi0 [initial, 1] (see PinnPoints). */
export function buildPinn(sizes: Required<PinnSizes>, options: PinnGraphOptions = {}): PinnGraph {
  const g = sn.graph();
  const { collocation: nr, boundary: nb, initial: ni } = sizes;
  const xr = g.input('xr', [nr, 1]);
  const tr = g.input('tr', [nr, 1]);
  const tb = g.input('tb', [nb, 1]);
  const xi = g.input('xi', [ni, 1]);
  const phi0 = g.input('phi0', [ni, 1]);
  const net = mlp(g, options.widths ?? DEFAULT_WIDTHS, options.seed ?? 1);

  // Residual: phi_t + u phi_x, with the derivatives taken through the network.
  const phi = net.apply(xr, tr);
  const [phiX, phiT] = g.grad(phi.sum(), [xr, tr]);
  const residualLoss = phiT.add(phiX.mul(options.velocity ?? 1)).square().mean();
  // Periodic boundary: the same times at x = 0 and x = 1.
  const left = net.apply(g.constant(0, [nb, 1]), tb);
  const right = net.apply(g.constant(1, [nb, 1]), tb);
  const boundaryLoss = left.sub(right).square().mean();
  // Initial condition at t = 0.
  const initialLoss = net.apply(xi, g.constant(0, [ni, 1])).sub(phi0).square().mean();

  const loss = residualLoss.add(boundaryLoss).add(initialLoss);
  return { graph: g, net, loss, residualLoss, boundaryLoss, initialLoss, phi, phiX, phiT };
}

/** The sizes of a point set. */
export const sizesOf = (p: PinnPoints): Required<PinnSizes> => ({ collocation: p.xr.length, boundary: p.tb.length, initial: p.xi.length });

/** The points as run() inputs. */
export function feeds(points: PinnPoints): Record<string, Float32Array> {
  return { ...points };
}

export interface LearningRateSchedule {
  /** Learning rate at step k (0-based). */
  (step: number): number;
}

/** lr0 * rate^(step / every): Keras' ExponentialDecay (continuous). */
export const exponentialDecay = (lr0: number, rate: number, every: number): LearningRateSchedule => (k) => lr0 * Math.pow(rate, k / every);

export interface TrainOptions extends PinnGraphOptions {
  steps: number;
  /** A number (constant) or a schedule of the step (default 1e-3). */
  learningRate?: number | LearningRateSchedule;
  /**
   * Collocation points per step: all of them (default, full batch), or a
   * random subset of this size drawn anew at every step (minibatches).
   */
  batch?: number;
  /** Seed of the minibatch draws (default 1). */
  batchSeed?: number;
  /** Read the loss back every `logEvery` steps (other steps do not wait for the GPU); default 100. */
  logEvery?: number;
  onLog?: (log: TrainLog) => void;
}

export interface TrainLog {
  step: number;
  loss: number;
  residual: number;
  boundary: number;
  initial: number;
  learningRate: number;
  seconds: number;
}

/** A trained PINN: its training program (which owns the weights) and the loss history. */
export interface TrainedPinn {
  program: sn.Program;
  pinn: PinnGraph;
  history: TrainLog[];
  seconds: number;
}

/**
 * Compiles the training step (Adam on the summed loss, learning rate read at
 * every step) and runs `steps` steps; the boundary and initial terms use all
 * their points at every step.
 */
export async function trainPinn(device: sn.Device, points: PinnPoints, options: TrainOptions): Promise<TrainedPinn> {
  const sizes = sizesOf(points);
  const batch = Math.min(options.batch ?? sizes.collocation, sizes.collocation);
  const pinn = buildPinn({ ...sizes, collocation: batch }, options);
  const lr = options.learningRate ?? 1e-3;
  const schedule = typeof lr === 'number' ? () => lr : lr;
  const optimizer = sn.optimizers.adam({ learningRate: schedule(0) });
  const program = await sn.compile(device, pinn.graph, {
    outputs: { loss: pinn.loss, residual: pinn.residualLoss, boundary: pinn.boundaryLoss, initial: pinn.initialLoss },
    minimize: { loss: pinn.loss, optimizer },
  });
  const inputs = feeds(points);
  const rand = seededRandom(options.batchSeed ?? 1);
  const xr = new Float32Array(batch), tr = new Float32Array(batch);
  if (batch < sizes.collocation) Object.assign(inputs, { xr, tr });
  const logEvery = options.logEvery ?? 100;
  const history: TrainLog[] = [];
  const t0 = performance.now();
  for (let k = 0; k < options.steps; k++) {
    if (batch < sizes.collocation) {
      for (let i = 0; i < batch; i++) {
        const j = Math.floor(rand() * sizes.collocation);
        xr[i] = points.xr[j];
        tr[i] = points.tr[j];
      }
    }
    optimizer.learningRate = schedule(k); // read by the GPU update of this step
    const log = k % logEvery === 0 || k === options.steps - 1;
    const out = await program.run(inputs, { read: log ? undefined : [] });
    if (log) {
      const entry: TrainLog = {
        step: k, loss: out.loss.data[0], residual: out.residual.data[0], boundary: out.boundary.data[0], initial: out.initial.data[0],
        learningRate: optimizer.learningRate, seconds: (performance.now() - t0) / 1000,
      };
      if (!Number.isFinite(entry.loss)) throw new Error(`pinn: the loss became ${entry.loss} at step ${k}; lower the learning rate`);
      history.push(entry);
      options.onLog?.(entry);
    }
  }
  await program.sync();
  return { program, pinn, history, seconds: (performance.now() - t0) / 1000 };
}

export interface GridResult {
  /** Grid size: n x n points, x = i/(n-1) along rows' columns, t = j/(n-1) along rows. */
  n: number;
  /** Row-major [t][x]. */
  predicted: Float32Array;
  exact: Float32Array;
  /** ||predicted - exact||_2 / ||exact||_2 over the grid. */
  relativeL2: number;
  maxAbsError: number;
}

/**
 * Evaluates the trained network on an n x n grid of (x, t) in [0, 1]^2 with a
 * prediction program that shares the training program's weights, and
 * compares it with the exact solution.
 */
export async function evaluateGrid(device: sn.Device, trained: TrainedPinn, n = 101, options: PinnGraphOptions = {}): Promise<GridResult> {
  const g = sn.graph();
  const x = g.input('x', [n * n, 1]);
  const t = g.input('t', [n * n, 1]);
  const phi = mlp(g, options.widths ?? DEFAULT_WIDTHS).apply(x, t);
  const prog = await sn.compile(device, g, { outputs: { phi }, store: trained.program.store });
  try {
    const xs = new Float32Array(n * n), ts = new Float32Array(n * n), ex = new Float32Array(n * n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        xs[j * n + i] = i / (n - 1);
        ts[j * n + i] = j / (n - 1);
        ex[j * n + i] = exact(i / (n - 1), j / (n - 1), options.velocity ?? 1);
      }
    }
    const predicted = (await prog.run({ x: xs, t: ts })).phi.data;
    let num = 0, den = 0, maxAbs = 0;
    for (let k = 0; k < n * n; k++) {
      const d = predicted[k] - ex[k];
      num += d * d;
      den += ex[k] * ex[k];
      maxAbs = Math.max(maxAbs, Math.abs(d));
    }
    return { n, predicted, exact: ex, relativeL2: Math.sqrt(num / den), maxAbsError: maxAbs };
  } finally {
    prog.dispose();
  }
}
