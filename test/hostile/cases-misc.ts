// The rest of the public API: callbacks with bad configs, MNIST from
// garbage bytes, createDevice with odd options, model.save to a path that
// cannot be written, and what a new process prints when it creates a device.
import * as sn from '../../src/index.js';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Case, Ctx, Fragment } from './probe.js';
import { X, Y, err, ok, quiet, randomBytes, withModel } from './fixtures.js';

const area = 'misc';
/** The environment this process started with: createDevice() may set VK_ICD_FILENAMES in it later, which a child would inherit. */
const launchEnv = { ...process.env };
const q = (name: string): Fragment => [`'${name}'`, `"${name}"`, `\`${name}\``];
const any = <T>(v: unknown) => v as T;

/** A tiny IDX file of unsigned bytes. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
const images = (n: number) => idx([n, 28, 28], new Uint8Array(n * 784));
const labels = (n: number) => idx([n], new Uint8Array(n));
const mnistFiles = () => ({ trainImages: images(2), trainLabels: labels(2), testImages: images(1), testLabels: labels(1) });

/** Saves a tiny model to `path`, returns the error (or 'saved'), and the names left in `dir`. */
async function saveTo(ctx: Ctx, path: string, dir: string): Promise<{ error: unknown; left: string[] }> {
  return withModel(ctx, async (m) => {
    let error: unknown;
    try {
      await m.save(path);
    } catch (e) {
      error = e;
    }
    return { error, left: existsSync(dir) ? readdirSync(dir) : [] };
  });
}

