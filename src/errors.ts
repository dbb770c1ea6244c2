// Every error the engine throws on purpose is a SinapsisError, so callers can
// tell "you gave me bad input" apart from bugs. Messages name the op or layer,
// what was expected and what was found.

export class SinapsisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor shape does not fit an op (names the op and every dimension). */
export class ShapeError extends SinapsisError {}

/** No adapter, a lost device, a shader that failed to compile. */
export class DeviceError extends SinapsisError {}

/** A file (IDX, safetensors) that is truncated, corrupt or hostile. */
export class FormatError extends SinapsisError {}

/** A value handed to run()/fit()/predict() that does not match what the program expects. */
export class InputError extends SinapsisError {}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
