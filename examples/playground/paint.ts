// Painting the engine's numbers: a neuron's values over the grid, the links
// and biases of the network, the loss curve. Plain 2D-context code with no
// DOM, so the worker runs it on OffscreenCanvases that the page handed over
// (transferControlToOffscreen): a frame then costs the page's main thread
// nothing but a few numbers of text.
import { css, paintValues } from './colors.js';
import type { LossPoint } from './protocol.js';

export type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** A canvas of grid x grid pixels showing one neuron's values (scaled up by CSS). */
export class GridPainter {
  private readonly image: ImageData;

  constructor(private readonly ctx: Ctx2D, grid: number) {
    this.image = new ImageData(grid, grid);
  }

  /** `values` holds [grid * grid, stride] numbers; `column` is the neuron. */
  show(values: Float32Array, column = 0, stride = 1, discretize = false): void {
    paintValues(this.image, values, column, stride, discretize);
    this.ctx.putImageData(this.image, 0, 0);
  }
}

/** Where the diagram's links and bias squares are, in CSS pixels (laid out by the page). */
export interface NetworkGeometry {
  width: number;
  height: number;
  /** Canvas pixels per CSS pixel. */
  scale: number;
  /** Each link: the layer it enters (1..), its neurons, and its curve's two ends. */
  links: { layer: number; from: number; to: number; curve: [number, number, number, number] }[];
  /** Each neuron's bias square: layer (1..), neuron, top-left corner. */
  biases: { layer: number; index: number; x: number; y: number }[];
}

export interface WeightRef { layer: number; from: number; to: number }

/**
 * Links coloured and sized by weight (TensorFlow Playground's scale: 1 to 10
 * pixels for |w| from 0 to 5), the selected one dashed, then the bias squares.
 * weights[l] is [fanIn, fanOut] row-major; biases[l] has fanOut values.
 */
export function paintNetwork(ctx: Ctx2D, g: NetworkGeometry, weights: readonly Float32Array[], biases: readonly Float32Array[], selected?: WeightRef): void {
  ctx.setTransform(g.scale, 0, 0, g.scale, 0, 0);
  ctx.clearRect(0, 0, g.width, g.height);
  ctx.lineCap = 'round';
  for (const l of g.links) {
    const fanOut = biases[l.layer - 1]?.length;
    const v = fanOut ? weights[l.layer - 1][l.from * fanOut + l.to] : NaN;
    const [x1, y1, x2, y2] = l.curve;
    const mx = (x1 + x2) / 2;
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.bezierCurveTo(mx, y1, mx, y2, x2, y2);
    const chosen = selected && selected.layer === l.layer && selected.from === l.from && selected.to === l.to;
    ctx.strokeStyle = Number.isNaN(v) ? '#d5d8db' : css(v);
    ctx.lineWidth = Number.isNaN(v) ? 1 : Math.min(10, 1 + (9 * Math.abs(v)) / 5);
    ctx.globalAlpha = 0.85;
    ctx.setLineDash([]);
    ctx.stroke();
    if (chosen) {
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#111';
      ctx.setLineDash([5, 3]);
      ctx.stroke();
    }
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#999';
  for (const b of g.biases) {
    const v = biases[b.layer - 1]?.[b.index];
    ctx.fillStyle = v === undefined ? '#fff' : css(v);
    ctx.fillRect(b.x, b.y, 7, 7);
    ctx.strokeRect(b.x, b.y, 7, 7);
  }
}

const MAX_POINTS = 600;

/**
 * The loss curve, as TensorFlow Playground draws it: test loss in black,
 * training loss in grey, against epochs, from 0 to the highest loss. It
 * keeps at most MAX_POINTS points (halving its resolution when full), so a
 * long run costs no more to draw than a short one.
 */
export class LossCurve {
  private points: LossPoint[] = [];
  private every = 1;
  private skipped = 0;

  clear(): void {
    this.points = [];
    this.every = 1;
    this.skipped = 0;
  }

  add(points: readonly LossPoint[]): void {
    for (const p of points) {
      if (this.points.length && p.epoch <= this.points.at(-1)!.epoch) continue;
      if (this.points.length && ++this.skipped < this.every) continue;
      this.skipped = 0;
      this.points.push(p);
      if (this.points.length > MAX_POINTS) {
        this.points = this.points.filter((_, i) => i % 2 === 0);
        this.every *= 2;
      }
    }
  }

  paint(ctx: Ctx2D, width: number, height: number, scale: number): void {
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const pts = this.points;
    if (pts.length < 2) return;
    const x0 = pts[0].epoch;
    const x1 = pts.at(-1)!.epoch;
    let top = 0;
    for (const p of pts) top = Math.max(top, Number.isFinite(p.train) ? p.train : 0, Number.isFinite(p.test) ? p.test : 0);
    top = top || 1;
    const X = (e: number) => 1 + ((e - x0) / Math.max(1, x1 - x0)) * (width - 2);
    const Y = (v: number) => height - 1 - (Math.min(v, top) / top) * (height - 4);
    for (const [key, color] of [['train', '#999'], ['test', '#000']] as const) {
      ctx.beginPath();
      pts.forEach((p, i) => (i ? ctx.lineTo(X(p.epoch), Y(p[key])) : ctx.moveTo(X(p.epoch), Y(p[key]))));
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
  }
}
