// Binary elementwise map with NumPy broadcasting, out[i] = f(a[ia(i)], b[ib(i)]).
// Layout: flat f32 arrays. Bindings: a (read), b (read), out (write).
// Mapping: each thread maps PER consecutive elements (per-thread overhead
// dominates on CPU drivers), thread index = gid.x + gid.y * ROW.
// Templated: {{EXPR}} is the op's expression in `a` and `b`; {{INDEX_A}} and
// {{INDEX_B}} define index_a / index_b from the output index (stride 0 on
// broadcast dimensions, merged where contiguous).
override WG: u32 = 64;
override N: u32;
override ROW: u32;
override PER: u32 = 4u;

@group(0) @binding(0) var<storage, read> a_buf: array<f32>;
@group(0) @binding(1) var<storage, read> b_buf: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

{{INDEX_A}}
{{INDEX_B}}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let first = (gid.x + gid.y * ROW) * PER;
  for (var k = 0u; k < PER; k++) {
    let i = first + k;
    if (i >= N) { return; }
    let a = a_buf[index_a(i)];
    let b = b_buf[index_b(i)];
    out[i] = {{EXPR}};
  }
}
