// Batched matmul C[z] = A[z] x B[z], register-blocked and barrier-free.
// Layout: A is read at z*A_Z + i*A_I + p*A_P, B at z*B_Z + p*B_P + j*B_J
// (transposes only swap strides; a batch stride of 0 broadcasts), C is
// row-major [Z, M, N]. Bindings: a (read), b (read), c (write).
// Mapping: workgroup 8x8 threads, each thread owns a 4x4 block of C, so a
// workgroup covers 32x32; gid.z is the batch. No shared memory and no
// barriers: on CPU Vulkan drivers (SwiftShader) barriers are very expensive
// and the 16 accumulators stay in registers. Edge threads clamp their reads
// to the last row/column and skip the out-of-range writes, so the inner loop
// has no branches.
override M: u32;
override N: u32;
override K: u32;
override A_Z: u32;
override A_I: u32;
override A_P: u32;
override B_Z: u32;
override B_P: u32;
override B_J: u32;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

{{EPILOGUE}}

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= M || col0 >= N) { return; }
  let z = gid.z;
  let ar = vec4u(min(row0, M - 1u), min(row0 + 1u, M - 1u), min(row0 + 2u, M - 1u), min(row0 + 3u, M - 1u)) * A_I + z * A_Z;
  let bc = vec4u(min(col0, N - 1u), min(col0 + 1u, N - 1u), min(col0 + 2u, N - 1u), min(col0 + 3u, N - 1u)) * B_J + z * B_Z;
  var c0 = vec4f(0.0);
  var c1 = vec4f(0.0);
  var c2 = vec4f(0.0);
  var c3 = vec4f(0.0);
  for (var p = 0u; p < K; p++) {
    let pa = p * A_P;
    let pb = p * B_P;
    let bv = vec4f(b[bc.x + pb], b[bc.y + pb], b[bc.z + pb], b[bc.w + pb]);
    c0 += a[ar.x + pa] * bv;
    c1 += a[ar.y + pa] * bv;
    c2 += a[ar.z + pa] * bv;
    c3 += a[ar.w + pa] * bv;
  }
  let rows = array<vec4f, 4>(c0, c1, c2, c3);
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + i;
    if (row >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col >= N) { break; }
      c[(z * M + row) * N + col] = epilogue(rows[i][j], row, col);
    }
  }
}
