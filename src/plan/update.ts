// Specialises shaders/optimizer.wgsl for one optimizer.
import optimizerWgsl from '../../shaders/optimizer.wgsl';
import { fill } from '../ops/kernel.js';
import type { OptimizerSpec } from './optimizer.js';

export function optimizerShader(opt: OptimizerSpec): string {
  // A uniform struct is padded to 16 bytes; a spare field keeps one-field structs valid too.
  const fields = [...opt.uniforms];
  while (fields.length % 4 !== 0 || fields.length === 0) fields.push(`_pad${fields.length}`);
  return fill(optimizerWgsl, {
    FIELDS: fields.map((f) => `  ${f}: f32,`).join('\n'),
    STATE: opt.state.map((s, k) => `@group(0) @binding(${3 + k}) var<storage, read_write> ${s.name}: array<f32>;`).join('\n'),
    UPDATE: opt.wgsl,
  });
}

/** Byte size of the uniform buffer for this optimizer (a multiple of 16). */
export function uniformBytes(opt: OptimizerSpec): number {
  return Math.max(16, Math.ceil(opt.uniforms.length / 4) * 16);
}
