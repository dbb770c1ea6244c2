// Batched matrix multiply [.., m, k] x [.., k, n] with optional transposes.
// Three kernel variants: register-blocked (barrier-free, for CPU Vulkan
// drivers), the same with A's loads shared across 4-lane subgroups, and
// shared-memory tiled (for GPUs). The fixed rule picks by adapter
// (KernelCaps.matmul, matmulSharedA); a measured choice may override it.
import registerWgsl from '../../shaders/matmul_register.wgsl';
import tiledWgsl from '../../shaders/matmul_tiled.wgsl';
import { ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes, sameShape, sizeOf } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { matmul as cpuMatmul } from '../cpu/matmul.js';
import { CPU_MIN_WORKGROUPS, epilogueParts, fill, sections, unroll } from './kernel.js';
import type { Epilogue, KernelSpec } from '../graph/kernel-binding.js';
import { apply, checkTensor, defineOp, flag, scoped } from '../graph/op-registry.js';
import { broadcastTo } from './elementwise.js';
import { sumTo } from './reduce.js';

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}

interface Dims { m: number; k: number; n: number; batch: number[] }

function dims(a: readonly number[], b: readonly number[], tA: boolean, tB: boolean): Dims {
  const opts = `${tA ? ' transposeA' : ''}${tB ? ' transposeB' : ''}`;
  if (a.length < 2 || b.length < 2) throw new ShapeError(`matmul: both operands need rank >= 2, got ${fmtShape(a)} and ${fmtShape(b)}`);
  const [m, ka] = tA ? [a[a.length - 1], a[a.length - 2]] : [a[a.length - 2], a[a.length - 1]];
  const [kb, n] = tB ? [b[b.length - 1], b[b.length - 2]] : [b[b.length - 2], b[b.length - 1]];
  if (ka !== kb) throw new ShapeError(`matmul: inner dimensions differ: ${fmtShape(a)} x ${fmtShape(b)}${opts} (${ka} vs ${kb})`);
  const batch = broadcastShapes('matmul (batch dimensions)', a.slice(0, -2), b.slice(0, -2));
  return { m, k: ka, n, batch };
}

const flags = (node: Tensor) => [node.attrs.transposeA as boolean, node.attrs.transposeB as boolean] as const;

defineOp({
  name: 'matmul',
  shape: ([a, b], attrs) => {
    const { m, n, batch } = dims(a, b, attrs.transposeA as boolean, attrs.transposeB as boolean);
    return [...batch, m, n];
  },
  cpu: ([a, b], [as, bs], _o, attrs) => {
    const tA = attrs.transposeA as boolean, tB = attrs.transposeB as boolean;
    const { m, k, n } = dims(as, bs, tA, tB);
    return cpuMatmul(a, b, m, k, n, sizeOf(as.slice(0, -2)), sizeOf(bs.slice(0, -2)), tA, tB);
  },
  // C = op(A) op(B); each case is the textbook rule with the transposes folded into flags.
  grad: (dy, node) => {
    const [a, b] = node.inputs;
    const [tA, tB] = flags(node);
    let da: Tensor, db: Tensor;
    if (!tA && !tB) { da = matmul(dy, b, { transposeB: true }); db = matmul(a, dy, { transposeA: true }); }
    else if (tA && !tB) { da = matmul(b, dy, { transposeB: true }); db = matmul(a, dy); }
    else if (!tA && tB) { da = matmul(dy, b); db = matmul(dy, a, { transposeA: true }); }
    else { da = matmul(b, dy, { transposeA: true, transposeB: true }); db = matmul(dy, a, { transposeA: true, transposeB: true }); }
    return [sumTo(da, a.shape), sumTo(db, b.shape)];
  },
  variants: {
    kernels: {
      register: (node, _caps, epilogue) => registerKernel(node, false, epilogue),
      'register-shared': (node, _caps, epilogue) => registerKernel(node, true, epilogue),
      tiled: (node, _caps, epilogue) => tiledKernel(node, epilogue),
    },
    candidates: (_node, caps) => (caps.fourLaneSubgroups ? ['register', 'register-shared', 'tiled'] : ['register', 'tiled']),
    choose: (_node, caps) => (caps.matmul === 'tiled' ? 'tiled' : caps.matmulSharedA ? 'register-shared' : 'register'),
  },
  epilogue: true,
});

/**
 * The override constants both matmul kernels declare ({{SHAPE}}): C [M, N]
 * = A [M, K] x B [K, N] per batch z, element (i, p) of A at
 * z * A_Z + i * A_I + p * A_P and (p, j) of B at z * B_Z + p * B_P + j * B_J
 * (transposes are strides; a batch of one has stride 0).
 */
const SHAPE = ['M', 'N', 'K', 'A_Z', 'A_I', 'A_P', 'B_Z', 'B_P', 'B_J'].map((n) => `override ${n}: u32;`).join('\n');

/** What both kernels share: sizes, strides (transposes and batch broadcasts), the epilogue and the bindings. */
function matmulParts(node: Tensor, kind: string, fused: Epilogue | undefined) {
  const [a, b] = node.inputs;
  const [tA, tB] = flags(node);
  const { m, k, n, batch } = dims(a.shape, b.shape, tA, tB);
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  const constants = {
    M: m, N: n, K: k,
    A_Z: batchA === 1 ? 0 : m * k, A_I: tA ? 1 : k, A_P: tA ? m : 1,
    B_Z: batchB === 1 ? 0 : k * n, B_P: tB ? 1 : n, B_J: tB ? k : 1,
  };
  const { wgsl: epilogue, extraBindings, suffix } = epilogueParts(fused, 3);
  const label = `matmul_${kind}${tA ? '_tA' : ''}${tB ? '_tB' : ''}${suffix}`;
  return { m, n, z: sizeOf(batch), constants, epilogue, extraBindings, label, bindings: { a: 0, b: 1, c: 'out' } as const };
}

