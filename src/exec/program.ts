// The executor. A Program owns the GPU side of one plan: persistent buffers
// (inputs, parameters, constants, optimizer state), the pooled slot buffers,
// one bind group per dispatch and two staging buffers per output, all
// created once. run() writes the inputs, records every dispatch into one
// command buffer, submits once and reads back only what the caller asks for;
// the next run may be submitted before that readback is done.
import { DeviceError, InputError, SinapsisError, fmtShape } from '../errors.js';
import type { Device } from '../device.js';
import { HostTensor } from '../graph/host-tensor.js';
import type { Tensor } from '../graph/tensor.js';
import type { Plan, Storage } from '../plan/plan.js';
import { uniformBytes } from '../plan/update.js';
import { STORAGE_USAGE, createBuffer, destroyBuffer, writeFloats } from './buffers.js';
import { inputData, type InputValue } from './inputs.js';
import { pipelineCache, type CompiledKernel } from './pipelines.js';
import { ParamStore } from './param-store.js';
import { ReadbackPacer } from './readback-pacer.js';

export interface RunOptions {
  /** Output names to read back (default: all). [] submits the step and resolves without waiting for the GPU. */
  read?: readonly string[];
}

export interface MemoryReport {
  /** Bytes of the pooled buffers holding intermediate tensors. */
  plannedBytes: number;
  /** Bytes one buffer per intermediate tensor would take. */
  naiveBytes: number;
  /** Number of pooled intermediate buffers. */
  buffers: number;
  /** Parameters, constants and optimizer state. */
  persistentBytes: number;
}

interface Recorded {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: readonly [number, number, number];
}

