// Batched matmul C[z] = A[z] x B[z], register-blocked and barrier-free.
// Layout: A is read at z*A_Z + i*A_I + p*A_P, B at z*B_Z + p*B_P + j*B_J
// (transposes only swap strides; a batch stride of 0 broadcasts), C is
// row-major [Z, M, N]. Bindings: a (read), b (read), c (write).
// Mapping: workgroup {{WX}}x{{WY}} threads (registerBlock() in
// src/ops/matmul.ts), each thread owns a block of {{R}} rows x {{CV}} groups
// of 4 columns of C (vec4 accumulators), gid.z is the batch.
// No shared memory and no barriers: on CPU Vulkan drivers (SwiftShader)
// barriers are very expensive and every buffer load is a per-lane gather
// that costs far more than a multiply-add, so the block is as large as pays:
// per step of the inner dimension a thread loads R + 4 CV values for
// 4 R CV multiply-adds. Edge threads clamp their reads to the last row and
// column and skip the out-of-range writes, so the inner loop has no branches.
// Unrolled lines (unroll() in src/ops/kernel.ts): a line holding `$i` is
// repeated for rows i = 0 .. R-1, `$v` for column groups v = 0 .. CV-1.
// {{EPILOGUE}} defines epilogue(v, i), applied to each value stored at flat
// index i: the identity, or a fused elementwise chain (src/ops/fused.ts).
// SHARED_A (sections() in src/ops/kernel.ts; {{ENABLE}} is then `enable
// subgroups;`): for subgroups of 4 lanes that share their rows (SwiftShader:
// one SIMD group, 4 consecutive threads of a row of the workgroup, which is
// a multiple of 4 threads wide), lane l loads A at step p + l of every row
// and the four steps take their values by subgroupBroadcast: one load of A
// per row every 4 steps instead of every step. It pays where a load is dear
// (SwiftShader with WebGPU's bounds checks); unrolled lines holding `$s`
// are repeated for the steps s = 0 .. 3. No thread returns early there, as
// every lane must reach the broadcasts: threads past the edge clamp their
// reads like edge threads and store nothing.
{{ENABLE}}
{{SHAPE}}

const R = {{R}}u;
const CV = {{CV}}u;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

{{EPILOGUE}}

/** Writes the columns col .. col + 3 of one row that exist. */
fn store(z: u32, row: u32, col: u32, v: vec4f) {
  if (row >= M) { return; }
  for (var j = 0u; j < 4u; j++) {
    if (col + j < N) { c[(z * M + row) * N + col + j] = epilogue(v[j], (z * M + row) * N + col + j); }
  }
}

@compute @workgroup_size({{WX}}, {{WY}}, 1)
// #if SHARED_A
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
// #endif
// #if !SHARED_A
fn main(@builtin(global_invocation_id) gid: vec3u) {
// #endif
  let row0 = gid.y * R;
  let col0 = gid.x * 4u * CV;
// #if !SHARED_A
  if (row0 >= M || col0 >= N) { return; }
// #endif
  let z = gid.z;
  // Row i's offset in A and column group v's four offsets in B (clamped).
  let ar$i = min(row0 + $iu, M - 1u) * A_I + z * A_Z;
  let bc$v = min(vec4u(col0 + 4u * $vu) + vec4u(0u, 1u, 2u, 3u), vec4u(N - 1u)) * B_J + z * B_Z;
  var acc$i_$v = vec4f(0.0);
  var p = 0u;
// #if SHARED_A
  for (; p + 3u < K; p += 4u) {
    let al$i = a[ar$i + (p + lane) * A_P];
    let b$s_$v = vec4f(b[bc$v.x + (p + $su) * B_P], b[bc$v.y + (p + $su) * B_P], b[bc$v.z + (p + $su) * B_P], b[bc$v.w + (p + $su) * B_P]);
    let a$s_$i = subgroupBroadcast(al$i, $su);
    acc$i_$v += a$s_$i * b$s_$v;
  }
// #endif
  for (; p < K; p++) {
    let pa = p * A_P;
    let pb = p * B_P;
    let b$v = vec4f(b[bc$v.x + pb], b[bc$v.y + pb], b[bc$v.z + pb], b[bc$v.w + pb]);
    let a$i = a[ar$i + pa];
    acc$i_$v += a$i * b$v;
  }
  // One store loop rather than R * CV unrolled stores: as fast, and SwiftShader
  // compiles the kernel faster (each store inlines the epilogue).
  var accs: array<vec4f, R * CV>;
  accs[$i * CV + $v] = acc$i_$v;
  for (var k = 0u; k < R * CV; k++) {
    store(z, row0 + k / CV, col0 + 4u * (k % CV), accs[k]);
  }
}
