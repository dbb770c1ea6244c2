// What an op hands the planner to run on the GPU, and the small helpers the
// op files use to specialise WGSL templates for static shapes.
import type { Shape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import type { Epilogue } from '../graph/kernel-binding.js';

export const IDENTITY_EPILOGUE = 'fn epilogue(v: f32, i: u32) -> f32 { return v; }';

/** The epilogue's WGSL and bindings for a kernel whose own bindings end before `firstBinding`. */
export function epilogueParts(epilogue: Epilogue | undefined, firstBinding: number): { wgsl: string; extraBindings?: Readonly<Record<string, Tensor>>; suffix: string } {
  if (!epilogue) return { wgsl: IDENTITY_EPILOGUE, suffix: '' };
  return { wgsl: epilogue.wgsl(firstBinding), extraBindings: epilogue.operands, suffix: `+${epilogue.label}` };
}

export const MAX_WORKGROUPS_PER_DIM = 65535;

/**
 * Kernels with few threads on CPU drivers shrink their workgroups until a
 * dispatch has at least this many: SwiftShader runs each workgroup on one
 * of its worker threads (one per core), so a handful of workgroups leaves a
 * core idle, or waiting for the other when other load slows one of them.
 */
export const CPU_MIN_WORKGROUPS = 16;

/**
 * A 1-D range of `n` threads as a 2-D dispatch (WebGPU caps each dimension at
 * 65535 workgroups). Kernels rebuild the index as gid.x + gid.y * rowThreads.
 */
export function linearGrid(n: number, workgroupSize = 64): { workgroups: [number, number, number]; rowThreads: number } {
  const groups = Math.ceil(n / workgroupSize);
  const x = Math.min(groups, MAX_WORKGROUPS_PER_DIM);
  const y = Math.ceil(groups / x);
  return { workgroups: [x, y, 1], rowThreads: x * workgroupSize };
}

/** Elements each thread of the unary/binary templates maps (their PER constant). */
export const ELEMENTWISE_PER_THREAD = 4;

/** The dispatch for the unary/binary templates over `n` elements. */
export function elementwiseGrid(n: number): { workgroups: [number, number, number]; rowThreads: number } {
  return linearGrid(Math.ceil(n / ELEMENTWISE_PER_THREAD));
}

/** A WGSL f32 literal for a JavaScript number (finite only). */
export function lit(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`cannot write ${x} as a WGSL literal`);
  // Always a float literal: an integer spelled without '.0' would be an abstract int, which overflows past 2^63.
  const s = Number.isInteger(x) && Math.abs(x) < 1e15 ? `${x}.0` : Math.fround(x).toExponential();
  return x < 0 ? `(${s})` : s;
}

/**
 * Fill `{{NAME}}` placeholders of a WGSL template; a missing value is a bug, so it throws.
 * Placeholders inside `//` comments (the shaders' header comments name them) are left
 * alone: a multi-line value pasted into a comment would leave its later lines outside it.
 */
export function fill(template: string, vars: Readonly<Record<string, string | number>>): string {
  const sub = (code: string) => code.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (!(key in vars)) throw new Error(`WGSL template: no value for {{${key}}}`);
    return String(vars[key]);
  });
  return template
    .split('\n')
    .map((line) => {
      const c = line.indexOf('//');
      return c < 0 ? sub(line) : sub(line.slice(0, c)) + line.slice(c);
    })
    .join('\n');
}

/**
 * Keeps or drops the optional parts of a WGSL template: the lines between
 * `// #if NAME` and `// #endif` stay when flags[NAME] is true, those between
 * `// #if !NAME` and `// #endif` when it is false. The marker lines go.
 */
export function sections(template: string, flags: Readonly<Record<string, boolean>>): string {
  const out: string[] = [];
  let keep: boolean | undefined;
  for (const line of template.split('\n')) {
    const open = /^\s*\/\/ #if (!?)(\w+)\s*$/.exec(line);
    if (open) {
      if (keep !== undefined) throw new Error('WGSL template: nested #if');
      if (!(open[2] in flags)) throw new Error(`WGSL template: no flag for #if ${open[2]}`);
      keep = flags[open[2]] !== (open[1] === '!');
      continue;
    }
    if (/^\s*\/\/ #endif\s*$/.test(line)) {
      if (keep === undefined) throw new Error('WGSL template: #endif without #if');
      keep = undefined;
      continue;
    }
    if (keep !== false) out.push(line);
  }
  if (keep !== undefined) throw new Error('WGSL template: #if without #endif');
  return out.join('\n');
}

/**
 * Expands the unrolled lines of a kernel template: a code line holding `$k`
 * for a key k of `counts` is repeated for k = 0 .. counts[k] - 1 with `$k`
 * replaced by the index (a line with several keys: every combination).
 * Comment lines are left alone. WGSL has no `$`, so a line left unexpanded
 * fails to compile.
 */
export function unroll(template: string, counts: Readonly<Record<string, number>>): string {
  const expand = (line: string): string[] => {
    const key = Object.keys(counts).find((k) => line.includes(`$${k}`));
    if (key === undefined) return [line];
    return Array.from({ length: counts[key] }, (_, i) => line.split(`$${key}`).join(String(i))).flatMap(expand);
  };
  return template.split('\n').flatMap((line) => (line.trimStart().startsWith('//') ? [line] : expand(line))).join('\n');
}

/**
 * WGSL function `fn name(i: u32) -> u32` mapping a flat index over `outShape`
 * to an element offset given per-dimension strides (0 for broadcast
 * dimensions). Dimensions that can be walked as one are merged first, so the
 * common cases (same shape, scalar, a broadcast row) cost one or no division.
 */
export function indexFn(name: string, outShape: Shape, strides: readonly number[]): string {
  const dims: { size: number; stride: number }[] = [];
  for (let i = 0; i < outShape.length; i++) {
    if (outShape[i] === 1) continue;
    const d = { size: outShape[i], stride: strides[i] };
    const last = dims[dims.length - 1];
    if (last && last.stride === d.stride * d.size) {
      last.size *= d.size;
      last.stride = d.stride;
    } else {
      dims.push(d);
    }
  }
  if (dims.length === 0) return `fn ${name}(i: u32) -> u32 { return 0u; }`;
  if (dims.length === 1) {
    const s = dims[0].stride;
    return `fn ${name}(i: u32) -> u32 { return ${s === 1 ? 'i' : `i * ${s}u`}; }`;
  }
  const lines = [`fn ${name}(i: u32) -> u32 {`, '  var q = i;', '  var r = 0u;'];
  for (let k = dims.length - 1; k > 0; k--) {
    const { size, stride } = dims[k];
    if (stride !== 0) lines.push(`  r += (q % ${size}u) * ${stride}u;`);
    lines.push(`  q = q / ${size}u;`);
  }
  if (dims[0].stride !== 0) lines.push(`  r += q * ${dims[0].stride}u;`);
  lines.push('  return r;', '}');
  return lines.join('\n');
}
