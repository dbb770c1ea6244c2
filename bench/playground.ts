// npm run bench:playground
// Epochs per second of the playground's training in Chromium (WebGPU on
// SwiftShader here): sinapsis against TensorFlow.js on every backend the
// browser gives it, the same network, weights and batches in the same page
// (bench/playground-page), circle with 4,2 hidden layers and spiral with
// 8,8,8 (and sin features). Prints one table: medians of ROUNDS runs after a
// warm-up, and the ratio of ours to the fastest TensorFlow.js backend.
//   --rounds N     runs per engine (default 5)
//   --seconds S    length of each run (default 2)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../scripts/serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

const ORDER = ['sinapsis', 'tfjs-webgpu', 'tfjs-webgl', 'tfjs-wasm', 'tfjs-cpu'];
const rank = (engine: string) => (ORDER.includes(engine) ? ORDER.indexOf(engine) : ORDER.length);

interface Result { experiment: string; engine: string; runs: number[]; median: number | null; losses: { train: number; test: number } | null; note?: string }
interface BenchState { status: string; log: string[]; results: Result[]; device: string; error: string }

if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM} (scripts/setup.sh, or CHROMIUM_PATH)`);
const server = await serve({ port: 0, root: 'dist/playground-bench' });
const profile = mkdtempSync(join(tmpdir(), 'sinapsis-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  const load = [loadavg()[0]];
  let printed = 0;
  await page.goto(`${server.url}?rounds=${arg('rounds', '5')}&seconds=${arg('seconds', '2')}`);
  let s: BenchState;
  for (;;) {
    await page.waitForTimeout(1000);
    s = await page.evaluate(() => (window as unknown as { __bench: BenchState }).__bench);
    for (const line of s.log.slice(printed)) console.log(`  ${line}`);
    printed = s.log.length;
    load.push(loadavg()[0]);
    if (s.status !== 'running') break;
  }
  if (s.status === 'error') throw new Error(`the benchmark page failed: ${s.error}`);

  const fmt = (v: number | null) => (v === null ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
  const experiments = [...new Set(s.results.filter((r) => r.experiment !== '*').map((r) => r.experiment))];
  // sinapsis first, then TF.js' backends in the order they were tried.
  const engines = [...new Set(s.results.map((r) => r.engine))].sort((a, b) => rank(a) - rank(b));
  const rows = experiments.map((x) => {
    const cells = engines.map((e) => s.results.find((r) => r.engine === e && (r.experiment === x || r.experiment === '*'))!);
    const ours = cells.find((r) => r.engine === 'sinapsis')?.median ?? null;
    const peers = cells.filter((r) => r.engine !== 'sinapsis' && r.median !== null);
    const best = peers.sort((a, b) => b.median! - a.median!)[0];
    const ratio = ours !== null && best ? `${(ours / best.median!).toFixed(2)}x ${best.engine}` : '–';
    return `| ${x} | ${cells.map((r) => (r.median === null ? r.note ?? '–' : `${fmt(r.median)} (${fmt(Math.min(...r.runs))}-${fmt(Math.max(...r.runs))})`)).join(' | ')} | ${ratio} |`;
  });
  console.log(`\nepochs/s in Chromium, medians of ${arg('rounds', '5')} runs of ~${arg('seconds', '2')} s (min-max); one epoch = every batch of 10 once, then both losses`);
  console.log(`device: ${s.device}; 1-minute load average ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}\n`);
  console.log(`| experiment | ${engines.join(' | ')} | ours / fastest TF.js |`);
  console.log(`|---|${engines.map(() => '---:').join('|')}|---|`);
  for (const r of rows) console.log(r);
  console.log('\nlosses after the warm-up (3 epochs from the same weights), train / test:');
  for (const r of s.results.filter((r) => r.losses)) console.log(`  ${r.experiment.padEnd(14)} ${r.engine.padEnd(12)} ${r.losses!.train.toFixed(6)} / ${r.losses!.test.toFixed(6)}`);
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
