// Live training curves (uPlot): one chart for the loss, one for the accuracy,
// each with training (a point per chunk of batches), validation and test
// series against epochs. Redraws at most once per animation frame.
import uPlot from 'uplot';

const HEIGHT = 270;

export const COLORS = { train: '#2563eb', val: '#ea580c', test: '#16a34a' };

type Row = { epoch: number; train?: number; val?: number; test?: number };

export class MetricChart {
  private readonly plot: uPlot;
  private readonly data: [number[], (number | null)[], (number | null)[], (number | null)[]] = [[], [], [], []];
  private pending = false;
  private readonly empty: HTMLElement;

  constructor(container: HTMLElement, title: string, percent: boolean) {
    const fmt = (v: number | null) => (v == null ? '–' : percent ? `${(v * 100).toFixed(1)}%` : v.toFixed(3));
    const series = (label: string, stroke: string, dots: boolean): uPlot.Series => ({
      label,
      stroke,
      width: dots ? 2 : 1.5,
      spanGaps: true,
      value: (_u, v) => fmt(v),
      points: { show: dots, size: 6, fill: stroke },
    });
    this.plot = new uPlot(
      {
        title,
        width: Math.max(200, container.clientWidth),
        height: HEIGHT,
        scales: { x: { time: false } },
        series: [
          { label: 'epoch', value: (_u, v) => (v == null ? '–' : v.toFixed(2)) },
          series('train', COLORS.train, false),
          series('validation', COLORS.val, true),
          series('test', COLORS.test, true),
        ],
        axes: [
          { label: 'epoch', size: 36, labelSize: 16, grid: { stroke: '#eef0f3' } },
          { size: 52, values: (_u, vals) => vals.map((v) => (percent ? `${Math.round(v * 1000) / 10}%` : String(Math.round(v * 1000) / 1000))), grid: { stroke: '#eef0f3' } },
        ],
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
      },
      this.data as uPlot.AlignedData,
      container,
    );
    this.empty = document.createElement('div');
    this.empty.className = 'chart-empty';
    this.empty.textContent = 'Press Start: the curves appear here as the model trains.';
    container.append(this.empty);
    new ResizeObserver(() => this.plot.setSize({ width: Math.max(200, container.clientWidth), height: HEIGHT })).observe(container);
  }

  add(row: Row): void {
    const [xs, train, val, test] = this.data;
    const last = xs.length - 1;
    // uPlot wants x strictly increasing: values for the same epoch share one row.
    if (last >= 0 && xs[last] === row.epoch) {
      if (row.train !== undefined) train[last] = row.train;
      if (row.val !== undefined) val[last] = row.val;
      if (row.test !== undefined) test[last] = row.test;
    } else {
      xs.push(row.epoch);
      train.push(row.train ?? null);
      val.push(row.val ?? null);
      test.push(row.test ?? null);
    }
    this.redraw();
  }

  clear(): void {
    for (const s of this.data) s.length = 0;
    this.redraw();
  }

  private redraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.plot.setData(this.data as uPlot.AlignedData);
      this.empty.hidden = this.data[0].length > 0;
    });
  }
}
