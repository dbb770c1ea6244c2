// The stages of a plan: the nodes that get dispatches of their own, in
// schedule order (views, fused members and read-through broadcasts get
// none), the elementwise chain each one runs, and the storage roots each
// one reads (which decides how long every slot stays taken).
import type { Tensor } from '../graph/tensor.js';
import { getOp } from '../graph/op-registry.js';
import type { ChainSpec } from '../ops/fused.js';
import { isElementwise, resolveChain, type ChainContext } from './chains.js';
import type { Fusion } from './fusion.js';
import type { Schedule } from './schedule.js';

export interface Stages {
  /** Nodes with a dispatch of their own, in order. */
  readonly nodes: readonly Tensor[];
  /** The position of each such node in `nodes`. */
  readonly at: ReadonlyMap<Tensor, number>;
  /** The chain each stage runs: its fusion group's, or, for an elementwise op alone, a chain of one. */
  readonly chains: ReadonlyMap<Tensor, ChainSpec>;
  /** The storage roots each stage reads, by position. */
  readonly reads: readonly (readonly Tensor[])[];
}

export const isView = (t: Tensor) => getOp(t.op).view === true;

export function planStages(sched: Schedule, fusion: Fusion, ctx: ChainContext): Stages {
  const nodes = sched.ops.filter((t) => !isView(t) && !fusion.absorbed.has(t));
  // Every elementwise kernel is a chain (of one, if nothing fused with it),
  // so each reads its operands as chains.ts resolves them: views and
  // broadcasts from outside the chain are read through to their storage.
  const chains = new Map([...fusion.groups].map(([t, group]) => [t, group.chain]));
  for (const t of nodes) if (!chains.has(t) && isElementwise(t)) chains.set(t, resolveChain([t], undefined, ctx));
  // A chain reads its operands; a fused stage also its head's inputs.
  const reads = nodes.map((t) => {
    const chain = chains.get(t);
    const head = fusion.groups.get(t)?.head;
    return chain ? [...chain.operands.map((o) => o.tensor), ...(head?.inputs.map(ctx.root) ?? [])] : t.inputs.map(ctx.root);
  });
  return { nodes, at: new Map(nodes.map((t, i) => [t, i])), chains, reads };
}
