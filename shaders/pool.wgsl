// 2-D max and average pooling, channels-last, and their backward passes.
// Layout: images x [N, H, W, C] and pooled y [N, OH, OW, C], row-major, read
// in units of T: vec4f (4 channels, each with its own window maximum) when
// C % 4 == 0, else f32; CT = channels / units. Output cell (oy, ox) pools
// the input cells iy in [oy * SH - PT, + PH), ix in [ox * SW - PL, + PW)
// that lie inside the image (padding takes no part; every window holds at
// least one image cell). Max routing is found again from x in every kernel
// (the first largest cell in row-major window order on ties): no argmax
// buffer is kept between passes.
// Bindings: x (read), g (read: the incoming gradient), out (write), then the
// epilogue's; each entry point binds what it uses.
// Entry points (each thread computes PER consecutive units of out, thread
// index = gid.x + gid.y * ROW, COUNT units in all):
//   max_pool, avg_pool  out = y from x.
//   avg_grad   out = dx from g = dy: a gather, each input unit sums dy /
//              count over the windows that contain it (no atomics).
//   max_grad   out = dx from x and g = dy: a gather, summing dy over the
//              windows that contain the cell and pick it.
//   max_grad_tiles  the same dx when windows do not overlap (strides >= pool
//              size): one thread per window and channel unit finds the
//              largest cell once and writes its whole tile of dx (the window
//              and the cells up to the next window), so every cell of dx is
//              written exactly once; 4x fewer loads than the gather for 2 x 2.
//   max_grad_grad  out [N, OH, OW, C] from x and g = ddx [N, H, W, C]: each
//              window reads ddx at its largest cell (the adjoint of max_grad
//              in dy).
// Templated: {{GEOMETRY}} declares H, W, CT, PH, PW, OH, OW, SH, SW, PT, PL
// (src/ops/window.ts); {{TYPES}} declares alias T and alias TU (u32 or
// vec4u: one index per channel) and {{PICK}} fn pick(i: TU) -> T (g at index
// i, per channel); {{EPILOGUE}} defines epilogue(v, i) for the value stored
// at flat index i (the identity, or a fused elementwise chain such as relu's
// backward) and {{EPI}} fn epi(v: T, unit: u32) -> T applying it per lane.
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

/** The units of out this thread computes, [first, end): PER consecutive ones (fewer at the end). */
fn units_of(gid: vec3u) -> vec2u {
  let first = (gid.x + gid.y * ROW) * PER;
  return vec2u(first, min(first + PER, COUNT));
}

/** Unit i of a pooled (output-shaped) array: x of its image's channel plane (image n, unit c), and its row and column. */
fn pooled_cell(i: u32) -> vec3i {
  let q = i / CT;
  let base = (q / u32(OW * OH)) * u32(H * W) * CT + i % CT;
  return vec3i(i32(base), i32((q / u32(OW)) % u32(OH)), i32(q % u32(OW)));
}

/** Rows [y0, y1) and columns [x0, x1) of window (oy, ox) inside the image, as (y0, y1, x0, x1). */
fn window(oy: i32, ox: i32) -> vec4i {
  let top = oy * SH - PT;
  let left = ox * SW - PL;
  return vec4i(max(top, 0), min(top + PH, H), max(left, 0), min(left + PW, W));
}

/** The windows containing input cell (iy, ix): rows oy0..oy1 and columns ox0..ox1, inclusive, as (oy0, oy1, ox0, ox1). */
fn windows_of(iy: i32, ix: i32) -> vec4i {
  // Window oy contains iy when oy * SH - PT <= iy < oy * SH - PT + PH.
  let ay = iy + PT - PH + 1;
  let ax = ix + PL - PW + 1;
  return vec4i(select(0, (ay + SH - 1) / SH, ay > 0), min((iy + PT) / SH, OH - 1), select(0, (ax + SW - 1) / SW, ax > 0), min((ix + PL) / SW, OW - 1));
}

