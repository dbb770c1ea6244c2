// Max pooling backward: the gradient of each window goes to its largest cell
// (the first in row-major window order on ties), found again from x: no
// argmax buffer is kept from the forward pass.
// Layout: x [N, H, W, C], read in units of T: vec4f (4 channels, each with
// its own largest cell) when C % 4 == 0, else f32; CT = channels / units.
// Windows as in pool.wgsl (output grid OH x OW).
// Bindings: x (read), g (read), out (write).
// Entry points:
//   grad       out = dx [N, H, W, C] from g = dy [N, OH, OW, C]: a gather,
//              one thread per input unit, summing dy over the windows that
//              contain the cell and pick it (no atomics, no scatter).
//   grad_tiles the same dx when windows do not overlap (strides >= pool
//              size): one thread per window and channel unit finds the
//              largest cell once and writes its whole tile of dx, the
//              window and the cells up to the next window (gaps between
//              windows, rows and columns past the last window), so every
//              cell of dx is written exactly once; 4x fewer loads than the
//              gather for 2 x 2 windows.
//   grad_grad  out [N, OH, OW, C] from g = ddx [N, H, W, C]: each window
//              reads ddx at its largest cell (the adjoint of grad in dy).
// Mapping: each thread computes PER consecutive units of out (grad_tiles:
// of y), thread index = gid.x + gid.y * ROW; COUNT is their number.
// Templated: {{TYPES}} declares alias T and alias TU (u32 or vec4u: one
// index per channel) and fn pick(i: TU) -> T (g at index i, per channel);
// {{EPILOGUE}} defines epilogue(v, i) for the value stored at flat index i
// (the identity, or a fused elementwise chain such as relu's backward) and
// {{EPI}} fn epi(v: T, unit: u32) -> T applying it to each lane of a unit.
// Conditions are selects, not branches (see conv2d.wgsl on `&&`).
{{GEOMETRY}}
override COUNT: u32;
override ROW: u32;
override PER: u32 = 4u;

{{TYPES}}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read> g: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;

{{PICK}}

{{EPILOGUE}}
{{EPI}}

/** Index into x of the largest cell of window (oy, ox), per channel, in the plane starting at `base` (image n, channel unit c). */
fn argmax(base: u32, oy: i32, ox: i32) -> TU {
  let top = oy * SH - PT;
  let left = ox * SW - PL;
  let y0 = max(top, 0);
  let y1 = min(top + PH, H);
  let x0 = max(left, 0);
  let x1 = min(left + PW, W);
  let first = base + u32(y0 * W + x0) * CT;
  var best = TU(first);
  var bv = x[first];
  for (var iy = y0; iy < y1; iy++) {
    for (var ix = x0; ix < x1; ix++) {
      let j = base + u32(iy * W + ix) * CT;
      let v = x[j];
      let better = v > bv;
      best = select(best, TU(j), better);
      bv = select(bv, v, better);
    }
  }
  return best;
}

@compute @workgroup_size(64)
fn grad(@builtin(global_invocation_id) gid: vec3u) {
  let start = (gid.x + gid.y * ROW) * PER;
  for (var k = 0u; k < PER; k++) {
    let i = start + k;
    if (i >= COUNT) { return; }
    let c = i % CT;
    let q = i / CT;
    let ix = i32(q % u32(W));
    let iy = i32((q / u32(W)) % u32(H));
    let n = q / u32(W * H);
    let base = n * u32(H * W) * CT + c;
    // Windows containing (iy, ix): oy * SH - PT <= iy < oy * SH - PT + PH.
    let ay = iy + PT - PH + 1;
    let ax = ix + PL - PW + 1;
    let oy0 = select(0, (ay + SH - 1) / SH, ay > 0);
    let ox0 = select(0, (ax + SW - 1) / SW, ax > 0);
    let oy1 = min((iy + PT) / SH, OH - 1);
    let ox1 = min((ix + PL) / SW, OW - 1);
    var s = T(0.0);
    for (var oy = oy0; oy <= oy1; oy++) {
      for (var ox = ox0; ox <= ox1; ox++) {
        let dy = g[((n * u32(OH) + u32(oy)) * u32(OW) + u32(ox)) * CT + c];
        s += select(T(0.0), dy, argmax(base, oy, ox) == TU(i));
      }
    }
    out[i] = epi(s, i);
  }
}

/** Rows (or columns) [start, end) of the tile of window o: from its first cell to the next window's, the last to the edge. */
fn tile(o: i32, stride: i32, pad: i32, outSize: i32, size: i32) -> vec2i {
  return vec2i(max(o * stride - pad, 0), select(min((o + 1) * stride - pad, size), size, o == outSize - 1));
}

@compute @workgroup_size(64)
fn grad_tiles(@builtin(global_invocation_id) gid: vec3u) {
  let start = (gid.x + gid.y * ROW) * PER;
  for (var k = 0u; k < PER; k++) {
    let i = start + k;
    if (i >= COUNT) { return; }
    let c = i % CT;
    let q = i / CT;
    let ox = i32(q % u32(OW));
    let oy = i32((q / u32(OW)) % u32(OH));
    let base = (q / u32(OW * OH)) * u32(H * W) * CT + c;
    let best = argmax(base, oy, ox);
    let dy = g[i];
    let rows = tile(oy, SH, PT, OH, H);
    let cols = tile(ox, SW, PL, OW, W);
    for (var iy = rows.x; iy < rows.y; iy++) {
      for (var ix = cols.x; ix < cols.y; ix++) {
        let j = base + u32(iy * W + ix) * CT;
        out[j] = epi(select(T(0.0), dy, best == TU(j)), j);
      }
    }
  }
}

@compute @workgroup_size(64)
fn grad_grad(@builtin(global_invocation_id) gid: vec3u) {
  let start = (gid.x + gid.y * ROW) * PER;
  for (var k = 0u; k < PER; k++) {
    let i = start + k;
    if (i >= COUNT) { return; }
    let c = i % CT;
    let q = i / CT;
    let ox = i32(q % u32(OW));
    let oy = i32((q / u32(OW)) % u32(OH));
    let n = q / u32(OW * OH);
    out[i] = epi(pick(argmax(n * u32(H * W) * CT + c, oy, ox)), i);
  }
}
