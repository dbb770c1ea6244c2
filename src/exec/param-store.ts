// Parameters and optimizer state on the GPU, by name. Programs compiled for
// the same model (training step, evaluation, prediction, other batch sizes)
// share one store, so they all see the same weights without copies.
import { InputError, SinapsisError, fmtShape } from '../errors.js';
import type { Device } from '../device.js';
import { HostTensor } from '../graph/host-tensor.js';
import { sizeOf, type Shape } from '../graph/shape.js';
import { pacerOf } from './readback-pacer.js';
import { STORAGE_USAGE, checkBufferBytes, createBuffer, destroyBuffer, writeFloats } from './buffers.js';

interface Entry {
  buffer: GPUBuffer;
  shape: number[];
}

export class ParamStore {
  private readonly entries = new Map<string, Entry>();
  private disposed = false;

  constructor(readonly device: Device) {}

  /** The buffer for `name`, created and filled from init() on first use; a shape mismatch is an error. */
  get(name: string, shape: Shape, init: () => Float32Array): GPUBuffer {
    if (this.disposed) throw new SinapsisError(`parameter '${name}': its store was disposed`);
    const e = this.entries.get(name);
    if (e) {
      if (sizeOf(e.shape) !== sizeOf(shape)) throw new InputError(`parameter '${name}': stored with shape ${fmtShape(e.shape)}, requested as ${fmtShape(shape)}`);
      return e.buffer;
    }
    // Before init(): a weight too large for the device must not first take its size in host memory.
    checkBufferBytes(this.device.gpu, `${name.includes('/') ? 'weight' : 'parameter'} '${name}' ${fmtShape(shape)}`, sizeOf(shape) * 4);
    let values: Float32Array;
    try {
      values = init();
    } catch (e) {
      throw Object.assign(new SinapsisError(`parameter '${name}': its initializer failed: ${(e as Error)?.message ?? String(e)}`), { cause: e });
    }
    if (!(values instanceof Float32Array) || values.length !== sizeOf(shape)) throw new SinapsisError(`parameter '${name}': its initializer gave ${values instanceof Float32Array ? `${values.length} values` : `${Object.prototype.toString.call(values)}, not a Float32Array,`} for shape ${fmtShape(shape)}`);
    const buffer = createBuffer(this.device.gpu, `param '${name}'`, values.length * 4, STORAGE_USAGE());
    writeFloats(this.device.gpu, buffer, values);
    this.entries.set(name, { buffer, shape: [...shape] });
    return buffer;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  shapeOf(name: string): number[] | undefined {
    return this.entries.get(name)?.shape;
  }

  /** Overwrite a stored value; unknown names and wrong sizes are errors naming the parameter. */
  write(name: string, data: Float32Array): void {
    const e = this.entries.get(name);
    if (!e) throw new InputError(`no parameter named '${name}' (known: ${this.names().join(', ') || 'none'})`);
    if (data.length !== sizeOf(e.shape)) throw new InputError(`parameter '${name}' has shape ${fmtShape(e.shape)} (${sizeOf(e.shape)} values), got ${data.length} values`);
    writeFloats(this.device.gpu, e.buffer, data);
  }

  /** Reads the named values (all by default) back to the host. */
  async read(names: readonly string[] = this.names()): Promise<Record<string, HostTensor>> {
    this.device.assertAlive('reading parameters');
    const gpu = this.device.gpu;
    const enc = gpu.createCommandEncoder();
    const staged = names.map((name) => {
      const e = this.entries.get(name);
      if (!e) throw new InputError(`no parameter named '${name}'`);
      const bytes = sizeOf(e.shape) * 4;
      const s = createBuffer(gpu, `readback '${name}'`, bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
      enc.copyBufferToBuffer(e.buffer, 0, s, 0, bytes);
      return { name, e, s, bytes };
    });
    gpu.queue.submit([enc.finish()]);
    const out: Record<string, HostTensor> = {};
    try {
      // Behind whatever training is queued: wait without spinning the thread (see readback-pacer.ts).
      await pacerOf(this.device).waitFor(Promise.all(staged.map(({ s }) => s.mapAsync(GPUMapMode.READ))));
      for (const { name, e, s, bytes } of staged) out[name] = new HostTensor(new Float32Array(s.getMappedRange(0, bytes).slice(0)), e.shape);
    } finally {
      for (const { s } of staged) destroyBuffer(gpu, s);
    }
    return out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const e of this.entries.values()) destroyBuffer(this.device.gpu, e.buffer);
    this.entries.clear();
  }
}
