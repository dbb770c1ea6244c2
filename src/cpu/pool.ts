// CPU reference for 2-D max and average pooling, channels-last, and their
// backward passes: the textbook loops.
//
//   x [batch, inH, inW, channels]  ->  y [batch, outH, outW, channels]
//
// Output cell (oy, ox) pools the window of input cells
//   iy = oy * strideH - padTop  + wy,  wy < poolH
//   ix = ox * strideW - padLeft + wx,  wx < poolW
// that lie inside the image: padding cells take no part (a max ignores them,
// an average divides by the number of cells inside the image). Every window
// holds at least one cell of the image.

export interface Pool2dGeometry {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  poolH: number;
  poolW: number;
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** The window of output cell (oy, ox), clipped to the image: rows y0 <= iy < y1, columns x0 <= ix < x1. */
function window(g: Pool2dGeometry, oy: number, ox: number): { y0: number; y1: number; x0: number; x1: number } {
  const top = oy * g.strideH - g.padTop;
  const left = ox * g.strideW - g.padLeft;
  return {
    y0: Math.max(top, 0), y1: Math.min(top + g.poolH, g.inH),
    x0: Math.max(left, 0), x1: Math.min(left + g.poolW, g.inW),
  };
}

/** Calls visit(window, yIndex, xBase) for every output cell and channel; x index of a cell = xBase + (iy * inW + ix) * channels. */
function forEachWindow(g: Pool2dGeometry, visit: (w: ReturnType<typeof window>, yIndex: number, xBase: number) => void): void {
  let yIndex = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        const w = window(g, oy, ox);
        for (let c = 0; c < g.channels; c++) visit(w, yIndex++, n * g.inH * g.inW * g.channels + c);
      }
    }
  }
}

/**
 * Index into x of the largest cell of a window; on ties the first in row-major
 * window order. The backward pass sends the whole gradient to this one cell.
 */
function argmax(x: Float32Array, g: Pool2dGeometry, w: ReturnType<typeof window>, xBase: number): number {
  let best = -1;
  for (let iy = w.y0; iy < w.y1; iy++) {
    for (let ix = w.x0; ix < w.x1; ix++) {
      const i = xBase + (iy * g.inW + ix) * g.channels;
      if (best < 0 || x[i] > x[best]) best = i;
    }
  }
  return best;
}

export function maxPool2d(x: Float32Array, g: Pool2dGeometry): Float32Array {
  const y = new Float32Array(g.batch * g.outH * g.outW * g.channels);
  forEachWindow(g, (w, yi, xBase) => { y[yi] = x[argmax(x, g, w, xBase)]; });
  return y;
}

export function avgPool2d(x: Float32Array, g: Pool2dGeometry): Float32Array {
  const y = new Float32Array(g.batch * g.outH * g.outW * g.channels);
  forEachWindow(g, (w, yi, xBase) => {
    let s = 0;
    for (let iy = w.y0; iy < w.y1; iy++) {
      for (let ix = w.x0; ix < w.x1; ix++) s += x[xBase + (iy * g.inW + ix) * g.channels];
    }
    y[yi] = s / ((w.y1 - w.y0) * (w.x1 - w.x0));
  });
  return y;
}

/** dx of max pooling: each window's dy goes to its largest cell (argmax recomputed from x). */
export function maxPool2dGrad(x: Float32Array, dy: Float32Array, g: Pool2dGeometry): Float32Array {
  const dx = new Float32Array(x.length);
  forEachWindow(g, (w, yi, xBase) => { dx[argmax(x, g, w, xBase)] += dy[yi]; });
  return dx;
}

/**
 * The adjoint of maxPool2dGrad in its dy argument: each window reads the
 * value of ddx at its largest cell (the same routing, gathered instead of
 * scattered). Shape of y.
 */
export function maxPool2dGradGrad(x: Float32Array, ddx: Float32Array, g: Pool2dGeometry): Float32Array {
  const out = new Float32Array(g.batch * g.outH * g.outW * g.channels);
  forEachWindow(g, (w, yi, xBase) => { out[yi] = ddx[argmax(x, g, w, xBase)]; });
  return out;
}

/** dx of average pooling: each window's dy is shared equally by the cells of the window inside the image. */
export function avgPool2dGrad(dy: Float32Array, g: Pool2dGeometry): Float32Array {
  const dx = new Float32Array(g.batch * g.inH * g.inW * g.channels);
  forEachWindow(g, (w, yi, xBase) => {
    const share = dy[yi] / ((w.y1 - w.y0) * (w.x1 - w.x0));
    for (let iy = w.y0; iy < w.y1; iy++) {
      for (let ix = w.x0; ix < w.x1; ix++) dx[xBase + (iy * g.inW + ix) * g.channels] += share;
    }
  });
  return dx;
}
