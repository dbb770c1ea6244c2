// Reduction (sum or max) for few outputs with long reduced lengths: one
// workgroup of WG threads per output. Each thread folds a strided part of the
// reduced range, then a shared-memory tree combines the partial results.
// Bindings and fn load as in reduce.wgsl. Mapping: workgroup_id.x = output
// index. base_of / roff as in reduce.wgsl.
override WG: u32 = 64;
override R: u32;

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
{{LOAD}}

var<workgroup> partial: array<f32, 64>;

{{INDEX_BASE}}
{{INDEX_R}}

fn combine(acc: f32, v: f32) -> f32 { return {{COMBINE}}; }

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x;
  let base = base_of(o);
  // Each thread starts from its own first element, so max needs no -inf literal;
  // threads past R (none when R >= WG) are replaced by IDLE below.
  var acc = load(base + roff(min(lid, R - 1u)));
  for (var r = lid + 64u; r < R; r += 64u) {
    acc = combine(acc, load(base + roff(r)));
  }
  partial[lid] = select({{IDLE}}, acc, lid < R);
  workgroupBarrier();
  for (var s = 32u; s > 0u; s = s >> 1u) {
    if (lid < s) { partial[lid] = combine(partial[lid], partial[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let acc = partial[0];
    out[o] = {{FINISH}};
  }
}
