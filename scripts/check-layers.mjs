// Checks that every import in src/ points one way, down the architecture:
//
//   index.ts  ->  nn/  ->  data/  ->  compile.ts  ->  optimizers/  ->  exec/
//   ->  device.ts  ->  plan/  ->  ops/  ->  cpu/  ->  graph/  ->  errors, options, names
//
// (docs/architecture.md says what each layer owns.) A module may import from
// its own layer or from a lower one; within a layer, modules may not import
// each other in a cycle (type-only imports are erased, so they count for the
// direction but not for cycles). Prints every violation and exits 1 if there
// is one; `npm run check:layers` runs it, and test/architecture.test.ts
// runs it as part of `npm test`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** Layers from the bottom up: a path prefix under src/ (a folder ends with '/'). */
export const LAYERS = [
  ['base', ['errors.ts', 'options.ts', 'names.ts', 'atomic-file.ts', 'wgsl.d.ts']],
  ['graph', ['graph/']],
  ['cpu', ['cpu/']],
  ['ops', ['ops/']],
  ['plan', ['plan/']],
  ['device', ['device.ts']],
  ['exec', ['exec/']],
  ['optimizers', ['optimizers/']],
  ['program', ['compile.ts']],
  ['data', ['data/']],
  ['nn', ['nn/']],
  ['api', ['index.ts']],
];

function layerOf(file) {
  const rel = relative(src, file).split('\\').join('/');
  const i = LAYERS.findIndex(([, prefixes]) => prefixes.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p)));
  return { index: i, name: i < 0 ? undefined : LAYERS[i][0], rel };
}

function sources(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports of a module: { spec, typeOnly }. */
function importsOf(text) {
  const found = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'"]*?)\s*from\s*['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]/gm;
  for (let m; (m = re.exec(text)); ) {
    if (m[5]) found.push({ spec: m[5], typeOnly: false });
    else found.push({ spec: m[4], typeOnly: Boolean(m[2]) || /^\{[^}]*\}$/.test(m[3]) && m[3].slice(1, -1).split(',').every((n) => /^\s*type\s/.test(n) || !n.trim()) });
  }
  return found;
}

function resolveSpec(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

export function checkLayers() {
  const problems = [];
  const runtimeEdges = new Map();
  for (const file of sources(src)) {
    const from = layerOf(file);
    if (from.index < 0) {
      problems.push(`src/${from.rel}: belongs to no layer (add it to LAYERS in scripts/check-layers.mjs)`);
      continue;
    }
    runtimeEdges.set(file, []);
    for (const { spec, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
      const target = resolveSpec(file, spec);
      if (!target) continue;
      if (!target.startsWith(src + '/')) {
        // shaders/*.wgsl: kernel text, for the layers that build kernels.
        if (target.endsWith('.wgsl') && !['ops', 'plan'].includes(from.name)) problems.push(`src/${from.rel}: imports the shader ${relative(root, target)}; only ops/ and plan/ build kernels`);
        continue;
      }
      const to = layerOf(target);
      if (to.index > from.index) problems.push(`src/${from.rel} (${from.name}) imports ${typeOnly ? 'types from ' : ''}src/${to.rel} (${to.name}), a higher layer`);
      if (!typeOnly && to.index === from.index) runtimeEdges.get(file).push(target);
    }
  }
  for (const cycle of cycles(runtimeEdges)) problems.push(`import cycle: ${cycle.map((f) => `src/${layerOf(f).rel}`).join(' -> ')}`);
  return problems;
}

/** Every strongly connected component of more than one module, as a path around it (Tarjan). */
function cycles(edges) {
  const index = new Map(), low = new Map(), stack = [], onStack = new Set(), found = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push([...component.reverse(), component[0]]);
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = checkLayers();
  for (const p of problems) console.log(p);
  console.log(problems.length ? `\n${problems.length} import(s) point the wrong way` : 'check:layers: every import points down the layers, no cycles');
  process.exit(problems.length ? 1 : 0);
}
