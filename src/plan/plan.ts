// The plan: a flat, inspectable list of dispatches over planned storage.
// Built once per compile; the executor turns it into pipelines, buffers and
// bind groups and then only replays it.
import { ShapeError, SinapsisError, fmtShape } from '../errors.js';
import type { Graph } from '../graph/graph.js';
import type { Tensor } from '../graph/tensor.js';
import type { KernelCaps, KernelSpec } from '../graph/kernel-binding.js';
import { getOp } from '../graph/op-registry.js';
import { elementwiseGrid, linearGrid } from '../ops/kernel.js';
import { chainEpilogue, chainKernel, chainOperands, chainPrologue, copyShader, isElementwise, type Chain } from '../ops/fused.js';
import { fuse } from './fusion.js';
import { planMemory } from './memory.js';
import { schedule } from './schedule.js';
import type { OptimizerSpec } from './optimizer.js';
import { optimizerShader, uniformBytes } from './update.js';

/** Where a tensor's values live on the GPU. */
export type Storage =
  | { kind: 'slot'; slot: number; bytes: number }
  | { kind: 'input'; tensor: Tensor; bytes: number }
  | { kind: 'param'; tensor: Tensor; bytes: number }
  | { kind: 'const'; tensor: Tensor; bytes: number }
  | { kind: 'state'; param: Tensor; index: number; bytes: number }
  | { kind: 'uniform'; bytes: number }
  /** The per-run uniform: [run counter, 0, 0, 0] as u32. */
  | { kind: 'step'; bytes: number };

export interface PlannedDispatch {
  label: string;
  shader: string;
  entryPoint: string;
  constants: Record<string, number>;
  workgroups: readonly [number, number, number];
  buffers: Record<string, Storage>;
  /** The graph node this dispatch computes (undefined for optimizer updates). */
  node?: Tensor;
}

export interface Plan {
  graph: Graph;
  dispatches: PlannedDispatch[];
  slotBytes: number[];
  outputs: Record<string, Storage>;
  outputTensors: Record<string, Tensor>;
  /** Inputs the program reads, by name. */
  inputs: Map<string, Tensor>;
  params: Tensor[];
  consts: Tensor[];
  /** Values of the constants: graph constants and ops folded at plan time. */
  constValues: Map<Tensor, Float32Array>;
  trainable: Tensor[];
  optimizer?: OptimizerSpec;
  uniformFields: readonly string[];
  memory: { plannedBytes: number; naiveBytes: number; buffers: number; persistentBytes: number };
  cseMerged: number;
}

export interface PlanRequest {
  outputs: Record<string, Tensor>;
  minimize?: { loss: Tensor; optimizer: OptimizerSpec; params?: readonly Tensor[] };
  /** State updates applied at the end of each run: `param` takes the value `value` had in this run (batch norm's moving averages). */
  updates?: readonly { param: Tensor; value: Tensor }[];
}

const bytesOf = (t: Tensor) => t.size * 4;

/**
 * Units per thread of an optimizer update (values, or vec4s when the size is
 * a multiple of 4). On SwiftShader, Adam over 100K weights took 4.0 / 2.4 /
 * 2.0 / 2.1 ms at 1 / 4 / 8 / 16 values per thread, and 2.06 / 1.51 / 1.25 /
 * 1.28 ms at 1 / 4 / 8 / 16 vec4s.
 */
const OPTIMIZER_PER_THREAD = 8;

