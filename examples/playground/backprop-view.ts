// The backprop view: for the selected neuron or weight, the forward values
// and the adjoints dE/d(node) of the next batch the optimizer trains on,
// point by point, as the course's computational-graph slides draw them:
// values go forward (z = sum w a + b, a = f(z)), adjoints come back
// (dE/da from the layer above, dE/dz = dE/da f'(z), dE/dw = sum a dE/dz).
// Every number here was computed by the engine (the worker's backprop
// program: g.grad of the batch loss with respect to every z, a, w and b).
import type { BackpropValues } from './network.js';
import { fmt, type Annotation, type Selection } from './network-view.js';

export interface NetworkNames {
  /** Input feature labels, in input order. */
  inputs: string[];
  /** Neurons per layer: inputs, hidden layers, output. */
  sizes: number[];
  activation: string;
  outputActivation: string;
  penalty: string;
}

const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

export function neuronName(n: NetworkNames, layer: number, index: number): string {
  if (layer === 0) return n.inputs[index];
  if (layer === n.sizes.length - 1) return 'the output';
  return `neuron ${index + 1} of hidden layer ${layer}`;
}

/** Values and adjoints of one point of the batch, per neuron (key "layer-index"), for the diagram. */
export function annotations(v: BackpropValues, sizes: readonly number[], point: number): Map<string, Annotation> {
  const notes = new Map<string, Annotation>();
  for (let l = 1; l < sizes.length; l++) {
    const n = sizes[l];
    for (let i = 0; i < n; i++) notes.set(`${l}-${i}`, { value: v.a[l - 1][point * n + i], adjoint: v.da[l - 1][point * n + i] });
  }
  return notes;
}

/** The panel's HTML for `sel` (point is the batch row shown first in the text). */
export function describe(v: BackpropValues, names: NetworkNames, sel: Selection, learningRate: number): string {
  const { sizes } = names;
  const rows = v.count;
  const inputsOf = (p: number) => names.inputs.map((label, j) => `${esc(label)} = ${fmt(v.x[p * sizes[0] + j])}`).join(', ');
  const head = `<p class="batch">Batch of ${rows} point${rows === 1 ? '' : 's'}; its loss E = mean of ½(output − label)²${names.penalty ? ` + ${names.penalty}` : ''} = <b>${fmt(v.loss)}</b>.</p>`;
  const table = (cols: string[], cell: (p: number) => string[], total?: string[]) => {
    const body = Array.from({ length: rows }, (_, p) => `<tr><td>${p + 1}</td><td class="pt">${inputsOf(p)}; label ${fmt(v.t[p])}</td>${cell(p).map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
    const foot = total ? `<tfoot><tr><td></td><td>batch</td>${total.map((c) => `<td>${c}</td>`).join('')}</tr></tfoot>` : '';
    return `<div class="table-wrap"><table><thead><tr><th>#</th><th>point</th>${cols.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${body}</tbody>${foot}</table></div>`;
  };

  if (sel.kind === 'neuron') {
    const { layer, index } = sel;
    if (layer === 0) return `${head}<p>${esc(names.inputs[index])} is an input: its value is the point's feature (no weights, no gradient to apply).</p>`;
    const n = sizes[layer];
    const at = (arr: Float32Array[], p: number) => arr[layer - 1][p * n + index];
    const f = layer === sizes.length - 1 ? names.outputActivation : names.activation;
    const from = layer === sizes.length - 1 ? 'dE/da = (a − label) / batch' : `dE/da = Σ<sub>k</sub> w<sub>k</sub> · dE/dz<sub>k</sub> of layer ${layer + 1}`;
    return `${head}
      <p><b>${esc(neuronName(names, layer, index))}</b>: forward z = Σ w·a + b, a = ${f}(z); backward ${from}, dE/dz = dE/da · ${f}′(z).
      Its bias b = ${fmt(v.b[layer - 1][index])} gets dE/db = Σ dE/dz = <b>${fmt(v.db[layer - 1][index])}</b>.</p>
      ${table(['z', 'a', '<span class="bwd">dE/da</span>', '<span class="bwd">dE/dz</span>'], (p) => [fmt(at(v.z, p)), `<span class="fwd">${fmt(at(v.a, p))}</span>`, `<span class="bwd">${fmt(at(v.da, p))}</span>`, `<span class="bwd">${fmt(at(v.dz, p))}</span>`], ['', '', '', `Σ ${fmt(v.db[layer - 1][index])}`])}`;
  }
  const { layer, from, to } = sel;
  const fanOut = sizes[layer];
  const w = v.w[layer - 1][from * fanOut + to];
  const dw = v.dw[layer - 1][from * fanOut + to];
  const prev = (p: number) => (layer === 1 ? v.x[p * sizes[0] + from] : v.a[layer - 2][p * sizes[layer - 1] + from]);
  const dz = (p: number) => v.dz[layer - 1][p * fanOut + to];
  let sum = 0;
  for (let p = 0; p < rows; p++) sum += prev(p) * dz(p);
  const penalty = dw - sum;
  return `${head}
    <p><b>weight from ${esc(neuronName(names, layer - 1, from))} to ${esc(neuronName(names, layer, to))}</b>: w = ${fmt(w)}.
    dE/dw = Σ a<sub>from</sub> · dE/dz<sub>to</sub>${Math.abs(penalty) > 1e-7 ? ` + penalty ${fmt(penalty)}` : ''} = <b>${fmt(dw)}</b>;
    a plain gradient step at learning rate ${learningRate} moves it by −lr · dE/dw = ${fmt(-learningRate * dw)}.</p>
    ${table(['<span class="fwd">a (from)</span>', '<span class="bwd">dE/dz (to)</span>', 'product'], (p) => [`<span class="fwd">${fmt(prev(p))}</span>`, `<span class="bwd">${fmt(dz(p))}</span>`, fmt(prev(p) * dz(p))], ['', '', `Σ ${fmt(sum)}`])}`;
}
