// prog.run and friends with careless inputs: missing, extra, wrong length,
// nested arrays, strings, unknown options, and use after dispose.
import * as sn from '../../src/index.js';
import type { Case, Ctx } from './probe.js';
import { err, ok, sameValues } from './fixtures.js';

const area = 'program';
const any = <T>(v: unknown) => v as T;

/** Compiles z = x + y (x [2, 3], y [3]) with a param w, runs fn on it, disposes it. */
async function withProgram(ctx: Ctx, fn: (p: sn.Program) => unknown, keep = false): Promise<unknown> {
  const g = sn.graph();
  const x = g.input('x', [2, 3]);
  const y = g.input('y', [3]);
  const w = g.param('w', [3], [1, 1, 1]);
  const prog = await sn.compile(ctx.device, g, { outputs: { z: x.add(y).mul(w) } });
  try {
    return await fn(prog);
  } finally {
    if (!keep) prog.dispose();
  }
}

const good = { x: [1, 2, 3, 4, 5, 6], y: [1, 1, 1] };

const cases: Case[] = [
  { area, name: 'run with a missing input', run: (ctx) => withProgram(ctx, (p) => p.run({ x: good.x })), expect: err(sn.InputError, "'y'", '[3]') },
  { area, name: 'run with an extra input', run: (ctx) => withProgram(ctx, (p) => p.run({ ...good, q: [1] })), expect: err(sn.InputError, "'q'", "'x'") },
  { area, name: 'run with a wrong-length input', run: (ctx) => withProgram(ctx, (p) => p.run({ ...good, y: [1, 2] })), expect: err(sn.InputError, "'y'", '3', '2') },
  { area, name: "run with a string input ('abcdef')", run: (ctx) => withProgram(ctx, (p) => p.run({ ...good, x: any('abcdef') })), expect: err(sn.InputError, "'x'", 'string') },
  {
    area, name: 'run with nested arrays for a [2, 3] input',
    run: (ctx) => withProgram(ctx, (p) => p.run({ ...good, x: any([[1, 2, 3], [4, 5, 6]]) })),
    expect: err(sn.InputError, "'x'", '6', '2'),
  },
  { area, name: 'run with [1, null, 3]', run: (ctx) => withProgram(ctx, (p) => p.run({ ...good, y: any([1, null, 3]) })), expect: err(sn.InputError, "'y'", 'element 1') },
  {
    area, name: 'run with an Int32Array input computes with its values',
    run: (ctx) => withProgram(ctx, async (p) => (await p.run({ x: Int32Array.from(good.x), y: good.y })).z.data),
    expect: ok((d: Float32Array) => sameValues(d, [2, 3, 4, 5, 6, 7], 'z')),
  },
  {
    area, name: 'run with NaN in an input computes NaN there (no check in a graph program)',
    run: (ctx) => withProgram(ctx, async (p) => (await p.run({ x: [NaN, 2, 3, 4, 5, 6], y: good.y })).z.data),
    expect: ok((d: Float32Array) => sameValues(d, [NaN, 3, 4, 5, 6, 7], 'z')),
  },
  { area, name: "run with read: ['nope']", run: (ctx) => withProgram(ctx, (p) => p.run(good, { read: ['nope'] })), expect: err(sn.InputError, "'nope'", 'z') },
  { area, name: "run with an unknown option 'reads'", run: (ctx) => withProgram(ctx, (p) => p.run(good, any({ reads: ['z'] }))), expect: err(sn.InputError, "'reads'") },
  { area, name: 'run(null)', run: (ctx) => withProgram(ctx, (p) => p.run(any(null))), expect: err(sn.InputError, 'inputs') },
  { area, name: 'run after dispose', run: (ctx) => withProgram(ctx, (p) => { p.dispose(); return p.run(good); }), expect: err(sn.SinapsisError, 'disposed') },
  { area, name: 'params() after dispose', run: (ctx) => withProgram(ctx, (p) => { p.dispose(); return p.params(); }), expect: err(sn.SinapsisError, 'disposed') },
  { area, name: 'setParams with an unknown name', run: (ctx) => withProgram(ctx, (p) => p.setParams({ v: new Float32Array(3) })), expect: err(sn.InputError, "'v'") },
  { area, name: 'setParams with a wrong size', run: (ctx) => withProgram(ctx, (p) => p.setParams({ w: new Float32Array(2) })), expect: err(sn.InputError, "'w'", '2') },
  { area, name: 'setParams with a number[] (not a Float32Array)', run: (ctx) => withProgram(ctx, async (p) => { p.setParams({ w: any([2, 2, 2]) }); return (await p.run(good)).z.data; }), expect: ok((d: Float32Array) => sameValues(d, [4, 6, 8, 10, 12, 14], 'z')) },
  { area, name: 'dispose twice is harmless', run: (ctx) => withProgram(ctx, (p) => { p.dispose(); p.dispose(); return 'ok'; }), expect: ok() },
  {
    area, name: 'prog.memory reports numbers',
    run: (ctx) => withProgram(ctx, (p) => p.memory),
    expect: ok((m: sn.MemoryReport) => (['plannedBytes', 'naiveBytes', 'buffers', 'persistentBytes'].every((k) => Number.isFinite((m as unknown as Record<string, number>)[k])) ? true : JSON.stringify(m))),
  },
  {
    area, name: 'three runs started together each see their own inputs',
    run: (ctx) => withProgram(ctx, async (p) => {
      const outs = await Promise.all([1, 2, 3].map((k) => p.run({ x: good.x.map((v) => v * k), y: [0, 0, 0] })));
      return outs.map((o) => o.z.data[5]);
    }),
    expect: ok((r: number[]) => (r.join() === '6,12,18' ? true : `got ${r.join()}`)),
  },
];

export default cases;
