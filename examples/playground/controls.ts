// The page's controls: the bar (run buttons, learning rate, activation,
// regularisation, problem, and our optimizer, dropout, batch norm), the data
// column (data set thumbnails, sliders) and the output checkboxes. Each
// writes its value into the state through one callback; sync() writes the
// state back into the controls (after a URL is read, or a reset).
import { css } from './colors.js';
import { CLASSIFICATION, GENERATORS, REGRESSION, seededRandom, type DatasetName } from './datasets.js';
import {
  ACTIVATIONS, DROPOUT_RATES, LEARNING_RATES, OPTIMIZERS, PROBLEMS, REGULARIZATIONS, REGULARIZATION_RATES,
  type PlaygroundState,
} from './state.js';

export interface ControlEvents {
  set<K extends keyof PlaygroundState>(key: K, value: PlaygroundState[K]): void;
  play(): void;
  step(): void;
  reset(): void;
  regenerate(): void;
  addLayer(): void;
  removeLayer(): void;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

const LABELS: Record<string, string> = {
  tanh: 'Tanh', relu: 'ReLU', sigmoid: 'Sigmoid', linear: 'Linear', leakyRelu: 'Leaky ReLU', elu: 'ELU', softplus: 'Softplus',
  none: 'None', L1: 'L1', L2: 'L2', classification: 'Classification', regression: 'Regression',
  sgd: 'SGD', momentum: 'Momentum', nesterov: 'Nesterov', adagrad: 'Adagrad', adadelta: 'Adadelta', rmsprop: 'RMSprop', adam: 'Adam',
};

function fill(select: HTMLSelectElement, values: readonly (string | number)[], current: string | number, label: (v: string | number) => string): void {
  // A value from the URL that the list lacks is added, so the control shows what runs.
  const all = values.includes(current) ? [...values] : [...values, current].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : 0));
  select.replaceChildren(...all.map((v) => new Option(label(v), String(v), false, v === current)));
}

export class Controls {
  private readonly thumbs = new Map<DatasetName, HTMLCanvasElement>();

  constructor(private readonly events: ControlEvents) {
    $('play').addEventListener('click', () => events.play());
    $('step').addEventListener('click', () => events.step());
    $('reset').addEventListener('click', () => events.reset());
    $('regenerate').addEventListener('click', () => events.regenerate());
    $('add-layer').addEventListener('click', () => events.addLayer());
    $('remove-layer').addEventListener('click', () => events.removeLayer());
    const select = <K extends keyof PlaygroundState>(key: K, parse: (s: string) => PlaygroundState[K]) =>
      $<HTMLSelectElement>(key).addEventListener('change', (e) => events.set(key, parse((e.target as HTMLSelectElement).value)));
    select('learningRate', Number);
    select('regularizationRate', Number);
    select('dropout', Number);
    select('activation', (s) => s as PlaygroundState['activation']);
    select('regularization', (s) => s as PlaygroundState['regularization']);
    select('problem', (s) => s as PlaygroundState['problem']);
    select('optimizer', (s) => s as PlaygroundState['optimizer']);
    for (const key of ['batchNorm', 'showTestData', 'discretize'] as const) {
      $<HTMLInputElement>(key).addEventListener('change', (e) => events.set(key, (e.target as HTMLInputElement).checked));
    }
    for (const key of ['percTrainData', 'noise', 'batchSize'] as const) {
      const input = $<HTMLInputElement>(key);
      // The value shows while dragging; the experiment changes when the slider is let go.
      input.addEventListener('input', () => { $(`${key}-value`).textContent = input.value; });
      input.addEventListener('change', () => events.set(key, Number(input.value)));
    }
    this.buildThumbnails();
  }

  /** One small picture per data set (200 points, no noise), as TensorFlow Playground's. */
  private buildThumbnails(): void {
    const box = $('datasets');
    for (const name of [...CLASSIFICATION, ...REGRESSION]) {
      const canvas = document.createElement('canvas');
      canvas.width = 80;
      canvas.height = 80;
      canvas.className = 'dataset';
      canvas.dataset.dataset = name;
      canvas.title = name;
      const ctx = canvas.getContext('2d')!;
      // Its own generator: the experiment's random stream is not touched.
      for (const p of GENERATORS[name](200, 0, seededRandom(`thumbnail ${name}`))) {
        ctx.fillStyle = css(p.label);
        ctx.fillRect((80 * (p.x + 6)) / 12, (80 * (6 - p.y)) / 12, 3, 3);
      }
      canvas.addEventListener('click', () => this.events.set((REGRESSION as readonly string[]).includes(name) ? 'regDataset' : 'dataset', name as never));
      box.append(canvas);
      this.thumbs.set(name, canvas);
    }
  }

  sync(s: PlaygroundState): void {
    const num = (v: string | number) => String(v);
    fill($<HTMLSelectElement>('learningRate'), LEARNING_RATES, s.learningRate, num);
    fill($<HTMLSelectElement>('regularizationRate'), REGULARIZATION_RATES, s.regularizationRate, num);
    fill($<HTMLSelectElement>('dropout'), DROPOUT_RATES, s.dropout, (v) => (v === 0 ? 'Off' : String(v)));
    fill($<HTMLSelectElement>('activation'), ACTIVATIONS, s.activation, (v) => LABELS[v]);
    fill($<HTMLSelectElement>('regularization'), REGULARIZATIONS, s.regularization, (v) => LABELS[v]);
    fill($<HTMLSelectElement>('problem'), PROBLEMS, s.problem, (v) => LABELS[v]);
    fill($<HTMLSelectElement>('optimizer'), OPTIMIZERS, s.optimizer, (v) => LABELS[v]);
    for (const key of ['batchNorm', 'showTestData', 'discretize'] as const) $<HTMLInputElement>(key).checked = s[key];
    for (const key of ['percTrainData', 'noise', 'batchSize'] as const) {
      $<HTMLInputElement>(key).value = String(s[key]);
      $(`${key}-value`).textContent = String(s[key]);
    }
    for (const [name, canvas] of this.thumbs) {
      const regression = (REGRESSION as readonly string[]).includes(name);
      canvas.hidden = regression !== (s.problem === 'regression');
      canvas.classList.toggle('selected', name === (regression ? s.regDataset : s.dataset));
    }
    const n = s.networkShape.length;
    $('layers-label').textContent = `${n} hidden layer${n === 1 ? '' : 's'}`;
  }

  setEnabled(on: boolean): void {
    for (const id of ['play', 'step', 'reset']) $<HTMLButtonElement>(id).disabled = !on;
  }

  setPlaying(playing: boolean): void {
    $('play').classList.toggle('playing', playing);
  }
}