function tiledKernel(node: Tensor, fused: Epilogue | undefined): KernelSpec {
  const { m, n, z, constants, epilogue, extraBindings, label, bindings } = matmulParts(node, 'tiled', fused);
  return { label, shader: fill(tiledWgsl, { EPILOGUE: epilogue, SHAPE }), constants, bindings, extraBindings, workgroups: [Math.ceil(n / 64), Math.ceil(m / 64), z] };
}

function registerKernel(node: Tensor, shared: boolean, fused: Epilogue | undefined): KernelSpec {
  const { m, n, z, constants, epilogue, extraBindings, label, bindings } = matmulParts(node, 'register', fused);
  const { rows, groups, wx, wy } = registerBlock(m, n, z, shared);
  // Lanes share A's loads where a subgroup is 4 threads of one row of the workgroup.
  const sharedA = shared && wx % 4 === 0;
  const template = fill(registerWgsl, { EPILOGUE: epilogue, SHAPE, R: rows, CV: groups, WX: wx, WY: wy, ENABLE: sharedA ? 'enable subgroups;' : '' });
  return {
    label,
    shader: unroll(sections(template, { SHARED_A: sharedA }), { i: rows, v: groups, s: 4 }),
    constants,
    bindings,
    extraBindings,
    workgroups: [Math.ceil(n / (wx * 4 * groups)), Math.ceil(m / (wy * rows)), z],
  };
}

/**
 * The register kernel's block per thread and its workgroup (wx x wy threads).
 * On CPU drivers a load costs far more than a multiply-add, so blocks are
 * large: 8 rows x 4 groups of 4 columns for wide outputs (N >= 64), 8 x 2
 * for N of 17-63. Narrow outputs (N <= 16: a 10-class layer) get one group
 * and only as many threads across as cover N, so no thread or SIMD lane
 * computes clamped copies of the last column. With A's loads shared across a
 * subgroup a load of A costs a quarter, so blocks are taller (16 x 2). Small
 * outputs shrink the workgroup (4 threads across, then fewer rows, down to
 * one) until there are CPU_MIN_WORKGROUPS, so no SwiftShader worker sits
 * idle. Measurements: docs/tuning.md.
 */
function registerBlock(m: number, n: number, z: number, sharedA: boolean): { rows: number; groups: number; wx: number; wy: number } {
  const block = n <= 16 ? { rows: 8, groups: 1, wx: Math.ceil(n / 4), wy: 8 } : sharedA ? { rows: 16, groups: 2, wx: 8, wy: 8 } : { rows: 8, groups: n >= 64 ? 4 : 2, wx: 8, wy: 8 };
  const count = (wx: number, wy: number) => Math.ceil(n / (wx * 4 * block.groups)) * Math.ceil(m / (wy * block.rows)) * z;
  while (count(block.wx, block.wy) < CPU_MIN_WORKGROUPS) {
    if (block.wy >= block.wx && block.wy > 4) block.wy /= 2;
    else if (block.wx > 4) block.wx /= 2;
    else if (block.wy > 1) block.wy /= 2;
    else break;
  }
  block.wy = fittedHeight(Math.ceil(m / block.rows), block.wy);
  return block;
}

/**
 * The workgroup height, at most `wy` and at least half of it, that leaves
 * the fewest rows of threads past the last of `rowBlocks` (the taller on a
 * tie; shorter only adds workgroups). Threads past the edge still run the
 * whole loop on clamped reads (with shared loads no thread may return), so
 * they cost as much as real ones: a weight gradient with 784 input features
 * is 49 blocks of 16 rows, 56 rows of threads at a height of 8 and 49 at 7
 * (docs/tuning.md).
 */
function fittedHeight(rowBlocks: number, wy: number): number {
  const idle = (h: number) => Math.ceil(rowBlocks / h) * h - rowBlocks;
  let best = wy;
  for (let h = wy - 1; h >= Math.ceil(wy / 2); h--) if (idle(h) < idle(best)) best = h;
  return best;
}

/**
 * [.., m, k] x [.., k, n] -> [.., m, n]. Batch dimensions broadcast; an
 * operand whose batch is neither 1 nor the full batch is broadcast first.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  checkTensor('matmul', 'a', a);
  checkTensor('matmul', 'b', b);
  const tA = flag('matmul', 'transposeA', options?.transposeA);
  const tB = flag('matmul', 'transposeB', options?.transposeB);
  // Checked here (the batch decides the broadcast below), so the layer scope is added here too.
  const { batch } = scoped(a.graph, () => dims(a.shape, b.shape, tA, tB));
  const expand = (t: Tensor) => {
    const own = t.shape.slice(0, -2);
    if (sizeOf(own) === 1 || sameShape(own, batch)) return t;
    return broadcastTo(t, [...batch, ...t.shape.slice(-2)]);
  };
  return apply('matmul', [expand(a), expand(b)], { transposeA: tA, transposeB: tB });
}
