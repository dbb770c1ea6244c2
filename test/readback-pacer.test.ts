// The readback pacer (src/exec/readback-pacer.ts) on a fake clock: how long
// it sleeps before asking Dawn for a step's results, on CPU drivers and real
// GPUs; its model of the queue (pipelined steps, many steps in flight, steps
// queued behind, two programs); and which waits it learns from.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReadbackPacer, type PacedStep } from '../src/exec/readback-pacer.js';

const P = { program: 'P' };
const Q = { program: 'Q' };

/** A pacer on a fake clock; sleeping advances the clock, records the duration and runs onSleep (another wait's events). */
function fake(enabled: boolean) {
  const clock = { now: 0 };
  const slept: number[] = [];
  let onSleep: (() => void) | undefined;
  const pacer = new ReadbackPacer(
    enabled,
    () => clock.now,
    async (ms) => {
      slept.push(ms);
      clock.now += ms;
      onSleep?.();
    },
  );
  /** One step alone: submitted now, asked for when the pacer says, seen done gpuMs after it was submitted (or when asked, if later). */
  const step = async (gpuMs: number, key: object = P) => {
    const s = pacer.submitted(key);
    await pacer.paced(s, async () => {
      clock.now = Math.max(clock.now, s.at + gpuMs);
    });
  };
  const setOnSleep = (f: (() => void) | undefined) => (onSleep = f);
  /**
   * Steps until the pacer is settled on gpuMs for this program: a first step
   * (not learned), one timed without a plan, one slept by the estimate and
   * seen finishing. The sleeps so far are cleared.
   */
  const settle = async (gpuMs: number, key: object = P) => {
    for (let k = 0; k < 3; k++) await step(gpuMs, key);
    slept.length = 0;
  };
  /** Two steps of program P submitted now, one behind the other. */
  const twoInFlight = () => ({ start: clock.now, a: pacer.submitted(P), b: pacer.submitted(P) });
  return { clock, slept, pacer, step, setOnSleep, settle, twoInFlight };
}

/** Sleeps (ms) rounded to 0.1 ms. */
const round = (xs: number[]) => xs.map((x) => Math.round(x * 10) / 10);

test('on a real GPU it never sleeps', async () => {
  const { slept, step } = fake(false);
  for (let i = 0; i < 5; i++) await step(20);
  assert.equal(slept, []);
});

test('one step at a time: the first step teaches nothing, the second is timed, then a fifth of a step is left to spin until a sleep by the estimate is seen to end in time, then 22% (a fifth of a step, 2% of the wait) and 1 ms of timer slack', async () => {
  const { slept, step } = fake(true);
  await step(20);
  await step(20);
  assert.equal(slept, []);
  await step(20);
  await step(20);
  await step(20);
  assert.equal(round(slept), [15, 14.6, 14.6]);
});

test("a program's first step (its kernels compile) does not set the estimate", async () => {
  const { slept, step } = fake(true);
  await step(500);
  await step(20);
  await step(20);
  assert.equal(round(slept), [15]);
});

test('the estimate is the fastest recent step: one slow step does not lengthen the sleep', async () => {
  const { slept, step, settle } = fake(true);
  await settle(20);
  await step(50);
  await step(20);
  assert.equal(round(slept), [14.6, 14.6]);
});

test('a sleep that overshoots (the steps got faster) shortens the next sleep instead of feeding itself', async () => {
  const { slept, step, settle } = fake(true);
  await settle(40);
  for (let i = 0; i < 6; i++) await step(10);
  // 40 ms learned: sleeps 30.2 ms, the step is seen at 30.2 ms; then 0.8 * 30.2 - 1, and so on down.
  assert.is(round(slept)[0], 30.2);
  for (let i = 1; i < slept.length; i++) assert.ok(slept[i] < slept[i - 1], `sleeps should shrink: ${slept.join(', ')}`);
  assert.ok(slept[slept.length - 1] < 10, `last sleep ${slept[slept.length - 1]} should be under the 10 ms step`);
});

test('many steps in flight, an estimate too long (first steps are slow): each wait leaves a fifth of it until the GPU is seen finishing', async () => {
  const { clock, slept, pacer, settle } = fake(true);
  await settle(40);
  for (let g = 0; g < 12; g++) {
    const start = clock.now;
    let last: PacedStep | undefined;
    for (let i = 0; i < 16; i++) last = pacer.submitted(P);
    await pacer.beforeMap(last!);
    clock.now = Math.max(clock.now, start + 160); // 16 steps of 10 ms
    pacer.mapped(last!);
  }
  // First wait: narrow margin, 640 - (8 + 12.8 + 1) = 618.2, found done at once; then 0.8 of the last wait less 1 ms each time.
  assert.is(round(slept)[0], 618.2);
  for (let i = 1; slept[i - 1] > 160; i++) assert.ok(slept[i] <= 0.8 * slept[i - 1], `wait ${i}: ${round(slept).join(', ')}`);
  // Once a wait ends before the GPU (10 ms steps learned), the margin is narrow again: 160 - (2 + 3.2 + 1).
  assert.is(round(slept)[slept.length - 1], 153.8);
});

test('short steps are not worth a timer', async () => {
  const { slept, step } = fake(true);
  for (let i = 0; i < 5; i++) await step(3);
  assert.equal(slept, []);
});

