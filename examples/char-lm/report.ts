// What the example prints: losses in bits per character, progress lines and
// samples of generated text.
//
// The loss (sparse categorical cross-entropy) is a mean in nats, natural
// logarithms; bits per character is the same mean in base 2, nats / ln 2:
// the code length a model would need per character. A model that knows
// nothing (uniform over V characters) scores log2 V, 6.5 bits for V = 92.

/** Mean cross-entropy in nats -> bits per character. */
export function bitsPerChar(meanNats: number): number {
  return meanNats / Math.LN2;
}

export interface Progress {
  step: number;
  steps: number;
  /** Training loss, mean nats per character. */
  loss: number;
  /** Validation loss, mean nats per character. */
  valLoss?: number;
  /** Since training started. */
  seconds: number;
  /** Characters predicted in training so far (steps x batch x t), for a rate. */
  chars?: number;
}

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** 'step   200/2000  loss 1.7342 (2.502 bpc)  val 1.8120 (2.614 bpc)  12.3 s  3,400 chars/s' */
export function formatProgress(p: Progress): string {
  const width = String(p.steps).length;
  const parts = [
    `step ${String(p.step).padStart(width)}/${p.steps}`,
    `loss ${fixed(p.loss, 4)} (${fixed(bitsPerChar(p.loss), 3)} bpc)`,
  ];
  if (p.valLoss !== undefined) parts.push(`val ${fixed(p.valLoss, 4)} (${fixed(bitsPerChar(p.valLoss), 3)} bpc)`);
  parts.push(`${p.seconds.toFixed(1)} s`);
  if (p.chars !== undefined && p.seconds > 0) parts.push(`${Math.round(p.chars / p.seconds).toLocaleString('en-US')} chars/s`);
  return parts.join('  ');
}

export interface Sample {
  prompt: string;
  /** The generated continuation. */
  text: string;
  temperature?: number;
  topK?: number;
  /** Shown first, e.g. 'step 200'. */
  label?: string;
}

/**
 * A header naming the settings and the prompt, then the prompt and its
 * continuation wrapped at `width` columns, each line after '  | '. A '\n'
 * (the corpus's document separator: the model started a new speech) ends a
 * paragraph and leaves an empty line.
 */
export function formatSample(s: Sample, width = 80): string {
  const settings = [s.label, s.temperature !== undefined ? `temperature ${s.temperature}` : undefined, s.topK ? `top-k ${s.topK}` : undefined].filter((x) => x !== undefined);
  const header = `sample${settings.length ? ` (${settings.join(', ')})` : ''}, prompt ${JSON.stringify(s.prompt)}:`;
  const lines = (s.prompt + s.text).split('\n').flatMap((para, i) => [...(i > 0 ? [''] : []), ...wrap(para, Math.max(10, width - 4))]);
  return [header, ...lines.map((l) => `  | ${l}`.trimEnd())].join('\n');
}

/** Words of `text` into lines of at most `width` characters; a longer word gets a line of its own, cut. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      out.push(line);
      line = '';
    }
    line = line.length > 0 ? `${line} ${word}` : word;
    while (line.length > width) {
      out.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  out.push(line);
  return out;
}
