// Runs the bundled uvu tests (dist/test) one file per process, so one file's
// crash cannot hide another's results, and ends with one summary line:
// "tests: N passed, N failed".
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const dir = 'dist/test';
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.test.js') && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
let passed = 0, failed = 0, skipped = 0;
const broken = [];
for (const f of files) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--enable-source-maps', join(dir, f)], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  const num = (label) => Number((out.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? 0);
  const total = num('Total'), pass = num('Passed'), skip = num('Skipped');
  passed += pass; skipped += skip;
  const fileFailed = r.status !== 0 || total === 0 ? Math.max(1, total - pass - skip) : total - pass - skip;
  failed += fileFailed;
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`${fileFailed ? 'FAIL' : 'ok  '} ${f}  (${pass}/${total} in ${secs}s)`);
  if (fileFailed) { broken.push(f); console.log(out.split('\n').map((l) => '    ' + l).join('\n')); }
}
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (broken.length) console.log(`failing files: ${broken.join(', ')}`);
process.exit(failed ? 1 : 0);
