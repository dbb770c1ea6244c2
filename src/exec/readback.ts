// Reading a program's outputs back to the host after each step.
//
// A step's outputs are copied into staging buffers at the end of its command
// buffer and mapped once the GPU is done. Two ways:
// - one step, one map (the default): two staging sets used by turns, so a
//   step can be recorded while the previous step's results are being mapped;
// - grouped (deferRead): the outputs of up to READ_GROUP consecutive steps
//   go into slots of one staging buffer per output, mapped at once when the
//   group is full, when flush() is called, or when a step's results are
//   awaited while its group is still open (so awaiting never hangs). Each
//   map costs a round trip and, on CPU drivers, a wait paced against the
//   GPU (see readback-pacer.ts): a training loop that only needs the losses
//   later pays that once per group.
import { SinapsisError } from '../errors.js';
import { HostTensor } from '../graph/host-tensor.js';
import type { PacedStep, ReadbackPacer } from './readback-pacer.js';

/** Steps whose outputs share one map when read with deferRead. */
export const READ_GROUP = 16;

export interface OutputInfo {
  bytes: number;
  shape: readonly number[];
}

export type Results = Record<string, HostTensor>;
type StagingSet = Map<string, GPUBuffer>;
type MakeBuffer = (label: string, bytes: number, usage: number) => GPUBuffer;

interface WaitingStep {
  slot: number;
  names: readonly string[];
  resolve(results: Results): void;
  reject(error: unknown): void;
}

interface Group {
  set: number;
  steps: WaitingStep[];
  /** The latest step in the group: mapping waits for it. */
  last?: PacedStep;
}

/** Where one step's outputs go, decided before the step is recorded. */
export interface ReadTicket {
  readonly names: readonly string[];
  readonly set: number;
  readonly slot: number;
  readonly group?: Group;
}

/**
 * One step's results in a group. Awaiting them (then, catch, finally,
 * Promise.all) while the group is still open maps the group at once: a
 * caller can never wait on a group that would not close by itself.
 */
class GroupedResults extends Promise<Results> {
  // Promises derived with then() are plain ones.
  static override get [Symbol.species]() {
    return Promise;
  }
  onAwait: () => void = () => undefined;

  override then<A = Results, B = never>(onFulfilled?: ((value: Results) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    this.onAwait();
    return super.then(onFulfilled, onRejected);
  }
}

const disposedError = () => new SinapsisError('run: the program was disposed before these results were read back');

/** Marks a rejection as handled without awaiting (a grouped step's then() would map its group). */
export function ignoreRejection(p: Promise<unknown>): void {
  Promise.prototype.then.call(p, undefined, () => undefined);
}

const MAP_READ = () => GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
/** Bytes copied per output: copies move whole 4-byte words. */
const copyBytes = (bytes: number) => Math.ceil(bytes / 4) * 4;

export class Readback {
  private readonly single: [StagingSet, StagingSet] = [new Map(), new Map()];
  /** The map in flight on each set: the set is reused only after it is unmapped. */
  private readonly singleBusy: [Promise<unknown>, Promise<unknown>] = [Promise.resolve(), Promise.resolve()];
  private nextSingle = 0;
  /** Created on the first grouped read: READ_GROUP slots per output, two sets by turns. */
  private grouped: [StagingSet, StagingSet] | undefined;
  private readonly groupBusy: [Promise<unknown>, Promise<unknown>] = [Promise.resolve(), Promise.resolve()];
  private nextGroup = 0;
  private open: Group | undefined;
  /**
   * A slot of the open group is reserved for a step being submitted: closing
   * the group now would leave that step writing into a buffer being mapped,
   * so a flush waits until the step is in (submitted() does it).
   */
  private claimed = false;
  private flushWhenIn = false;
  /** Steps per group: READ_GROUP, or fewer for outputs too large for READ_GROUP copies in one buffer. */
  private readonly groupSize: number;
  private disposed = false;

  constructor(
    private readonly outputs: Readonly<Record<string, OutputInfo>>,
    private readonly make: MakeBuffer,
    /** The device's: waits sleep through most of the expected GPU time on CPU drivers. */
    private readonly pacer: ReadbackPacer,
    /** Turns a failed map into the error to throw (a lost device says so). */
    private readonly mapError: (e: unknown) => Error,
    /** The device's maxBufferSize: a group holds fewer steps where READ_GROUP copies of the outputs would not fit in one buffer. */
    maxBufferBytes = Infinity,
  ) {
    const largest = Math.max(1, ...Object.values(outputs).map((o) => copyBytes(o.bytes)));
    this.groupSize = Math.max(1, Math.min(READ_GROUP, Math.floor(maxBufferBytes / largest)));
    for (const [name, o] of Object.entries(outputs)) {
      for (const set of this.single) set.set(name, make(`readback '${name}'`, o.bytes, MAP_READ()));
    }
  }