export function buildPlan(graph: Graph, req: PlanRequest, caps: KernelCaps): Plan {
  const outputEntries = Object.entries(req.outputs);
  for (const [name, t] of outputEntries) {
    if (!t || typeof t !== 'object' || !('graph' in t)) throw new SinapsisError(`compile: output '${name}' is not a graph tensor`);
    if (t.graph !== graph) throw new SinapsisError(`compile: output '${name}' belongs to another graph`);
  }

  // Training: gradients of the loss for every trainable parameter it depends on.
  let trainable: Tensor[] = [];
  let grads: Tensor[] = [];
  if (req.minimize) {
    const { loss } = req.minimize;
    if (!loss || typeof loss !== 'object' || !('graph' in loss)) throw new SinapsisError('compile: minimize.loss must be a graph tensor (a scalar)');
    if (loss.graph !== graph) throw new SinapsisError('compile: minimize.loss belongs to another graph');
    if (loss.size !== 1) throw new SinapsisError(`compile: minimize.loss must be a scalar, got shape ${fmtShape(loss.shape)}`);
    const deps = new Set<Tensor>();
    const stack = [loss];
    while (stack.length) {
      const t = stack.pop()!;
      if (deps.has(t)) continue;
      deps.add(t);
      stack.push(...t.inputs);
    }
    const given = req.minimize.params;
    if (given !== undefined) {
      if (!Array.isArray(given)) throw new SinapsisError(`compile: minimize.params must be an array of params of the graph, got ${typeof given}`);
      given.forEach((p, i) => {
        const what = p && typeof p === 'object' && 'kind' in p ? String(p) : typeof p;
        if (!p || typeof p !== 'object' || !('graph' in p) || p.kind !== 'param') throw new SinapsisError(`compile: minimize.params[${i}] must be a param (g.param(...)), got ${what}`);
        if (p.graph !== graph) throw new SinapsisError(`compile: minimize.params[${i}] (${what}) belongs to another graph`);
      });
    }
    trainable = (given ?? graph.params).filter((p) => deps.has(p) && graph.paramInfo.get(p)?.trainable !== false);
    grads = graph.grad(loss, trainable);
  }

  const updates = req.updates ?? [];
  for (const u of updates) {
    if (u.param.kind !== 'param' || u.param.graph !== graph) throw new SinapsisError(`compile: an update's target must be a param of this graph, got ${u.param}`);
    if (u.value.size !== u.param.size) throw new ShapeError(`compile: update of '${u.param.name}' ${fmtShape(u.param.shape)} with a value of shape ${fmtShape(u.value.shape)}`);
  }
  const sched = schedule([...outputEntries.map(([, t]) => t), ...grads, ...updates.map((u) => u.value)]);
  const canon = sched.canonical;

  // Storage roots: views resolve to the tensor whose buffer they share.
  const root = (t: Tensor): Tensor => {
    let r = canon(t);
    while (r.kind === 'op' && getOp(r.op).view && !sched.folded.has(r)) r = canon(r.inputs[0]);
    return r;
  };
  // Fusion: elementwise chains become one dispatch, the epilogue of the
  // matmul/conv2d they start from, or the prologue of the reduction that
  // reads them. Outputs, gradients (the optimizer reads
  // them) and state-update values keep their own buffers.
  const pinned = new Set<Tensor>([...outputEntries.map(([, t]) => root(t)), ...grads.map(root), ...updates.map((u) => root(u.value))]);
  // A one-value constant is written into the kernel as a literal; WGSL has no literal for NaN or ±Infinity, so those are read from their buffer.
  const scalar = (t: Tensor): number | undefined => {
    const v = sched.folded.get(t) ?? (t.kind === 'const' ? graph.constValues.get(t) : undefined);
    return v && v.length === 1 && Number.isFinite(v[0]) ? v[0] : undefined;
  };
  const chainOf = (members: readonly Tensor[], head: Tensor | undefined): Chain => ({ members, head, root, scalar });
  const fusion = fuse(sched.ops.filter((t) => !getOp(t.op).view), root, pinned, (members, head) => chainOperands(chainOf(members, head)));
  const computing = sched.ops.filter((t) => !getOp(t.op).view && !fusion.absorbed.has(t));
  const unfusedBytes = sched.ops.filter((t) => !getOp(t.op).view).reduce((s, t) => s + bytesOf(t), 0);
  const stepOf = new Map<Tensor, number>(computing.map((t, i) => [t, i]));
  // Every elementwise kernel is a chain (of one, if nothing fused with it),
  // so each reads its operands the way fused.ts resolves them: views and
  // broadcasts from outside the chain are read through to their storage.
  const chains = new Map([...fusion.groups].map(([t, group]) => [t, chainOf(group.members, group.head)]));
  for (const t of computing) if (!chains.has(t) && isElementwise(t)) chains.set(t, chainOf([t], undefined));
  /** The storage roots each step reads: a chain reads its operands, a fused step also its head's inputs. */
  const stepReads = new Map(computing.map((t) => {
    const chain = chains.get(t);
    return [t, chain ? [...chainOperands(chain), ...(fusion.groups.get(t)?.head?.inputs.map(root) ?? [])] : t.inputs.map(root)];
  }));
  const readsOf = (t: Tensor): Tensor[] => stepReads.get(t)!;
  const keep = new Set<number>();
  for (const t of [...outputEntries.map(([, t]) => t), ...updates.map((u) => u.value)]) {
    const s = stepOf.get(root(t));
    if (s !== undefined) keep.add(s);
  }
  const reads = computing.map((t) => readsOf(t).map((r) => stepOf.get(r)).filter((s): s is number => s !== undefined));
  // Each optimizer update runs right after the last step that reads its
  // parameter or produces its gradient, so the gradient's slot is free for
  // the rest of the step instead of being held to the end.
  const updateAfter = trainable.map((p, k) => {
    let last = stepOf.get(root(grads[k])) ?? -1;
    computing.forEach((t, i) => { if (readsOf(t).includes(p)) last = Math.max(last, i); });
    return last;
  });
  trainable.forEach((_, k) => {
    const g = stepOf.get(root(grads[k]));
    if (g !== undefined) reads[Math.max(updateAfter[k], g)].push(g);
  });
  const mem = planMemory({ bytes: computing.map(bytesOf), reads, keep });

  const storage = (t: Tensor): Storage => {
    const r = root(t);
    const bytes = bytesOf(t);
    if (sched.folded.has(r)) return { kind: 'const', tensor: r, bytes };
    switch (r.kind) {
      case 'input': return { kind: 'input', tensor: r, bytes };
      case 'param': return { kind: 'param', tensor: r, bytes };
      case 'const': return { kind: 'const', tensor: r, bytes };
      default: return { kind: 'slot', slot: mem.slotOf[stepOf.get(r)!], bytes };
    }
  };

  const optimizer = req.minimize?.optimizer;
  const updateDispatch = (p: Tensor, k: number): PlannedDispatch => {
    const opt = optimizer!;
    const bytes = bytesOf(p);
    const vec4 = p.size % 4 === 0;
    const units = vec4 ? p.size / 4 : p.size;
    const { workgroups, rowThreads } = linearGrid(Math.ceil(units / OPTIMIZER_PER_THREAD));
    const buffers: Record<string, Storage> = {
      param: { kind: 'param', tensor: p, bytes },
      grad: storage(grads[k]),
      h: { kind: 'uniform', bytes: uniformBytes(opt) },
    };
    opt.state.forEach((s, index) => { buffers[s.name] = { kind: 'state', param: p, index, bytes }; });
    return { label: `${opt.name} '${p.name}'`, shader: optimizerShader(opt, vec4), entryPoint: 'main', constants: { N: units, ROW: rowThreads, PER: OPTIMIZER_PER_THREAD }, workgroups, buffers };
  };
  const updatesAt = new Map<number, number[]>();
  trainable.forEach((_, k) => updatesAt.set(updateAfter[k], [...(updatesAt.get(updateAfter[k]) ?? []), k]));

  const dispatches: PlannedDispatch[] = [];
  // Updates of parameters that no step reads (constant gradients) go first.
  if (optimizer) for (const k of updatesAt.get(-1) ?? []) dispatches.push(updateDispatch(trainable[k], k));
  computing.forEach((node, i) => {
    const group = fusion.groups.get(node);
    const kernelNode = group?.head ?? node;
    const def = getOp(kernelNode.op);
    const chain = chains.get(node);
    // An elementwise chain is its own kernel; other ops bring theirs (taking the chain as epilogue or prologue).
    const ownKernel = chain && !group?.head && !group?.reduction;
    if (!ownKernel && !def.kernel) throw new SinapsisError(`compile: op '${kernelNode.op}' has no GPU kernel`);
    const specs = ownKernel ? chainKernel(chain)
      : group?.head ? def.kernel!(group.head, caps, chainEpilogue(chain!))
      : group?.reduction ? def.kernel!(node, caps, undefined, chainPrologue(chain!))
      : def.kernel!(node, caps);
    for (const spec of Array.isArray(specs) ? specs : [specs]) dispatches.push(resolve(spec, kernelNode, node, storage));
    // Every read of a parameter (forward and backward) comes before its update.
    if (optimizer) for (const k of updatesAt.get(i) ?? []) dispatches.push(updateDispatch(trainable[k], k));
  });

  // State updates: copies into the target params, after every read of them.
  for (const u of updates) {
    const { workgroups, rowThreads } = elementwiseGrid(u.param.size);
    dispatches.push({
      label: `update '${u.param.name}'`,
      shader: copyShader('fn index_e0(i: u32) -> u32 { return i; }'),
      entryPoint: 'main',
      constants: { N: u.param.size, ROW: rowThreads },
      workgroups,
      buffers: { e0: storage(u.value), out: { kind: 'param', tensor: u.param, bytes: bytesOf(u.param) } },
    });
  }

  const live = [...sched.live, ...updates.map((u) => u.param)];
  const inputs = new Map<string, Tensor>();
  for (const t of live) if (t.kind === 'input') inputs.set(t.name!, t);
  const params = [...new Set([...live.filter((t) => t.kind === 'param'), ...trainable])];
  const consts = live.filter((t) => t.kind === 'const' || sched.folded.has(t));
  const constValues = new Map(consts.map((c) => [c, sched.folded.get(c) ?? graph.constValues.get(c)!]));
  const stateBytes = optimizer ? trainable.reduce((s, p) => s + bytesOf(p) * optimizer.state.length, 0) : 0;
  const persistentBytes = params.reduce((s, p) => s + bytesOf(p), 0) + consts.reduce((s, c) => s + bytesOf(c), 0) + stateBytes;

  return {
    graph,
    dispatches,
    slotBytes: mem.slotBytes,
    outputs: Object.fromEntries(outputEntries.map(([name, t]) => [name, storage(t)])),
    outputTensors: { ...req.outputs },
    inputs,
    params,
    consts,
    constValues,
    trainable,
    optimizer,
    uniformFields: optimizer?.uniforms ?? [],
    // Naive: what running the graph op by op would allocate, one buffer per op output (fused ones included).
    memory: { plannedBytes: mem.plannedBytes, naiveBytes: unfusedBytes, buffers: mem.slotBytes.length, persistentBytes },
    cseMerged: sched.merged,
  };
}

/** Binds a kernel of `node` whose result goes to the storage of `out` (another node when an epilogue was fused into it). */
function resolve(spec: KernelSpec, node: Tensor, out: Tensor, storage: (t: Tensor) => Storage): PlannedDispatch {
  const buffers: Record<string, Storage> = {};
  for (const [name, ref] of Object.entries(spec.bindings)) {
    if (ref === 'out') buffers[name] = storage(out);
    else if (ref === 'uniforms') buffers[name] = { kind: 'step', bytes: 16 };
    else buffers[name] = storage(node.inputs[ref]);
  }
  for (const [name, t] of Object.entries(spec.extraBindings ?? {})) buffers[name] = storage(t);
  return {
    label: spec.label,
    shader: spec.shader,
    entryPoint: spec.entryPoint ?? 'main',
    constants: { ...(spec.constants ?? {}) },
    workgroups: spec.workgroups,
    buffers,
    node,
  };
}
