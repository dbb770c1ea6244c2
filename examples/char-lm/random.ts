// A seeded generator of uniforms in [0, 1): mulberry32, the algorithm of
// sinapsis' own seededRandom (src/data/dataset.ts, not public), so batches and
// samples repeat exactly for a seed, on every platform. Not for cryptography.
export type Random = () => number;

export function seededRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new RangeError(`seededRandom: seed must be a finite number, got ${String(seed)}`);
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed, or a generator to draw from: the generator itself. */
export function randomFrom(source: number | Random | undefined, fallback = 1): Random {
  return typeof source === 'function' ? source : seededRandom(source ?? fallback);
}
