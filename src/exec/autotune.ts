// Kernel variants chosen by measurement. For every node of a plan whose op
// has several variants that can compute it (OpDef.variants), each candidate
// is timed on this device with the node's shapes, once per adapter and
// shape, and the fastest is kept; the plan is then built with the choices
// (KernelCaps.choices). Choices are cached per device, and in Node on disk
// (SINAPSIS_CACHE_DIR, default ~/.cache/sinapsis/variants.json) per adapter,
// so a shape is measured once on a machine, not once per process.
//
// Measuring costs the candidates' pipeline compiles on first use: on CPU
// drivers (SwiftShader) one tiled matmul pipeline takes about 1.8 s, and the
// fixed rules were set there by measurement (docs/tuning.md), so devices
// measure by default only where they are GPUs (createDevice({ autotune })).
import type { Device } from '../device.js';
import type { Tensor } from '../graph/tensor.js';
import { getOp } from '../graph/op-registry.js';
import { chooseVariant, variantKey, type KernelCaps, type KernelSpec } from '../graph/kernel-binding.js';
import type { Plan } from '../plan/plan.js';
import { STORAGE_USAGE, createBuffer, destroyBuffer, writeFloats } from './buffers.js';
import { pipelineCache } from './pipelines.js';

/** Timed runs per candidate (after one warm-up), each of REPEATS dispatches in one command buffer; the median counts. */
const RUNS = 3;
const REPEATS = 4;

interface Store {
  /** Choices of this device, by variant key. */
  choices: Map<string, string>;
  /** The cache file and this adapter's entry in it (Node), once read. */
  file?: string;
}

const stores = new WeakMap<Device, Store>();
const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Which adapter a cached choice was measured on. */
const adapterId = (d: Device) => `${d.info.vendor}|${d.info.architecture}|${d.info.description}|robustness=${d.robustness}`;

async function storeOf(device: Device): Promise<Store> {
  let s = stores.get(device);
  if (s) return s;
  s = { choices: new Map() };
  stores.set(device, s);
  if (isNode) {
    const { join } = await import('node:path');
    const { homedir } = await import('node:os');
    const { readFile } = await import('node:fs/promises');
    s.file = join(process.env.SINAPSIS_CACHE_DIR ?? join(homedir(), '.cache', 'sinapsis'), 'variants.json');
    try {
      const saved = JSON.parse(await readFile(s.file, 'utf8')) as Record<string, Record<string, string>>;
      for (const [k, v] of Object.entries(saved[adapterId(device)] ?? {})) if (typeof v === 'string') s.choices.set(k, v);
    } catch {
      // No cache yet, or an unreadable one: measure again.
    }
  }
  return s;
}

/** The device's kernel caps with its measured choices (none until it has measured). */
export async function capsWithChoices(device: Device): Promise<KernelCaps> {
  return { ...device.caps, choices: (await storeOf(device)).choices };
}

async function save(device: Device, s: Store): Promise<void> {
  if (!s.file) return;
  const { readFile, mkdir } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const { writeFileAtomic } = await import('../atomic-file.js');
  let all: Record<string, Record<string, string>> = {};
  try {
    all = JSON.parse(await readFile(s.file, 'utf8')) as typeof all;
  } catch {
    // a new file
  }
  all[adapterId(device)] = Object.fromEntries(s.choices);
  try {
    await mkdir(dirname(s.file), { recursive: true });
    await writeFileAtomic(s.file, new TextEncoder().encode(JSON.stringify(all, null, 1)));
  } catch {
    // A cache that cannot be written costs a measurement next time, nothing else.
  }
}

/** Median milliseconds of one run of `specs` (the candidate's dispatches) on buffers of the node's shapes. */
async function timeCandidate(device: Device, node: Tensor, specs: KernelSpec[]): Promise<number> {
  const gpu = device.gpu;
  const inputs = node.inputs.map((t, i) => {
    const b = createBuffer(gpu, `autotune input ${i}`, t.size * 4, STORAGE_USAGE());
    writeFloats(gpu, b, Float32Array.from({ length: t.size }, (_, k) => ((k * 7919) % 13) / 13 - 0.5));
    return b;
  });
  const out = createBuffer(gpu, 'autotune output', node.size * 4, STORAGE_USAGE());
  try {
    const cache = pipelineCache(gpu);
    const kernels = await Promise.all(specs.map((s) => cache.get(s.label, s.shader, s.entryPoint ?? 'main', { ...(s.constants ?? {}) })));
    const groups = specs.map((s, k) => gpu.createBindGroup({
      layout: kernels[k].layout,
      entries: [...kernels[k].binding].map(([name, binding]) => {
        const ref = s.bindings[name];
        return { binding, resource: { buffer: ref === 'out' ? out : inputs[ref as number] } };
      }),
    }));
    const once = async () => {
      const enc = gpu.createCommandEncoder();
      const pass = enc.beginComputePass();
      for (let r = 0; r < REPEATS; r++) {
        specs.forEach((s, k) => {
          pass.setPipeline(kernels[k].pipeline);
          pass.setBindGroup(0, groups[k]);
          pass.dispatchWorkgroups(...s.workgroups);
        });
      }
      pass.end();
      const t0 = performance.now();
      gpu.queue.submit([enc.finish()]);
      await gpu.queue.onSubmittedWorkDone();
      return (performance.now() - t0) / REPEATS;
    };
    await once();
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) times.push(await once());
    return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
  } finally {
    for (const b of [...inputs, out]) destroyBuffer(gpu, b);
  }
}

/**
 * Measures the candidates of every node of `plan` that has no choice yet on
 * this device, and records the fastest. Resolves to whether a measured
 * choice differs from what the plan used (then the plan should be built
 * again with capsWithChoices).
 */
export async function tuneVariants(device: Device, plan: Plan, planned: KernelCaps): Promise<boolean> {
  const s = await storeOf(device);
  let changed = false;
  let measured = false;
  const seen = new Set<string>();
  for (const d of plan.dispatches) {
    const node = d.node;
    const variants = node && node.kind === 'op' ? getOp(node.op).variants : undefined;
    if (!node || !variants) continue;
    const key = variantKey(node);
    if (seen.has(key) || s.choices.has(key)) continue;
    seen.add(key);
    const candidates = variants.candidates(node, device.caps);
    if (candidates.length < 2) continue;
    const times = new Map<string, number>();
    for (const name of candidates) {
      const specs = variants.kernels[name](node, device.caps);
      times.set(name, await timeCandidate(device, node, Array.isArray(specs) ? specs : [specs]));
    }
    const best = [...times].sort((a, b) => a[1] - b[1])[0][0];
    s.choices.set(key, best);
    measured = true;
    if (best !== chooseVariant(variants, node, planned)) changed = true;
  }
  if (measured) await save(device, s);
  return changed;
}

/** Forgets this device's measured choices (in memory; the cache file keeps them). */
export function forgetChoices(device: Device): void {
  stores.delete(device);
}
