// Tables of things users pick by name (losses, activations, optimizers,
// metrics, initializers, regularizers, layer classes). A plain object looked
// up with `table[name]` also answers 'constructor', 'toString' or
// '__proto__' from Object.prototype, so a loss named 'constructor' "trained"
// and an activation named 'constructor' acted as identity. A NameTable is a
// Map: it answers only the names it was given, and an unknown name is an
// error that lists the valid ones.
import { InputError } from './errors.js';

export class NameTable<T> {
  private readonly entries: Map<string, T>;

  /** `kind` names the table in errors ("unknown loss 'x'"). */
  constructor(readonly kind: string, entries: Readonly<Record<string, T>> | Iterable<readonly [string, T]>) {
    this.entries = new Map(Symbol.iterator in entries ? (entries as Iterable<readonly [string, T]>) : Object.entries(entries as Record<string, T>));
  }

  has(name: unknown): boolean {
    return typeof name === 'string' && this.entries.has(name);
  }

  /** The entry for `name`; an InputError listing the valid names for anything else. */
  get(name: unknown, where = ''): T {
    if (typeof name === 'string') {
      const v = this.entries.get(name);
      if (v !== undefined) return v;
    }
    const shown = typeof name === 'string' ? `'${name}'` : `${JSON.stringify(name) ?? String(name)} (a ${name === null ? 'null' : typeof name}, not a name)`;
    throw new InputError(`${where ? `${where}: ` : ''}unknown ${this.kind} ${shown}; known: ${this.names().join(', ')}`);
  }

  set(name: string, value: T): void {
    this.entries.set(name, value);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }
}
