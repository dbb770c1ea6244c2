// Runs one KernelSpec (src/ops/kernel.ts) with the raw WebGPU API, outside
// the planner: the standalone kernel tests and measurements of kernels that
// are not yet wired in as ops. Inputs are bound by the spec's input indices,
// the output ('out') is a fresh buffer; bindings are found by WGSL name.
import type { KernelSpec } from '../src/graph/kernel-binding.js';

/** Binding index of each `var<storage...> name` declared in the shader (group 0). */
export function bindingIndices(shader: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const m of shader.matchAll(/@binding\((\d+)\)\s*var(?:<[^>]*>)?\s+(\w+)/g)) map.set(m[2], Number(m[1]));
  return map;
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

/** Compiles (once per device, shader, entry point and constants) and reports WGSL errors with their lines. */
export async function pipelineFor(gpu: GPUDevice, spec: KernelSpec): Promise<GPUComputePipeline> {
  let cache = pipelines.get(gpu);
  if (!cache) pipelines.set(gpu, (cache = new Map()));
  const key = `${spec.entryPoint ?? 'main'}\n${JSON.stringify(spec.constants ?? {})}\n${spec.shader}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const module = gpu.createShaderModule({ label: spec.label, code: spec.shader });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) {
    const lines = spec.shader.split('\n');
    throw new Error(`${spec.label}: WGSL errors:\n${errors.map((e) => `  line ${e.lineNum}: ${e.message}\n    ${lines[e.lineNum - 1] ?? ''}`).join('\n')}`);
  }
  gpu.pushErrorScope('validation');
  const pipeline = await gpu.createComputePipelineAsync({
    label: spec.label,
    layout: 'auto',
    compute: { module, entryPoint: spec.entryPoint ?? 'main', constants: { ...(spec.constants ?? {}) } },
  });
  const err = await gpu.popErrorScope();
  if (err) throw new Error(`${spec.label}: ${err.message}`);
  cache.set(key, pipeline);
  return pipeline;
}

export interface Dispatch {
  /** Runs the kernel once more (same buffers) and resolves when the GPU is done. */
  run(): Promise<void>;
  /** The output, read back. */
  read(): Promise<Float32Array>;
  /** Bytes of every buffer the dispatch binds: its inputs and its output. */
  readonly bytes: number;
  dispose(): void;
}

/** Uploads the inputs, allocates the output (outLength floats) and binds them for spec. */
export async function prepare(gpu: GPUDevice, spec: KernelSpec, inputs: readonly Float32Array[], outLength: number): Promise<Dispatch> {
  const pipeline = await pipelineFor(gpu, spec);
  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const buffers = inputs.map((data) => {
    const buf = gpu.createBuffer({ size: Math.max(4, data.byteLength), usage: storage });
    gpu.queue.writeBuffer(buf, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    return buf;
  });
  const outBytes = Math.max(4, outLength * 4);
  const out = gpu.createBuffer({ size: outBytes, usage: storage });
  const slots = bindingIndices(spec.shader);
  const entries: GPUBindGroupEntry[] = Object.entries(spec.bindings).map(([name, what]) => {
    const binding = slots.get(name);
    if (binding === undefined) throw new Error(`${spec.label}: no binding named ${name} in the shader`);
    if (what === 'run') throw new Error(`${spec.label}: the run uniform is not used by these kernels`);
    return { binding, resource: { buffer: what === 'out' ? out : buffers[what] } };
  });
  const bindGroup = gpu.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  const [x, y, z] = spec.workgroups;
  const run = async () => {
    const enc = gpu.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    pass.end();
    gpu.queue.submit([enc.finish()]);
    await gpu.queue.onSubmittedWorkDone();
  };
  const read = async () => {
    const staging = gpu.createBuffer({ size: outBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = gpu.createCommandEncoder();
    enc.copyBufferToBuffer(out, 0, staging, 0, outBytes);
    gpu.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const data = new Float32Array(staging.getMappedRange().slice(0, outLength * 4));
    staging.unmap();
    staging.destroy();
    return data;
  };
  const bytes = buffers.reduce((s, b) => s + b.size, out.size);
  return { run, read, bytes, dispose: () => [...buffers, out].forEach((b) => b.destroy()) };
}

/** Runs spec once on the inputs and returns its output. */
export async function dispatch(gpu: GPUDevice, spec: KernelSpec, inputs: readonly Float32Array[], outLength: number): Promise<Float32Array> {
  gpu.pushErrorScope('validation');
  const d = await prepare(gpu, spec, inputs, outLength);
  try {
    await d.run();
    const err = await gpu.popErrorScope();
    if (err) throw new Error(`${spec.label}: ${err.message}`);
    return await d.read();
  } finally {
    d.dispose();
  }
}
