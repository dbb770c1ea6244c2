// Waiting for a step's results without taking the CPU away from the GPU.
//
// Dawn in Node (the `webgpu` package) resolves mapAsync by polling its event
// queue from setImmediate for as long as a map is pending, so the JavaScript
// thread spins at full speed while it waits. On a real GPU that only burns a
// core. On a CPU Vulkan driver (SwiftShader) the "GPU" is the same cores:
// the spin takes one of them from the kernels, and a 2-core machine runs the
// step's kernels on about half its capacity.
//
// So on CPU drivers the wait first sleeps (a timer, no spinning) for most of
// the time the step is expected to take, learned from earlier steps, and only
// then asks Dawn to map. The estimate is the smallest of the recent step
// times: a sleep that overshot makes its own sample too long, so taking the
// minimum keeps overshoots from feeding on themselves, and a step that is
// slower than expected only costs some spinning, as before. Samples are per
// step, so grouped readbacks of different sizes share one estimate.

/** Fraction of the expected step time slept before mapping. */
const SLEEP_FRACTION = 0.8;
/** Timers fire late by about this much (ms); slept off in advance. */
const TIMER_SLACK_MS = 1;
/** Shorter sleeps are not worth a timer (ms). */
const MIN_SLEEP_MS = 2;
/** Recent step times kept for the estimate. */
const WINDOW = 8;

export class ReadbackPacer {
  private readonly samples: number[] = [];
  /** When the previous step's results were seen mapped: the GPU cannot start a step before it finished the previous one. */
  private lastDone = 0;

  constructor(
    private readonly enabled: boolean,
    /** Injectable for tests. */
    private readonly clock: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** The time a step is submitted, to pass to beforeMap() and mapped(). */
  submitted(): number {
    return this.clock();
  }

  /**
   * Resolves when it is time to ask for results (at once on real GPUs).
   * steps: how many steps the wait covers (a grouped readback maps several).
   */
  async beforeMap(submittedAt: number, steps = 1): Promise<void> {
    if (!this.enabled || this.samples.length === 0) return;
    const expected = Math.min(...this.samples) * steps;
    const start = Math.max(submittedAt, this.lastDone);
    const wait = start + SLEEP_FRACTION * expected - TIMER_SLACK_MS - this.clock();
    if (wait >= MIN_SLEEP_MS) await this.sleep(wait);
  }

  /** Records that the steps submitted from submittedAt on have their results mapped. */
  mapped(submittedAt: number, steps = 1): void {
    const now = this.clock();
    this.samples.push((now - Math.max(submittedAt, this.lastDone)) / steps);
    if (this.samples.length > WINDOW) this.samples.shift();
    this.lastDone = now;
  }
}
