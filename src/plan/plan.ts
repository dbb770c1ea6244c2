// The plan: a flat, inspectable list of dispatches over planned storage.
// Built once per compile, in passes with one job each:
//   differentiate (training.ts)   the trainable parameters and their gradients
//   schedule      (schedule.ts)   CSE, constant folding, dead nodes, order
//   fuse          (fusion.ts)     elementwise chains, epilogues, prologues
//   planStages     (stages.ts)      the nodes that get dispatches, what each reads
//   placeUpdates  (updates.ts)    where each optimizer update runs
//   planMemory    (memory.ts)     slots of pooled buffers, by liveness
//   emit          (emit.ts, updates.ts)  kernels bound to storage
// The executor turns the plan into pipelines, buffers and bind groups and
// then only replays it.
import { ShapeError, SinapsisError, fmtShape } from '../errors.js';
import type { Graph } from '../graph/graph.js';
import type { Tensor } from '../graph/tensor.js';
import type { KernelCaps } from '../graph/kernel-binding.js';
import { stageDispatches } from './emit.js';
import { fuse, type Fusion } from './fusion.js';
import { planMemory, type MemoryPlan } from './memory.js';
import type { OptimizerSpec } from './optimizer.js';
import { schedule, type Schedule } from './schedule.js';
import { isView, planStages, type Stages } from './stages.js';
import { bytesOf, scalarOf, storageOf, storageRoots, type Storage } from './storage.js';
import { differentiate, type Training } from './training.js';
import { optimizerUpdate, placeUpdates, stateUpdate } from './updates.js';

export type { Storage } from './storage.js';

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

export interface StateUpdate {
  param: Tensor;
  value: Tensor;
}

export interface PlanRequest {
  outputs: Record<string, Tensor>;
  minimize?: { loss: Tensor; optimizer: OptimizerSpec; params?: readonly Tensor[] };
  /** State updates applied at the end of each run: `param` takes the value `value` had in this run (batch norm's moving averages). */
  updates?: readonly StateUpdate[];
}

/** Outputs and state updates must be tensors of this graph, updates of their param's size. */
function checkRequest(graph: Graph, req: PlanRequest): void {
  for (const [name, t] of Object.entries(req.outputs)) {
    if (!t || typeof t !== 'object' || !('graph' in t)) throw new SinapsisError(`compile: output '${name}' is not a graph tensor`);
    if (t.graph !== graph) throw new SinapsisError(`compile: output '${name}' belongs to another graph`);
    if (t.dtype !== 'float32') throw new SinapsisError(`compile: output '${name}' is ${t.dtype}; outputs are float32 (int32 tensors only index)`);
  }
  for (const u of req.updates ?? []) {
    if (u.param.kind !== 'param' || u.param.graph !== graph) throw new SinapsisError(`compile: an update's target must be a param of this graph, got ${u.param}`);
    if (u.value.size !== u.param.size) throw new ShapeError(`compile: update of '${u.param.name}' ${fmtShape(u.param.shape)} with a value of shape ${fmtShape(u.value.shape)}`);
  }
}

export function buildPlan(graph: Graph, req: PlanRequest, caps: KernelCaps): Plan {
  checkRequest(graph, req);
  const outputs = Object.values(req.outputs);
  const updates = req.updates ?? [];
  const training = differentiate(graph, req.minimize);
  const sched = schedule([...outputs, ...training.grads, ...updates.map((u) => u.value)]);
  const root = storageRoots(sched);
  const ctx = { root, scalar: scalarOf(graph, sched) };
  // Outputs, gradients (the optimizer reads them) and state-update values keep their own buffers.
  const pinned = new Set([...outputs, ...training.grads, ...updates.map((u) => u.value)].map(root));
  const fusion = fuse(sched.ops.filter((t) => !isView(t)), ctx, pinned);
  const stages = planStages(sched, fusion, ctx);
  const updateAfter = placeUpdates(stages, training.trainable, training.grads.map(root));
  const memory = slots(stages, [...outputs, ...updates.map((u) => u.value)].map(root), training.grads.map(root), updateAfter);
  const storage = storageOf(sched, root, (t) => memory.slotOf[stages.at.get(t)!]);
  const dispatches = emit(stages, fusion.groups, training, req.minimize?.optimizer, updateAfter, updates, caps, storage);
  return assemble(graph, req, sched, training, dispatches, memory, storage, updates);
}

