// TensorFlow Playground's colours: orange for -1, grey for 0, blue for +1.
// Weights and biases use the continuous scale (clamped to [-1, 1]); heatmaps
// use 30 shades of it, quantised over [-1, 1] as its heatmap does, drawn
// with alpha 160 over the page.
export const NEGATIVE = [0xf5, 0x93, 0x22] as const;
export const ZERO = [0xe8, 0xea, 0xeb] as const;
export const POSITIVE = [0x08, 0x77, 0xbd] as const;

type Rgb = readonly [number, number, number];

function mix(a: Rgb, b: Rgb, t: number): [number, number, number] {
  return [Math.round(a[0] + (b[0] - a[0]) * t), Math.round(a[1] + (b[1] - a[1]) * t), Math.round(a[2] + (b[2] - a[2]) * t)];
}

/** The colour of v on the continuous scale, clamped to [-1, 1]. */
export function rgb(v: number): [number, number, number] {
  const c = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  return c < 0 ? mix(ZERO, NEGATIVE, -c) : mix(ZERO, POSITIVE, c);
}

export const css = (v: number): string => {
  const [r, g, b] = rgb(v);
  return `rgb(${r},${g},${b})`;
};

const SHADES = 30;
/** SHADES + 1 colours from -1 to 1, packed RGBA (alpha 160) for ImageData. */
const PALETTE: Uint8ClampedArray = (() => {
  const p = new Uint8ClampedArray((SHADES + 1) * 4);
  for (let i = 0; i <= SHADES; i++) {
    const [r, g, b] = rgb(-1 + (2 * i) / SHADES);
    p.set([r, g, b, 160], i * 4);
  }
  return p;
})();

/** d3's quantize scale over [-1, 1] onto the palette. */
function shade(v: number): number {
  const i = Math.floor(((v + 1) / 2) * (SHADES + 1));
  return Math.max(0, Math.min(SHADES, Number.isFinite(i) ? i : SHADES >> 1));
}

/**
 * Paints `values` (n x n, row-major from the top-left) into `image`.
 * `column`/`stride` pick one neuron out of a [points, neurons] array.
 */
export function paintValues(image: ImageData, values: Float32Array, column = 0, stride = 1, discretize = false): void {
  const px = image.data;
  const count = image.width * image.height;
  for (let p = 0; p < count; p++) {
    let v = values[p * stride + column];
    if (discretize) v = v >= 0 ? 1 : -1;
    const s = shade(v) * 4;
    px[p * 4] = PALETTE[s];
    px[p * 4 + 1] = PALETTE[s + 1];
    px[p * 4 + 2] = PALETTE[s + 2];
    px[p * 4 + 3] = 160;
  }
}
