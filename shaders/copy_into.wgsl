// Copies all of x into a strided block of out (one part of a concat).
// Bindings: x (read), out (read_write: other dispatches fill the rest).
// Mapping: one thread per element of x, index = gid.x + gid.y * ROW;
// fn index_out(i) (generated) gives the offset in out before OFFSET is added.
override WG: u32 = 64;
override N: u32;
override ROW: u32;
override OFFSET: u32;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

{{INDEX_OUT}}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * ROW;
  if (i >= N) { return; }
  out[OFFSET + index_out(i)] = x[i];
}
