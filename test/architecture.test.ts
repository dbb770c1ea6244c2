// The architecture as a test: every import in src/ points down the layers
// (scripts/check-layers.mjs, also `npm run check:layers`), the checker itself
// still catches an import that points up, and the planner's passes stay
// short (scripts/function-lengths.mjs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, cpSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const check = (cwd = '.') => spawnSync(process.execPath, [join(cwd, 'scripts/check-layers.mjs')], { encoding: 'utf8' });

test('every import in src/ points down the layers and no modules import each other in a cycle', () => {
  const r = check();
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, 'every import points down the layers');
});

test('no function in src/plan is over 60 lines (scripts/function-lengths.mjs)', () => {
  const r = spawnSync(process.execPath, ['scripts/function-lengths.mjs', '--max', '60', 'src/plan'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
});

test('an import that points up, or a cycle, is reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sinapsis-layers-'));
  try {
    mkdirSync(join(dir, 'scripts'));
    cpSync('scripts/check-layers.mjs', join(dir, 'scripts/check-layers.mjs'));
    cpSync('src', join(dir, 'src'), { recursive: true });
    // The graph layer reaching up into the planner, and two ops importing each other.
    const shape = join(dir, 'src/graph/shape.ts');
    writeFileSync(shape, `import { planMemory } from '../plan/memory.js';\nvoid planMemory;\n${readFileSync(shape, 'utf8')}`);
    const pad = join(dir, 'src/ops/window.ts');
    writeFileSync(pad, `import { maxPool2d } from './pool.js';\nvoid maxPool2d;\n${readFileSync(pad, 'utf8')}`);
    const r = check(dir);
    assert.is(r.status, 1, r.stdout);
    assert.match(r.stdout, 'src/graph/shape.ts (graph) imports src/plan/memory.ts (plan), a higher layer');
    assert.match(r.stdout, /import cycle: .*src\/ops\/pool\.ts.*src\/ops\/window\.ts|import cycle: .*src\/ops\/window\.ts.*src\/ops\/pool\.ts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