test('a pipelined step starts on the GPU when the previous one is seen done', async () => {
  const { clock, slept, pacer, settle } = fake(true);
  await settle(20);
  const start = clock.now;
  const a = pacer.submitted(P);
  clock.now = start + 5;
  const b = pacer.submitted(P); // while a runs
  clock.now = start + 20;
  pacer.mapped(a); // a took 20 ms
  // b starts at 20 ms and should end at 40: the pacer sleeps until 40 - 0.22 * 20 - 1 = 34.6 ms.
  await pacer.beforeMap(b);
  assert.equal(round(slept), [14.6]);
  assert.is(Math.round((clock.now - start) * 10) / 10, 34.6);
});

test('many steps in flight (submitted without reads, then one wait): the sleep covers all of them; the margin is a fifth of one step plus 2% of the wait, or only the fifth of a step with work queued behind', async () => {
  for (const [queuedBehind, expected] of [[false, 191], [true, 195]] as const) {
    const { clock, slept, pacer, settle } = fake(true);
    await settle(20);
    const start = clock.now;
    let tenth: PacedStep | undefined;
    for (let i = 0; i < 10; i++) tenth = pacer.submitted(P);
    if (queuedBehind) pacer.submitted(P);
    await pacer.beforeMap(tenth!);
    // 10 steps of 20 ms end at +200 ms; margin 0.2 * 20 + 0.02 * 200 + 1 = 9 ms, or 0.2 * 20 + 1 = 5 ms.
    assert.equal(round(slept), [expected], `queued behind: ${queuedBehind}`);
    assert.is(clock.now - start, expected);
  }
});

test('a step seen done later than expected moves the wait of the step behind it', async () => {
  const { clock, slept, pacer, setOnSleep, settle, twoInFlight } = fake(true);
  await settle(20);
  const { start, a, b } = twoInFlight();
  // b's wait is planned for a ending at +20 and b at +40: sleep to 40 - (0.2 * 20 + 0.02 * 40 + 1) = 34.2.
  // a is seen done only as that sleep ends.
  setOnSleep(() => {
    setOnSleep(undefined);
    pacer.mapped(a);
  });
  await pacer.beforeMap(b);
  // b now starts at 34.2 and should end at 54.2: sleep on to 54.2 - 5.4 = 48.8.
  assert.equal(round(slept), [34.2, 14.6]);
  assert.is(Math.round((clock.now - start) * 10) / 10, 48.8);
});

test('two steps found done by one poll: the second teaches nothing (its end is unknown)', async () => {
  const { clock, slept, pacer, step, settle, twoInFlight } = fake(true);
  await settle(20);
  const { start, a, b } = twoInFlight();
  clock.now = start + 15;
  await pacer.beforeMap(a); // due at 20 - (0.2 * 20 + 1) = 15: asked at once
  await pacer.beforeMap(b); // b is expected to end at 40: wakes at 40 - (0.2 * 20 + 0.02 * 40 + 1) = 34.2
  assert.is(Math.round((clock.now - start) * 10) / 10, 34.2);
  clock.now = start + 35;
  pacer.mapped(a); // a was slow (35 ms), seen as it finished
  clock.now = start + 35.5;
  pacer.mapped(b); // found done by the same poll, its callback run a little later: 0.5 ms is no step time
  slept.length = 0;
  await step(20);
  assert.equal(round(slept), [14.6], 'the estimate stayed at 20 ms');
});

test('a step that started when an unobserved one ended teaches nothing', async () => {
  const { clock, slept, pacer, step, settle, twoInFlight } = fake(true);
  await settle(20);
  const { a, b } = twoInFlight();
  clock.now += 60; // a ended at +20 and b at +40, but a is asked for only now
  await pacer.beforeMap(a);
  pacer.mapped(a); // seen done at once: when it ended is unknown
  await pacer.beforeMap(b); // the model has b start now; a was found late, so the wide margin: 0.8 * 20 - 1 = 15 ms of sleep
  clock.now += 1;
  pacer.mapped(b); // 16 ms after a was seen: too short for b, which ran from +20 to +40
  await step(20);
  assert.equal(round(slept), [15, 14.6], 'the estimate stayed at 20 ms');
});

test('two programs on one queue: each keeps its own step time, and a step waits behind the other program\'s', async () => {
  const { clock, slept, pacer, step, settle } = fake(true);
  await settle(20, P);
  await settle(10, Q);
  await step(20, P);
  await step(10, Q);
  assert.equal(round(slept), [14.6, 6.8]);
  slept.length = 0;
  const start = clock.now;
  pacer.submitted(P);
  const q = pacer.submitted(Q);
  await pacer.beforeMap(q);
  // P's step ends at +20, Q's at +30; margin 0.2 * 10 + 0.02 * 30 + 1 = 3.6.
  assert.equal(round(slept), [26.4]);
  assert.is(Math.round((clock.now - start) * 10) / 10, 26.4);
  clock.now = start + 30;
  pacer.mapped(q);
  // Learned from both: P's 20 ms is subtracted, so Q's estimate stays 10 ms.
  slept.length = 0;
  await step(10, Q);
  assert.equal(round(slept), [6.8]);
});

test('waitFor: the value or the error of the work, with timers and I/O still served while it waits', async () => {
  const pacer = new ReadbackPacer(true);
  const order: string[] = [];
  const work = new Promise<number>((resolve) => setTimeout(() => resolve(42), 20));
  setTimeout(() => order.push('timer'), 5);
  const value = await pacer.waitFor(work.then((v) => (order.push('work'), v)));
  assert.is(value, 42);
  assert.equal(order, ['timer', 'work']);
  const failing = new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('device lost')), 3));
  const error = await pacer.waitFor(failing).then(() => undefined, (e: unknown) => e);
  assert.match(String(error), /device lost/);
  // Disabled (a real GPU): the work itself.
  assert.is(await new ReadbackPacer(false).waitFor(Promise.resolve('x')), 'x');
});

test.run();
