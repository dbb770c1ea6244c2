// Unary elementwise map, out[i] = f(x[broadcast(i)]).
// Layout: flat f32 arrays. Bindings: x (read), out (write).
// Mapping: each thread maps PER consecutive elements (per-thread overhead
// dominates on CPU drivers), thread index = gid.x + gid.y * ROW
// (2-D dispatch so large tensors stay under 65535 workgroups per dimension).
// Templated: {{EXPR}} is the op's expression in `x`; {{INDEX_X}} defines
// fn index_x(i) -> u32 for broadcasting (identity when shapes agree).
override WG: u32 = 64;
override N: u32;
override ROW: u32;
override PER: u32 = 4u;

@group(0) @binding(0) var<storage, read> x_buf: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

{{INDEX_X}}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let first = (gid.x + gid.y * ROW) * PER;
  for (var k = 0u; k < PER; k++) {
    let i = first + k;
    if (i >= N) { return; }
    let x = x_buf[index_x(i)];
    out[i] = {{EXPR}};
  }
}
