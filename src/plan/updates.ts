// The updates a training plan applies each run: one optimizer update per
// trainable parameter (placed right after the last stage that reads the
// parameter or produces its gradient, so the gradient's slot is free for
// the rest of the step), and state updates (batch norm's moving averages),
// copies into their params after every read of them.
import type { Tensor } from '../graph/tensor.js';
import { elementwiseGrid, linearGrid } from '../ops/kernel.js';
import { copyShader } from '../ops/fused.js';
import { optimizerShader, uniformBytes, type OptimizerSpec } from './optimizer.js';
import type { PlannedDispatch } from './plan.js';
import type { Stages } from './stages.js';
import { bytesOf, type Storage } from './storage.js';

/** Units (values, or vec4s when the size is a multiple of 4) each thread of an optimizer update takes; measured in docs/tuning.md. */
const OPTIMIZER_PER_THREAD = 8;

/** For each trainable parameter, the position of the stage its update follows (-1: before every stage). */
export function placeUpdates(stages: Stages, trainable: readonly Tensor[], gradRoots: readonly Tensor[]): number[] {
  return trainable.map((p, k) => {
    let last = stages.at.get(gradRoots[k]) ?? -1;
    stages.reads.forEach((r, i) => { if (r.includes(p)) last = Math.max(last, i); });
    return last;
  });
}

/** The optimizer's update of parameter `p` from its gradient's storage. */
export function optimizerUpdate(opt: OptimizerSpec, p: Tensor, grad: Storage): PlannedDispatch {
  const bytes = bytesOf(p);
  const vec4 = p.size % 4 === 0;
  const units = vec4 ? p.size / 4 : p.size;
  const { workgroups, rowThreads } = linearGrid(Math.ceil(units / OPTIMIZER_PER_THREAD));
  const buffers: Record<string, Storage> = {
    param: { kind: 'param', tensor: p, bytes },
    grad,
    h: { kind: 'hyperparameters', bytes: uniformBytes(opt) },
  };
  opt.state.forEach((s, index) => { buffers[s.name] = { kind: 'state', param: p, index, bytes }; });
  return { label: `${opt.name} '${p.name}'`, shader: optimizerShader(opt, vec4), entryPoint: 'main', constants: { N: units, ROW: rowThreads, PER: OPTIMIZER_PER_THREAD }, workgroups, buffers };
}

/** `param` takes this run's value of `value` (a copy). */
export function stateUpdate(param: Tensor, value: Storage): PlannedDispatch {
  const { workgroups, rowThreads } = elementwiseGrid(param.size);
  return {
    label: `update '${param.name}'`,
    shader: copyShader('fn index_e0(i: u32) -> u32 { return i; }'),
    entryPoint: 'main',
    constants: { N: param.size, ROW: rowThreads },
    workgroups,
    buffers: { e0: value, out: { kind: 'param', tensor: param, bytes: bytesOf(param) } },
  };
}
