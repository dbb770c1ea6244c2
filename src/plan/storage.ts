// Where each tensor's values live on the GPU. A view (reshape) shares the
// buffer of the tensor it views (its storage root); every other tensor
// computed by a stage gets a slot of the pooled buffers (src/plan/memory.ts);
// inputs, parameters and constants have buffers of their own.
import type { Graph } from '../graph/graph.js';
import type { Tensor } from '../graph/tensor.js';
import { getOp } from '../graph/op-registry.js';
import type { Schedule } from './schedule.js';

export type Storage =
  | { kind: 'slot'; slot: number; bytes: number }
  | { kind: 'input'; tensor: Tensor; bytes: number }
  | { kind: 'param'; tensor: Tensor; bytes: number }
  | { kind: 'const'; tensor: Tensor; bytes: number }
  /** Optimizer state of a parameter (Adam's m and v, ...), by its index in the optimizer's state list. */
  | { kind: 'state'; param: Tensor; index: number; bytes: number }
  /** The optimizer's hyper-parameters for this training step (a uniform: learning rate, bias corrections, ...). */
  | { kind: 'hyperparameters'; bytes: number }
  /** The run counter: [runs so far, 0, 0, 0] as u32, a uniform (dropout's random stream reads it). */
  | { kind: 'run'; bytes: number };

export const bytesOf = (t: Tensor) => t.size * 4;

/** The tensor whose buffer `t` lives in: itself, or for a view the tensor it views (merged nodes resolved). */
export function storageRoots(sched: Schedule): (t: Tensor) => Tensor {
  return (t) => {
    let r = sched.canonical(t);
    while (r.kind === 'op' && getOp(r.op).view && !sched.folded.has(r)) r = sched.canonical(r.inputs[0]);
    return r;
  };
}

/**
 * The value of a one-element constant (a graph constant or an op folded at
 * plan time), written into kernels as a literal. WGSL has no literal for NaN
 * or ±Infinity, so those are read from their buffer instead.
 */
export function scalarOf(graph: Graph, sched: Schedule): (t: Tensor) => number | undefined {
  return (t) => {
    const v = sched.folded.get(t) ?? (t.kind === 'const' ? graph.constValues.get(t) : undefined);
    return v && v.length === 1 && Number.isFinite(v[0]) ? v[0] : undefined;
  };
}

/** Storage of any tensor of the plan, given the slot of each computed one. */
export function storageOf(sched: Schedule, root: (t: Tensor) => Tensor, slotOf: (computed: Tensor) => number): (t: Tensor) => Storage {
  return (t) => {
    const r = root(t);
    const bytes = bytesOf(t);
    if (sched.folded.has(r)) return { kind: 'const', tensor: r, bytes };
    switch (r.kind) {
      case 'input': return { kind: 'input', tensor: r, bytes };
      case 'param': return { kind: 'param', tensor: r, bytes };
      case 'const': return { kind: 'const', tensor: r, bytes };
      default: return { kind: 'slot', slot: slotOf(r), bytes };
    }
  };
}
