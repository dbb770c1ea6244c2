// Random ops. dropoutMask draws a fresh keep-mask (scaled by 1/(1-rate)) on the
// GPU at every run; its CPU reference is the same hash, so tests can compare.
import dropoutWgsl from '../../shaders/dropout_mask.wgsl';
import { ShapeError } from '../errors.js';
import type { Graph } from '../graph/graph.js';
import { checkShape, sizeOf, type Shape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { linearGrid } from './kernel.js';
import { apply, defineOp } from '../graph/op-registry.js';

const pcg = (v: number): number => {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
};

/** The mask value of element i at run `run` (the CPU reference of the kernel). */
export function dropoutMaskValue(i: number, run: number, seed: number, rate: number): number {
  const h = pcg((i ^ pcg((run ^ pcg(seed)) >>> 0)) >>> 0);
  const u = Math.fround((h >>> 8) * (1 / 16777216));
  return u >= Math.fround(rate) ? Math.fround(1 / (1 - rate)) : 0;
}

defineOp({
  name: 'dropoutMask',
  noCse: true,
  shape: (_inputs, attrs) => attrs.shape as Shape,
  // The reference draws the mask of run 1 (a program's first run).
  cpu: (_x, _s, outShape, attrs) => {
    const out = new Float32Array(sizeOf(outShape));
    for (let i = 0; i < out.length; i++) out[i] = dropoutMaskValue(i, 1, attrs.seed as number, attrs.rate as number);
    return out;
  },
  kernel: (node) => {
    const { workgroups, rowThreads } = linearGrid(node.size);
    return {
      label: 'dropoutMask',
      shader: dropoutWgsl,
      constants: { N: node.size, ROW: rowThreads, SEED: node.attrs.seed as number, RATE: node.attrs.rate as number },
      bindings: { run: 'run', out: 'out' },
      workgroups,
    };
  },
});

/** A keep-mask of `shape`: 1/(1-rate) with probability 1-rate, else 0; new at every run. */
export function dropoutMask(g: Graph, shape: Shape, rate: number, seed: number): Tensor {
  if (!(rate >= 0 && rate < 1)) throw new ShapeError(`dropout: rate must be in [0, 1), got ${rate}`);
  return apply('dropoutMask', [], { shape: checkShape(shape, 'dropout'), rate, seed: seed >>> 0 }, g);
}
