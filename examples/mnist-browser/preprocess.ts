// A drawn digit -> a 28x28 MNIST-like image, as LeCun et al. prepared MNIST:
// crop to the ink's bounding box, scale it (aspect ratio kept, area-averaged,
// so strokes stay anti-aliased) until its longer side is 20 pixels, then
// place it in a 28x28 field so that its centre of mass sits at the middle.
// Pure functions on Float32Arrays (no DOM), so Node can test them too.

export const SIDE = 28;
const BOX = 20;
/** Ink below this intensity does not count for the bounding box. */
const INK = 0.05;

/** Area weights for resampling a line of `src` pixels to `dst` pixels. */
function areaWeights(src: number, dst: number): { first: number; weights: number[] }[] {
  const scale = src / dst; // source pixels per destination pixel
  const out: { first: number; weights: number[] }[] = [];
  for (let d = 0; d < dst; d++) {
    const x0 = d * scale;
    const x1 = (d + 1) * scale;
    const first = Math.floor(x0);
    const weights: number[] = [];
    for (let i = first; i < Math.min(Math.ceil(x1), src); i++) weights.push((Math.min(i + 1, x1) - Math.max(i, x0)) / scale);
    out.push({ first, weights });
  }
  return out;
}

/** Resamples a w x h image (row-major) to tw x th by area averaging, one axis at a time. */
export function resample(img: Float32Array, w: number, h: number, tw: number, th: number): Float32Array {
  const wx = areaWeights(w, tw);
  const wy = areaWeights(h, th);
  const rowsDone = new Float32Array(tw * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < tw; x++) {
      const { first, weights } = wx[x];
      let s = 0;
      for (let k = 0; k < weights.length; k++) s += weights[k] * img[y * w + first + k];
      rowsDone[y * tw + x] = s;
    }
  }
  const out = new Float32Array(tw * th);
  for (let y = 0; y < th; y++) {
    const { first, weights } = wy[y];
    for (let x = 0; x < tw; x++) {
      let s = 0;
      for (let k = 0; k < weights.length; k++) s += weights[k] * rowsDone[(first + k) * tw + x];
      out[y * tw + x] = s;
    }
  }
  return out;
}

/**
 * `ink` is a w x h grayscale image in [0, 1] (1 = ink). Returns the 28x28
 * image (row-major, [0, 1]) that the model reads, or undefined when nothing
 * is drawn.
 */
export function toMnist(ink: Float32Array, w: number, h: number): Float32Array | undefined {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x] > INK) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return undefined;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(ink.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + bw), y * bw);

  const scale = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));
  const small = resample(crop, bw, bh, tw, th);
  let max = 0;
  for (const v of small) max = Math.max(max, v);
  // A thin stroke averages below 1 when shrunk; MNIST strokes reach full intensity.
  if (max > 0) for (let i = 0; i < small.length; i++) small[i] = Math.min(1, small[i] / max);

  // Centre of mass, in pixel-centre coordinates.
  let mass = 0, cx = 0, cy = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  const ox = Math.round(SIDE / 2 - cx / mass);
  const oy = Math.round(SIDE / 2 - cy / mass);
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < th; y++) {
    const ty = y + oy;
    if (ty < 0 || ty >= SIDE) continue;
    for (let x = 0; x < tw; x++) {
      const tx = x + ox;
      if (tx >= 0 && tx < SIDE) out[ty * SIDE + tx] = small[y * tw + x];
    }
  }
  return out;
}
