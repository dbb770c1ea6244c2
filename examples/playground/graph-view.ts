// The course's two computational graphs, drawn node by node: each box shows
// the node's forward value (blue) and its adjoint, d output / d node (red),
// one per output. The inputs are editable; the numbers come from the engine
// (the worker runs examples/graph-basics' walk-through: one compiled
// program whose outputs are every node's value and g.grad of each output
// with respect to every node).
import type { CourseGraph, GraphNode } from './protocol.js';
import { fmt } from './network-view.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const W = 104;
const H = 60;
const DX = 136;
const DY = 66;

export const COURSE_GRAPHS: Record<CourseGraph, { title: string; inputs: Record<string, number> }> = {
  one: { title: 'f(x₁, x₂, x₃) = (4·x₂ + x₂² + 3·x₃,  x₁·x₂ + 3·x₃)', inputs: { x1: 1, x2: 2, x3: 2 } },
  two: { title: 'f(x, y) = (x/y + 5)² + x', inputs: { x: 6, y: 2 } },
};

export class GraphView {
  readonly root = document.createElement('figure');
  private readonly svg = document.createElementNS(SVG_NS, 'svg');
  private readonly fields = new Map<string, HTMLInputElement>();

  constructor(readonly graph: CourseGraph, onInputs: (inputs: Record<string, number>) => void) {
    const spec = COURSE_GRAPHS[graph];
    this.root.className = 'course-graph';
    this.root.dataset.graph = graph;
    const caption = document.createElement('figcaption');
    caption.textContent = spec.title;
    const inputs = document.createElement('div');
    inputs.className = 'graph-inputs';
    for (const [name, value] of Object.entries(spec.inputs)) {
      const label = document.createElement('label');
      const field = document.createElement('input');
      field.type = 'number';
      field.step = 'any';
      field.value = String(value);
      field.name = name;
      field.addEventListener('input', () => {
        const values = this.values();
        if (values) onInputs(values);
      });
      this.fields.set(name, field);
      label.append(`${name} = `, field);
      inputs.append(label);
    }
    this.root.append(caption, inputs, this.svg);
  }

  /** The inputs typed in, or undefined while one is not a number. */
  values(): Record<string, number> | undefined {
    const out: Record<string, number> = {};
    for (const [name, f] of this.fields) {
      const v = f.valueAsNumber;
      if (!Number.isFinite(v)) return undefined;
      out[name] = v;
    }
    return out;
  }

  /** Lays the graph out in columns by depth (inputs first) and writes every node's numbers. */
  render(nodes: readonly GraphNode[]): void {
    const depth = new Map<string, number>();
    for (const n of nodes) depth.set(n.name, n.inputs.length ? 1 + Math.max(...n.inputs.map((i) => depth.get(i) ?? 0)) : 0);
    const rowOf = new Map<string, number>();
    const perColumn: number[] = [];
    for (const n of nodes) {
      const d = depth.get(n.name)!;
      rowOf.set(n.name, perColumn[d] ?? 0);
      perColumn[d] = (perColumn[d] ?? 0) + 1;
    }
    const columns = perColumn.length;
    const rows = Math.max(...perColumn);
    const width = (columns - 1) * DX + W + 8;
    const height = (rows - 1) * DY + H + 8;
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    // Centre short columns vertically.
    const pos = (name: string) => {
      const d = depth.get(name)!;
      const offset = ((rows - perColumn[d]) * DY) / 2;
      return { x: 4 + d * DX, y: 4 + offset + rowOf.get(name)! * DY };
    };
    const parts: string[] = [`<defs><marker id="arrow-${this.graph}" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#9ca3af"/></marker></defs>`];
    for (const n of nodes) {
      const to = pos(n.name);
      for (const i of n.inputs) {
        const from = pos(i);
        const x1 = from.x + W, y1 = from.y + H / 2, x2 = to.x, y2 = to.y + H / 2, mx = (x1 + x2) / 2;
        parts.push(`<path class="edge" d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}" marker-end="url(#arrow-${this.graph})"/>`);
      }
    }
    for (const n of nodes) {
      const { x, y } = pos(n.name);
      const adj = Object.entries(n.adjoint).map(([f, v]) => `<tspan class="bwd" x="${x + 6}" dy="13">∂${f}/∂· ${fmt(v)}</tspan>`).join('');
      parts.push(`<g class="gnode${n.inputs.length ? '' : ' input'}" data-node="${escapeAttr(n.name)}"><rect x="${x}" y="${y}" width="${W}" height="${H}" rx="6"/>` +
        `<text x="${x + 6}" y="${y + 13}"><tspan class="name">${escapeText(n.name)}</tspan><tspan class="fwd" x="${x + 6}" dy="13">= ${fmt(n.value)}</tspan>${adj}</text></g>`);
    }
    this.svg.innerHTML = parts.join('');
  }
}

const escapeText = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');
