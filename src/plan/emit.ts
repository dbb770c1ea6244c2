// A stage's dispatches: an elementwise chain is a kernel of its own; any other
// op brings its kernel(s), taking its fused chain as epilogue (the store of a
// matmul/conv2d) or prologue (the loads of a reduction). Each kernel's
// bindings are resolved to storage.
import { SinapsisError } from '../errors.js';
import type { Tensor } from '../graph/tensor.js';
import { kernelOf } from '../graph/op-registry.js';
import type { KernelCaps, KernelSpec } from '../graph/kernel-binding.js';
import { chainEpilogue, chainKernel, chainPrologue, type ChainSpec } from '../ops/fused.js';
import type { FusionGroup } from './fusion.js';
import type { PlannedDispatch } from './plan.js';
import type { Storage } from './storage.js';

/** The dispatches of the stage computing `node` (a fusion group's root, if it is one). */
export function stageDispatches(node: Tensor, group: FusionGroup | undefined, chain: ChainSpec | undefined, caps: KernelCaps, storage: (t: Tensor) => Storage): PlannedDispatch[] {
  const kernelNode = group?.head ?? node;
  const ownKernel = chain && !group?.head && !group?.reduction;
  const kernel = ownKernel ? undefined : kernelOf(kernelNode, caps);
  if (!ownKernel && !kernel) throw new SinapsisError(`compile: op '${kernelNode.op}' has no GPU kernel`);
  const specs = ownKernel ? chainKernel(chain)
    : group?.head ? kernel!(group.head, caps, chainEpilogue(chain!))
    : group?.reduction ? kernel!(node, caps, undefined, chainPrologue(chain!))
    : kernel!(node, caps);
  return (Array.isArray(specs) ? specs : [specs]).map((spec) => bind(spec, kernelNode, node, storage));
}

/** Binds a kernel of `node` whose result goes to the storage of `out` (another node when an epilogue was fused into it). */
function bind(spec: KernelSpec, node: Tensor, out: Tensor, storage: (t: Tensor) => Storage): PlannedDispatch {
  const buffers: Record<string, Storage> = {};
  for (const [name, ref] of Object.entries(spec.bindings)) {
    if (ref === 'out') buffers[name] = storage(out);
    else if (ref === 'run') buffers[name] = { kind: 'run', bytes: 16 };
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
