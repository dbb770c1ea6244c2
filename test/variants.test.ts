// Kernel variants as data: every variant of every op that has several
// (matmul; conv2d and both its gradients) computes what the CPU reference
// does, forced through KernelCaps.choices on odd shapes, whatever the fixed
// rule would pick on this adapter; and a device that autotunes measures the
// candidates once per shape, keeps the fastest (on disk too) and computes
// the same values with it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sn from '../src/index.js';
import { getOp } from '../src/graph/op-registry.js';
import { variantKey, type KernelCaps } from '../src/graph/kernel-binding.js';
import { buildPlan } from '../src/plan/plan.js';
import { Program } from '../src/exec/program.js';
import { Rng, assertClose, device, uniform } from './helpers.js';
import { convolution, matmul, type Tol } from './tolerances.js';

const { ops } = sn;

interface Case {
  name: string;
  /** Builds the graph; outputs by name, each with its tolerance. */
  build(g: sn.Graph): Record<string, [sn.Tensor, Tol]>;
  inputs: Record<string, readonly number[]>;
}

const cases: Case[] = [
  {
    name: 'matmul [2, 13, 17] x [17, 11], transposed [13, 17] x [11, 17], and their gradients',
    inputs: { a: [2, 13, 17], b: [17, 11], c: [13, 17], d: [11, 17] },
    build: (g) => {
      const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => g.inputsByName.get(n)!);
      const y = ops.matmul(a, b);
      const z = ops.matmul(c, d, { transposeB: true });
      const [da, db] = g.grad(ops.sum(ops.mul(y, y)), [a, b]);
      return { y: [y, matmul(17)], z: [z, matmul(17)], da: [da, matmul(2 * 13 * 11)], db: [db, matmul(2 * 13 * 17)] };
    },
  },
  ...([
    { x: [2, 9, 7, 3], f: [3, 3, 3, 5], o: {} },
    { x: [2, 9, 7, 3], f: [3, 2, 3, 6], o: { padding: 'same' } },
    { x: [2, 11, 9, 4], f: [3, 3, 4, 7], o: { strides: 2, padding: 'same' } },
    { x: [1, 9, 9, 1], f: [2, 3, 1, 4], o: { dilations: 2 } },
  ] as { x: number[]; f: number[]; o: sn.ops.Conv2dOptions }[]).map(({ x: xs, f: fs, o }): Case => ({
    name: `conv2d x ${JSON.stringify(xs)} f ${JSON.stringify(fs)} ${JSON.stringify(o)} and both gradients`,
    inputs: { x: xs, f: fs },
    build: (g) => {
      const x = g.inputsByName.get('x')!;
      const f = g.inputsByName.get('f')!;
      const y = ops.conv2d(x, f, o);
      const [dx, df] = g.grad(ops.sum(ops.mul(y, y)), [x, f]);
      const taps = fs[0] * fs[1];
      return { y: [y, convolution(taps * fs[2])], dx: [dx, convolution(taps * fs[3])], df: [df, convolution(y.size / fs[3])] };
    },
  })),
];

/** The ops of `g` that have variants, and the variant names each can use on this adapter. */
function variantNodes(g: sn.Graph, caps: KernelCaps): { node: sn.Tensor; names: string[] }[] {
  return g.nodes.filter((n) => n.kind === 'op' && getOp(n.op).variants).map((node) => ({ node, names: getOp(node.op).variants!.candidates(node, caps) }));
}

for (const c of cases) {
  test(`every kernel variant equals the CPU reference: ${c.name}`, async () => {
    const dev = await device();
    const g = sn.graph();
    for (const [name, shape] of Object.entries(c.inputs)) g.input(name, shape);
    const outputs = c.build(g);
    const rng = new Rng(5);
    const data = Object.fromEntries(Object.entries(c.inputs).map(([n, s]) => [n, uniform(s, rng)]));
    const names = Object.keys(outputs);
    const expected = sn.interpret(names.map((n) => outputs[n][0]), data);
    const nodes = variantNodes(g, dev.caps);
    assert.ok(nodes.length > 0, 'the graph has ops with variants');
    // Each variant in turn for every node that has it (the others keep the rule's choice).
    const all = [...new Set(nodes.flatMap((n) => n.names))];
    for (const variant of all) {
      const choices = new Map(nodes.filter((n) => n.names.includes(variant)).map((n) => [variantKey(n.node), variant]));
      const caps = { ...dev.caps, choices };
      const plan = buildPlan(g, { outputs: Object.fromEntries(names.map((n) => [n, outputs[n][0]])) }, caps);
      // The forced variant's kernels are the ones planned (an epilogue may add to a label).
      for (const { node, names: usable } of nodes) {
        if (!usable.includes(variant)) continue;
        const specs = getOp(node.op).variants!.kernels[variant](node, caps);
        const label = (Array.isArray(specs) ? specs : [specs])[0].label;
        assert.ok(plan.dispatches.some((d) => d.label.startsWith(label)), `variant '${variant}' of ${node.op}: no dispatch '${label}' in ${plan.dispatches.map((d) => d.label).join(', ')}`);
      }
      const prog = await Program.create(dev, plan);
      try {
        const out = await prog.run(data);
        names.forEach((n, i) => assertClose(out[n].data, expected[i], outputs[n][1], `${n} with variant '${variant}'`));
      } finally {
        prog.dispose();
      }
    }
  });
}

test('an autotuning device times the candidates once per shape, keeps the fastest on disk, and computes the same values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sinapsis-autotune-'));
  const saved = process.env.SINAPSIS_CACHE_DIR;
  process.env.SINAPSIS_CACHE_DIR = dir;
  const devs: sn.Device[] = [];
  try {
    const g = sn.graph();
    const a = g.input('a', [9, 21]);
    const b = g.input('b', [21, 6]);
    const y = ops.matmul(a, b);
    const rng = new Rng(8);
    const data = { a: uniform([9, 21], rng), b: uniform([21, 6], rng) };
    const [expected] = sn.interpret([y], data);
    const key = variantKey(y);
    for (let round = 0; round < 2; round++) {
      // The second device reads the first one's choice from the cache file instead of measuring again.
      const dev = await sn.createDevice({ autotune: true });
      devs.push(dev);
      assert.ok(dev.autotune);
      const prog = await sn.compile(dev, g, { outputs: { y } });
      try {
        assertClose((await prog.run(data)).y.data, expected, matmul(21), `autotuned matmul, device ${round + 1}`);
      } finally {
        prog.dispose();
      }
      const file = JSON.parse(readFileSync(join(dir, 'variants.json'), 'utf8')) as Record<string, Record<string, string>>;
      const entries = Object.values(file);
      assert.is(entries.length, 1, 'one adapter');
      assert.ok(getOp('matmul').variants!.candidates(y, dev.caps).includes(entries[0][key]), `the cached choice for ${key} is a candidate: ${entries[0][key]}`);
    }
    const cpu = await device();
    assert.is(cpu.autotune, !cpu.cpuDriver, 'devices measure by default only where they are GPUs');
  } finally {
    for (const d of devs) d.destroy();
    if (saved === undefined) delete process.env.SINAPSIS_CACHE_DIR;
    else process.env.SINAPSIS_CACHE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
