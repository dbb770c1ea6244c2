// Steps submitted but not yet read back, for the loops of fit, evaluate and
// predict. They submit with deferRead, so a step's results arrive with its
// group's (src/exec/readback.ts); each step is finished (its results awaited
// and used) only once a whole group of newer steps is behind it, by which
// time its group has been closed and awaiting it forces no early map.
import type { Program } from '../exec/program.js';

export class StepQueue<T> {
  private readonly waiting: T[] = [];
  private readonly programs = new Set<Program>();

  /** lag: steps kept unfinished behind the newest (0: finish each step at once). */
  constructor(
    private readonly lag: number,
    private readonly finish: (step: T) => Promise<void>,
  ) {}

  /** Adds a step just submitted on prog; finishes the steps that fell lag behind. */
  async push(prog: Program, step: T): Promise<void> {
    this.programs.add(prog);
    this.waiting.push(step);
    while (this.waiting.length > this.lag) await this.finish(this.waiting.shift()!);
  }

  /** Maps what is left and finishes every step, oldest first. */
  async drain(): Promise<void> {
    for (const prog of this.programs) prog.flush();
    while (this.waiting.length) await this.finish(this.waiting.shift()!);
  }
}
