// Times kernel benchmark cases (bench/cases/*): each case's graph compiled as
// its own program over resident parameters, against its CPU reference, the
// cases of one set interleaved in one loop (harness.ts). See kernels.ts for
// what exactly is measured.
import * as sn from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { getOp } from '../src/graph/op-registry.js';
import { rateUnit, sizeOf, type KernelCase, type OpCase } from './cases/case.js';
import { compare, fmtMs, fmtNum, randomData, relError, type Variant } from './harness.js';

export interface Settings {
  /** Timed runs per variant (a set may scale it: OpCase.runsScale). */
  runs: number;
  warmup: number;
  /** Time a CPU reference may take per case: a slow one gets fewer timed runs. */
  cpuBudget: number;
}

/** One table row's cells, after the group column. */
export type Row = string[];
export const ROW_HEADER = ['set', 'case', 'shape', 'GPU ms', 'CPU ms', 'CPU runs', 'speedup', 'GPU rate', 'CPU rate', 'unit', 'err', 'GPU dispatches'];

/** A compiled program over resident parameters: one timed GPU run is run() without readback, then sync(). */
const gpuRun = (prog: sn.Program) => async () => {
  await prog.run({}, { read: [] });
  await prog.sync();
};

/** A rate: two decimals, or two significant digits below 0.1 (a tiny case's GB/s is not 0.00). */
const fmtRate = (x: number) => (!Number.isFinite(x) ? '-' : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2));

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

/** A one-line reason for a case that could not be compiled or run. */
const failure = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0].slice(0, 160);

/** The kernels one run dispatches, by label (a fused chain is one). */
function dispatches(prog: sn.Program): string {
  const labels = prog.plan.dispatches.map((d) => d.label);
  return labels.length === 1 ? labels[0] : `${labels.length}: ${labels.join(' + ')}`;
}

/**
 * The CPU reference of a case's output: the op's cpu() (src/cpu) on the
 * operands when the output is one op over them, otherwise the interpreter
 * (every node's cpu() in graph order).
 */
function cpuReference(out: Tensor, params: Record<string, Float32Array>): () => Float32Array {
  if (out.inputs.every((t) => t.kind === 'param')) {
    const def = getOp(out.op);
    const inputs = out.inputs.map((t) => params[t.name!]);
    const shapes = out.inputs.map((t) => t.shape);
    return () => def.cpu(inputs, shapes, out.shape, out.attrs);
  }
  return () => sn.interpret([out], {}, params)[0];
}

export class KernelBench {
  /** Cases that could not be compiled or run: engine errors, reported, not fixed here. */
  readonly failures: string[] = [];
  private seed = 1;

  constructor(readonly device: sn.Device, readonly settings: Settings) {}

  /** The fixed cost of a GPU run: submit one 1-element dispatch and wait for it. */
  async fixedCost(when: string): Promise<string> {
    const g = sn.graph();
    const prog = await sn.compile(this.device, g, { outputs: { y: g.param('x', [1], new Float32Array([1])).add(1) } });
    const s = (await compare([{ name: 'tiny', fn: gpuRun(prog) }], { runs: 50, warmup: 20 })).tiny;
    prog.dispose();
    return `fixed cost per GPU run (${when}): ${fmtMs(s.median)} ms median, ${fmtMs(s.min)}..${fmtMs(s.max)} ms (submit of one 1-element dispatch + wait; included in every GPU time)`;
  }

  /** Times the cases of one set in one interleaved loop; one row per case, in order. */
  async measureSet(cases: readonly KernelCase[]): Promise<Row[]> {
    const { runs, warmup, cpuBudget } = this.settings;
    const loopRuns = runs * Math.max(1, ...cases.map((c) => c.runsScale ?? 1));
    const cpuRuns = (oneRunMs: number) => Math.max(1, Math.min(loopRuns, Math.floor(cpuBudget / Math.max(oneRunMs, 1e-3))));
    const variants: Variant[] = [];
    const disposers: (() => void)[] = [];
    // Per case: what its row needs once the loop has run, or its finished (failure) row.
    const pending: ({ c: KernelCase; work: number; err?: number; kernel: string } | Row)[] = [];
    try {
      for (const c of cases) {
        const prefix = [c.set, c.label, c.dims];
        try {
          if ('setup' in c) {
            const raw = c.setup(this.device.gpu, this.device.cpuDriver);
            disposers.push(raw.dispose);
            variants.push({ name: `gpu ${c.label}`, fn: raw.run });
            pending.push({ c, work: c.bytes, kernel: raw.note });
            continue;
          }
          const { prog, cpu, work } = await this.prepare(c);
          disposers.push(() => prog.dispose());
          const got = (await prog.run({}, { read: ['out'] })).out.data;
          const [ref, cpuMs] = timed(cpu);
          pending.push({ c, work, err: relError(got, ref), kernel: dispatches(prog) });
          variants.push({ name: `gpu ${c.label}`, fn: gpuRun(prog) });
          // The check above already warmed the CPU path once; a slow one gets no further warm-up.
          variants.push({ name: `cpu ${c.label}`, fn: cpu, runs: cpuRuns(cpuMs), warmup: cpuMs > 200 ? 0 : warmup });
        } catch (e) {
          // An engine bug must not hide the other cases: the row says what failed.
          this.failures.push(`${c.group} ${c.set} ${c.label}: ${failure(e)}`);
          pending.push([...prefix, 'FAILED', '-', '-', '-', '-', '-', rateUnit(c.group), '-', '-']);
        }
      }
      const stats = await compare(variants, { runs: loopRuns, warmup });
      return pending.map((p) => {
        if (Array.isArray(p)) return p;
        const { c, work, err, kernel } = p;
        const g = stats[`gpu ${c.label}`].median;
        const cpu = stats[`cpu ${c.label}`];
        const rate = (ms: number) => fmtRate(work / ms / 1e6);
        return [
          c.set, c.label, c.dims,
          fmtMs(g), cpu ? fmtMs(cpu.median) : '-', cpu ? String(cpu.runs) : '-', cpu ? fmtNum(cpu.median / g) + 'x' : '-',
          rate(g), cpu ? rate(cpu.median) : '-', rateUnit(c.group), err === undefined ? '-' : err.toExponential(1), kernel,
        ];
      });
    } finally {
      for (const d of disposers) d();
    }
  }

  /** Compiles a case's graph over its operands (as parameters) and builds its CPU reference. */
  private async prepare(c: OpCase) {
    const g = sn.graph();
    const params: Record<string, Float32Array> = {};
    const ps = c.operands.map((o) => {
      const data = o.data ?? randomData(sizeOf(o.shape), this.seed++, o.scale ?? 1);
      params[o.name] = data;
      return g.param(o.name, o.shape, data);
    });
    const out = c.build(ps);
    const prog = await sn.compile(this.device, g, { outputs: { out } });
    // Memory-bound work: every operand read once and the result written once.
    const work = c.flop ?? c.bytes ?? 4 * (c.operands.reduce((s, o) => s + sizeOf(o.shape), 0) + out.size);
    return { prog, cpu: cpuReference(out, params), work };
  }
}
