// Zero padding: out has the shape of x grown by `before`/`after` per axis.
// Bindings: x (read), out (write). Mapping: one thread per output element,
// index = gid.x + gid.y * ROW. {{SOURCE}} defines fn source(i) -> i32, the
// offset into x of output element i, or -1 where i lies in the padding.
override WG: u32 = 64;
override N: u32;
override ROW: u32;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

{{SOURCE}}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * ROW;
  if (i >= N) { return; }
  let s = source(i);
  out[i] = select(0.0, x[max(s, 0)], s >= 0);
}
