// Generation: the model continues a prompt one character at a time. The
// model is a callback (PredictNext) that gives the distribution of the next
// character for a window of the model's fixed length t, so this loop knows
// nothing of the engine; the Sampler (sampling.ts) draws each character.
import { normalizeChars } from './normalize.js';
import type { Random } from './random.js';
import { Sampler, type SamplingOptions } from './sampling.js';
import type { Unknown, Vocabulary } from './vocabulary.js';

/**
 * The model's side of generation: for a window of `contextLength` ids, the
 * values (probabilities or logits, `vocab.size` of them) of the character
 * after window[position]. Only window[0..position] are meaningful; the rest
 * is padding, so the model must be causal (position i depends on window[0..i]
 * only), as a causal transformer or a forward LSTM is.
 */
export type PredictNext = (window: Int32Array, position: number) => ArrayLike<number> | Promise<ArrayLike<number>>;

export interface GenerateOptions extends SamplingOptions {
  vocab: Vocabulary;
  /** t, the model's window. */
  contextLength: number;
  /** A seed (default 1) or a generator of uniforms in [0, 1). */
  seed?: number | Random;
  /** Prompt characters outside the vocabulary (after normalizeChars): 'skip' (default), 'error', or an id to put instead. */
  unknown?: Unknown;
  /** The id that fills a window after a short context (default 0); a causal model never reads it. */
  pad?: number;
  /** The context when the prompt is empty: default the document separator '\n' if the vocabulary has it. */
  start?: string;
  /** Called with each generated character as it comes. */
  onChar?: (char: string) => void;
}

export interface Generated {
  /** The prompt as the model saw it (normalised; unknown characters skipped or replaced). */
  prompt: string;
  /** The generated characters only. */
  text: string;
  /** Prompt characters dropped by normalisation or outside the vocabulary. */
  unknown: number;
}

/**
 * Continues `prompt` by `steps` characters, one predictNext call each. The
 * prompt goes through the corpus's character mapping first (normalizeChars:
 * curly quotes and dashes to ASCII; its whitespace is kept, so '\n' starts a
 * new document), then characters outside the vocabulary are skipped (or as
 * options.unknown says). A prompt longer than the window keeps only its last
 * contextLength characters as context; a shorter one fills the window from
 * the left and is padded.
 */
export async function generate(prompt: string, steps: number, predictNext: PredictNext, options: GenerateOptions): Promise<Generated> {
  const { vocab, contextLength: t } = options;
  if (!Number.isInteger(t) || t < 1) throw new RangeError(`generate: contextLength must be a positive integer, got ${String(t)}`);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`generate: steps must be a non-negative integer, got ${String(steps)}`);
  const pad = options.pad ?? 0;
  if (!Number.isInteger(pad) || pad < 0 || pad >= vocab.size) throw new RangeError(`generate: pad must be an id in 0..${vocab.size - 1}, got ${String(pad)}`);
  if (typeof prompt !== 'string') throw new TypeError(`generate: prompt must be a string, got ${prompt === null ? 'null' : typeof prompt}`);
  const normalized = normalizeChars(prompt);
  if (options.unknown === 'error' && normalized.dropped > 0) throw new RangeError(`generate: the prompt has ${normalized.dropped} character(s) outside printable ASCII with no ASCII form`);
  const encoded = vocab.encode(normalized.text, options.unknown ?? 'skip');
  let context = encoded.ids;
  if (context.length === 0) {
    const start = options.start ?? '\n';
    context = vocab.encode(start, 'skip').ids;
    if (context.length === 0) throw new RangeError(`generate: the prompt has no character of the vocabulary, and neither has the start ${JSON.stringify(start)}; give a prompt`);
  }
  const sampler = new Sampler(vocab.size, options);
  const ids = new Int32Array(context.length + steps);
  ids.set(context);
  const window = new Int32Array(t);
  let text = '';
  for (let n = context.length; n < ids.length; n++) {
    const used = Math.min(n, t);
    window.set(ids.subarray(n - used, n));
    window.fill(pad, used);
    const next = sampler.sample(await predictNext(window, used - 1));
    ids[n] = next;
    const ch = vocab.chars[next];
    text += ch;
    options.onChar?.(ch);
  }
  return { prompt: vocab.decode(encoded.ids), text, unknown: normalized.dropped + encoded.unknown };
}

/** Row `position` of a [t, size] (or [1, t, size]) output: a view, for PredictNext. */
export function rowAt(values: Float32Array, position: number, size: number): Float32Array {
  return values.subarray(position * size, (position + 1) * size);
}
