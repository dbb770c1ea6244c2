// Compute pipelines, cached per device by shader text and constants. Bind
// group layouts are derived from the WGSL itself with wgsl_reflect (binding
// numbers, storage read vs read_write, uniforms), never kept by hand: from
// the resources the entry point uses (through the functions it calls), so
// one file may hold a kernel family whose entry points bind different
// buffers.
import { WgslReflect } from 'wgsl_reflect';
import { DeviceError } from '../errors.js';

export interface CompiledKernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** WGSL variable name -> binding number (group 0). */
  binding: Map<string, number>;
}

interface Reflected {
  entries: GPUBindGroupLayoutEntry[];
  binding: Map<string, number>;
}

const reflectCache = new Map<string, WgslReflect>();

function reflect(shader: string, entryPoint: string): Reflected {
  let info = reflectCache.get(shader);
  if (!info) reflectCache.set(shader, (info = new WgslReflect(shader)));
  const entry = info.entry.compute.find((e) => e.name === entryPoint);
  if (!entry) throw new DeviceError(`kernel has no compute entry point '${entryPoint}'`);
  if (entry.resources.some((v) => v.group !== 0)) throw new DeviceError('kernel uses more than bind group 0, which the executor does not bind');
  const binding = new Map<string, number>();
  const entries: GPUBindGroupLayoutEntry[] = [];
  for (const v of [...entry.resources].sort((a, b) => a.binding - b.binding)) {
    binding.set(v.name, v.binding);
    // wgsl_reflect resource types: 0 uniform, 1 storage.
    const type: GPUBufferBindingType = v.resourceType === 0 ? 'uniform' : v.access === 'read' ? 'read-only-storage' : 'storage';
    entries.push({ binding: v.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
  }
  return { entries, binding };
}

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly kernels = new Map<string, Promise<CompiledKernel>>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.kernels.size;
  }

  /** Starts compiling (createComputePipelineAsync) at once; equal requests share one pipeline. */
  get(label: string, shader: string, entryPoint: string, constants: Record<string, number>): Promise<CompiledKernel> {
    const key = `${entryPoint}|${JSON.stringify(constants)}|${shader}`;
    let k = this.kernels.get(key);
    if (!k) {
      k = this.compile(label, shader, entryPoint, constants);
      this.kernels.set(key, k);
    }
    return k;
  }

  private async compile(label: string, shader: string, entryPoint: string, constants: Record<string, number>): Promise<CompiledKernel> {
    const { entries, binding } = reflect(shader, entryPoint);
    let module = this.modules.get(shader);
    if (!module) {
      module = this.device.createShaderModule({ label, code: shader });
      this.modules.set(shader, module);
    }
    const layoutKey = JSON.stringify(entries);
    let layout = this.layouts.get(layoutKey);
    if (!layout) {
      layout = this.device.createBindGroupLayout({ label, entries });
      this.layouts.set(layoutKey, layout);
    }
    try {
      const pipeline = await this.device.createComputePipelineAsync({
        label,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint, constants },
      });
      return { pipeline, layout, binding };
    } catch (e) {
      const messages = (await module.getCompilationInfo()).messages.map((m) => `${m.type} at line ${m.lineNum}: ${m.message}`);
      throw new DeviceError(`kernel '${label}' failed to compile: ${(e as Error).message}${messages.length ? `\n${messages.join('\n')}` : ''}`);
    }
  }
}

const caches = new WeakMap<GPUDevice, PipelineCache>();

export function pipelineCache(device: GPUDevice): PipelineCache {
  let c = caches.get(device);
  if (!c) {
    c = new PipelineCache(device);
    caches.set(device, c);
  }
  return c;
}
