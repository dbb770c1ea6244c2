// Waiting for a step's results without taking the CPU away from the GPU.
//
// Dawn in Node (the `webgpu` package) resolves mapAsync and
// onSubmittedWorkDone by polling its event queue from setImmediate for as
// long as one is pending, so the JavaScript thread spins at full speed while
// it waits. On a real GPU that only burns a core. On a CPU Vulkan driver
// (SwiftShader) the "GPU" is the same cores: the spin takes one of them from
// the kernels, and a 2-core machine runs the step's kernels on about half its
// capacity for as long as it lasts.
//
// So on CPU drivers a wait first sleeps (a timer, no spinning) until shortly
// before the GPU is expected to be done, and only then asks Dawn; and while
// Dawn is asked (waitFor), the thread is blocked for short slices between
// its polls rather than left to spin. The pacer
// keeps a model of the queue: every submitted step (read back or not) joins
// it, a step starts when the previous one has finished or when it was
// submitted, whichever is later, and takes the time steps of its program
// have taken lately. The estimate is the smallest recent per-step time: a
// sleep that overshot makes its own sample too long, so taking the minimum
// keeps overshoots from feeding on themselves, and a step that is slower
// than expected only costs some spinning. Samples whose start or end is not
// known (two steps found done by one poll, a step queued behind one that was
// found done late) are not taken: they would come out too short.
//
// The model matters when many steps are in flight (grouped readbacks, steps
// submitted without reads and then sync()): once waits are seen to end
// before the GPU does, the margin left to spin is a fifth of one step plus
// 2% of the whole wait, not a fifth of the whole wait; with work queued
// behind the awaited step, only the fifth of a step.
//
// One pacer serves a device (pacerOf(device)): a program's steps queue
// behind every other program's on the same GPU queue.
import type { Device } from '../device.js';

/** Of the step being waited for, this fraction of its expected time is left to spin through. */
const STEP_MARGIN = 0.2;
/** And this share of the whole expected wait, for the error of the estimate summed over many steps. */
const SPAN_MARGIN = 0.02;
/** While the pacer has been waking late, this share of the whole wait is left: each wait finds 20% more of the truth. */
const SEEK_MARGIN = 0.2;
/** Timers fire late by about this much (ms); slept off in advance. */
const TIMER_SLACK_MS = 1;
/** Shorter sleeps are not worth a timer (ms). */
const MIN_SLEEP_MS = 2;
/** Recent per-step times kept for a program's estimate. */
const WINDOW = 8;
/** Dawn reports work that was already done within about this long (ms, a slice and two polls); a longer wait saw the GPU finish. */
const POLL_MS = 0.75;
/** Blocking the thread between polls needs Node: a browser's main thread may not Atomics.wait (and its maps do not spin it). */
const BLOCKING_SLICES = typeof setImmediate === 'function' && typeof SharedArrayBuffer === 'function' && typeof globalThis.process?.versions?.node === 'string';
/** The slice the thread is blocked for between polls (ms): latency against polling load; 0.1 to 1 measured alike. */
const SLICE_MS = 0.25;
const SLICE = BLOCKING_SLICES ? new Int32Array(new SharedArrayBuffer(4)) : new Int32Array(1);
/** Steps whose completion was never observed are forgotten beyond this many. */
const MAX_PENDING = 256;

/** A submitted step, as the pacer knows it. */
export interface PacedStep {
  readonly seq: number;
  /** Which estimate applies (steps of one program take alike). */
  readonly key: object;
  readonly at: number;
  /** When its results were asked for (beforeMap returned). */
  asked?: number;
  /** Whether that time came from an estimate (rather than asking at once for want of one). */
  planned?: boolean;
}

interface ProgramTimes {
  /** Recent per-step times (ms), at most WINDOW. */
  samples: number[];
  /** Whether its latest wait slept by the estimate and saw the GPU finish (so the estimate is not too long). */
  settled: boolean;
}

export class ReadbackPacer {
  /** What is known of each program's steps. */
  private readonly programs = new WeakMap<object, ProgramTimes>();
  /** Steps submitted and not yet seen done, in submission order. */
  private readonly pending: PacedStep[] = [];
  private nextSeq = 1;
  /** Every step up to this one is known done. */
  private doneSeq = 0;
  /** When that was seen. */
  private lastDone = 0;
  /** Whether the GPU finished then, rather than some time before it was asked. */
  private lastDoneExact = false;