const cases: Case[] = [
  {
    area, name: "earlyStopping monitoring 'valLos' (a key the logs lack) rejects naming it and the keys",
    run: (ctx) => withModel(ctx, (m) => m.fit(X, Y, { epochs: 2, validationSplit: 0.5, callbacks: [sn.callbacks.earlyStopping({ monitor: 'valLos' })], ...quiet })),
    expect: err(sn.SinapsisError, 'valLos', 'valLoss'),
  },
  { area, name: "earlyStopping mode 'up'", run: () => sn.callbacks.earlyStopping(any({ mode: 'up' })), expect: err(sn.InputError, 'mode', 'up') },
  { area, name: 'earlyStopping patience -1', run: () => sn.callbacks.earlyStopping({ patience: -1 }), expect: err(sn.InputError, 'patience', '-1') },
  { area, name: "earlyStopping with an unknown key 'patient'", run: () => sn.callbacks.earlyStopping(any({ patient: 2 })), expect: err(sn.InputError, q('patient')) },
  { area, name: 'modelCheckpoint({}) (no filepath)', run: () => sn.callbacks.modelCheckpoint(any({})), expect: err(sn.InputError, 'filepath') },
  {
    area, name: "a callback that throws: fit rejects with the callback's own error",
    run: (ctx) => withModel(ctx, async (m) => {
      const mine = new Error('from my callback');
      try {
        await m.fit(X, Y, { epochs: 2, callbacks: [{ onEpochEnd: () => { throw mine; } }], ...quiet });
        return 'fit resolved';
      } catch (e) {
        return e === mine ? true : `fit rejected with ${String(e)}`;
      }
    }),
    expect: ok((r: true | string) => r),
  },
  {
    area, name: 'after a callback threw, the model can fit again',
    run: (ctx) => withModel(ctx, async (m) => {
      await m.fit(X, Y, { epochs: 2, callbacks: [{ onEpochEnd: () => { throw new Error('once'); } }], ...quiet }).catch(() => undefined);
      return m.fit(X, Y, { epochs: 1, ...quiet });
    }),
    expect: ok((h: sn.History) => (h.epoch.length === 1 ? true : `history ${JSON.stringify(h)}`)),
  },

  // MNIST from bytes.
  {
    area, name: 'mnistFromBytes of random garbage bytes',
    run: () => sn.datasets.mnistFromBytes({ trainImages: randomBytes(1000, 1), trainLabels: randomBytes(100, 2), testImages: randomBytes(1000, 3), testLabels: randomBytes(100, 4) }),
    expect: err(sn.FormatError, 'train-images-idx3-ubyte'),
  },
  {
    area, name: 'mnistFromBytes of empty arrays',
    run: () => sn.datasets.mnistFromBytes({ trainImages: new Uint8Array(0), trainLabels: new Uint8Array(0), testImages: new Uint8Array(0), testLabels: new Uint8Array(0) }),
    expect: err(sn.FormatError, 'train-images-idx3-ubyte'),
  },
  { area, name: 'mnistFromBytes({})', run: () => sn.datasets.mnistFromBytes(any({})), expect: err(sn.InputError, 'trainImages') },
  {
    area, name: 'mnistFromBytes with a string for testLabels',
    run: () => sn.datasets.mnistFromBytes(any({ ...mnistFiles(), testLabels: 'abc' })),
    expect: err(sn.InputError, 'testLabels'),
  },
  {
    area, name: 'mnistFromBytes with a header claiming 1e9 images',
    run: () => sn.datasets.mnistFromBytes({ ...mnistFiles(), trainImages: idx([1e9, 28, 28], new Uint8Array(784)) }),
    expect: err(sn.FormatError, 'train-images-idx3-ubyte', 'truncated'),
    maxMs: 2000,
  },
  { area, name: 'mnistFromBytes trainLimit 0', run: () => sn.datasets.mnistFromBytes(mnistFiles(), { trainLimit: 0 }), expect: err(sn.InputError, 'trainLimit', '0') },
  { area, name: "mnistFromBytes trainLimit '5' (a string)", run: () => sn.datasets.mnistFromBytes(mnistFiles(), any({ trainLimit: '5' })), expect: err(sn.InputError, 'trainLimit') },
  {
    area, name: 'mnistFromBytes of well-formed tiny files works',
    run: () => sn.datasets.mnistFromBytes(mnistFiles()),
    expect: ok((m: { train: { x: sn.HostTensor } }) => (m.train.x.shape.join() === '2,28,28,1' ? true : `shape [${m.train.x.shape}]`)),
  },

  // createDevice.
  { area, name: "createDevice({ powerPreference: 'fast' })", run: () => sn.createDevice(any({ powerPreference: 'fast' })), expect: err(sn.InputError, 'powerPreference', 'fast') },
  { area, name: "createDevice({ robustness: 'no' })", run: () => sn.createDevice(any({ robustness: 'no' })), expect: err(sn.InputError, 'robustness') },
  { area, name: "createDevice({ caps: { matmul: 'quantum' } })", run: () => sn.createDevice(any({ caps: { matmul: 'quantum' } })), expect: err(sn.InputError, 'matmul', 'quantum') },
  { area, name: "createDevice with an unknown option 'robust'", run: () => sn.createDevice(any({ robust: false })), expect: err(sn.InputError, q('robust')) },
  {
    area, name: 'createDevice(): the first line a new Node process prints does not mention vkCreateInstance',
    run: () => {
      const bundle = fileURLToPath(new URL('../sinapsis.node.js', import.meta.url));
      const script = `import(${JSON.stringify(bundle)}).then(async (sn) => { const d = await sn.createDevice(); console.log('device ok'); d.destroy(); })`;
      const r = spawnSync('sh', ['-c', `"${process.execPath}" -e '${script.replace(/'/g, "'\\''")}' 2>&1`], { encoding: 'utf8', timeout: 30_000, env: launchEnv });
      return r.stdout ?? '';
    },
    expect: ok((out: string) => {
      const first = out.split('\n').find((l) => l.trim() !== '') ?? '';
      if (first.includes('vkCreateInstance')) return `the first line is ${JSON.stringify(first)}`;
      return out.includes('device ok') ? true : `the process printed ${JSON.stringify(out.slice(0, 300))}`;
    }),
    timeoutMs: 40_000,
  },

  // model.save to paths that cannot be written.
  {
    area, name: 'model.save into a directory that does not exist names the target, not a temp file, and leaves none',
    run: (ctx) => saveTo(ctx, join(ctx.tmp, 'missing-dir', 'model.safetensors'), ctx.tmp),
    expect: ok((r: { error: unknown; left: string[] }) => {
      if (!r.error) return 'saving succeeded';
      const message = (r.error as Error).message ?? String(r.error);
      if (!message.includes(join('missing-dir', 'model.safetensors'))) return `the message does not name the target: ${message}`;
      if (/\.tmp\b/.test(message)) return `the message names a temporary file: ${message}`;
      const stray = r.left.filter((f) => f.endsWith('.tmp'));
      return stray.length ? `temporary files left: ${stray.join(', ')}` : true;
    }),
  },
  {
    area, name: 'model.save to a path that is a directory names it and leaves no temp file',
    run: (ctx) => { const dir = join(ctx.tmp, 'save-is-dir'); mkdirSync(join(dir, 'model.safetensors'), { recursive: true }); return saveTo(ctx, join(dir, 'model.safetensors'), dir); },
    expect: ok((r: { error: unknown; left: string[] }) => {
      if (!r.error) return 'saving succeeded';
      const message = (r.error as Error).message ?? String(r.error);
      if (!message.includes('model.safetensors')) return `the message does not name the target: ${message}`;
      const stray = r.left.filter((f) => f.endsWith('.tmp'));
      return stray.length ? `temporary files left: ${stray.join(', ')}` : true;
    }),
  },
  {
    area, name: 'model.save into a missing directory fails with a SinapsisError',
    run: (ctx) => withModel(ctx, (m) => m.save(join(ctx.tmp, 'missing-dir-2', 'm.safetensors'))),
    expect: err(sn.SinapsisError, 'missing-dir-2'),
  },
  {
    area, name: "model.save({ includeOptimiser: true }) (British spelling, an unknown key)",
    run: (ctx) => withModel(ctx, (m) => m.save(any({ includeOptimiser: true }))),
    expect: err(sn.InputError, q('includeOptimiser')),
  },
  { area, name: 'model.save(5)', run: (ctx) => withModel(ctx, (m) => m.save(any(5))), expect: err(sn.InputError, 'save') },
];

export default cases;
