// Timing helpers for the benchmarks: the machine and adapter header, medians
// of interleaved timed runs, and an aligned table printer.
//
// How a measurement is taken: every variant being compared (GPU kernel, CPU
// reference, ...) gets W warm-up runs and then N timed runs, and the runs are
// interleaved (A, B, A, B, ...) inside one loop, so a change in machine load
// hits all variants alike. A variant may ask for fewer timed runs (a slow CPU
// reference): its runs are then spread evenly over the loop, not bunched at
// the start. Each run's time is wall-clock from the call until its promise
// resolves; a GPU variant must resolve only after the GPU finished (run()
// with a readback, or run() then prog.sync()). The reported figure is the
// median, so one slow outlier (a GC pause) does not move it.
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Device } from '../src/index.js';

/** V8's gc(), exposed only behind --expose-gc: the flag is set here and the function taken from a fresh context, so `node dist/bench/...` needs no flag. */
const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();
/** The wait after the collection (ms): N-API finalizers and V8's sweeping run in it. */
const SETTLE_MS = 50;
/** A request large enough that glibc merges its freed small chunks first. */
const LARGE_REQUEST = 64 * 1024;

/**
 * Leaves the process as quiet as it can before a timed step, where engines
 * share one process: the peers leave tens of megabytes of garbage per step
 * (about 70 MB per round of the MLP benchmark), and its cost lands in
 * whichever step runs next unless it is paid here, outside the timing.
 * - V8 collects it: marking on a second thread (on two cores it takes one
 *   from SwiftShader's workers), then a pause of 15-30 ms on the main one.
 *   A forced gc() does it now.
 * - Collected WebGPU objects are released by N-API finalizers on a later
 *   turn of the event loop, and V8 sweeps on a helper thread: both within
 *   the wait that follows (50 ms; after 20 our step still ran 14.3 ms
 *   after a jax-js webgpu step, against 12.5 after 100).
 * - The native memory they free goes back to glibc in many small chunks,
 *   which glibc merges on the next large request. After a TF.js webgpu
 *   step that first 64 KiB malloc took 7-9 ms; unpaid here it was our next
 *   step's first dispatchWorkgroups (Dawn allocating command memory) that
 *   took 10-14 ms (MLP step 24-28 ms after the peer, 13-14 after our own).
 */
export async function settleProcess(): Promise<void> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  Buffer.allocUnsafeSlow(LARGE_REQUEST);
}

export interface Variant {
  name: string;
  /** One run; resolves when the work (GPU work included) has finished. */
  fn: () => unknown;
  /** Timed runs for this variant (default: the loop's runs). At least 1. */
  runs?: number;
  /** Warm-up runs for this variant (default: the loop's warmup). */
  warmup?: number;
}

export interface Stats {
  /** Median of the timed runs, in milliseconds. */
  median: number;
  min: number;
  max: number;
  runs: number;
  samples: number[];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function statsOf(samples: number[]): Stats {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), runs: samples.length, samples };
}

/** Loop positions (0..total-1) at which a variant with `count` runs takes its turn, spread evenly. */
function turns(count: number, total: number): Set<number> {
  const at = new Set<number>();
  for (let k = 0; k < count; k++) at.add(Math.floor(((k + 0.5) * total) / count));
  return at;
}

/**
 * Warm-up then timed runs of every variant, interleaved. Returns one Stats per
 * variant, by name. `runs` and `warmup` are the loop's defaults.
 */
export async function compare(variants: readonly Variant[], opts: { runs: number; warmup: number }): Promise<Record<string, Stats>> {
  const plan = variants.map((v) => ({
    v,
    runs: Math.max(1, Math.min(v.runs ?? opts.runs, opts.runs)),
    warmup: Math.max(0, v.warmup ?? opts.warmup),
  }));
  const maxWarm = Math.max(0, ...plan.map((p) => p.warmup));
  for (let i = 0; i < maxWarm; i++) {
    for (const p of plan) if (i < p.warmup) await p.v.fn();
  }
  const samples = new Map<string, number[]>(plan.map((p) => [p.v.name, []]));
  const schedule = plan.map((p) => turns(p.runs, opts.runs));
  for (let i = 0; i < opts.runs; i++) {
    for (let k = 0; k < plan.length; k++) {
      if (!schedule[k].has(i)) continue;
      const t0 = performance.now();
      await plan[k].v.fn();
      samples.get(plan[k].v.name)!.push(performance.now() - t0);
    }
  }
  return Object.fromEntries([...samples].map(([name, s]) => [name, statsOf(s)]));
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/**
 * `--robustness on|off` of the bench scripts: off creates every Dawn device of
 * the run (sinapsis' and the peers') without WebGPU's bounds checks.
 */
export function robustnessOption(value: string | undefined): boolean {
  if (value === undefined || value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`--robustness must be 'on' or 'off', got '${value}'`);
}

/** One paragraph saying where the numbers come from: machine, load, Node, adapter. */
export function machineHeader(device: Device): string {
  const cpus = os.cpus();
  const i = device.info;
  return [
    `machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`,
    `adapter: ${[i.vendor, i.architecture, i.description].filter(Boolean).join(' / ')}${i.isFallbackAdapter ? ' (fallback adapter)' : ''}; matmul kernel: ${device.caps.matmul}; bounds checks (robustness): ${device.robustness ? 'on' : 'off'}`,
    `load average (1/5/15 min) at start: ${load()}`,
  ].join('\n');
}

export function loadLine(when: string): string {
  return `load average (1/5/15 min) at ${when}: ${load()}`;
}

/** Milliseconds with three significant-ish digits. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

export function fmtNum(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

export function fmtBytes(b: number): string {
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(2)} MiB`;
  if (b >= 2 ** 10) return `${(b / 2 ** 10).toFixed(1)} KiB`;
  return `${b} B`;
}

/**
 * An aligned text table. Columns whose cells (below the header) all look like
 * numbers are right-aligned, the rest left-aligned.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.,]+(e[-+]?\d+)?\s*[x%]?(\s*\S*iB|\s*B)?$|^-$|^FAILED$/.test(r[c] ?? '')));
  const cell = (s: string, c: number) => (numeric[c] ? s.padStart(width[c]) : s.padEnd(width[c]));
  const line = (r: readonly string[]) => header.map((_, c) => cell(r[c] ?? '', c)).join('  ').trimEnd();
  return [line(header), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A deterministic pseudo-random Float32Array in [-scale, scale) (mulberry32). */
export function randomData(n: number, seed = 1, scale = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** Largest |gpu - cpu| relative to the largest |cpu| (a scale-free error for the sanity column). */
export function relError(gpu: Float32Array, cpu: Float32Array): number {
  if (gpu.length !== cpu.length) return Infinity;
  let err = 0;
  let ref = 0;
  for (let i = 0; i < cpu.length; i++) {
    const d = Math.abs(gpu[i] - cpu[i]);
    err = d > err || Number.isNaN(d) ? d : err;
    ref = Math.max(ref, Math.abs(cpu[i]));
  }
  return err / (ref || 1);
}
