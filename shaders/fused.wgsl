// The elementwise template (src/ops/fused.ts): a chain of elementwise ops
// fused by the planner, one op on its own (a chain of one), or a copy through
// an index map (transpose, slice); out[i] = chain(i).
// Layout: flat f32 arrays. Bindings: the operands e0, e1, ... (read, each
// with its own broadcast index fn index_eK), then out (write).
// Mapping: each thread maps PER consecutive elements (per-thread overhead
// dominates on CPU drivers), thread index = gid.x + gid.y * ROW (2-D
// dispatch so large tensors stay under 65535 workgroups per dimension).
// VEC4 (a chain whose last dimension is a multiple of 4, every operand read
// four values at a time or one value for four; fused.ts decides): units are
// groups of four elements, out and those operands are vec4 arrays, and each
// op runs per component. On CPU drivers one vec4 load costs about what one
// f32 load does.
// Templated: {{OPERANDS}} declares the operands, {{HELPERS}} their index
// functions and one function per op of the chain; {{BODY}} computes the
// chain's values for element i in graph order, {{RESULT}} names the last.
override WG: u32 = 64;
override N: u32;
override ROW: u32;
override PER: u32 = 4u;

{{OPERANDS}}
// #if VEC4
@group(0) @binding({{OUT}}) var<storage, read_write> out: array<vec4f>;
// #endif
// #if !VEC4
@group(0) @binding({{OUT}}) var<storage, read_write> out: array<f32>;
// #endif

{{HELPERS}}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let first = (gid.x + gid.y * ROW) * PER;
  for (var k = 0u; k < PER; k++) {
// #if VEC4
    let q = first + k;
    if (q >= N) { return; }
    let i = 4u * q;
{{BODY}}
    out[q] = {{RESULT}};
// #endif
// #if !VEC4
    let i = first + k;
    if (i >= N) { return; }
{{BODY}}
    out[i] = {{RESULT}};
// #endif
  }
}
