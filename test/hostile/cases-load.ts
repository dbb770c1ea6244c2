// sn.loadModel's own arguments: bytes in every form a user has them (a
// Uint8Array view, an ArrayBuffer, a Node Buffer, a file path in Node), and
// careless ones (a missing path, a number, an object, no device).
import * as sn from '../../src/index.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case, Ctx } from './probe.js';
import { X, err, hostX, ok, sameValues, savedBytes, tinyModel } from './fixtures.js';

const area = 'loadModel';
const loadAny = (source: unknown, options?: unknown) => (sn.loadModel as unknown as (s: unknown, o?: unknown) => Promise<sn.Model>)(source, options);

/** Saves a tiny model (optionally to a path), loads it back from `source(bytes)` and compares predictions bit for bit. */
async function roundTrip(ctx: Ctx, source: (bytes: Uint8Array, path: string) => unknown): Promise<true | string> {
  const m = tinyModel(ctx);
  const path = join(ctx.tmp, `round-trip-${Math.random().toString(16).slice(2)}.safetensors`);
  try {
    const want = (await m.predict(hostX())).data;
    const bytes = await m.save(path);
    const again = await loadAny(source(bytes, path), { device: ctx.device });
    try {
      return sameValues((await again.predict(hostX())).data, want, 'predictions after loading');
    } finally {
      again.dispose();
    }
  } finally {
    m.dispose();
  }
}

const isTrue = (r: true | string) => r;

const cases: Case[] = [
  {
    area, name: 'loadModel(path) loads a file written by model.save(path)',
    run: (ctx) => roundTrip(ctx, (_b, path) => path),
    expect: ok(isTrue),
  },
  {
    area, name: 'loadModel(arrayBuffer) loads',
    run: (ctx) => roundTrip(ctx, (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)),
    expect: ok(isTrue),
  },
  {
    area, name: 'loadModel(Buffer) loads (a Node Buffer, as fs.readFileSync returns)',
    run: (ctx) => roundTrip(ctx, (b) => Buffer.from(b)),
    expect: ok(isTrue),
  },
  {
    area, name: 'loadModel(Uint8Array view at an odd byte offset) loads',
    run: (ctx) => roundTrip(ctx, (b) => { const outer = new Uint8Array(b.length + 5); outer.set(b, 5); return outer.subarray(5); }),
    expect: ok(isTrue),
  },
  {
    area, name: 'loadModel of a path that does not exist names the path',
    run: (ctx) => loadAny(join(ctx.tmp, 'no-such-model.safetensors'), { device: ctx.device }),
    expect: err(sn.SinapsisError, 'no-such-model.safetensors'),
  },
  {
    area, name: 'loadModel of a directory names the path',
    run: (ctx) => { const dir = join(ctx.tmp, 'a-directory'); mkdirSync(dir, { recursive: true }); return loadAny(dir, { device: ctx.device }); },
    expect: err(sn.SinapsisError, 'a-directory'),
  },
  {
    area, name: 'loadModel of a path holding JSON, not safetensors',
    run: (ctx) => { const p = join(ctx.tmp, 'not-a-model.json'); writeFileSync(p, JSON.stringify({ X })); return loadAny(p, { device: ctx.device }); },
    expect: err(sn.FormatError, 'not-a-model.json'),
  },
  {
    area, name: 'loadModel(123)',
    run: (ctx) => loadAny(123, { device: ctx.device }),
    expect: err(sn.InputError, 'loadModel'),
  },
  {
    area, name: 'loadModel({})',
    run: (ctx) => loadAny({}, { device: ctx.device }),
    expect: err(sn.InputError, 'loadModel'),
  },
  {
    area, name: 'loadModel(null)',
    run: (ctx) => loadAny(null, { device: ctx.device }),
    expect: err(sn.InputError, 'loadModel'),
  },
  {
    area, name: 'loadModel([1, 2, 3]) (a plain array)',
    run: (ctx) => loadAny([1, 2, 3], { device: ctx.device }),
    expect: err(sn.InputError, 'loadModel'),
  },
  {
    area, name: 'loadModel(bytes) without options',
    run: async (ctx) => loadAny(await savedBytes(ctx)),
    expect: err(sn.InputError, 'device'),
  },
  {
    area, name: 'loadModel(bytes, { device: {} })',
    run: async (ctx) => loadAny(await savedBytes(ctx), { device: {} }),
    expect: err(sn.InputError, 'device'),
  },
  {
    area, name: 'loadModel(bytes, { device: the raw GPUDevice })',
    run: async (ctx) => loadAny(await savedBytes(ctx), { device: ctx.device.gpu }),
    expect: err(sn.InputError, 'device'),
  },
];

export default cases;
