// The worker's painter: it owns the canvases the page transferred (the
// output heatmap, the loss curve, the diagram's links and thumbnails) and
// repaints them from each frame's numbers, and again when the view changes
// (a hovered neuron, discretize, a selected link). OffscreenCanvases in a
// worker reach the screen without the page's main thread.
import { GridPainter, LossCurve, paintNetwork, type Ctx2D } from './paint.js';
import type { LossPoint, NetworkSurfaces, ViewOptions } from './protocol.js';

export interface Drawable {
  /** Per layer (hidden layers, then the output), its neurons over the grid: [gridPoints, neurons] row-major. */
  grid: Float32Array[];
  weights: Float32Array[];
  biases: Float32Array[];
}

const context = (c: OffscreenCanvas) => c.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D;

export class Painter {
  private heatmap: GridPainter | undefined;
  private chart: { ctx: Ctx2D; width: number; height: number; scale: number } | undefined;
  private readonly curve = new LossCurve();
  private network: { ctx: Ctx2D; surfaces: NetworkSurfaces; thumbs: Map<string, GridPainter> } | undefined;
  private last: Drawable | undefined;
  /** The active features over the grid, [gridPoints, inputs] (what the heatmap shows for a hovered input). */
  private features: { values: Float32Array; inputs: number } | undefined;
  private view: ViewOptions = { discretize: false };

  outputs(heatmap: OffscreenCanvas, grid: number, chart: OffscreenCanvas, width: number, height: number, scale: number): void {
    this.heatmap = new GridPainter(context(heatmap), grid);
    this.chart = { ctx: context(chart), width, height, scale };
  }

  /** A new session: its diagram, its features over the grid; the loss curve starts over. */
  session(surfaces: NetworkSurfaces, features: Float32Array, inputs: number, grid: number): void {
    const thumbs = new Map(surfaces.thumbs.map((t) => [`${t.layer}-${t.index}`, new GridPainter(context(t.canvas), grid)]));
    this.network = { ctx: context(surfaces.network), surfaces, thumbs };
    this.features = { values: features, inputs };
    this.last = undefined;
    this.curve.clear();
    this.paintCurve();
  }

  setView(view: ViewOptions): void {
    const thumbs = view.discretize !== this.view.discretize;
    this.view = view;
    this.paintHeatmap();
    this.paintDiagram();
    if (thumbs) this.paintThumbs();
  }

  frame(d: Drawable, history: readonly LossPoint[]): void {
    this.last = d;
    this.curve.add(history);
    this.paintCurve();
    this.paintHeatmap();
    this.paintDiagram();
    this.paintThumbs();
  }

  private paintThumbs(): void {
    const d = this.last;
    const thumbs = this.network?.thumbs;
    if (!d || !thumbs) return;
    d.grid.forEach((values, l) => {
      const n = d.biases[l].length;
      for (let i = 0; i < n; i++) thumbs.get(`${l + 1}-${i}`)?.show(values, i, n, this.view.discretize);
    });
  }

  private paintCurve(): void {
    const c = this.chart;
    if (c) this.curve.paint(c.ctx, c.width, c.height, c.scale);
  }

  private paintDiagram(): void {
    const n = this.network;
    if (n && this.last) paintNetwork(n.ctx, n.surfaces.geometry, this.last.weights, this.last.biases, this.view.selected);
  }

  /** The hovered neuron over the grid, else the output. */
  private paintHeatmap(): void {
    const { hover, discretize } = this.view;
    if (!this.heatmap) return;
    if (hover?.layer === 0 && this.features) {
      this.heatmap.show(this.features.values, hover.index, this.features.inputs, discretize);
      return;
    }
    const d = this.last;
    if (!d) return;
    const layer = hover ? hover.layer : d.grid.length;
    if (!d.grid[layer - 1]) return;
    this.heatmap.show(d.grid[layer - 1], hover ? hover.index : 0, d.biases[layer - 1].length, discretize);
  }
}
