// Text normalisation for the character-level model: everything becomes
// printable ASCII, so the vocabulary is small (at most 95 characters plus the
// document separator) and the same on every platform.
//
//   1. Unicode compatibility decomposition (NFKD), then combining marks are
//      dropped: 'á' -> 'a', 'ï' -> 'i', a no-break space -> ' '.
//   2. Typographic characters become their typewriter forms: curly quotes ->
//      ' and ", the em dash -> '--' (the older speeches' own convention), en
//      dashes and hyphens -> '-', the ellipsis -> '...', the fraction slash
//      (from NFKD's '½' -> '1⁄2') -> '/', '°' -> ' degrees'.
//   3. Any other character outside printable ASCII (0x20-0x7e) is dropped,
//      except whitespace; the count is reported.
//   4. (collapseWhitespace) every run of whitespace, line breaks included,
//      becomes one space, and the ends are trimmed: the corpus loses its rare
//      line breaks, and '\n' is free to mean "a new document starts".

/** Step 2's table: each key becomes its value. */
export const REPLACEMENTS: Readonly<Record<string, string>> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u2033': '"',
  '\u2014': '--', '\u2015': '--',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2212': '-',
  '\u2026': '...', '\u2044': '/',
  '\u00b0': ' degrees',
};

const COMBINING = /[\u0300-\u036f]/g;
const TYPOGRAPHIC = new RegExp(`[${Object.keys(REPLACEMENTS).join('')}]`, 'g');
// Printable ASCII and whitespace stay; anything else is dropped.
const OUTSIDE = /[^\x20-\x7e\s]/gu;
// Runs of two or more, or one that is not a plain space (replacing every single space too is 6x slower).
const WHITESPACE = /\s{2,}|[^\S ]/g;

export interface Normalized {
  text: string;
  /** Characters (code points) dropped in step 3. */
  dropped: number;
}

/** Steps 1-3: each character to printable ASCII or whitespace; whitespace is kept as it is. */
export function normalizeChars(text: string): Normalized {
  const mapped = text.normalize('NFKD').replace(COMBINING, '').replace(TYPOGRAPHIC, (c) => REPLACEMENTS[c]);
  let dropped = 0;
  const kept = mapped.replace(OUTSIDE, () => {
    dropped++;
    return '';
  });
  return { text: kept, dropped };
}

/** Step 4: runs of whitespace (line breaks too) -> one space, the ends trimmed. */
export function collapseWhitespace(text: string): string {
  return text.replace(WHITESPACE, ' ').trim();
}

/** A document as the corpus keeps it: steps 1-4. */
export function normalizeDocument(text: string): Normalized {
  const n = normalizeChars(text);
  return { text: collapseWhitespace(n.text), dropped: n.dropped };
}
