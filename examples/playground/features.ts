// The input features: TensorFlow Playground's seven, in its order (the order
// decides which random draw initialises which weight), then cos(X1) and
// cos(X2), which its URL knows but its page does not show.
import type { Point } from './datasets.js';

export const FEATURE_IDS = ['x', 'y', 'xSquared', 'ySquared', 'xTimesY', 'sinX', 'sinY', 'cosX', 'cosY'] as const;
export type FeatureId = (typeof FEATURE_IDS)[number];

export interface Feature {
  id: FeatureId;
  /** Plain-text label, as on TensorFlow Playground (X1 squared is X1²). */
  label: string;
  f: (x: number, y: number) => number;
}

export const FEATURES: readonly Feature[] = [
  { id: 'x', label: 'X₁', f: (x) => x },
  { id: 'y', label: 'X₂', f: (_x, y) => y },
  { id: 'xSquared', label: 'X₁²', f: (x) => x * x },
  { id: 'ySquared', label: 'X₂²', f: (_x, y) => y * y },
  { id: 'xTimesY', label: 'X₁X₂', f: (x, y) => x * y },
  { id: 'sinX', label: 'sin(X₁)', f: (x) => Math.sin(x) },
  { id: 'sinY', label: 'sin(X₂)', f: (_x, y) => Math.sin(y) },
  { id: 'cosX', label: 'cos(X₁)', f: (x) => Math.cos(x) },
  { id: 'cosY', label: 'cos(X₂)', f: (_x, y) => Math.cos(y) },
];

/** The features switched on, in network input order. */
export function activeFeatures(on: Readonly<Record<FeatureId, boolean>>): Feature[] {
  return FEATURES.filter((f) => on[f.id]);
}

/** Row-major [points, features] matrix of the features of `points`. */
export function featureMatrix(points: readonly { x: number; y: number }[], features: readonly Feature[]): Float32Array {
  const out = new Float32Array(points.length * features.length);
  points.forEach((p, i) => features.forEach((f, j) => { out[i * features.length + j] = f.f(p.x, p.y); }));
  return out;
}

/** The plane TensorFlow Playground shows: [-6, 6] on both axes. */
export const DOMAIN = 6;

/**
 * The grid the heatmaps are computed on, `n` x `n` points, row by row from
 * the top (y = +6) to the bottom, each row from x = -6 to x = +6: the
 * order of a canvas' pixels.
 */
export function gridPoints(n: number): Point[] {
  const pts: Point[] = [];
  const at = (i: number) => -DOMAIN + (2 * DOMAIN * i) / (n - 1);
  for (let row = 0; row < n; row++) for (let col = 0; col < n; col++) pts.push({ x: at(col), y: -at(row), label: 0 });
  return pts;
}
