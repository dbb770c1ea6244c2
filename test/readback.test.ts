// Grouped readbacks (Program.submit with deferRead, src/exec/readback.ts):
// every step gets its own values back across group boundaries, awaiting a
// step of an open group maps it at once instead of hanging, a disposed
// program rejects the steps it never read, and the buffer count stays flat.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';
import { READ_GROUP } from '../src/exec/readback.js';
import { device, throwsWith } from './helpers.js';

const N = 5;

/** y = 2 x + 1 and s = sum(x) over a [5] input: each step's values tell which step they came from. */
async function affine() {
  const g = sn.graph();
  const x = g.input('x', [N]);
  const prog = await sn.compile(await device(), g, { outputs: { y: x.mul(2).add(1), s: x.sum() } });
  const input = (step: number) => Float32Array.from({ length: N }, (_, i) => step * 10 + i);
  const expected = (step: number) => ({ y: Array.from(input(step), (v) => 2 * v + 1), s: input(step).reduce((a, b) => a + b, 0) });
  return { prog, input, expected };
}

test(`deferred reads over ${2 * READ_GROUP + 3} steps (two full groups and a partial one): every step gets its own values`, async () => {
  const { prog, input, expected } = await affine();
  try {
    const steps = 2 * READ_GROUP + 3;
    const pending: Promise<sn.Results>[] = [];
    for (let step = 0; step < steps; step++) pending.push((await prog.submit({ x: input(step) }, { deferRead: true })).results);
    // Awaited in reverse: the newest step's group is still open, and awaiting it maps it.
    for (let step = steps - 1; step >= 0; step--) {
      const out = await pending[step];
      assert.equal(Array.from(out.y.data), expected(step).y, `step ${step} y`);
      assert.is(out.s.data[0], expected(step).s, `step ${step} s`);
      assert.equal(out.y.shape, [N]);
    }
  } finally {
    prog.dispose();
  }
});

test('awaiting the only step of an open group resolves (the group is mapped then), and reads can differ per step', async () => {
  const { prog, input, expected } = await affine();
  try {
    const first = (await prog.submit({ x: input(1) }, { deferRead: true, read: ['s'] })).results;
    const second = (await prog.submit({ x: input(2) }, { deferRead: true })).results;
    const a = await first;
    assert.equal(Object.keys(a), ['s']);
    assert.is(a.s.data[0], expected(1).s);
    // The second step went into the same group, mapped when the first was awaited.
    const b = await second;
    assert.equal(Array.from(b.y.data), expected(2).y);
    // A plain run after deferred ones still reads its own values.
    const c = await prog.run({ x: input(3) });
    assert.equal(Array.from(c.y.data), expected(3).y);
  } finally {
    prog.dispose();
  }
});

test('Promise.all over a group and flush() both map an open group; sync() waits for it', async () => {
  const { prog, input, expected } = await affine();
  try {
    const a = (await prog.submit({ x: input(4) }, { deferRead: true })).results;
    const b = (await prog.submit({ x: input(5) }, { deferRead: true })).results;
    const [ra, rb] = await Promise.all([a, b]);
    assert.is(ra.s.data[0], expected(4).s);
    assert.is(rb.s.data[0], expected(5).s);
    const c = (await prog.submit({ x: input(6) }, { deferRead: true })).results;
    prog.flush();
    await prog.sync();
    assert.is((await c).s.data[0], expected(6).s);
  } finally {
    prog.dispose();
  }
});

test('disposing a program with an open group rejects those steps with an error that says so', async () => {
  const { prog, input } = await affine();
  const pending = (await prog.submit({ x: input(1) }, { deferRead: true })).results;
  prog.dispose();
  await throwsWith(() => pending, sn.SinapsisError, /disposed before these results were read back/);
});

test(`${6 * READ_GROUP} deferred steps keep liveBufferCount flat after the first group`, async () => {
  const { prog, input, expected } = await affine();
  const dev = prog.device;
  try {
    const run = async (steps: number) => {
      const pending: Promise<sn.Results>[] = [];
      for (let i = 0; i < steps; i++) pending.push((await prog.submit({ x: input(i) }, { deferRead: true })).results);
      const last = await pending[steps - 1];
      assert.is(last.s.data[0], expected(steps - 1).s);
      await Promise.all(pending);
    };
    await run(2 * READ_GROUP);
    const before = sn.liveBufferCount(dev.gpu);
    await run(6 * READ_GROUP);
    assert.is(sn.liveBufferCount(dev.gpu), before);
  } finally {
    prog.dispose();
  }
});

test.run();
