// From documents to what the model trains on: one stream of character ids.
//
// Each document is normalised (normalize.ts: printable ASCII, whitespace
// collapsed), and the documents are joined in the order given with '\n'
// between them, so '\n' means "a new document starts here" (the model learns
// where speeches begin). The vocabulary is every character of the joined
// text, in code point order (vocabulary.ts), unless one is given (a page
// training on fewer speeches, or a saved model, keeps the ids of the full
// corpus: characters it lacks are left out and counted). The last `validationFraction` of
// the stream (default 0.1) is the validation set and everything before it the
// training set: with documents in time order, the model is scored on text
// later than any it trained on.
import { normalizeDocument } from './normalize.js';
import { Vocabulary } from './vocabulary.js';

export const SEPARATOR = '\n';

export interface CorpusOptions {
  /** The fraction at the end of the stream held out for validation, in [0, 1); default 0.1. */
  validationFraction?: number;
  /** Encode with this vocabulary instead of building one; characters outside it are left out (stats.unknown). */
  vocab?: Vocabulary;
}

export interface CorpusStats {
  documents: number;
  /** Characters (code points) of the documents as given. */
  rawChars: number;
  /** Characters dropped by normalisation (outside printable ASCII, no replacement). */
  dropped: number;
  /** Characters of the joined, normalised text (separators included): text.length, ids.length + unknown. */
  chars: number;
  /** Characters of that text outside a given vocabulary, left out of ids (0 when the vocabulary is built). */
  unknown: number;
  vocabSize: number;
  trainChars: number;
  validationChars: number;
  validationFraction: number;
}

export interface Corpus {
  /** The joined, normalised text. */
  text: string;
  vocab: Vocabulary;
  /** Every character of `text` as its id (those outside a given vocabulary left out). */
  ids: Int32Array;
  /** ids[0, trainChars): a view, no copy. */
  train: Int32Array;
  /** ids[trainChars, ids.length): a view, no copy. */
  validation: Int32Array;
  stats: CorpusStats;
}

/** Normalises and joins `documents`, builds the vocabulary, encodes and splits. */
export function buildCorpus(documents: readonly string[], options: CorpusOptions = {}): Corpus {
  const validationFraction = options.validationFraction ?? 0.1;
  if (typeof validationFraction !== 'number' || !(validationFraction >= 0 && validationFraction < 1)) {
    throw new RangeError(`buildCorpus: validationFraction must be in [0, 1), got ${String(validationFraction)}`);
  }
  if (!Array.isArray(documents) || documents.length === 0) throw new TypeError('buildCorpus: expected a non-empty array of document texts');
  let rawChars = 0, dropped = 0;
  const parts = documents.map((doc, i) => {
    if (typeof doc !== 'string') throw new TypeError(`buildCorpus: document ${i} is ${doc === null ? 'null' : typeof doc}, not a string`);
    const n = normalizeDocument(doc);
    rawChars += countCodePoints(doc);
    dropped += n.dropped;
    return n.text;
  });
  const text = parts.join(SEPARATOR);
  const vocab = options.vocab ?? Vocabulary.fromText(text);
  if (!(vocab instanceof Vocabulary)) throw new TypeError('buildCorpus: vocab must be a Vocabulary (Vocabulary.fromString of a saved one)');
  const { ids, unknown } = vocab.encode(text, 'skip');
  if (ids.length === 0) throw new RangeError('buildCorpus: no character of the documents is in the vocabulary');
  const validationChars = Math.floor(ids.length * validationFraction);
  const trainChars = ids.length - validationChars;
  return {
    text,
    vocab,
    ids,
    train: ids.subarray(0, trainChars),
    validation: ids.subarray(trainChars),
    stats: { documents: documents.length, rawChars, dropped, chars: text.length, unknown, vocabSize: vocab.size, trainChars, validationChars, validationFraction },
  };
}

function countCodePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00) n--;
  }
  return n;
}

/** One line for a log: documents, characters, vocabulary and the split. */
export function describeCorpus(stats: CorpusStats, name = 'corpus'): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const pct = Math.round(stats.validationFraction * 1000) / 10;
  const unknown = stats.unknown ? `, ${n(stats.unknown)} outside the vocabulary` : '';
  return `${name}: ${n(stats.documents)} documents, ${n(stats.chars)} characters (${n(stats.dropped)} dropped in normalisation${unknown}), vocabulary of ${stats.vocabSize}; ` +
    `training ${n(stats.trainChars)}, validation ${n(stats.validationChars)} (the last ${pct}%)`;
}
