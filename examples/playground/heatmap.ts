// The output heatmap's frame on the page: the canvas the worker paints the
// selected neuron's values into (handed over with transferControlToOffscreen),
// the data points on top (drawn here, once per data set) and the axes.
import { css } from './colors.js';
import type { Point } from './datasets.js';
import { DOMAIN } from './features.js';

export class Heatmap {
  readonly root = document.createElement('div');
  /** grid x grid pixels, scaled up by CSS; painted by the worker. */
  readonly values = document.createElement('canvas');
  private readonly points = document.createElement('canvas');

  constructor(grid: number, private readonly size: number) {
    this.root.className = 'heatmap';
    this.root.style.width = `${size}px`;
    this.root.style.height = `${size}px`;
    this.values.width = grid;
    this.values.height = grid;
    this.values.className = 'heatmap-values';
    const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
    this.points.width = Math.round(size * dpr);
    this.points.height = Math.round(size * dpr);
    this.points.className = 'heatmap-points';
    this.root.append(this.values, this.points, this.axes());
  }

  private axes(): HTMLElement {
    const axes = document.createElement('div');
    axes.className = 'heatmap-axes';
    for (const v of [-6, -4, -2, 0, 2, 4, 6]) {
      const f = (v + DOMAIN) / (2 * DOMAIN);
      const x = document.createElement('span');
      x.className = 'tick x';
      x.style.left = `${f * 100}%`;
      x.textContent = String(v);
      const y = document.createElement('span');
      y.className = 'tick y';
      y.style.top = `${(1 - f) * 100}%`;
      y.textContent = String(v);
      axes.append(x, y);
    }
    return axes;
  }

  /** Training points with a white ring, test points with a black one (TensorFlow Playground's look). */
  setPoints(train: readonly Point[], test: readonly Point[]): void {
    const ctx = this.points.getContext('2d')!;
    const k = this.points.width / this.size;
    ctx.setTransform(k, 0, 0, k, 0, 0);
    ctx.clearRect(0, 0, this.size, this.size);
    const at = (v: number) => ((v + DOMAIN) / (2 * DOMAIN)) * this.size;
    const draw = (pts: readonly Point[], ring: string) => {
      ctx.strokeStyle = ring;
      ctx.lineWidth = 1;
      for (const p of pts) {
        if (Math.abs(p.x) > DOMAIN || Math.abs(p.y) > DOMAIN) continue;
        ctx.beginPath();
        ctx.arc(at(p.x), this.size - at(p.y), 3, 0, 2 * Math.PI);
        ctx.fillStyle = css(p.label);
        ctx.fill();
        ctx.stroke();
      }
    };
    draw(train, '#fff');
    draw(test, '#000');
  }
}
