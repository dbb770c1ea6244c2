// Indexing: gather, its gradient (a scatter-add, two ways) and oneHot.
// Layout: x viewed as [OUTER, DIM, INNER] around the gather axis, indices
// [COUNT] (i32), gathered out [OUTER, COUNT, INNER]. An index outside
// [0, DIM) is clamped into it (the model API refuses such ids first).
// Bindings: x (read: the values; for the scatters, the incoming gradient), indices
// (read), out (write; atomic<u32> in scatter_atomic); each entry point binds
// what it uses.
// Entry points, thread index = gid.x + gid.y * ROW:
//   gather          one thread per element of out: out[o, j, r] = x[o, idx[j], r].
//   scatter_rows    the gradient as a segment sum: one thread per element
//                   (o, k, r) of dx walks every index and adds g[o, j, r] where
//                   idx[j] == k. No atomics, deterministic, COUNT loads a
//                   thread: for small DIM * COUNT (a character vocabulary).
//   scatter_zero    clears out (before scatter_atomic adds into it).
//   scatter_atomic  one thread per element of g adds it into out[o, idx[j], r]
//                   with a compare-and-swap loop on the f32's bits (WGSL has
//                   no float atomics): work linear in COUNT, for large
//                   vocabularies; the order of the additions varies.
//   one_hot         out [COUNT, DEPTH]: 1.0 where idx[i] == c (an index outside
//                   [0, DEPTH) gives a row of zeros, as in TF.js).
override WG: u32 = 64;
override OUTER: u32;
override DIM: u32;
override INNER: u32;
override COUNT: u32;
override DEPTH: u32 = 1u;
override N: u32;
override ROW: u32;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> sums: array<atomic<u32>>;

fn row_of(j: u32) -> u32 {
  return u32(clamp(indices[j], 0, i32(DIM) - 1));
}

@compute @workgroup_size(WG)
fn gather(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * ROW;
  if (i >= N) { return; }
  let r = i % INNER;
  let j = (i / INNER) % COUNT;
  let o = i / (INNER * COUNT);
  out[i] = x[(o * DIM + row_of(j)) * INNER + r];
}

@compute @workgroup_size(WG)
fn scatter_rows(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * ROW;
  if (i >= N) { return; }
  let r = i % INNER;
  let k = (i / INNER) % DIM;
  let o = i / (INNER * DIM);
  var s = 0.0;
  for (var j = 0u; j < COUNT; j++) {
    s += select(0.0, x[(o * COUNT + j) * INNER + r], row_of(j) == k);
  }
  out[i] = s;
}

@compute @workgroup_size(WG)
fn scatter_zero(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * ROW;
  if (i >= N) { return; }
  atomicStore(&sums[i], 0u);
}

@compute @workgroup_size(WG)
fn scatter_atomic(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * ROW;
  if (i >= N) { return; }
  let r = i % INNER;
  let j = (i / INNER) % COUNT;
  let o = i / (INNER * COUNT);
  let v = x[i];
  let at = (o * DIM + row_of(j)) * INNER + r;
  var old = atomicLoad(&sums[at]);
  loop {
    let swapped = atomicCompareExchangeWeak(&sums[at], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (swapped.exchanged) { break; }
    old = swapped.old_value;
  }
}

@compute @workgroup_size(WG)
fn one_hot(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * ROW;
  if (i >= N) { return; }
  out[i] = select(0.0, 1.0, indices[i / DEPTH] == i32(i % DEPTH));
}
