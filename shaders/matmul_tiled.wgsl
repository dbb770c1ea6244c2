// Batched matmul C[z] = A[z] x B[z] with shared-memory tiling, for GPUs.
// Layout and strides as in matmul_register.wgsl. Bindings: a, b (read), c (write).
// Mapping: workgroup 16x16 threads covers a 64x64 tile of C, each thread a
// 4x4 block; K is walked in steps of 16 through workgroup memory (each thread
// stages 4 values of A and 4 of B per step, zero outside the matrices).
// {{EPILOGUE}} defines epilogue(v, i) for the value stored at flat index i.
{{SHAPE}}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

const TILE = 64u;
const KT = 16u;
var<workgroup> As: array<f32, 1024>; // [KT][TILE]: As[p * TILE + i]
var<workgroup> Bs: array<f32, 1024>; // [KT][TILE]: Bs[p * TILE + j]

{{EPILOGUE}}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let z = wid.z;
  let tileRow = wid.y * TILE;
  let tileCol = wid.x * TILE;
  let t = lid.y * 16u + lid.x;
  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < K; k0 += KT) {
    // 256 threads stage a 64x16 block of A and a 16x64 block of B, 4 values each.
    for (var s = 0u; s < 4u; s++) {
      let e = t + s * 256u;
      let ai = e / KT;
      let ap = e % KT;
      let gi = tileRow + ai;
      let gp = k0 + ap;
      As[ap * TILE + ai] = select(0.0, a[z * A_Z + min(gi, M - 1u) * A_I + min(gp, K - 1u) * A_P], gi < M && gp < K);
      let bp = e / TILE;
      let bj = e % TILE;
      let gj = tileCol + bj;
      let gq = k0 + bp;
      Bs[bp * TILE + bj] = select(0.0, b[z * B_Z + min(gq, K - 1u) * B_P + min(gj, N - 1u) * B_J], gj < N && gq < K);
    }
    workgroupBarrier();
    for (var p = 0u; p < KT; p++) {
      let bv = vec4f(Bs[p * TILE + lid.x * 4u], Bs[p * TILE + lid.x * 4u + 1u], Bs[p * TILE + lid.x * 4u + 2u], Bs[p * TILE + lid.x * 4u + 3u]);
      for (var i = 0u; i < 4u; i++) {
        acc[i] += As[p * TILE + lid.y * 4u + i] * bv;
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let row = tileRow + lid.y * 4u + i;
    if (row >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = tileCol + lid.x * 4u + j;
      if (col >= N) { break; }
      c[(z * M + row) * N + col] = epilogue(acc[i][j], (z * M + row) * N + col);
    }
  }
}
