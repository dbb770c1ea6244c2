// The experiment lives in the URL's query string, as in TensorFlow Playground:
// a link reproduces the model, the optimizer, its learning rate, the batch
// size, the epochs, the data sizes and the seed. Unknown or invalid values
// fall back to the defaults.

export interface Settings {
  /** 'mlp' (784-128-10) or 'cnn' (when sn.layers has the conv layers). */
  model: string;
  optimizer: string;
  lr: number;
  batch: number;
  epochs: number;
  /** Training samples: the first `train` of the MNIST training file. */
  train: number;
  /** Validation samples: the `val` that follow them in the training file. */
  val: number;
  /** Test samples: the first `test` of the MNIST test file. */
  test: number;
  /** Seeds the weights and the shuffling order. */
  seed: number;
  /** Start training as soon as the page is ready. */
  autostart: boolean;
}

export const TRAIN_FILE_ROWS = 60000;
export const TEST_FILE_ROWS = 10000;

export const DEFAULTS: Readonly<Settings> = {
  model: 'mlp',
  optimizer: 'adam',
  lr: 0.001,
  batch: 64,
  epochs: 3,
  train: 59000,
  val: 1000,
  test: 10000,
  seed: 1,
  autostart: false,
};

/** The choices the selects offer; a URL may still ask for any valid value. */
export const CHOICES = {
  optimizer: ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad', 'adamw'],
  lr: [0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1],
  batch: [8, 16, 32, 64, 128, 256, 512],
  epochs: [1, 2, 3, 5, 10, 20],
  train: [1000, 2000, 5000, 10000, 20000, 59000],
};

const int = (lo: number, hi: number) => (s: string): number | undefined => {
  const n = Number(s);
  return Number.isInteger(n) && n >= lo && n <= hi ? n : undefined;
};

const PARSERS: { [K in keyof Settings]: (s: string) => Settings[K] | undefined } = {
  model: (s) => (/^[a-z0-9]+$/.test(s) ? s : undefined),
  optimizer: (s) => (CHOICES.optimizer.includes(s) ? s : undefined),
  lr: (s) => {
    const n = Number(s);
    return Number.isFinite(n) && n > 0 && n <= 10 ? n : undefined;
  },
  batch: int(1, 4096),
  epochs: int(1, 1000),
  train: int(1, TRAIN_FILE_ROWS),
  val: int(0, TRAIN_FILE_ROWS - 1),
  test: int(1, TEST_FILE_ROWS),
  seed: int(0, 2 ** 31 - 1),
  autostart: (s) => (s === '1' || s === 'true' ? true : s === '0' || s === 'false' ? false : undefined),
};

/** Settings from a query string; warnings name each value that was ignored. */
export function parseSettings(search: string): { settings: Settings; warnings: string[] } {
  const params = new URLSearchParams(search);
  const settings = { ...DEFAULTS } as Record<keyof Settings, unknown>;
  const warnings: string[] = [];
  for (const key of Object.keys(PARSERS) as (keyof Settings)[]) {
    const raw = params.get(key);
    if (raw === null) continue;
    const v = PARSERS[key](raw);
    if (v === undefined) warnings.push(`ignored ${key}=${raw}`);
    else settings[key] = v;
  }
  const s = settings as unknown as Settings;
  // Validation samples come after the training ones in the same file.
  if (s.train + s.val > TRAIN_FILE_ROWS) {
    s.val = Math.max(0, TRAIN_FILE_ROWS - s.train);
    warnings.push(`val lowered to ${s.val}: train + val must fit in the ${TRAIN_FILE_ROWS} training images`);
  }
  return { settings: s, warnings };
}

/** The query string for `s`: the core settings always, the rest when they differ from the defaults. */
export function toQuery(s: Settings): string {
  const params = new URLSearchParams();
  const always: (keyof Settings)[] = ['model', 'optimizer', 'lr', 'batch', 'epochs', 'train'];
  for (const key of Object.keys(PARSERS) as (keyof Settings)[]) {
    if (always.includes(key) || s[key] !== DEFAULTS[key]) params.set(key, key === 'autostart' ? (s[key] ? '1' : '0') : String(s[key]));
  }
  return `?${params}`;
}
