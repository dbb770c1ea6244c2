// The executor. A Program owns the GPU side of one plan: persistent buffers
// (inputs, parameters, constants, optimizer state), the pooled slot buffers,
// one bind group per dispatch and the readback staging (readback.ts), all
// created once. run() writes the inputs, records every dispatch into one
// command buffer, submits once and reads back only what the caller asks for;
// the next run may be submitted before that readback is done, and loops that
// need the values later can read several steps back with one map (deferRead).
import { DeviceError, InputError, SinapsisError, fmtShape } from '../errors.js';
import type { Device } from '../device.js';
import { HostTensor } from '../graph/host-tensor.js';
import type { Tensor } from '../graph/tensor.js';
import type { Plan, Storage } from '../plan/plan.js';
import { uniformBytes } from '../plan/optimizer.js';
import { STORAGE_USAGE, checkBufferBytes, createBuffer, destroyBuffer, writeFloats } from './buffers.js';
import { inputData, type InputValue } from './inputs.js';
import { pipelineCache, type CompiledKernel } from './pipelines.js';
import { ParamStore } from './param-store.js';
import { pacerOf, type PacedStep } from './readback-pacer.js';
import { Readback, ignoreRejection, type Results } from './readback.js';

export interface RunOptions {
  /** Output names to read back (default: all). [] submits the step and resolves without waiting for the GPU. */
  read?: readonly string[];
  /**
   * Read this step's outputs back together with the next steps' (up to
   * READ_GROUP, src/exec/readback.ts): one map for the group instead of one
   * per step. The group is mapped when it is full, at flush(), or when the
   * results of one of its steps are awaited. For loops that need the values
   * some steps later (fit, evaluate and predict keep a group behind).
   */
  deferRead?: boolean;
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
  private slots: GPUBuffer[] = [];
  private readonly inputBuffers = new Map<Tensor, GPUBuffer>();
  private readonly paramBuffers = new Map<Tensor, GPUBuffer>();
  private readonly constBuffers = new Map<Tensor, GPUBuffer>();
  private readonly stateBuffers = new Map<Tensor, GPUBuffer[]>();
  private hyperparameters: GPUBuffer | undefined;
  private readback: Readback | undefined;
  /** The latest step submitted (sync() paces its wait as a readback). */
  private lastStep: PacedStep | undefined;
  private recorded: Recorded[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private checkedFirstRun = false;
  /** Optimizer steps taken (the t of Adam's bias correction); a model's programs share its count. */
  optimizerStep = 0;

  /** Parameters and optimizer state: shared with other programs when a store is given at compile. */
  readonly store: ParamStore;
  private readonly ownsStore: boolean;
  private runUniform!: GPUBuffer;
  /** Host copies of the two uniforms, reused every run (no allocation in the training loop). */
  private readonly runValue = new Uint32Array(4);
  private hyperparameterValues!: Float32Array;
  /** Runs so far; kernels that need a per-run value (dropout's random stream) read it from the run uniform. */
  runs = 0;

  private constructor(readonly device: Device, readonly plan: Plan, store?: ParamStore) {
    const gpu = device.gpu;
    checkLimits(gpu, plan);
    this.store = store ?? new ParamStore(device);
    this.ownsStore = !store;
    try {
      this.allocate(gpu, plan);
    } catch (e) {
      // A failed compile (an initializer that throws, a weight over the device's limits) keeps nothing.
      this.dispose();
      throw e;
    }
  }

  private allocate(gpu: GPUDevice, plan: Plan): void {
    this.hyperparameterValues = new Float32Array(plan.optimizer?.uniforms.length ?? 0);
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
      this.hyperparameters = make(`${opt.name} hyper-parameters`, uniformBytes(opt), GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    }
    this.runUniform = make('run uniform', 16, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    const outputs = Object.fromEntries(Object.entries(plan.outputs).map(([name, s]) => [name, { bytes: s.bytes, shape: plan.outputTensors[name].shape }]));
    this.readback = new Readback(outputs, make, pacerOf(this.device), (e) => {
      this.device.assertAlive('run');
      return new DeviceError(`run: reading results back failed: ${(e as Error).message}`);
    }, gpu.limits.maxBufferSize);
  }

  /** Creates the buffers, compiles every pipeline in parallel and records the bind groups. */
  static async create(device: Device, plan: Plan, store?: ParamStore): Promise<Program> {
    device.assertAlive('compile');
    const gpu = device.gpu;
    gpu.pushErrorScope('validation');
    let prog: Program;
    try {
      prog = new Program(device, plan, store);
    } catch (e) {
      // The constructor released what it took; the scope it ran in must close too.
      await gpu.popErrorScope();
      throw e;
    }
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
      case 'hyperparameters': return this.hyperparameters!;
      case 'run': return this.runUniform;
    }
  }

  private bindGroup(label: string, kernel: CompiledKernel, buffers: Record<string, Storage>): GPUBindGroup {
    const entries: GPUBindGroupEntry[] = [];
    for (const [name, binding] of kernel.binding) {
      const s = buffers[name];
      if (!s) throw new SinapsisError(`kernel '${label}': nothing bound to its variable '${name}'`);
      entries.push({ binding, resource: { buffer: this.buffer(s), offset: 0, size: s.kind === 'hyperparameters' || s.kind === 'run' ? undefined : s.bytes } });
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
  run(inputs: Record<string, InputValue> = {}, options: RunOptions = {}): Promise<Results> {
    return this.submit(inputs, options).then((s) => s.results);
  }

  /**
   * Like run(), but resolves as soon as the step is submitted (its inputs
   * copied, the optimizer step counted), to its results still on their way
   * back. A training loop can then prepare and submit the next step before
   * reading this one's loss, so the GPU does not wait for the host.
   */
  submit(inputs: Record<string, InputValue> = {}, options: RunOptions = {}): Promise<{ results: Promise<Results> }> {
    // Submissions are serialised (they share the input buffers and the step
    // counter); readbacks are not.
    const submitted = this.queue.then(() => this.submitNow(inputs, options));
    this.queue = submitted.catch(() => undefined);
    return submitted;
  }

  /** Maps the open group of deferred reads now (see RunOptions.deferRead). */
  flush(): void {
    this.readback!.flush();
  }

  private async submitNow(inputs: Record<string, InputValue>, options: RunOptions): Promise<{ results: Promise<Results> }> {
    if (this.disposed) throw new SinapsisError('run: this program was disposed');
    if (options === null || typeof options !== 'object') throw new InputError(`run: options must be an object such as { read: ['loss'] }, got ${String(options)}`);
    const unknown = Object.keys(options).filter((k) => k !== 'read' && k !== 'deferRead');
    if (unknown.length) throw new InputError(`run: unknown option ${unknown.map((k) => `'${k}'`).join(', ')}; known: read, deferRead`);
    if (options.read !== undefined && !Array.isArray(options.read)) throw new InputError(`run: read must be an array of output names, got ${String(options.read)}`);
    this.device.assertAlive('run');
    const gpu = this.device.gpu;
    if (inputs === null || typeof inputs !== 'object') throw new InputError(`run: inputs must be an object keyed by input name, got ${String(inputs)}`);
    for (const name of Object.keys(inputs)) {
      if (!this.plan.graph.inputsByName.has(name)) {
        const known = [...this.plan.graph.inputsByName.keys()].map((n) => `'${n}'`).join(', ') || 'none';
        throw new InputError(`run: the graph has no input named '${name}' (its inputs: ${known})`);
      }
    }
    const data: [GPUBuffer, Float32Array | Int32Array][] = [];
    for (const [name, t] of this.plan.inputs) {
      if (!(name in inputs) || inputs[name] === undefined) throw new InputError(`run: missing input '${name}' (shape ${fmtShape(t.shape)})`);
      data.push([this.inputBuffers.get(t)!, inputData(name, t, inputs[name])]);
    }
    const read = options.read ?? Object.keys(this.plan.outputs);
    for (const name of read) if (!(name in this.plan.outputs)) throw new InputError(`run: no output named '${name}' (outputs: ${Object.keys(this.plan.outputs).join(', ')})`);

    const first = !this.checkedFirstRun;
    if (first) gpu.pushErrorScope('validation');
    for (const [buf, d] of data) gpu.queue.writeBuffer(buf, 0, d.buffer as ArrayBuffer, d.byteOffset, d.byteLength);
    this.runs++;
    this.runValue[0] = this.runs;
    this.device.gpu.queue.writeBuffer(this.runUniform, 0, this.runValue);
    if (this.plan.optimizer) {
      this.optimizerStep++;
      this.hyperparameterValues.set(this.plan.optimizer.uniformValues(this.optimizerStep));
      writeFloats(gpu, this.hyperparameters!, this.hyperparameterValues);
    }
    const enc = gpu.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (const r of this.recorded) {
      pass.setPipeline(r.pipeline);
      pass.setBindGroup(0, r.bindGroup);
      pass.dispatchWorkgroups(r.workgroups[0], r.workgroups[1], r.workgroups[2]);
    }
    pass.end();
    const ticket = await this.readback!.reserve(read, options.deferRead ?? false);
    this.readback!.copy(enc, ticket, (name) => this.buffer(this.plan.outputs[name]));
    gpu.queue.submit([enc.finish()]);
    const step = pacerOf(this.device).submitted(this);
    this.lastStep = step;
    const results = this.readback!.submitted(ticket, step);
    // A failed readback is reported to whoever awaits it, never as an unhandled rejection (the check below may throw first).
    ignoreRejection(results);
    if (first) {
      this.checkedFirstRun = true;
      const err = await gpu.popErrorScope();
      if (err) throw new DeviceError(`run: the GPU rejected the step: ${err.message}`);
    }
    return { results };
  }

  /** Waits until the GPU has finished everything submitted so far. */
  async sync(): Promise<void> {
    await this.queue;
    await this.readback!.idle();
    const done = () => this.device.gpu.queue.onSubmittedWorkDone();
    await (this.lastStep ? pacerOf(this.device).paced(this.lastStep, done) : done());
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
  setParams(values: Record<string, HostTensor | Float32Array | number[]>): void {
    if (this.disposed) throw new SinapsisError('setParams: this program was disposed');
    // Every value is converted (and checked) before any is written.
    const converted = Object.entries(values).map(([name, v]) => {
      const data = v instanceof HostTensor ? v.data : v instanceof Float32Array ? v : Array.isArray(v) && v.every((x) => typeof x === 'number') ? Float32Array.from(v) : undefined;
      if (!data) throw new InputError(`setParams: '${name}' must be a HostTensor, a Float32Array or an array of numbers`);
      return [name, data] as const;
    });
    for (const [name, data] of converted) this.store.write(name, data);
  }

  /** The plan as text: each dispatch with its kernel, shapes and buffers, then the memory summary. */
  toString(): string {
    const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
    const where = (s: Storage) => (s.kind === 'slot' ? `slot ${s.slot}` : s.kind === 'state' ? `state '${s.param.name}'[${s.index}]` : s.kind === 'hyperparameters' || s.kind === 'run' ? s.kind : s.kind === 'const' ? 'const' : `${s.kind} '${s.tensor.name}'`);
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
    this.readback?.dispose();
    for (const b of this.owned) destroyBuffer(this.device.gpu, b);
    this.owned.length = 0;
    if (this.ownsStore) this.store.dispose();
    this.recorded = [];
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}

/**
 * Every buffer the program would create for the plan fits the device's
 * limits; otherwise a DeviceError naming the tensor (and the layer it
 * belongs to), its bytes and the limit, before anything is allocated.
 */
function checkLimits(gpu: GPUDevice, plan: Plan): void {
  const scope = (t: Tensor) => {
    const s = plan.graph.scopeOf.get(t);
    return s ? `${s}: ` : '';
  };
  for (const [name, t] of plan.inputs) checkBufferBytes(gpu, `input '${name}' ${fmtShape(t.shape)}`, t.size * 4);
  for (const c of plan.consts) checkBufferBytes(gpu, `${scope(c)}a constant ${fmtShape(c.shape)}`, c.size * 4);
  for (const d of plan.dispatches) {
    for (const s of Object.values(d.buffers)) {
      if (s.kind === 'slot' && d.node) checkBufferBytes(gpu, `${scope(d.node)}the result of ${d.label} ${fmtShape(d.node.shape)}`, s.bytes);
    }
  }
}
