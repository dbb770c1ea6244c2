// Heatmaps side by side as a PNG (pngjs): one panel per field on a square
// grid, each with a title drawn in a tiny 3x5 bitmap font and a color bar.
import { PNG } from 'pngjs';
import { writeFileSync } from 'node:fs';

export type Rgb = readonly [number, number, number];
export type Colormap = (v: number) => Rgb;

/** Piecewise-linear interpolation between color stops over [0, 1]. */
function ramp(stops: readonly Rgb[]): Colormap {
  return (v) => {
    const s = Math.min(Math.max(v, 0), 1) * (stops.length - 1);
    const i = Math.min(Math.floor(s), stops.length - 2);
    const f = s - i;
    const [a, b] = [stops[i], stops[i + 1]];
    return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
  };
}

/** Blue - white - red, for signed fields (0.5 is white). */
export const diverging: Colormap = ramp([[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [178, 24, 43]]);
/** Dark purple - teal - yellow (viridis-like), for magnitudes. */
export const sequential: Colormap = ramp([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]]);

export interface Panel {
  title: string;
  /** Grid size n: data is n x n, row-major, row j = the j-th value of the vertical axis (drawn bottom-up). */
  n: number;
  data: ArrayLike<number>;
  min: number;
  max: number;
  colormap: Colormap;
}

// 3x5 glyphs, rows top to bottom, '1' = ink.
const GLYPHS: Record<string, string> = {
  A: '010101111101101', B: '110101110101110', C: '011100100100011', D: '110101101101110', E: '111100110100111',
  F: '111100110100100', G: '011100101101011', H: '101101111101101', I: '111010010010111', J: '001001001101010',
  K: '101101110101101', L: '100100100100111', M: '101111111101101', N: '110101101101101', O: '010101101101010',
  P: '110101110100100', Q: '010101101110011', R: '110101110101101', S: '011100010001110', T: '111010010010010',
  U: '101101101101111', V: '101101101101010', W: '101101111111101', X: '101101010101101', Y: '101101010010010',
  Z: '111001010100111', '0': '111101101101111', '1': '010110010010111', '2': '110001010100111', '3': '110001010001110',
  '4': '101101111001001', '5': '111100110001110', '6': '011100111101111', '7': '111001010010010', '8': '111101111101111',
  '9': '111101111001110', '.': '000000000000010', ',': '000000000010100', ':': '000010000010000', '-': '000000111000000',
  '=': '000111000111000', '|': '010010010010010', '(': '010100100100010', ')': '010001001001010', '/': '001001010100100',
  '%': '101001010100101', '+': '000010111010000', ' ': '000000000000000',
};

class Canvas {
  readonly png: PNG;
  constructor(readonly width: number, readonly height: number) {
    this.png = new PNG({ width, height });
    this.png.data.fill(255);
  }
  set(x: number, y: number, [r, g, b]: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const k = (y * this.width + x) * 4;
    this.png.data[k] = Math.round(r);
    this.png.data[k + 1] = Math.round(g);
    this.png.data[k + 2] = Math.round(b);
    this.png.data[k + 3] = 255;
  }
  text(s: string, x: number, y: number, scale = 2, color: Rgb = [20, 20, 20]): void {
    [...s.toUpperCase()].forEach((ch, c) => {
      const glyph = GLYPHS[ch] ?? GLYPHS[' '];
      for (let r = 0; r < 5; r++) {
        for (let q = 0; q < 3; q++) {
          if (glyph[r * 3 + q] !== '1') continue;
          for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) this.set(x + (c * 4 + q) * scale + dx, y + r * scale + dy, color);
        }
      }
    });
  }
}

const fmt = (v: number) => (Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(2) : v.toExponential(0));

/** Renders the panels left to right, each `pixels` wide, with its title above and a color bar with min/max below. */
export function renderPanels(panels: readonly Panel[], pixels = 240): Buffer {
  const pad = 16, titleH = 22, barH = 12, labelH = 18;
  const width = pad + panels.length * (pixels + pad);
  const height = pad + titleH + pixels + 6 + barH + 4 + labelH;
  const canvas = new Canvas(width, height);
  panels.forEach((p, k) => {
    const x0 = pad + k * (pixels + pad);
    const y0 = pad + titleH;
    canvas.text(p.title, x0, pad);
    const span = p.max - p.min || 1;
    for (let py = 0; py < pixels; py++) {
      const j = Math.min(p.n - 1, Math.floor(((pixels - 1 - py) / pixels) * p.n)); // row 0 at the bottom
      for (let px = 0; px < pixels; px++) {
        const i = Math.min(p.n - 1, Math.floor((px / pixels) * p.n));
        canvas.set(x0 + px, y0 + py, p.colormap((p.data[j * p.n + i] - p.min) / span));
      }
    }
    const yb = y0 + pixels + 6;
    for (let px = 0; px < pixels; px++) {
      const c = p.colormap(px / (pixels - 1));
      for (let dy = 0; dy < barH; dy++) canvas.set(x0 + px, yb + dy, c);
    }
    canvas.text(fmt(p.min), x0, yb + barH + 4);
    const hi = fmt(p.max);
    canvas.text(hi, x0 + pixels - hi.length * 8 + 2, yb + barH + 4);
  });
  return PNG.sync.write(canvas.png);
}

export function writePanels(path: string, panels: readonly Panel[], pixels?: number): void {
  writeFileSync(path, renderPanels(panels, pixels));
}