  /** Picks the staging for a step's outputs, waiting until it is unmapped. Call in submission order. */
  async reserve(names: readonly string[], deferred: boolean): Promise<ReadTicket> {
    if (names.length === 0) return { names, set: -1, slot: 0 };
    if (!deferred) {
      const set = this.nextSingle;
      this.nextSingle = 1 - set;
      await this.singleBusy[set];
      return { names, set, slot: 0 };
    }
    if (!this.open) {
      const set = this.nextGroup;
      this.nextGroup = 1 - set;
      await this.groupBusy[set];
      this.grouped ??= [this.groupSet(), this.groupSet()];
      this.open = { set, steps: [] };
    }
    this.claimed = true;
    return { names, set: this.open.set, slot: this.open.steps.length, group: this.open };
  }

  /** Records the copies of the step's outputs into its staging. */
  copy(enc: GPUCommandEncoder, ticket: ReadTicket, source: (name: string) => GPUBuffer): void {
    for (const name of ticket.names) {
      const bytes = copyBytes(this.outputs[name].bytes);
      if (ticket.group) enc.copyBufferToBuffer(source(name), 0, this.grouped![ticket.set].get(name)!, ticket.slot * bytes, bytes);
      else enc.copyBufferToBuffer(source(name), 0, this.single[ticket.set].get(name)!, 0, bytes);
    }
  }

  /** After the step's submit (step: as the pacer recorded it): its results, on their way. */
  submitted(ticket: ReadTicket, step: PacedStep): Promise<Results> {
    if (ticket.names.length === 0) return Promise.resolve({});
    const group = ticket.group;
    if (!group) {
      const results = this.mapSingle(ticket.names, this.single[ticket.set], step);
      this.singleBusy[ticket.set] = results.catch(() => undefined);
      return results;
    }
    this.claimed = false;
    if (this.disposed) return Promise.reject(disposedError());
    group.last = step;
    const results = new GroupedResults((resolve, reject) => group.steps.push({ slot: ticket.slot, names: ticket.names, resolve, reject }));
    results.onAwait = () => {
      if (this.open === group) this.flush();
    };
    if (group.steps.length === this.groupSize || this.flushWhenIn) this.flush();
    return results;
  }

  /** Starts mapping the open group now, however few steps it holds. */
  flush(): void {
    this.flushWhenIn = this.claimed;
    if (this.claimed) return;
    const group = this.open;
    if (!group || group.steps.length === 0) return;
    this.open = undefined;
    this.groupBusy[group.set] = this.mapGroup(group);
  }

  /** Flushes, then resolves once every readback has finished. */
  async idle(): Promise<void> {
    this.flush();
    await Promise.all([...this.singleBusy, ...this.groupBusy]);
  }

  /** Rejects the steps of a group that was never mapped; the owner destroys the buffers. */
  dispose(): void {
    this.disposed = true;
    const group = this.open;
    this.open = undefined;
    for (const step of group?.steps ?? []) step.reject(disposedError());
  }

  private groupSet(): StagingSet {
    const set: StagingSet = new Map();
    for (const [name, o] of Object.entries(this.outputs)) set.set(name, this.make(`grouped readback '${name}'`, this.groupSize * copyBytes(o.bytes), MAP_READ()));
    return set;
  }

  private async mapAll(buffers: GPUBuffer[], step: PacedStep): Promise<void> {
    try {
      await this.pacer.paced(step, () => Promise.all(buffers.map((b) => b.mapAsync(GPUMapMode.READ))));
    } catch (e) {
      throw this.mapError(e);
    }
  }

  private async mapSingle(names: readonly string[], staging: StagingSet, step: PacedStep): Promise<Results> {
    const buffers = names.map((n) => staging.get(n)!);
    await this.mapAll(buffers, step);
    const out: Results = {};
    names.forEach((name, i) => {
      out[name] = this.tensor(name, buffers[i].getMappedRange(0, copyBytes(this.outputs[name].bytes)), 0);
      buffers[i].unmap();
    });
    return out;
  }

  private async mapGroup(group: Group): Promise<void> {
    const names = [...new Set(group.steps.flatMap((s) => s.names))];
    const buffers = names.map((n) => this.grouped![group.set].get(n)!);
    try {
      await this.mapAll(buffers, group.last!);
    } catch (e) {
      for (const step of group.steps) step.reject(e);
      return;
    }
    const ranges = new Map(names.map((n, i) => [n, buffers[i].getMappedRange()]));
    const results = group.steps.map((step) => {
      const out: Results = {};
      for (const name of step.names) out[name] = this.tensor(name, ranges.get(name)!, step.slot * copyBytes(this.outputs[name].bytes));
      return out;
    });
    for (const b of buffers) b.unmap();
    group.steps.forEach((step, i) => step.resolve(results[i]));
  }

  /** A host copy of one output read at byteOffset of a mapped range. */
  private tensor(name: string, range: ArrayBuffer, byteOffset: number): HostTensor {
    const { bytes, shape } = this.outputs[name];
    return new HostTensor(new Float32Array(range.slice(byteOffset, byteOffset + bytes)), [...shape]);
  }
}
