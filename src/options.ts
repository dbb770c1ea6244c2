// Checking the option objects users pass (fit, evaluate, predict, optimizers,
// callbacks): each option where it is given, every error naming the function
// and the option, the value found and what was expected. An option name that
// is not known (a typo such as `batch_size` or `lr`) is an error listing the
// known ones, never silently ignored.
import { InputError } from './errors.js';

/** A value as the user would recognise it in a message. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return `an object (${(v as object).constructor?.name ?? 'Object'})`;
}

/** `options` must be undefined or a plain object whose keys are all in `known`; returns it (or {}). */
export function checkOptions<T extends object>(where: string, options: T | undefined, known: readonly string[]): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InputError(`${where}: options must be an object such as { ${known[0]}: ... }, got ${show(options)}`);
  }
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) throw new InputError(`${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; known: ${known.join(', ')}`);
  return options;
}

export interface Range {
  /** Smallest allowed value (inclusive unless `above`). */
  min?: number;
  /** The value must be strictly greater than min. */
  above?: boolean;
  /** Largest allowed value (inclusive unless `below`). */
  max?: number;
  /** The value must be strictly less than max. */
  below?: boolean;
  integer?: boolean;
}

function describeRange(r: Range): string {
  if (r.max === undefined && r.min === 0 && r.above) return r.integer ? 'a positive integer' : 'a positive number';
  if (r.max === undefined && r.min === 1 && !r.above && r.integer) return 'a positive integer';
  if (r.max === undefined && r.min === 0 && !r.above) return r.integer ? 'a non-negative integer' : 'a number >= 0';
  const kind = r.integer ? 'an integer' : 'a finite number';
  const lo = r.min === undefined ? '' : `${r.above ? '>' : '>='} ${r.min}`;
  const hi = r.max === undefined ? '' : `${r.below ? '<' : '<='} ${r.max}`;
  return [kind, [lo, hi].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
}

/** A numeric option: a finite number in the range (the default when undefined). */
export function numberOption(where: string, name: string, value: unknown, fallback: number, range: Range = {}): number {
  if (value === undefined) return fallback;
  const v = value as number;
  const ok = typeof value === 'number' && Number.isFinite(v)
    && (!range.integer || Number.isInteger(v))
    && (range.min === undefined || (range.above ? v > range.min : v >= range.min))
    && (range.max === undefined || (range.below ? v < range.max : v <= range.max));
  if (!ok) throw new InputError(`${where}: ${name} must be ${describeRange(range)}, got ${show(value)}`);
  return v;
}

export function booleanOption(where: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InputError(`${where}: ${name} must be true or false, got ${show(value)}`);
  return value;
}

/** A positive integer count such as batchSize or epochs. */
export function countOption(where: string, name: string, value: unknown, fallback: number): number {
  return numberOption(where, name, value, fallback, { min: 1, integer: true });
}
