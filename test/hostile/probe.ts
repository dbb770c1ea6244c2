// The hostile-input probe's runner: runs one case against the shared device
// and classifies it good or bad (right error class and message fragments, or
// a result that passes its check; no timeout, no leaked GPU buffer, no lost
// device, no unhandled rejection), and reports the cases two ways: one uvu
// test per case, or (--table) a markdown table per area and one line per bad
// case.
import * as sn from '../../src/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a case may use: the shared device (created once, again only if a case lost it) and a scratch directory. */
export interface Ctx {
  readonly device: sn.Device;
  readonly tmp: string;
}

/** A message fragment: a string (case-insensitive substring), a list of alternatives (any one of them), or a regular expression. */
export type Fragment = string | readonly string[] | RegExp;

type ErrorClass = abstract new (...args: never[]) => Error;

export type Expect =
  | { error: ErrorClass; includes: readonly Fragment[] }
  | { ok: (result: unknown) => true | string | Promise<true | string> };

export interface Case {
  area: string;
  name: string;
  run: (ctx: Ctx) => unknown;
  expect: Expect;
  /** The case keeps GPU buffers alive on purpose (skips the leak check). */
  keepsBuffers?: boolean;
  /** Bad if the case takes longer than this (default: only the timeout). */
  maxMs?: number;
  /** Bad if process.memoryUsage().rss grows by more than this many MB over the case. */
  maxRssGrowthMB?: number;
  /** Timeout in ms (default 20 s). */
  timeoutMs?: number;
  /**
   * Set on a case that crashes or hangs the whole process today (the text
   * says how); such a case runs only with --dangerous (HOSTILE_DANGEROUS=1).
   */
  dangerous?: string;
}

export interface Outcome {
  good: boolean;
  /** What happened, for a bad case. */
  detail: string;
  /** What happened, for a good case (the error it raised, or the result). */
  note: string;
  ms: number;
}

export const DEFAULT_TIMEOUT_MS = 20_000;

// ------------------------------------------------------------------ the shared device

let devicePromise: Promise<sn.Device> | undefined;
let tmpDir: string | undefined;

async function context(): Promise<Ctx> {
  devicePromise ??= sn.createDevice();
  let device = await devicePromise;
  if (device.lost) {
    devicePromise = sn.createDevice();
    device = await devicePromise;
  }
  tmpDir ??= mkdtempSync(join(tmpdir(), 'sinapsis-hostile-'));
  return { device, tmp: tmpDir };
}

export function cleanup(): void {
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
}

// ------------------------------------------------------------------ stray errors

/** Unhandled rejections and uncaught exceptions seen while a case ran (they are charged to it). */
let strays: string[] = [];
let guarded = false;

function guard(): void {
  if (guarded) return;
  guarded = true;
  process.on('unhandledRejection', (e) => { strays.push(`unhandled rejection: ${describeError(e)}`); });
  process.on('uncaughtException', (e) => { strays.push(`uncaught exception: ${describeError(e)}`); });
}

// ------------------------------------------------------------------ describing what happened

const clip = (s: string, n = 240) => (s.length > n ? `${s.slice(0, n)}...` : s);

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor?.name ?? 'Error'}: ${clip(e.message.replace(/\s+/g, ' '))}`;
  if (typeof e === 'object' && e !== null) return `${(e as object).constructor?.name ?? 'object'} thrown: ${clip(String(e))}`;
  return `${typeof e} thrown: ${clip(String(e))}`;
}

export function describeValue(v: unknown): string {
  if (v instanceof sn.HostTensor) return `HostTensor[${v.shape.join(', ')}] ${clip(`[${Array.from(v.data.slice(0, 6)).join(', ')}${v.size > 6 ? ', ...' : ''}]`, 80)}`;
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(clip(v, 120));
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}`;
  const name = (v as object).constructor?.name;
  const keys = Object.keys(v).slice(0, 6);
  return `${name && name !== 'Object' ? `${name} ` : ''}{ ${keys.join(', ')}${Object.keys(v).length > 6 ? ', ...' : ''} }`;
}

