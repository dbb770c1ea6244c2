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
import { getOp } from '../graph/op-registry.js';
import type { ChainSpec } from '../ops/fused.js';
import { isBroadcast, isElementwise as elementwise, resolveChain, type ChainContext } from './chains.js';

export interface FusionGroup {
  /** The last node: its storage receives the result; the dispatch runs at its place in the schedule. */
  readonly root: Tensor;
  /** Elementwise nodes in the group, in graph order (root last). */
  readonly members: Tensor[];
  /** A matmul/conv2d whose output the chain starts from: the group runs as its epilogue. */
  readonly head?: Tensor;
  /** A reduction reading the chain's result: the group runs as its prologue, and the reduction is the root. */
  readonly reduction?: Tensor;
  /** The members resolved into what their kernel reads. */
  readonly chain: ChainSpec;
}

/** Operands a fused kernel may bind besides its own (WebGPU guarantees 8 storage buffers per stage). */
export const MAX_FUSED_OPERANDS = 5;

export interface Fusion {
  /** The groups by root. */
  readonly groups: Map<Tensor, FusionGroup>;
  /** Nodes that run inside another node's dispatch (members, heads) or need none (broadcasts read through). */
  readonly absorbed: Set<Tensor>;
}

/** The computing nodes that read each storage root. */
function readersOf(computing: readonly Tensor[], root: (t: Tensor) => Tensor): Map<Tensor, Set<Tensor>> {
  const readers = new Map<Tensor, Set<Tensor>>();
  for (const c of computing) {
    for (const i of c.inputs) {
      const r = root(i);
      if (!readers.has(r)) readers.set(r, new Set());
      readers.get(r)!.add(c);
    }
  }
  return readers;
}

/** Grows fusion groups over the computing nodes, last node first (see the top of this file). */
class Grouping implements Fusion {
  readonly groups = new Map<Tensor, FusionGroup>();
  readonly absorbed = new Set<Tensor>();
  private readonly readers: Map<Tensor, Set<Tensor>>;
  private readonly computing: Set<Tensor>;

  constructor(computing: readonly Tensor[], private readonly ctx: ChainContext, private readonly pinned: ReadonlySet<Tensor>) {
    this.readers = readersOf(computing, ctx.root);
    this.computing = new Set(computing);
  }

  /** `t` may join a group ending in a node of `shapeOf`'s shape whose members are `group`. */
  private joinable(t: Tensor, shapeOf: Tensor, group: Set<Tensor>): boolean {
    return this.computing.has(t) && !this.pinned.has(t) && !this.absorbed.has(t) && !this.groups.has(t)
      && sameShape(t.shape, shapeOf.shape) && [...(this.readers.get(t) ?? [])].every((r) => group.has(r));
  }

  /** Adds to `members` the elementwise inputs that may join a chain ending at `last`, transitively. */
  private grow(last: Tensor, members: Set<Tensor>): Tensor[] {
    const work = [last];
    while (work.length) {
      for (const i of work.pop()!.inputs) {
        const t = this.ctx.root(i);
        if (members.has(t) || !elementwise(t) || !this.joinable(t, last, members)) continue;
        members.add(t);
        work.push(t);
      }
    }
    return [...members].sort((a, b) => a.id - b.id);
  }

  /** Records the group unless its chain binds too many operands. */
  private add(rootNode: Tensor, members: Tensor[], head: Tensor | undefined, reduction: Tensor | undefined): void {
    const chain = resolveChain(members, head, this.ctx);
    if (chain.operands.length > MAX_FUSED_OPERANDS) return;
    for (const m of members) if (m !== rootNode) this.absorbed.add(m);
    if (head) this.absorbed.add(head);
    this.groups.set(rootNode, { root: rootNode, members, head, reduction, chain });
  }

  /** The chain producing a reduction's input, fused into its loads. */
  prologue(reduction: Tensor): void {
    const src = this.ctx.root(reduction.inputs[0]);
    if (!elementwise(src) || !this.joinable(src, src, new Set([reduction]))) return;
    const members = this.grow(src, new Set([reduction, src])).filter((m) => m !== reduction);
    this.add(reduction, members, undefined, reduction);
  }

  /** The chain ending at `last`, with the matmul/conv2d it starts from as head if one can take it as epilogue. */
  chain(last: Tensor): void {
    const members = this.grow(last, new Set([last]));
    const inGroup = new Set(members);
    const head = members.flatMap((m) => m.inputs.map(this.ctx.root)).find((t) => !inGroup.has(t) && takesEpilogue(t) && this.joinable(t, last, inGroup));
    if (members.length > 1 || head) this.add(last, members, head, undefined);
  }

  /**
   * A broadcast read only by elementwise kernels needs no dispatch and no
   * buffer: they read its input through a broadcast index instead
   * (src/plan/chains.ts), through views and other broadcasts alike.
   */
  broadcasts(): void {
    for (const t of this.computing) {
      if (!isBroadcast(t) || this.pinned.has(t) || this.absorbed.has(t) || this.groups.has(t)) continue;
      const read = this.readers.get(t);
      if (read && [...read].every(elementwise)) this.absorbed.add(t);
    }
  }
}

const takesEpilogue = (t: Tensor) => t.kind === 'op' && getOp(t.op).epilogue === true;
const takesPrologue = (t: Tensor) => t.kind === 'op' && getOp(t.op).prologue === true;

/**
 * Groups over the computing nodes (views excluded), given how tensors are
 * stored (ctx: views resolved, literals) and the nodes that must keep their
 * own buffer.
 */
export function fuse(computing: readonly Tensor[], ctx: ChainContext, pinned: ReadonlySet<Tensor>): Fusion {
  const grouping = new Grouping(computing, ctx, pinned);
  for (let k = computing.length - 1; k >= 0; k--) {
    const last = computing[k];
    if (grouping.absorbed.has(last)) continue;
    if (takesPrologue(last)) grouping.prologue(last);
    if (elementwise(last)) grouping.chain(last);
  }
  grouping.broadcasts();
  return grouping;
}
