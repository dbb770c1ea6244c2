// Resolving an elementwise chain (a fusion group's members, or one op on its
// own) into what its kernel reads: each argument of each member is another
// member, the value an epilogue stores, a literal, or an operand read from
// memory through index maps. src/ops/fused.ts turns the result into WGSL.
//
// An operand from outside the chain is read with the chain's flat index
// broadcast to its shape, then through each broadcastTo it is the output of:
// a broadcast from outside the chain is read as its input (the same values),
// so it needs no buffer, and the planner drops one that only chains read.
// Views are contiguous reshapes, so flat indices carry through them.
import { broadcastStrides } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { getOp } from '../graph/op-registry.js';
import type { ChainArg, ChainOperand, ChainSpec, IndexMap } from '../ops/fused.js';

/** An op the chains run (its value is one WGSL expression per element). */
export const isElementwise = (t: Tensor): boolean => t.kind === 'op' && getOp(t.op).elementwise !== undefined;

/** A broadcastTo node: elementwise kernels may read its input instead. */
export const isBroadcast = (t: Tensor): boolean => t.kind === 'op' && t.op === 'broadcastTo';

export interface ChainContext {
  /** Storage root of a tensor (views resolved). */
  root(t: Tensor): Tensor;
  /** The value of a one-element constant written into the kernel as a literal, if the tensor is one. */
  scalar(t: Tensor): number | undefined;
}

/**
 * How four consecutive, 4-aligned flat indices come out of the index maps:
 * a map keeps them consecutive and aligned when its last dimension is a
 * multiple of 4 and read with stride 1 ('vec4'), makes them one index when
 * read with stride 0 ('splat'), and otherwise mixes them (undefined).
 */
function quadOf(maps: readonly IndexMap[]): 'vec4' | 'splat' | undefined {
  let state: 'vec4' | 'splat' = 'vec4';
  for (const m of maps) {
    if (state === 'splat') break;
    const last = m.shape.length - 1;
    if (last < 0 || m.shape[last] % 4 !== 0) return undefined;
    const stride = m.strides[last];
    if (stride === 0) state = 'splat';
    else if (stride !== 1) return undefined;
  }
  return state;
}

/** The chain of `members` (graph order), starting from the stored value of `head` if it is an epilogue. */
export function resolveChain(members: readonly Tensor[], head: Tensor | undefined, ctx: ChainContext): ChainSpec {
  const inChain = new Set(members);
  const out = members[members.length - 1];
  const operands: ChainOperand[] = [];
  const byKey = new Map<string, number>();
  const argOf = (input: Tensor): ChainArg => {
    let r = ctx.root(input);
    if (inChain.has(r)) return { kind: 'member', id: r.id };
    if (r === head) return { kind: 'head' };
    const maps: IndexMap[] = [{ shape: out.shape, strides: broadcastStrides(input.shape, out.shape) }];
    while (isBroadcast(r) && !inChain.has(ctx.root(r.inputs[0])) && ctx.root(r.inputs[0]) !== head) {
      maps.push({ shape: r.shape, strides: broadcastStrides(r.inputs[0].shape, r.shape) });
      r = ctx.root(r.inputs[0]);
    }
    const value = ctx.scalar(r);
    if (value !== undefined) return { kind: 'literal', value };
    const key = `${r.id}:${maps.map((x) => `${x.shape}/${x.strides}`).join('|')}`;
    let index = byKey.get(key);
    if (index === undefined) {
      index = operands.length;
      byKey.set(key, index);
      operands.push({ tensor: r, maps, quad: quadOf(maps) });
    }
    return { kind: 'operand', index };
  };
  const resolved = members.map((m) => ({ id: m.id, op: m.op, expression: getOp(m.op).elementwise!(m), args: m.inputs.map(argOf) }));
  const helpers = [...new Set(members.map((m) => getOp(m.op).elementwiseHelpers).filter((h): h is string => h !== undefined))];
  const last = out.shape[out.shape.length - 1];
  const vec4 = last !== undefined && last % 4 === 0 && operands.every((o) => o.quad) && !resolved.some((m) => m.args.some((a) => a.kind === 'head'));
  return { members: resolved, operands, size: out.size, vec4, helpers };
}
