// What the examples' command lines share: a numeric option, checked.
export function numberOption(name: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${value}'`);
  return n;
}