export class Program {
  private readonly owned: GPUBuffer[] = [];
  private readonly slots: GPUBuffer[];
  private readonly inputBuffers = new Map<Tensor, GPUBuffer>();
  private readonly paramBuffers = new Map<Tensor, GPUBuffer>();
  private readonly constBuffers = new Map<Tensor, GPUBuffer>();
  private readonly stateBuffers = new Map<Tensor, GPUBuffer[]>();
  private readonly uniform: GPUBuffer | undefined;
  /**
   * Two sets of readback buffers, used by turns: a run can be recorded and
   * submitted while the previous run's results are still being mapped.
   */
  private readonly staging: [Map<string, GPUBuffer>, Map<string, GPUBuffer>] = [new Map(), new Map()];
  /** The readback in flight on each staging set. */
  private readonly reading: [Promise<unknown>, Promise<unknown>] = [Promise.resolve(), Promise.resolve()];
  private nextStaging = 0;
  private readonly pacer: ReadbackPacer;
  /** When the latest step was submitted (sync() paces its wait as a readback). */
  private lastSubmittedAt = 0;
  private recorded: Recorded[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private checkedFirstRun = false;
  /** Optimizer steps taken (the t of Adam's bias correction). */
  step = 0;

  /** Parameters and optimizer state: shared with other programs when a store is given at compile. */
  readonly store: ParamStore;
  private readonly ownsStore: boolean;
  private readonly stepUniform: GPUBuffer;
  /** Host copies of the two uniforms, reused every run (no allocation in the training loop). */
  private readonly stepValue = new Uint32Array(4);
  private readonly uniformValues: Float32Array;
  /** Runs so far; kernels that need a per-step value (dropout's random stream) read it from the step uniform. */
  runs = 0;

  private constructor(readonly device: Device, readonly plan: Plan, store?: ParamStore) {
    const gpu = device.gpu;
    this.pacer = new ReadbackPacer(device.cpuDriver);
    this.store = store ?? new ParamStore(device);
    this.ownsStore = !store;
    this.uniformValues = new Float32Array(plan.optimizer?.uniforms.length ?? 0);
    const make = (label: string, bytes: number, usage = STORAGE_USAGE()) => {
      const b = createBuffer(gpu, label, bytes, usage);
      this.owned.push(b);
      return b;
    };
    this.slots = plan.slotBytes.map((bytes, i) => make(`slot ${i}`, bytes));
    for (const [name, t] of plan.inputs) this.inputBuffers.set(t, make(`input '${name}'`, t.size * 4));
    for (const p of plan.params) {
      const info = plan.graph.paramInfo.get(p)!;
      this.paramBuffers.set(p, this.store.get(p.name!, p.shape, () => info.init(p.shape)));
    }
    for (const c of plan.consts) {
      const b = make('const', c.size * 4);
      writeFloats(gpu, b, plan.constValues.get(c)!);
      this.constBuffers.set(c, b);
    }
    const opt = plan.optimizer;
    if (opt) {
      for (const p of plan.trainable) {
        this.stateBuffers.set(p, opt.state.map((st) => this.store.get(`${p.name}/${st.name}`, p.shape, () => new Float32Array(p.size).fill(st.init))));
      }
      this.uniform = make(`${opt.name} step uniform`, uniformBytes(opt), GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    }
    this.stepUniform = make('step uniform', 16, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    for (const [name, s] of Object.entries(plan.outputs)) {
      for (const set of this.staging) set.set(name, make(`readback '${name}'`, s.bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST));
    }
  }

  /** Creates the buffers, compiles every pipeline in parallel and records the bind groups. */
  static async create(device: Device, plan: Plan, store?: ParamStore): Promise<Program> {
    device.assertAlive('compile');
    const gpu = device.gpu;
    gpu.pushErrorScope('validation');
    const prog = new Program(device, plan, store);
    try {
      const cache = pipelineCache(gpu);
      const kernels = await Promise.all(plan.dispatches.map((d) => cache.get(d.label, d.shader, d.entryPoint, d.constants)));
      prog.recorded = plan.dispatches.map((d, i) => ({
        pipeline: kernels[i].pipeline,
        bindGroup: prog.bindGroup(d.label, kernels[i], d.buffers),
        workgroups: d.workgroups,
      }));
    } finally {
      const err = await gpu.popErrorScope();
      if (err) {
        prog.dispose();
        throw new DeviceError(`compile: the GPU rejected the program: ${err.message}`);
      }
    }
    return prog;
  }

  private buffer(s: Storage): GPUBuffer {
    switch (s.kind) {
      case 'slot': return this.slots[s.slot];
      case 'input': return this.inputBuffers.get(s.tensor)!;
      case 'param': return this.paramBuffers.get(s.tensor)!;
      case 'const': return this.constBuffers.get(s.tensor)!;
      case 'state': return this.stateBuffers.get(s.param)![s.index];
      case 'uniform': return this.uniform!;
      case 'step': return this.stepUniform;
    }
  }

  private bindGroup(label: string, kernel: CompiledKernel, buffers: Record<string, Storage>): GPUBindGroup {
    const entries: GPUBindGroupEntry[] = [];
    for (const [name, binding] of kernel.binding) {
      const s = buffers[name];
      if (!s) throw new SinapsisError(`kernel '${label}': nothing bound to its variable '${name}'`);
      entries.push({ binding, resource: { buffer: this.buffer(s), offset: 0, size: s.kind === 'uniform' || s.kind === 'step' ? undefined : s.bytes } });
    }
    return this.device.gpu.createBindGroup({ label, layout: kernel.layout, entries });
  }

  get memory(): MemoryReport {
    return { ...this.plan.memory };
  }

  /** Number of dispatches one run() records. */
  get dispatchCount(): number {
    return this.plan.dispatches.length;
  }

  /** Runs one step. Resolves to the requested outputs as HostTensors; with minimize, also applies one optimizer step. */
  run(inputs: Record<string, InputValue> = {}, options: RunOptions = {}): Promise<Record<string, HostTensor>> {
    return this.submit(inputs, options).then((s) => s.results);
  }

  /**
   * Like run(), but resolves as soon as the step is submitted (its inputs
   * copied, the optimizer step counted), to its results still on their way
   * back. A training loop can then prepare and submit the next step before
   * reading this one's loss, so the GPU does not wait for the host.
   */
  async submit(inputs: Record<string, InputValue> = {}, options: RunOptions = {}): Promise<{ results: Promise<Record<string, HostTensor>> }> {
    // Submissions are serialised (they share the input buffers and the step
    // counter); readbacks are not.
    const submitted = this.queue.then(() => this.submitNow(inputs, options));
    this.queue = submitted.catch(() => undefined);
    const { read, staging, submittedAt } = await submitted;
    const results = this.readBack(read, staging, submittedAt);
    // Handled here so that a caller who never awaits a failed readback does not crash the process; awaiting it still throws.
    results.catch(() => undefined);
    return { results };
  }

  private async submitNow(inputs: Record<string, InputValue>, options: RunOptions): Promise<{ read: readonly string[]; staging: number; submittedAt: number }> {
    if (this.disposed) throw new SinapsisError('run: this program was disposed');
    this.device.assertAlive('run');
    const gpu = this.device.gpu;
    if (inputs === null || typeof inputs !== 'object') throw new InputError(`run: inputs must be an object keyed by input name, got ${String(inputs)}`);
    for (const name of Object.keys(inputs)) {
      if (!this.plan.graph.inputsByName.has(name)) {
        const known = [...this.plan.graph.inputsByName.keys()].map((n) => `'${n}'`).join(', ') || 'none';
        throw new InputError(`run: the graph has no input named '${name}' (its inputs: ${known})`);
      }
    }
    const data: [GPUBuffer, Float32Array][] = [];
    for (const [name, t] of this.plan.inputs) {
      if (!(name in inputs) || inputs[name] === undefined) throw new InputError(`run: missing input '${name}' (shape ${fmtShape(t.shape)})`);
      data.push([this.inputBuffers.get(t)!, inputData(name, t, inputs[name])]);
    }
    const read = options.read ?? Object.keys(this.plan.outputs);
    for (const name of read) if (!(name in this.plan.outputs)) throw new InputError(`run: no output named '${name}' (outputs: ${Object.keys(this.plan.outputs).join(', ')})`);

    const first = !this.checkedFirstRun;
    if (first) gpu.pushErrorScope('validation');
    for (const [buf, d] of data) writeFloats(gpu, buf, d);
    this.runs++;
    this.stepValue[0] = this.runs;
    this.device.gpu.queue.writeBuffer(this.stepUniform, 0, this.stepValue);
    if (this.plan.optimizer) {
      this.step++;
      this.uniformValues.set(this.plan.optimizer.uniformValues(this.step));
      writeFloats(gpu, this.uniform!, this.uniformValues);
    }
    const enc = gpu.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (const r of this.recorded) {
      pass.setPipeline(r.pipeline);
      pass.setBindGroup(0, r.bindGroup);
      pass.dispatchWorkgroups(r.workgroups[0], r.workgroups[1], r.workgroups[2]);
    }
    pass.end();
    const staging = this.nextStaging;
    this.nextStaging = 1 - staging;
    // The run before the previous one used these readback buffers: they must be unmapped again.
    if (read.length) await this.reading[staging];
    for (const name of read) {
      const s = this.plan.outputs[name];
      enc.copyBufferToBuffer(this.buffer(s), 0, this.staging[staging].get(name)!, 0, Math.ceil(s.bytes / 4) * 4);
    }
    gpu.queue.submit([enc.finish()]);
    const submittedAt = this.pacer.submitted();
    this.lastSubmittedAt = submittedAt;
    if (first) {
      this.checkedFirstRun = true;
      const err = await gpu.popErrorScope();
      if (err) throw new DeviceError(`run: the GPU rejected the step: ${err.message}`);
    }
    return { read, staging, submittedAt };
  }

  private readBack(names: readonly string[], staging: number, submittedAt: number): Promise<Record<string, HostTensor>> {
    const result = this.mapAndCopy(names, this.staging[staging], submittedAt);
    this.reading[staging] = result.catch(() => undefined);
    return result;
  }

  private async mapAndCopy(names: readonly string[], staging: Map<string, GPUBuffer>, submittedAt: number): Promise<Record<string, HostTensor>> {
    const out: Record<string, HostTensor> = {};
    if (names.length === 0) return out;
    try {
      await this.pacer.beforeMap(submittedAt);
      await Promise.all(names.map((n) => staging.get(n)!.mapAsync(GPUMapMode.READ)));
      this.pacer.mapped(submittedAt);
    } catch (e) {
      this.device.assertAlive('run');
      throw new DeviceError(`run: reading results back failed: ${(e as Error).message}`);
    }
    for (const name of names) {
      const s = this.plan.outputs[name];
      const buf = staging.get(name)!;
      const values = new Float32Array(buf.getMappedRange(0, Math.ceil(s.bytes / 4) * 4).slice(0));
      buf.unmap();
      out[name] = new HostTensor(values.length === s.bytes / 4 ? values : values.subarray(0, s.bytes / 4), this.outputShape(name));
    }
    return out;
  }

  private outputShape(name: string): number[] {
    return [...this.plan.outputTensors[name].shape];
  }

  /** Waits until the GPU has finished everything submitted so far. */
  async sync(): Promise<void> {
    await this.queue;
    await Promise.all(this.reading);
    const submittedAt = this.lastSubmittedAt;
    await this.pacer.beforeMap(submittedAt);
    await this.device.gpu.queue.onSubmittedWorkDone();
    this.pacer.mapped(submittedAt);
  }

  /** Current values of every parameter of this program, by name. */
  async params(): Promise<Record<string, HostTensor>> {
    await this.queue;
    if (this.disposed) throw new SinapsisError('params: this program was disposed');
    return this.store.read(this.plan.params.map((p) => p.name!));
  }

  /** Optimizer state per parameter ('w/m', 'w/v', ...), for saving with includeOptimizer. */
  async optimizerState(): Promise<Record<string, HostTensor>> {
    await this.queue;
    const opt = this.plan.optimizer;
    if (!opt) return {};
    return this.store.read(this.plan.trainable.flatMap((p) => opt.state.map((st) => `${p.name}/${st.name}`)));
  }

  /** Overwrite parameters (by name) or optimizer state ('w/m'). Unknown names and wrong sizes are errors. */
  setParams(values: Record<string, HostTensor | Float32Array>): void {
    if (this.disposed) throw new SinapsisError('setParams: this program was disposed');
    for (const [name, v] of Object.entries(values)) this.store.write(name, v instanceof HostTensor ? v.data : v);
  }

  /** The plan as text: each dispatch with its kernel, shapes and buffers, then the memory summary. */
  toString(): string {
    const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
    const where = (s: Storage) => (s.kind === 'slot' ? `slot ${s.slot}` : s.kind === 'state' ? `state '${s.param.name}'[${s.index}]` : s.kind === 'uniform' || s.kind === 'step' ? s.kind : s.kind === 'const' ? 'const' : `${s.kind} '${s.tensor.name}'`);
    const lines = this.plan.dispatches.map((d, i) => {
      const shapes = d.node ? `${d.node.inputs.map((t) => fmtShape(t.shape)).join(' ')} -> ${fmtShape(d.node.shape)}` : '';
      const bufs = Object.entries(d.buffers).map(([k, s]) => `${k}=${where(s)}`).join(' ');
      return `${String(i).padStart(4)}  ${d.label.padEnd(22)} ${shapes.padEnd(36)} ${bufs}  wg ${d.workgroups.join('x')}`;
    });
    const m = this.plan.memory;
    lines.push(
      `${this.plan.dispatches.length} dispatches; intermediates ${kb(m.plannedBytes)} in ${m.buffers} buffers (one buffer per tensor: ${kb(m.naiveBytes)}); persistent ${kb(m.persistentBytes)}`,
      ...this.plan.slotBytes.map((b, i) => `  slot ${i}: ${kb(b)}`),
    );
    return lines.join('\n');
  }

  /** Releases every GPU buffer this program owns. Pipelines stay cached on the device for the next compile. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.owned) destroyBuffer(this.device.gpu, b);
    this.owned.length = 0;
    if (this.ownsStore) this.store.dispose();
    this.recorded = [];
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}