function fragmentOk(message: string, f: Fragment): boolean {
  const m = message.toLowerCase();
  if (typeof f === 'string') return m.includes(f.toLowerCase());
  if (f instanceof RegExp) return f.test(message);
  return (f as readonly string[]).some((s) => m.includes(s.toLowerCase()));
}

function fragmentText(f: Fragment): string {
  if (typeof f === 'string') return JSON.stringify(f);
  if (f instanceof RegExp) return String(f);
  return `one of ${(f as readonly string[]).map((s) => JSON.stringify(s)).join(' | ')}`;
}

/** Releases what a case returned when it should have thrown (a model, a program, a device), so the leak check stays meaningful. */
function release(v: unknown): void {
  try {
    if (v && typeof v === 'object') {
      const o = v as { dispose?: () => void; destroy?: () => void };
      if (typeof o.dispose === 'function') o.dispose();
      else if (v instanceof sn.Device) v.destroy();
    }
  } catch {
    // best effort
  }
}

// ------------------------------------------------------------------ running one case

const TIMEOUT = Symbol('timeout');

export async function runCase(c: Case): Promise<Outcome> {
  guard();
  let ctx: Ctx;
  try {
    ctx = await context();
  } catch (e) {
    return { good: false, detail: `no device: ${describeError(e)}`, note: '', ms: 0 };
  }
  const gpu = ctx.device.gpu;
  strays = [];
  const buffersBefore = sn.liveBufferCount(gpu);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const timeoutMs = c.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let threw = false;
  let result: unknown;
  try {
    const p = Promise.resolve().then(() => c.run(ctx));
    p.catch(() => undefined); // a case that times out may still reject later
    result = await Promise.race([p, new Promise((resolve) => { timer = setTimeout(() => resolve(TIMEOUT), timeoutMs); })]);
  } catch (e) {
    threw = true;
    result = e;
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - t0;
  const rssGrowthMB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  const problems: string[] = [];

  if (result === TIMEOUT) {
    problems.push(`timed out (over ${timeoutMs / 1000} s)`);
  } else if ('error' in c.expect) {
    const want = c.expect;
    if (!threw) {
      problems.push(`no error (resolved to ${describeValue(result)})`);
      release(result);
    } else if (!(result instanceof want.error)) {
      problems.push(`wrong error class, expected ${want.error.name}: got ${describeError(result)}`);
    } else {
      const message = (result as Error).message;
      const missing = want.includes.filter((f) => !fragmentOk(message, f));
      if (missing.length) problems.push(`message lacks ${missing.map(fragmentText).join(', ')}: ${describeError(result)}`);
    }
  } else {
    if (threw) {
      problems.push(describeError(result));
    } else {
      let verdict: true | string;
      try {
        verdict = await c.expect.ok(result);
      } catch (e) {
        verdict = `the check threw ${describeError(e)}`;
      }
      if (verdict !== true) problems.push(verdict);
    }
  }

  if (result !== TIMEOUT) {
    if (c.maxMs !== undefined && ms > c.maxMs) problems.push(`took ${ms.toFixed(0)} ms (limit ${c.maxMs} ms)`);
    if (c.maxRssGrowthMB !== undefined && rssGrowthMB > c.maxRssGrowthMB) problems.push(`rss grew by ${rssGrowthMB.toFixed(0)} MB (limit ${c.maxRssGrowthMB} MB)`);
    if (!c.keepsBuffers) {
      const leaked = sn.liveBufferCount(gpu) - buffersBefore;
      if (leaked > 0) problems.push(`leaked ${leaked} GPU buffer${leaked === 1 ? '' : 's'}`);
    }
  }
  if (ctx.device.lost) problems.push('the device was lost');
  if (strays.length) problems.push(...strays.slice(0, 2));
  strays = [];
  const note = result === TIMEOUT ? '' : threw ? describeError(result) : describeValue(result);
  return { good: problems.length === 0, detail: problems.join('; '), note, ms };
}

// ------------------------------------------------------------------ reporting

export const wantsDangerous = () => process.argv.includes('--dangerous') || process.env.HOSTILE_DANGEROUS === '1';

/** HOSTILE_ONLY=text runs only the cases whose "area: name" contains text (case-insensitive). */
export function selected(cases: readonly Case[]): { run: Case[]; skipped: Case[] } {
  const dangerous = wantsDangerous();
  const only = process.env.HOSTILE_ONLY?.toLowerCase();
  const chosen = only ? cases.filter((c) => `${c.area}: ${c.name}`.toLowerCase().includes(only)) : cases;
  return { run: chosen.filter((c) => !c.dangerous || dangerous), skipped: chosen.filter((c) => c.dangerous && !dangerous) };
}

/** One uvu test per case. */
export function register(test: { (name: string, fn: () => Promise<void>): void; after(fn: () => void): void }, cases: readonly Case[]): void {
  const { run } = selected(cases);
  for (const c of run) {
    test(`${c.area}: ${c.name}`, async () => {
      const o = await runCase(c);
      if (!o.good) throw new Error(o.detail);
    });
  }
  test.after(cleanup);
}

/** --table: runs every case and prints a markdown table per area, then one line per bad case. */
export async function table(cases: readonly Case[]): Promise<void> {
  const { run, skipped } = selected(cases);
  const t0 = performance.now();
  const areas = new Map<string, { cases: number; good: number; bad: number; ms: number }>();
  const bad: string[] = [];
  const slow: { name: string; ms: number }[] = [];
  for (const c of run) {
    const o = await runCase(c);
    const a = areas.get(c.area) ?? { cases: 0, good: 0, bad: 0, ms: 0 };
    a.cases++;
    a.ms += o.ms;
    if (o.good) a.good++;
    else {
      a.bad++;
      bad.push(`- ${c.area}: ${c.name}: ${o.detail}`);
    }
    areas.set(c.area, a);
    slow.push({ name: `${c.area}: ${c.name}`, ms: o.ms });
    if (process.env.HOSTILE_PROGRESS === '1') process.stderr.write(`${o.good ? 'good' : 'BAD '} ${(o.ms / 1000).toFixed(2)}s ${c.area}: ${c.name}${o.good ? ` -- ${o.note}` : ` -- ${o.detail}`}\n`);
  }
  cleanup();
  const secs = (performance.now() - t0) / 1000;
  const total = [...areas.values()].reduce((s, a) => ({ cases: s.cases + a.cases, good: s.good + a.good, bad: s.bad + a.bad }), { cases: 0, good: 0, bad: 0 });
  const lines = [
    '',
    `## Hostile and careless input: ${total.cases} cases, ${total.good} good, ${total.bad} bad (${secs.toFixed(1)} s)`,
    '',
    '| area | cases | good | bad | seconds |',
    '|---|---:|---:|---:|---:|',
    ...[...areas].map(([name, a]) => `| ${name} | ${a.cases} | ${a.good} | ${a.bad} | ${(a.ms / 1000).toFixed(1)} |`),
    `| **total** | **${total.cases}** | **${total.good}** | **${total.bad}** | ${secs.toFixed(1)} |`,
    '',
  ];
  if (bad.length) lines.push('### Bad cases', '', ...bad, '');
  if (skipped.length) {
    lines.push(`### Not run (they crash or hang the process today; run with --dangerous)`, '', ...skipped.map((c) => `- ${c.area}: ${c.name}: ${c.dangerous}`), '');
  }
  slow.sort((a, b) => b.ms - a.ms);
  lines.push(`Slowest: ${slow.slice(0, 5).map((s) => `${s.name} ${(s.ms / 1000).toFixed(1)} s`).join('; ')}`, '');
  console.log(lines.join('\n'));
}
