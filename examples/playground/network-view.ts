// The network diagram, laid out as TensorFlow Playground's: the input
// features on the left (click one to switch it), the hidden layers with
// +/- buttons for neurons, the output on the right; a thumbnail per neuron
// shows its output over the input plane, links are coloured and sized by
// their weight, the small square at a neuron's corner is its bias. Hovering
// a neuron shows its output in the big heatmap; clicking a neuron or a link
// selects it for the backprop view.
// The page builds the diagram once per network shape and hands its canvases
// (links and biases, one thumbnail per neuron) to the worker, which repaints
// them every frame (paint.ts): a frame changes nothing in this DOM. The SVG
// here only holds invisible paths that catch the pointer on links.
import type { Feature, FeatureId } from './features.js';
import { GridPainter, type NetworkGeometry } from './paint.js';
import type { NetworkSurfaces } from './protocol.js';
import { MAX_NEURONS } from './state.js';

/** layer 0 is the inputs (index among the active features), 1..hidden.length the hidden layers, then the output. */
export interface NeuronRef { layer: number; index: number }
export type Selection =
  | { kind: 'neuron'; layer: number; index: number }
  /** The weight from neuron `from` of layer - 1 to neuron `to` of `layer`. */
  | { kind: 'weight'; layer: number; from: number; to: number };

export interface NetworkEvents {
  toggleFeature(id: FeatureId): void;
  addNeuron(layer: number): void;
  removeNeuron(layer: number): void;
  hover(n: NeuronRef | undefined): void;
  select(s: Selection | undefined): void;
  /** A weight's current value, for the tooltip of its link. */
  weight(layer: number, from: number, to: number): number | undefined;
}

export interface Annotation { value: number; adjoint: number }

const NODE = 38;
const ROW = NODE + 16;
const TOP = 34;
const LABEL = 62;
const SVG_NS = 'http://www.w3.org/2000/svg';

export class NetworkView {
  readonly root = document.createElement('div');
  private notes = new Map<string, HTMLElement>();
  private nodes = new Map<string, HTMLElement>();
  private selected: Selection | undefined;

  constructor(private readonly grid: number, private readonly events: NetworkEvents) {
    this.root.className = 'network';
  }

  /**
   * Lays the diagram out for `features` (all of them; the active ones are
   * wired) and `hidden` neurons per layer, in `width` pixels, and returns the
   * canvases (transferred: only the worker paints them from now on) with
   * their geometry.
   */
  build(features: readonly (Feature & { active: boolean })[], hidden: readonly number[], featureValues: ReadonlyMap<FeatureId, Float32Array>, width: number): { surfaces: NetworkSurfaces; transfer: Transferable[] } {
    this.root.replaceChildren();
    this.notes.clear();
    this.nodes.clear();
    this.selected = undefined;
    const rows = Math.max(features.length, ...hidden);
    const height = TOP + rows * ROW;
    this.root.style.height = `${height}px`;
    const scale = Math.min(2, globalThis.devicePixelRatio || 1);
    const paint = document.createElement('canvas');
    paint.className = 'links-paint';
    paint.width = Math.round(width * scale);
    paint.height = Math.round(height * scale);
    paint.style.width = `${width}px`;
    paint.style.height = `${height}px`;
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.classList.add('links');
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    this.root.append(paint, svg);
    const geometry: NetworkGeometry = { width, height, scale, links: [], biases: [] };
    const thumbs: NetworkSurfaces['thumbs'] = [];

    // Column centres: features, hidden layers spread between, output at the right edge.
    const featureX = LABEL + NODE / 2;
    const outputX = width - NODE / 2 - 2;
    const hiddenX = hidden.map((_, l) => featureX + ((outputX - featureX) * (l + 1)) / (hidden.length + 1));
    const y = (i: number) => TOP + i * ROW + NODE / 2;
    const centres: { x: number; y: number }[][] = [];

    const active = features.filter((f) => f.active);
    centres.push(active.map((f) => ({ x: featureX, y: y(features.indexOf(f)) })));
    features.forEach((f, i) => {
      const el = this.node(featureX, y(i), `in-${f.id}`, 'feature' + (f.active ? ' active' : ''));
      el.title = `${f.label}: click to ${f.active ? 'remove it from' : 'add it to'} the inputs`;
      el.dataset.feature = f.id;
      const canvas = document.createElement('canvas');
      canvas.width = this.grid;
      canvas.height = this.grid;
      // The features are the inputs themselves: painted once, here.
      new GridPainter(canvas.getContext('2d')!, this.grid).show(featureValues.get(f.id)!);
      const label = document.createElement('span');
      label.className = 'feature-label';
      label.textContent = f.label;
      el.append(canvas, label);
      el.addEventListener('click', () => this.events.toggleFeature(f.id));
      if (f.active) this.hoverable(el, { layer: 0, index: active.indexOf(f) });
    });

    const neuron = (cx: number, cy: number, layer: number, index: number) => {
      const key = `${layer}-${index}`;
      const el = this.node(cx, cy, key, 'neuron');
      el.dataset.neuron = key;
      const canvas = document.createElement('canvas');
      canvas.width = this.grid;
      canvas.height = this.grid;
      const note = document.createElement('span');
      note.className = 'note';
      note.hidden = true;
      const fwd = document.createElement('b');
      fwd.className = 'fwd';
      const bwd = document.createElement('b');
      bwd.className = 'bwd';
      note.append(fwd, bwd);
      this.notes.set(key, note);
      el.append(canvas, note);
      el.addEventListener('click', () => this.choose({ kind: 'neuron', layer, index }));
      this.hoverable(el, { layer, index });
      thumbs.push({ layer, index, canvas: canvas.transferControlToOffscreen() });
      geometry.biases.push({ layer, index, x: cx - NODE / 2 - 8, y: cy + NODE / 2 - 3 });
      return el;
    };
    hidden.forEach((n, l) => {
      centres.push(Array.from({ length: n }, (_, i) => ({ x: hiddenX[l], y: y(i) })));
      for (let i = 0; i < n; i++) neuron(hiddenX[l], y(i), l + 1, i);
      this.root.append(this.neuronButtons(hiddenX[l], l, n));
    });
    centres.push([{ x: outputX, y: y(0) }]);
    neuron(outputX, y(0), hidden.length + 1, 0).classList.add('output-node');

    // Links from each layer to the next: painted by the worker, caught here by invisible paths.
    for (let l = 1; l < centres.length; l++) {
      centres[l].forEach((to, i) => {
        centres[l - 1].forEach((from, j) => {
          const curve: [number, number, number, number] = [from.x + NODE / 2, from.y, to.x - NODE / 2, to.y + ((j - (centres[l - 1].length - 1) / 2) / centres[l - 1].length) * 10];
          geometry.links.push({ layer: l, from: j, to: i, curve });
          const [x1, y1, x2, y2] = curve;
          const mx = (x1 + x2) / 2;
          const hit = document.createElementNS(SVG_NS, 'path');
          hit.setAttribute('d', `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`);
          hit.classList.add('link-hit');
          hit.dataset.link = `${l}-${j}-${i}`;
          const title = document.createElementNS(SVG_NS, 'title');
          hit.append(title);
          // Written when the pointer arrives, not at every frame.
          hit.addEventListener('mouseenter', () => {
            const w = this.events.weight(l, j, i);
            title.textContent = w === undefined ? 'weight' : `weight ${fmt(w)} (click for its gradient)`;
          });
          hit.addEventListener('click', () => this.choose({ kind: 'weight', layer: l, from: j, to: i }));
          svg.append(hit);
        });
      });
    }
    const network = paint.transferControlToOffscreen();
    return { surfaces: { network, geometry, thumbs }, transfer: [network, ...thumbs.map((t) => t.canvas)] };
  }

