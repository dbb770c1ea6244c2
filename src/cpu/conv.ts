// CPU reference for 2-D convolution, channels-last: the textbook loops.
//
//   x      [batch, inH, inW, inC]
//   filter [filterH, filterW, inC, outC]
//   y      [batch, outH, outW, outC]
//
// Output pixel (oy, ox) looks at the input cells
//   iy = oy * strideH - padTop  + ky * dilationH
//   ix = ox * strideW - padLeft + kx * dilationW
// for every filter tap (ky, kx); a cell outside the image counts as zero
// (that is what padding means). The two backward functions run the same loops
// and send each product back to where it came from.

export interface Conv2dGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  filterH: number;
  filterW: number;
  outC: number;
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
}

/**
 * Calls visit(xOffset, fOffset, yOffset) for every pair (input cell inside
 * the image, output pixel) that a filter tap connects, with the offsets of
 * channel 0 in x, of [ky, kx, 0, 0] in the filter and of channel 0 in y.
 */
function forEachTap(g: Conv2dGeometry, visit: (xOff: number, fOff: number, yOff: number) => void): void {
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        const yOff = ((n * g.outH + oy) * g.outW + ox) * g.outC;
        for (let ky = 0; ky < g.filterH; ky++) {
          const iy = oy * g.strideH - g.padTop + ky * g.dilationH;
          if (iy < 0 || iy >= g.inH) continue;
          for (let kx = 0; kx < g.filterW; kx++) {
            const ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
            if (ix < 0 || ix >= g.inW) continue;
            const xOff = ((n * g.inH + iy) * g.inW + ix) * g.inC;
            const fOff = (ky * g.filterW + kx) * g.inC * g.outC;
            visit(xOff, fOff, yOff);
          }
        }
      }
    }
  }
}

/** y[n, oy, ox, co] = sum over ky, kx, ci of x[n, iy, ix, ci] * filter[ky, kx, ci, co]. */
export function conv2d(x: Float32Array, filter: Float32Array, g: Conv2dGeometry): Float32Array {
  const y = new Float32Array(g.batch * g.outH * g.outW * g.outC);
  forEachTap(g, (xOff, fOff, yOff) => {
    for (let ci = 0; ci < g.inC; ci++) {
      const xv = x[xOff + ci];
      const fRow = fOff + ci * g.outC;
      for (let co = 0; co < g.outC; co++) y[yOff + co] += xv * filter[fRow + co];
    }
  });
  return y;
}

/** dx = d(loss)/dx given dy: every product x * filter of the forward pass sends dy * filter back to its x cell. */
export function conv2dBackpropInput(dy: Float32Array, filter: Float32Array, g: Conv2dGeometry): Float32Array {
  const dx = new Float32Array(g.batch * g.inH * g.inW * g.inC);
  forEachTap(g, (xOff, fOff, yOff) => {
    for (let ci = 0; ci < g.inC; ci++) {
      const fRow = fOff + ci * g.outC;
      let s = 0;
      for (let co = 0; co < g.outC; co++) s += dy[yOff + co] * filter[fRow + co];
      dx[xOff + ci] += s;
    }
  });
  return dx;
}

/** dfilter = d(loss)/dfilter given dy: every product x * filter of the forward pass sends dy * x back to its filter tap. */
export function conv2dBackpropFilter(x: Float32Array, dy: Float32Array, g: Conv2dGeometry): Float32Array {
  const df = new Float32Array(g.filterH * g.filterW * g.inC * g.outC);
  forEachTap(g, (xOff, fOff, yOff) => {
    for (let ci = 0; ci < g.inC; ci++) {
      const xv = x[xOff + ci];
      const fRow = fOff + ci * g.outC;
      for (let co = 0; co < g.outC; co++) df[fRow + co] += xv * dy[yOff + co];
    }
  });
  return df;
}
