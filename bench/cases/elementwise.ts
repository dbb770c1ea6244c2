// Elementwise and reduction cases over one [r, c] operand (r x c = 1M floats,
// 256K with --quick), rated in GB/s (every operand read once, the result
// written once), and two reference points that are not engine kernels: a
// hand-written relu on the raw GPUDevice, one f32 per thread and sixteen per
// thread as four vec4 loads (the engine's kernels take four f32 per thread).
// Their wait for the GPU is paced as the engine's (src/exec/readback-pacer.ts),
// so that neither side spins the JavaScript thread against a CPU driver.
import { ReadbackPacer } from '../../src/exec/readback-pacer.js';
import { fmtShape, type KernelCase, type OpCase, type RawCase } from './case.js';

function rawRelu(n: number, label: string, per: number, type: 'f32' | 'vec4f'): RawCase {
  return {
    group: 'elementwise', set: 'elementwise', label, dims: fmtShape([n]), bytes: 8 * n, runsScale: 2,
    setup: (gpu, cpuDriver) => {
      const pacer = new ReadbackPacer(cpuDriver);
      const x = gpu.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE });
      const y = gpu.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE });
      const units = type === 'f32' ? n : n / 4;
      const groups = Math.ceil(units / per / 64);
      const gx = Math.min(groups, 65535);
      const zero = type === 'f32' ? '0.0' : 'vec4f(0.0)';
      const code = `@group(0) @binding(0) var<storage, read> x: array<${type}>;
@group(0) @binding(1) var<storage, read_write> y: array<${type}>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  let base = (g.x + g.y * ${gx * 64}u) * ${per}u;
  ${per === 1 ? `if (base < ${units}u) { y[base] = max(x[base], ${zero}); }` : `for (var k = 0u; k < ${per}u; k++) { let i = base + k; if (i < ${units}u) { y[i] = max(x[i], ${zero}); } }`}
}`;
      const pipeline = gpu.createComputePipeline({ layout: 'auto', compute: { module: gpu.createShaderModule({ code }), entryPoint: 'main' } });
      const bindGroup = gpu.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: x } }, { binding: 1, resource: { buffer: y } }] });
      return {
        note: 'raw GPUDevice, not an engine kernel',
        run: async () => {
          const enc = gpu.createCommandEncoder();
          const pass = enc.beginComputePass();
          pass.setPipeline(pipeline);
          pass.setBindGroup(0, bindGroup);
          pass.dispatchWorkgroups(gx, Math.ceil(groups / gx));
          pass.end();
          gpu.queue.submit([enc.finish()]);
          await pacer.paced(pacer.submitted(pipeline), () => gpu.queue.onSubmittedWorkDone());
        },
        dispose: () => {
          x.destroy();
          y.destroy();
        },
      };
    },
  };
}

export function elementwiseCases(quick: boolean): KernelCase[] {
  const [r, c] = quick ? [256, 1024] : [1024, 1024];
  const x = { name: 'x', shape: [r, c], scale: 3 };
  const op = (label: string, operands: { name: string; shape: number[]; scale?: number }[], build: OpCase['build']): OpCase => ({
    group: 'elementwise', set: 'elementwise', label, dims: operands.map((o) => fmtShape(o.shape)).join(' '), operands, build, runsScale: 2,
  });
  const wide = { name: 'x', shape: [128, 4096], scale: 3 };
  return [
    op('add (same shape)', [x, { name: 'y', shape: [r, c], scale: 3 }], ([a, b]) => a.add(b)),
    op('add (row broadcast)', [x, { name: 'b', shape: [c], scale: 3 }], ([a, b]) => a.add(b)),
    op('relu', [x], ([a]) => a.relu()),
    op('exp', [x], ([a]) => a.exp()),
    op('sigmoid', [x], ([a]) => a.sigmoid()),
    op('sum axis 0', [wide], ([a]) => a.sum({ axis: 0 })),
    op('sum axis 1', [wide], ([a]) => a.sum({ axis: 1 })),
    rawRelu(r * c, 'ref: relu, 1 f32/thread', 1, 'f32'),
    rawRelu(r * c, 'ref: relu, 16 f32/thread (4 vec4)', 4, 'vec4f'),
  ];
}
