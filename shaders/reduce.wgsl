// Reduction (sum or max) over any set of axes, one thread per output element.
// Layout: x is the flat input; the kept axes give each output's base offset
// (fn base_of), the reduced axes give the offsets walked from it (fn roff),
// both generated from the input's strides with contiguous axes merged.
// Bindings: out (write), then x (read), or in its place the operands of a
// fused elementwise chain: {{LOAD}} defines fn load(i) -> f32, element i of
// the input (x[i], or the chain's value computed from its operands; see
// Prologue in src/ops/kernel.ts). Mapping: one thread per output element,
// index = gid.x + gid.y * ROW. Chosen when there are many outputs or the
// reduced length is short; reduce_wg.wgsl covers few long reductions.
override WG: u32 = 64;
override N: u32;
override R: u32;
override ROW: u32;

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
{{LOAD}}

{{INDEX_BASE}}
{{INDEX_R}}

fn combine(acc: f32, v: f32) -> f32 { return {{COMBINE}}; }

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x + gid.y * ROW;
  if (o >= N) { return; }
  let base = base_of(o);
  var acc = load(base + roff(0u));
  for (var r = 1u; r < R; r++) {
    acc = combine(acc, load(base + roff(r)));
  }
  out[o] = {{FINISH}};
}