  constructor(
    private readonly enabled: boolean,
    /** Injectable for tests. */
    private readonly clock: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Records a step just submitted to the queue; key: its program. */
  submitted(key: object): PacedStep {
    const step: PacedStep = { seq: this.nextSeq++, key, at: this.clock() };
    if (this.enabled) {
      this.pending.push(step);
      if (this.pending.length > MAX_PENDING) this.pending.shift();
    }
    return step;
  }

  /**
   * Resolves when it is time to ask for the results of `step` and everything
   * before it (at once on real GPUs). The wait is worked out again after each
   * sleep: a step seen done meanwhile, later than the model said, moves the
   * expected end of the steps behind it.
   */
  async beforeMap(step: PacedStep): Promise<void> {
    if (!this.enabled) return;
    for (;;) {
      const wait = this.expectedWait(step);
      step.planned = wait !== undefined;
      if (wait === undefined || wait < MIN_SLEEP_MS) break;
      await this.sleep(wait);
    }
    step.asked = this.clock();
  }

  /** How long to sleep from now before asking for `step` (negative: ask now; undefined: no estimate to go by). */
  private expectedWait(step: PacedStep): number | undefined {
    let first: number | undefined;
    let end = this.lastDone;
    for (const s of this.pending) {
      if (s.seq > step.seq) break;
      const estimate = this.estimate(s.key);
      if (estimate === undefined) return undefined;
      first ??= Math.max(end, s.at);
      end = Math.max(end, s.at) + estimate;
    }
    if (first === undefined) return undefined;
    // Spin through the last fifth of the step's expected time, and 2% of
    // the whole wait for the error summed over many steps; a fifth of the
    // whole wait while the pacer has been waking late (an estimate that is
    // too long, say from the first steps, shrinks by a fifth per wait
    // instead of by a fifth of one step). With more work queued behind the
    // step, a late wake costs the GPU nothing (it goes on with that work),
    // so only the fifth of a step is kept: enough for waits to keep seeing
    // the GPU finish, without which nothing more would be learned.
    const queuedBehind = this.pending[this.pending.length - 1].seq > step.seq;
    const span = end - first;
    const estimate = this.estimate(step.key)!;
    const margin = !this.programs.get(step.key)?.settled ? SEEK_MARGIN * span : STEP_MARGIN * estimate + (queuedBehind ? 0 : SPAN_MARGIN * span);
    return end - margin - TIMER_SLACK_MS - this.clock();
  }

  /**
   * The whole wait for `step` (and everything before it): sleeps as
   * beforeMap says, asks (`ask` starts the map or onSubmittedWorkDone), waits
   * for the answer without spinning, and learns from when it came. A failed
   * ask teaches nothing.
   */
  async paced<T>(step: PacedStep, ask: () => Promise<T>): Promise<T> {
    await this.beforeMap(step);
    const answer = await this.waitFor(ask());
    this.mapped(step);
    return answer;
  }

  /**
   * Awaits `work` (a map or onSubmittedWorkDone) without letting Dawn's
   * polling spin the thread, in Node on CPU drivers: between turns of the
   * event loop (in which Dawn polls once) the thread is blocked for a short
   * slice (Atomics.wait: no CPU), so the wait costs the kernels a few
   * percent of a core instead of a whole one.
   */
  async waitFor<T>(work: Promise<T>): Promise<T> {
    if (!this.enabled || !BLOCKING_SLICES) return work;
    let done = false;
    const tracked = work.finally(() => {
      done = true;
    });
    // Handled here: it may fail while this loop waits, before the caller sees it.
    tracked.catch(() => undefined);
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done) break;
      Atomics.wait(SLICE, 0, 0, SLICE_MS);
    }
    return tracked;
  }

  /** Records that `step` and every step before it are done. */
  mapped(step: PacedStep): void {
    if (!this.enabled || step.seq <= this.doneSeq) return;
    const now = this.clock();
    const done: PacedStep[] = [];
    while (this.pending.length > 0 && this.pending[0].seq <= step.seq) done.push(this.pending.shift()!);
    // A sample is the time from when the GPU could start the first of these
    // steps to now. That start is known when the first was submitted after
    // the previous steps were seen done, or when those were seen done as
    // they finished (their wait outlasted a poll); otherwise they may have
    // finished long before, and the sample would come out too short. When
    // another step was seen done after this one was asked for, both may
    // have been found by one poll, and this one's end is unknown.
    // A program's first wait teaches nothing either: its first dispatches
    // compile the kernels (SwiftShader compiles at first use), and a first
    // estimate several times too long would cost many oversleeps to unlearn.
    const asked = step.asked;
    const startKnown = done.length > 0 && (done[0].at >= this.lastDone || this.lastDoneExact);
    let program = this.programs.get(step.key);
    const warm = program !== undefined;
    program ??= { samples: [], settled: false };
    this.programs.set(step.key, program);
    if (warm && startKnown && asked !== undefined && asked >= this.lastDone) this.learn(done, now);
    this.lastDoneExact = asked !== undefined && now - asked >= POLL_MS;
    // Settled: the pacer slept by an estimate and still saw the GPU finish.
    if (asked !== undefined) program.settled = this.lastDoneExact && step.planned === true;
    this.doneSeq = step.seq;
    this.lastDone = now;
  }

  /** The expected time of one step of this program, once one has been timed. */
  private estimate(key: object): number | undefined {
    const s = this.programs.get(key)?.samples;
    return s?.length ? Math.min(...s) : undefined;
  }

  /**
   * Per-step time of the program that ran most of `done`: the time since the
   * GPU could start the first of them, less the others' expected times.
   */
  private learn(done: PacedStep[], now: number): void {
    const key = done[done.length - 1].key;
    let elapsed = now - Math.max(this.lastDone, done[0].at);
    let count = 0;
    for (const s of done) {
      if (s.key === key) count++;
      else {
        const other = this.estimate(s.key);
        if (other === undefined) return;
        elapsed -= other;
      }
    }
    if (elapsed <= 0) return;
    const program = this.programs.get(key);
    if (!program) return;
    program.samples.push(elapsed / count);
    if (program.samples.length > WINDOW) program.samples.shift();
  }
}

const pacers = new WeakMap<Device, ReadbackPacer>();

/** The pacer of a device's queue: one per device, shared by every program and store on it. */
export function pacerOf(device: Device): ReadbackPacer {
  let p = pacers.get(device);
  if (!p) pacers.set(device, (p = new ReadbackPacer(device.cpuDriver)));
  return p;
}