  private node(cx: number, cy: number, key: string, cls: string): HTMLElement {
    const el = document.createElement('div');
    el.className = `node ${cls}`;
    el.style.left = `${cx - NODE / 2}px`;
    el.style.top = `${cy - NODE / 2}px`;
    el.style.width = `${NODE}px`;
    el.style.height = `${NODE}px`;
    this.root.append(el);
    this.nodes.set(key, el);
    return el;
  }

  private hoverable(el: HTMLElement, n: NeuronRef): void {
    el.addEventListener('mouseenter', () => this.events.hover(n));
    el.addEventListener('mouseleave', () => this.events.hover(undefined));
  }

  private neuronButtons(cx: number, layer: number, n: number): HTMLElement {
    const box = document.createElement('div');
    box.className = 'neuron-buttons';
    box.style.left = `${cx - 40}px`;
    const plus = document.createElement('button');
    plus.textContent = '+';
    plus.title = 'Add a neuron';
    plus.disabled = n >= MAX_NEURONS;
    plus.addEventListener('click', () => this.events.addNeuron(layer));
    const minus = document.createElement('button');
    minus.textContent = '−';
    minus.title = 'Remove a neuron';
    minus.disabled = n <= 1;
    minus.addEventListener('click', () => this.events.removeNeuron(layer));
    const label = document.createElement('span');
    label.textContent = `${n} neuron${n === 1 ? '' : 's'}`;
    box.append(plus, minus, label);
    return box;
  }

  private choose(s: Selection): void {
    const same = this.selected && JSON.stringify(this.selected) === JSON.stringify(s);
    this.selected = same ? undefined : s;
    for (const [key, el] of this.nodes) el.classList.toggle('selected', this.selected?.kind === 'neuron' && key === `${this.selected.layer}-${this.selected.index}`);
    this.events.select(this.selected);
  }

  /** Values and adjoints under each neuron (the backprop view), or none. */
  annotate(notes: ReadonlyMap<string, Annotation> | undefined): void {
    for (const [key, el] of this.notes) {
      const n = notes?.get(key);
      el.hidden = !n;
      if (n) {
        el.firstChild!.textContent = fmt(n.value);
        el.lastChild!.textContent = fmt(n.adjoint);
      }
    }
  }
}

/** A short, plain number for the diagram. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 0.001 || a >= 1000) ? v.toExponential(1) : v.toFixed(3);
}
