// Fusion: chains of elementwise ops run as one kernel; a chain that starts
// from a matmul or conv2d output runs inside that kernel's store (its
// epilogue); a chain whose only reader is a reduction (sum, max) runs inside
// the reduction's loads (its prologue). A fused node gets no dispatch and no
// buffer of its own.
//
// A group grows backwards from its last node (the root, whose buffer receives
// the result): an input joins when it is an elementwise op of the root's
// shape whose every reader is already in the group and which nothing else
// needs (an output of the program, a gradient the optimizer reads, a state
// update). Same shape means one flat index serves every member; operands of
// other shapes (a bias row) are read with their own broadcast index. For a
// reduction the chain grows the same way from the reduction's input (through
// a reshape: the flat index is the same), and the reduction is the root.
import { sameShape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { isBroadcast, isElementwise as elementwise } from '../ops/fused.js';
import { getOp } from '../graph/op-registry.js';

export interface FusionGroup {
  /** The last node: its storage receives the result; the dispatch runs at its place in the schedule. */
  readonly root: Tensor;
  /** Elementwise nodes in the group, in graph order (root last). */
  readonly members: Tensor[];
  /** A matmul/conv2d whose output the chain starts from: the group runs as its epilogue. */
  readonly head?: Tensor;
  /** A reduction reading the chain's result: the group runs as its prologue, and the reduction is the root. */
  readonly reduction?: Tensor;
}

/** Operands a fused kernel may bind besides its own (WebGPU guarantees 8 storage buffers per stage). */
export const MAX_FUSED_OPERANDS = 5;

/**
 * Groups over the computing nodes (views excluded), given the storage root
 * of a tensor (views resolved), the nodes that must keep their own buffer,
 * and how many operands a group would bind.
 */
export function fuse(
  computing: readonly Tensor[],
  root: (t: Tensor) => Tensor,
  pinned: ReadonlySet<Tensor>,
  operandsOf: (members: readonly Tensor[], head: Tensor | undefined) => readonly Tensor[],
): { groups: Map<Tensor, FusionGroup>; absorbed: Set<Tensor> } {
  const readers = new Map<Tensor, Set<Tensor>>();
  for (const c of computing) {
    for (const i of c.inputs) {
      const r = root(i);
      if (!readers.has(r)) readers.set(r, new Set());
      readers.get(r)!.add(c);
    }
  }
  const computingSet = new Set(computing);
  const takesEpilogue = (t: Tensor) => t.kind === 'op' && getOp(t.op).epilogue === true;
  const takesPrologue = (t: Tensor) => t.kind === 'op' && getOp(t.op).prologue === true;
  const onlyReadBy = (t: Tensor, group: Set<Tensor>) => [...(readers.get(t) ?? [])].every((r) => group.has(r));
  const joinable = (t: Tensor, shapeOf: Tensor, group: Set<Tensor>) =>
    computingSet.has(t) && !pinned.has(t) && !absorbed.has(t) && !groups.has(t) && sameShape(t.shape, shapeOf.shape) && onlyReadBy(t, group);

  const groups = new Map<Tensor, FusionGroup>();
  const absorbed = new Set<Tensor>();
  /** Adds to `members` the elementwise inputs that may join a chain ending at `last`, transitively. */
  const grow = (last: Tensor, members: Set<Tensor>): Set<Tensor> => {
    const work = [last];
    while (work.length) {
      const m = work.pop()!;
      for (const i of m.inputs) {
        const t = root(i);
        if (members.has(t) || !elementwise(t) || !joinable(t, last, members)) continue;
        members.add(t);
        work.push(t);
      }
    }
    return members;
  };

  /** The chain producing a reduction's input, fused into its loads. */
  const prologueGroup = (reduction: Tensor): void => {
    const src = root(reduction.inputs[0]);
    if (!elementwise(src) || !joinable(src, src, new Set([reduction]))) return;
    const members = grow(src, new Set([reduction, src]));
    members.delete(reduction);
    const ordered = [...members].sort((a, b) => a.id - b.id);
    if (operandsOf(ordered, undefined).length > MAX_FUSED_OPERANDS) return;
    for (const m of ordered) absorbed.add(m);
    groups.set(reduction, { root: reduction, members: ordered, reduction });
  };

  for (let k = computing.length - 1; k >= 0; k--) {
    const last = computing[k];
    if (absorbed.has(last)) continue;
    if (takesPrologue(last)) prologueGroup(last);
    if (!elementwise(last)) continue;
    const members = grow(last, new Set([last]));
    const ordered = [...members].sort((a, b) => a.id - b.id);
    let head: Tensor | undefined;
    for (const m of ordered) {
      for (const i of m.inputs) {
        const t = root(i);
        if (head || members.has(t) || !takesEpilogue(t) || !joinable(t, last, members)) continue;
        head = t;
      }
    }
    if (members.size === 1 && !head) continue;
    if (operandsOf(ordered, head).length > MAX_FUSED_OPERANDS) continue;
    for (const m of ordered) if (m !== last) absorbed.add(m);
    if (head) absorbed.add(head);
    groups.set(last, { root: last, members: ordered, head });
  }
  // A broadcast read only by elementwise kernels needs no dispatch and no
  // buffer: they read its input through a broadcast index instead
  // (src/ops/fused.ts), through views and other broadcasts alike.
  for (const t of computing) {
    if (!isBroadcast(t) || pinned.has(t) || absorbed.has(t) || groups.has(t)) continue;
    const read = readers.get(t);
    if (read && [...read].every(elementwise)) absorbed.add(t);
  }
  return { groups, absorbed };
}
