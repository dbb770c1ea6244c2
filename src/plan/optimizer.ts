// What the planner needs to know of an optimizer (its per-parameter state and
// its WGSL update statements; src/optimizers/ builds these), and the update
// kernel it specialises from shaders/optimizer.wgsl.
import optimizerWgsl from '../../shaders/optimizer.wgsl';
import { fill } from '../ops/kernel.js';

export interface OptimizerSpec {
  readonly name: string;
  /** Per-parameter state tensors (each of the parameter's shape) and their initial value. */
  readonly state: readonly { readonly name: string; readonly init: number }[];
  /** Names of the f32 fields of the hyper-parameter uniform, read in WGSL as h.<name>. */
  readonly uniforms: readonly string[];
  /**
   * WGSL statements that update `p` (var, the parameter element) from `g`
   * (let, its gradient) and the state arrays by name (`m[i]`, ...), reading
   * hyper-parameters from `h`.
   */
  readonly wgsl: string;
  /** Values of the uniform fields for optimizer step t (1-based), in `uniforms` order. */
  uniformValues(t: number): number[];
}

/** vec4: the tensor's size is a multiple of 4, and the kernel takes its values four at a time. */
export function optimizerShader(opt: OptimizerSpec, vec4: boolean): string {
  // A uniform struct is padded to 16 bytes; a spare field keeps one-field structs valid too.
  const fields = [...opt.uniforms];
  while (fields.length % 4 !== 0 || fields.length === 0) fields.push(`_pad${fields.length}`);
  return fill(optimizerWgsl, {
    FIELDS: fields.map((f) => `  ${f}: f32,`).join('\n'),
    T: vec4 ? 'vec4f' : 'f32',
    STATE: opt.state.map((s, k) => `@group(0) @binding(${3 + k}) var<storage, read_write> ${s.name}: array<${vec4 ? 'vec4f' : 'f32'}>;`).join('\n'),
    UPDATE: opt.wgsl,
  });
}

/** Byte size of the uniform buffer for this optimizer (a multiple of 16). */
export function uniformBytes(opt: OptimizerSpec): number {
  return Math.max(16, Math.ceil(opt.uniforms.length / 4) * 16);
}
