// The character vocabulary: id <-> character. A character is a Unicode code
// point (not a UTF-16 code unit); ids follow code point order, so the same
// set of characters always gets the same ids, whatever order the text showed
// them in. `toString()` is the saved form and `Vocabulary.fromString` reads
// it back (a model's config can carry its vocabulary in one string).

/** What encode does with a character outside the vocabulary: throw, leave it out, or write this id. */
export type Unknown = 'error' | 'skip' | number;

export interface Encoded {
  ids: Int32Array;
  /** Characters left out (unknown: 'skip') or replaced (unknown: an id). */
  unknown: number;
}

export class Vocabulary {
  /** id -> character, in code point order. */
  readonly chars: readonly string[];
  private readonly ascii = new Int32Array(128).fill(-1);
  private readonly other = new Map<number, number>();

  private constructor(codePoints: number[]) {
    this.chars = codePoints.map((c) => String.fromCodePoint(c));
    codePoints.forEach((c, id) => (c < 128 ? (this.ascii[c] = id) : this.other.set(c, id)));
  }

  /** The distinct characters of `text`, in code point order. */
  static fromText(text: string): Vocabulary {
    const ascii = new Uint8Array(128);
    const seen = new Set<number>();
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 128) {
        ascii[unit] = 1;
        continue;
      }
      const c = text.codePointAt(i)!;
      if (c > 0xffff) i++;
      seen.add(c);
    }
    ascii.forEach((on, c) => on && seen.add(c));
    return new Vocabulary([...seen].sort((a, b) => a - b));
  }

  /** The vocabulary whose `toString()` is `chars`: distinct characters in code point order. */
  static fromString(chars: string): Vocabulary {
    if (typeof chars !== 'string' || chars.length === 0) throw new TypeError('Vocabulary.fromString: expected a non-empty string of characters');
    const points = [...chars].map((c) => c.codePointAt(0)!);
    for (let i = 1; i < points.length; i++) {
      if (points[i] <= points[i - 1]) {
        throw new RangeError(`Vocabulary.fromString: characters must be distinct and in code point order; ${JSON.stringify(chars[i])} at ${i} is not after ${JSON.stringify(chars[i - 1])}`);
      }
    }
    return new Vocabulary(points);
  }

  get size(): number {
    return this.chars.length;
  }

  /** The id of one character, or -1 if it is not in the vocabulary. */
  id(char: string): number {
    const c = char.codePointAt(0);
    if (c === undefined || char.length > (c > 0xffff ? 2 : 1)) throw new RangeError(`Vocabulary.id: expected one character, got ${JSON.stringify(char)}`);
    return this.idOf(c);
  }

  private idOf(codePoint: number): number {
    return codePoint < 128 ? this.ascii[codePoint] : (this.other.get(codePoint) ?? -1);
  }

  /** Every character of `text` as its id. */
  encode(text: string, unknown: Unknown = 'error'): Encoded {
    if (typeof unknown === 'number' && !(Number.isInteger(unknown) && unknown >= 0 && unknown < this.size)) {
      throw new RangeError(`Vocabulary.encode: the id for unknown characters must be an integer in 0..${this.size - 1}, got ${unknown}`);
    }
    const ids = new Int32Array(text.length);
    let n = 0, missing = 0;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      const ascii = unit < 128 ? this.ascii[unit] : -1;
      if (ascii >= 0) {
        ids[n++] = ascii;
        continue;
      }
      const c = text.codePointAt(i)!;
      const at = i;
      if (c > 0xffff) i++;
      const id = this.idOf(c);
      if (id >= 0) ids[n++] = id;
      else if (unknown === 'error') throw new RangeError(`Vocabulary.encode: ${JSON.stringify(String.fromCodePoint(c))} (U+${c.toString(16).padStart(4, '0')}) at position ${at} is not in the vocabulary`);
      else {
        missing++;
        if (unknown !== 'skip') ids[n++] = unknown;
      }
    }
    return { ids: n === ids.length ? ids : ids.slice(0, n), unknown: missing };
  }

  /** The text of `ids`; an id outside 0..size-1 is an error. */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const ch = this.chars[ids[i]];
      if (ch === undefined || !Number.isInteger(ids[i])) throw new RangeError(`Vocabulary.decode: id ${ids[i]} at ${i} is outside 0..${this.size - 1}`);
      s += ch;
    }
    return s;
  }

  /** Every character in id order: the saved form (Vocabulary.fromString reads it). */
  toString(): string {
    return this.chars.join('');
  }
}