/**
 * Slots for the stages' results by liveness. A result the program returns or
 * a state update reads is kept to the end; a gradient lives until its
 * parameter's update (which reads it) has run.
 */
function slots(stages: Stages, kept: readonly Tensor[], gradRoots: readonly Tensor[], updateAfter: readonly number[]): MemoryPlan {
  const keep = new Set(kept.map((t) => stages.at.get(t)).filter((s): s is number => s !== undefined));
  const reads = stages.reads.map((r) => r.map((t) => stages.at.get(t)).filter((s): s is number => s !== undefined));
  gradRoots.forEach((g, k) => {
    const s = stages.at.get(g);
    if (s !== undefined) reads[Math.max(updateAfter[k], s)].push(s);
  });
  return planMemory({ bytes: stages.nodes.map(bytesOf), reads, keep });
}

/** Every dispatch in order: each stage's kernels, each optimizer update after its stage, then the state updates. */
function emit(stages: Stages, groups: Fusion['groups'], training: Training, optimizer: OptimizerSpec | undefined, updateAfter: readonly number[], updates: readonly StateUpdate[], caps: KernelCaps, storage: (t: Tensor) => Storage): PlannedDispatch[] {
  const updatesAt = new Map<number, number[]>();
  updateAfter.forEach((at, k) => updatesAt.set(at, [...(updatesAt.get(at) ?? []), k]));
  const optimizerUpdates = (at: number) => (optimizer ? (updatesAt.get(at) ?? []).map((k) => optimizerUpdate(optimizer, training.trainable[k], storage(training.grads[k]))) : []);
  // Updates of parameters that no stage reads (constant gradients) go first.
  const dispatches = optimizerUpdates(-1);
  stages.nodes.forEach((node, i) => {
    dispatches.push(...stageDispatches(node, groups.get(node), stages.chains.get(node), caps, storage));
    // Every read of a parameter (forward and backward) comes before its update.
    dispatches.push(...optimizerUpdates(i));
  });
  for (const u of updates) dispatches.push(stateUpdate(u.param, storage(u.value)));
  return dispatches;
}

/** The plan: dispatches, slots, and what the executor must create (inputs, params, constants) and report. */
function assemble(graph: Graph, req: PlanRequest, sched: Schedule, training: Training, dispatches: PlannedDispatch[], memory: MemoryPlan, storage: (t: Tensor) => Storage, updates: readonly StateUpdate[]): Plan {
  const optimizer = req.minimize?.optimizer;
  const live = [...sched.live, ...updates.map((u) => u.param)];
  const inputs = new Map<string, Tensor>();
  for (const t of live) if (t.kind === 'input') inputs.set(t.name!, t);
  const params = [...new Set([...live.filter((t) => t.kind === 'param'), ...training.trainable])];
  const consts = live.filter((t) => t.kind === 'const' || sched.folded.has(t));
  const stateBytes = optimizer ? training.trainable.reduce((s, p) => s + bytesOf(p) * optimizer.state.length, 0) : 0;
  const persistentBytes = params.reduce((s, p) => s + bytesOf(p), 0) + consts.reduce((s, c) => s + bytesOf(c), 0) + stateBytes;
  // Naive: what running the graph op by op would allocate, one buffer per op output (fused ones included).
  const naiveBytes = sched.ops.filter((t) => !isView(t)).reduce((s, t) => s + bytesOf(t), 0);
  return {
    graph,
    dispatches,
    slotBytes: memory.slotBytes,
    outputs: Object.fromEntries(Object.entries(req.outputs).map(([name, t]) => [name, storage(t)])),
    outputTensors: { ...req.outputs },
    inputs,
    params,
    consts,
    constValues: new Map(consts.map((c) => [c, sched.folded.get(c) ?? graph.constValues.get(c)!])),
    trainable: training.trainable,
    optimizer,
    uniformFields: optimizer?.uniforms ?? [],
    memory: { plannedBytes: memory.plannedBytes, naiveBytes, buffers: memory.slotBytes.length, persistentBytes },
    cseMerged: sched.merged,
  };
}