/** Index into x of the largest cell of window (oy, ox), per channel, in the plane starting at `base`. */
fn argmax(base: u32, oy: i32, ox: i32) -> TU {
  let w = window(oy, ox);
  let first = base + u32(w.x * W + w.z) * CT;
  var best = TU(first);
  var bv = x[first];
  for (var iy = w.x; iy < w.y; iy++) {
    for (var ix = w.z; ix < w.w; ix++) {
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
fn max_pool(@builtin(global_invocation_id) gid: vec3u) {
  let units = units_of(gid);
  for (var i = units.x; i < units.y; i++) {
    let cell = pooled_cell(i);
    let w = window(cell.y, cell.z);
    var acc = x[u32(cell.x) + u32(w.x * W + w.z) * CT];
    for (var iy = w.x; iy < w.y; iy++) {
      for (var ix = w.z; ix < w.w; ix++) { acc = max(acc, x[u32(cell.x) + u32(iy * W + ix) * CT]); }
    }
    out[i] = acc;
  }
}

@compute @workgroup_size(64)
fn avg_pool(@builtin(global_invocation_id) gid: vec3u) {
  let units = units_of(gid);
  for (var i = units.x; i < units.y; i++) {
    let cell = pooled_cell(i);
    let w = window(cell.y, cell.z);
    var acc = T(0.0);
    for (var iy = w.x; iy < w.y; iy++) {
      for (var ix = w.z; ix < w.w; ix++) { acc += x[u32(cell.x) + u32(iy * W + ix) * CT]; }
    }
    out[i] = acc / f32((w.y - w.x) * (w.w - w.z));
  }
}

/** Unit i of an image-shaped array: its image n and channel unit c as the offset of the pooled plane (n * OH * OW * CT + c), its row and column. */
fn image_cell(i: u32) -> vec3i {
  let q = i / CT;
  return vec3i(i32((q / u32(W * H)) * u32(OH * OW) * CT + i % CT), i32((q / u32(W)) % u32(H)), i32(q % u32(W)));
}

@compute @workgroup_size(64)
fn avg_grad(@builtin(global_invocation_id) gid: vec3u) {
  let units = units_of(gid);
  for (var i = units.x; i < units.y; i++) {
    let cell = image_cell(i);
    let o = windows_of(cell.y, cell.z);
    var s = T(0.0);
    for (var oy = o.x; oy <= o.y; oy++) {
      for (var ox = o.z; ox <= o.w; ox++) {
        let w = window(oy, ox);
        s += g[u32(cell.x) + u32(oy * OW + ox) * CT] / f32((w.y - w.x) * (w.w - w.z));
      }
    }
    out[i] = s;
  }
}

@compute @workgroup_size(64)
fn max_grad(@builtin(global_invocation_id) gid: vec3u) {
  let units = units_of(gid);
  for (var i = units.x; i < units.y; i++) {
    let cell = image_cell(i);
    let base = i - u32(cell.y * W + cell.z) * CT;
    let o = windows_of(cell.y, cell.z);
    var s = T(0.0);
    for (var oy = o.x; oy <= o.y; oy++) {
      for (var ox = o.z; ox <= o.w; ox++) {
        let dy = g[u32(cell.x) + u32(oy * OW + ox) * CT];
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
fn max_grad_tiles(@builtin(global_invocation_id) gid: vec3u) {
  let units = units_of(gid);
  for (var i = units.x; i < units.y; i++) {
    let cell = pooled_cell(i);
    let base = u32(cell.x);
    let best = argmax(base, cell.y, cell.z);
    let dy = g[i];
    let rows = tile(cell.y, SH, PT, OH, H);
    let cols = tile(cell.z, SW, PL, OW, W);
    for (var iy = rows.x; iy < rows.y; iy++) {
      for (var ix = cols.x; ix < cols.y; ix++) {
        let j = base + u32(iy * W + ix) * CT;
        out[j] = epi(select(T(0.0), dy, best == TU(j)), j);
      }
    }
  }
}

@compute @workgroup_size(64)
fn max_grad_grad(@builtin(global_invocation_id) gid: vec3u) {
  let units = units_of(gid);
  for (var i = units.x; i < units.y; i++) {
    let cell = pooled_cell(i);
    out[i] = epi(pick(argmax(u32(cell.x), cell.y, cell.z)), i);
  }
}
