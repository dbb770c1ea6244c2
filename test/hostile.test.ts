// Hostile and careless input against the public API (DESIGN.md, "Hostile and
// careless input"): one uvu test per case of test/hostile/cases.ts. With
// --table (npm run probe:hostile) it runs every case instead and prints a
// markdown table per area and one line per bad case, and exits 0.
// --dangerous (or HOSTILE_DANGEROUS=1) adds the cases that crash or hang the
// process today.
import { test } from 'uvu';
import { cases } from './hostile/cases.js';
import { register, table } from './hostile/probe.js';

if (process.argv.includes('--table')) {
  try {
    await table(cases);
  } catch (e) {
    console.log(`the probe itself failed: ${(e as Error)?.stack ?? String(e)}`);
  }
  process.exit(0);
} else {
  register(test, cases);
  test.run();
}
