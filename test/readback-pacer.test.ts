// The readback pacer (src/exec/readback-pacer.ts) on a fake clock: how long
// it sleeps before asking Dawn to map a step's results, on CPU drivers and
// real GPUs, with and without pipelined steps, and that a sleep that
// overshot does not make the next one longer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReadbackPacer } from '../src/exec/readback-pacer.js';

/** A pacer on a fake clock; sleeping advances the clock and records the duration. */
function fake(enabled: boolean) {
  const clock = { now: 0 };
  const slept: number[] = [];
  const pacer = new ReadbackPacer(
    enabled,
    () => clock.now,
    async (ms) => {
      slept.push(ms);
      clock.now += ms;
    },
  );
  /** One step: submitted now, its results mapped gpuMs after it started (or after the map was asked for, if later). */
  const step = async (gpuMs: number) => {
    const at = pacer.submitted();
    await pacer.beforeMap(at);
    clock.now = Math.max(clock.now, at + gpuMs);
    pacer.mapped(at);
  };
  return { clock, slept, pacer, step };
}

test('on a real GPU it never sleeps', async () => {
  const { slept, step } = fake(false);
  for (let i = 0; i < 5; i++) await step(20);
  assert.equal(slept, []);
});

test('on a CPU driver: no sleep before the first step, then 80% of the step time less 1 ms of timer slack', async () => {
  const { slept, step } = fake(true);
  await step(20);
  assert.equal(slept, []);
  await step(20);
  await step(20);
  assert.equal(slept, [15, 15]);
});

test('the estimate is the fastest recent step: one slow step does not lengthen the sleep', async () => {
  const { slept, step } = fake(true);
  await step(20);
  await step(50);
  await step(20);
  assert.equal(slept, [15, 15]);
});

test('a sleep that overshoots (the steps got faster) shortens the next sleep instead of feeding itself', async () => {
  const { slept, step } = fake(true);
  await step(40);
  for (let i = 0; i < 6; i++) await step(10);
  // 40 ms learned: sleeps 31 ms, the step is seen at 31 ms; then 0.8 * 31 - 1 = 23.8, and so on down.
  assert.ok(slept[0] > 30 && slept[0] < 32, `first sleep ${slept[0]}`);
  for (let i = 1; i < slept.length; i++) assert.ok(slept[i] < slept[i - 1], `sleeps should shrink: ${slept.join(', ')}`);
  assert.ok(slept[slept.length - 1] < 10, `last sleep ${slept[slept.length - 1]} should be under the 10 ms step`);
});

test('short steps are not worth a timer', async () => {
  const { slept, step } = fake(true);
  for (let i = 0; i < 5; i++) await step(3);
  assert.equal(slept, []);
});

test('pipelined steps: the wait counts from when the GPU could start the step (after the previous one finished)', async () => {
  const { clock, slept, pacer } = fake(true);
  // Step 0 alone, 20 ms.
  const a = pacer.submitted();
  await pacer.beforeMap(a);
  clock.now = 20;
  pacer.mapped(a);
  // Step 1 was submitted at 5 ms, while step 0 ran; its results are asked for at 20 ms.
  // The GPU starts it at 20 ms, so the pacer sleeps until 20 + 0.8 * 20 - 1 = 35 ms.
  await pacer.beforeMap(5);
  assert.equal(slept, [15]);
  assert.is(clock.now, 35);
});

test.run();
