// The elementwise family: one table row per op, stating side by side its WGSL
// expression, its CPU reference and its gradient rule. Every row runs through
// the fused-chain template (src/ops/fused.ts): alone as a chain of one, or
// fused with its neighbours by the planner.
import { ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes, broadcastStrides, checkShape, sameShape, type Shape } from '../graph/shape.js';
import { Tensor, type Attrs } from '../graph/tensor.js';
import { binaryMap, erf as cpuErf, ternaryMap, unaryMap } from '../cpu/elementwise.js';
import { lit } from './kernel.js';
import { apply, defineOp } from '../graph/op-registry.js';
import { sumTo } from './reduce.js';

export type Operand = Tensor | number;

interface UnaryRow {
  /** WGSL expression in `x` (f32); attrs are baked in as literals. */
  wgsl(attrs: Attrs): string;
  /** WGSL functions the expression calls. */
  helpers?: string;
  cpu(x: number, attrs: Attrs): number;
  /** Gradient wrt x, given dy, the input x and the output y. null: no gradient (piecewise constant). */
  grad: ((dy: Tensor, x: Tensor, y: Tensor, attrs: Attrs) => Tensor) | null;
}

const num = (attrs: Attrs, key: string): number => attrs[key] as number;

/**
 * sin and cos in f32 to about 1e-7. WGSL promises only an absolute error of
 * 2^-11 for its builtins (SwiftShader's are off by 2e-4), too coarse for
 * positional encodings or a physics-informed residual: x is reduced to
 * r in [-pi/4, pi/4] with x = k pi/2 + r (pi/2 in two parts, so r keeps its
 * bits), and sin r, cos r are their Taylor polynomials (next terms under
 * 1e-8 at pi/4); k mod 4 picks which one, with which sign.
 */
const TRIG_WGSL = `fn quarter_turns(x: f32) -> vec3f {
  let k = round(x * 0.6366197724);
  let r = (x - k * 1.5707963705) + k * 4.3711390e-8;
  let r2 = r * r;
  let s = r + r * r2 * (-0.1666666667 + r2 * (0.0083333333 + r2 * (-0.0001984127 + r2 * 0.0000027557)));
  let c = 1.0 + r2 * (-0.5 + r2 * (0.0416666667 + r2 * (-0.0013888889 + r2 * (0.0000248016 - r2 * 0.0000002756))));
  return vec3f(s, c, k - 4.0 * floor(k / 4.0));
}
fn sin_f32(x: f32) -> f32 {
  let t = quarter_turns(x);
  return select(select(select(-t.y, -t.x, t.z == 2.0), t.y, t.z == 1.0), t.x, t.z == 0.0);
}
fn cos_f32(x: f32) -> f32 {
  let t = quarter_turns(x);
  return select(select(select(t.x, -t.y, t.z == 2.0), -t.x, t.z == 1.0), t.y, t.z == 0.0);
}`;

/**
 * erf in f32: its Maclaurin series below |x| = 0.5 (relative error under
 * 1e-8 there, where 1 - erfc would lose it), above that 1 - erfc(|x|) by
 * the Chebyshev fit of Numerical Recipes (erfcc: fractional error under
 * 1.2e-7 everywhere), with erf's sign.
 */
const ERF_WGSL = `fn erf_f32(x: f32) -> f32 {
  let z = abs(x);
  let x2 = x * x;
  let series = 1.1283791671 * x * (1.0 + x2 * (-0.3333333333 + x2 * (0.1 + x2 * (-0.0238095238 + x2 * (0.0046296296 + x2 * -0.0007575758)))));
  let t = 1.0 / (1.0 + 0.5 * z);
  let erfc = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(sign(x) * (1.0 - erfc), series, z < 0.5);
}`;

const unaryTable: Record<string, UnaryRow> = {
  neg: { wgsl: () => '-x', cpu: (x) => -x, grad: (dy) => neg(dy) },
  square: { wgsl: () => 'x * x', cpu: (x) => x * x, grad: (dy, x) => mul(dy, mul(x, 2)) },
  sqrt: { wgsl: () => 'sqrt(x)', cpu: (x) => Math.sqrt(x), grad: (dy, _x, y) => div(dy, mul(y, 2)) },
  exp: { wgsl: () => 'exp(x)', cpu: (x) => Math.exp(x), grad: (dy, _x, y) => mul(dy, y) },
  log: { wgsl: () => 'log(x)', cpu: (x) => Math.log(x), grad: (dy, x) => div(dy, x) },
  sin: { wgsl: () => 'sin_f32(x)', helpers: TRIG_WGSL, cpu: (x) => Math.sin(x), grad: (dy, x) => mul(dy, cos(x)) },
  cos: { wgsl: () => 'cos_f32(x)', helpers: TRIG_WGSL, cpu: (x) => Math.cos(x), grad: (dy, x) => neg(mul(dy, sin(x))) },
  // WGSL has no erf: erf_f32 (below) keeps float32's relative accuracy near 0 and 1.2e-7 beyond.
  erf: { wgsl: () => 'erf_f32(x)', helpers: ERF_WGSL, cpu: (x) => cpuErf(x), grad: (dy, x) => mul(dy, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI))) },
  abs: { wgsl: () => 'abs(x)', cpu: (x) => Math.abs(x), grad: (dy, x) => mul(dy, sign(x)) },
  sign: { wgsl: () => 'sign(x)', cpu: (x) => Math.sign(x), grad: null },
  // The identity with no gradient: what flows through it is treated as a constant when differentiating.
  stopGradient: { wgsl: () => 'x', cpu: (x) => x, grad: null },
  // step(x) = 1 for x > 0, else 0: the perceptron's activation and relu's derivative.
  step: { wgsl: () => 'select(0.0, 1.0, x > 0.0)', cpu: (x) => (x > 0 ? 1 : 0), grad: null },
  // The gradient reads the output (y > 0 exactly where x > 0), so the
  // pre-activation need not outlive the relu and its producer (a bias add)
  // can be fused into it.
  relu: { wgsl: () => 'max(x, 0.0)', cpu: (x) => Math.max(x, 0), grad: (dy, _x, y) => mul(dy, step(y)) },
  // Written in the form that cannot overflow for either sign of x.
  sigmoid: {
    wgsl: () => 'select(exp(x) / (1.0 + exp(x)), 1.0 / (1.0 + exp(-x)), x >= 0.0)',
    cpu: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
    grad: (dy, _x, y) => mul(dy, mul(y, sub(1, y))),
  },
  // Clamped because some drivers compute tanh as (e^2x-1)/(e^2x+1), which is NaN for large |x|.
  tanh: { wgsl: () => 'tanh(clamp(x, -15.0, 15.0))', cpu: (x) => Math.tanh(x), grad: (dy, _x, y) => mul(dy, sub(1, square(y))) },
  leakyRelu: {
    wgsl: (a) => `select(${lit(num(a, 'alpha'))} * x, x, x > 0.0)`,
    cpu: (x, a) => (x > 0 ? x : num(a, 'alpha') * x),
    grad: (dy, x, _y, a) => mul(dy, add(mul(step(x), 1 - num(a, 'alpha')), num(a, 'alpha'))),
  },
  elu: {
    wgsl: (a) => `select(${lit(num(a, 'alpha'))} * (exp(x) - 1.0), x, x > 0.0)`,
    cpu: (x, a) => (x > 0 ? x : num(a, 'alpha') * (Math.exp(x) - 1)),
    // d/dx = 1 for x > 0, alpha * e^x = y + alpha otherwise.
    grad: (dy, x, y, a) => {
      const s = step(x);
      return mul(dy, add(s, mul(sub(1, s), add(y, num(a, 'alpha')))));
    },
  },
  // log(1 + e^x) without overflow: max(x, 0) + log(1 + e^-|x|).
  softplus: {
    wgsl: () => 'max(x, 0.0) + log(1.0 + exp(-abs(x)))',
    cpu: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
    grad: (dy, x) => mul(dy, sigmoid(x)),
  },
  pow: {
    wgsl: (a) => powWgsl(num(a, 'exponent')),
    cpu: (x, a) => Math.pow(x, num(a, 'exponent')),
    grad: (dy, x, _y, a) => {
      const n = num(a, 'exponent');
      return n === 0 ? mul(dy, 0) : mul(dy, mul(pow(x, n - 1), n));
    },
  },
  // Copies x into a larger shape; its own kernel is the identity with broadcast indexing.
  broadcastTo: { wgsl: () => 'x', cpu: (x) => x, grad: (dy, x) => sumTo(dy, x.shape) },
};

/** x^n: integer n is a product (defined for negative x); other n use pow on x >= 0. */
function powWgsl(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) <= 4) {
    if (n === 0) return '1.0';
    const prod = Array(Math.abs(n)).fill('x').join(' * ');
    return n > 0 ? `(${prod})` : `(1.0 / (${prod}))`;
  }
  if (Number.isInteger(n)) {
    const odd = Math.abs(n) % 2 === 1;
    const mag = `pow(abs(x), ${lit(n)})`;
    return odd ? `(sign(x) * ${mag})` : mag;
  }
  return `pow(x, ${lit(n)})`;
}

interface BinaryRow {
  wgsl: string;
  cpu(a: number, b: number): number;
  /** Gradients wrt a and b before un-broadcasting (sumTo), given dy, a, b and the output y; null: none. */
  grad: ((dy: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null]) | null;
}

const binaryTable: Record<string, BinaryRow> = {
  add: { wgsl: 'a + b', cpu: (a, b) => a + b, grad: (dy) => [dy, dy] },
  sub: { wgsl: 'a - b', cpu: (a, b) => a - b, grad: (dy) => [dy, neg(dy)] },
  mul: { wgsl: 'a * b', cpu: (a, b) => a * b, grad: (dy, a, b) => [mul(dy, b), mul(dy, a)] },
  div: { wgsl: 'a / b', cpu: (a, b) => a / b, grad: (dy, _a, b, y) => [div(dy, b), neg(div(mul(dy, y), b))] },
  // Ties send the gradient to a, as TensorFlow does.
  maximum: {
    wgsl: 'max(a, b)', cpu: (a, b) => Math.max(a, b),
    grad: (dy, a, b) => { const m = greaterEqual(a, b); return [mul(dy, m), mul(dy, sub(1, m))]; },
  },
  minimum: {
    wgsl: 'min(a, b)', cpu: (a, b) => Math.min(a, b),
    grad: (dy, a, b) => { const m = lessEqual(a, b); return [mul(dy, m), mul(dy, sub(1, m))]; },
  },
  greater: { wgsl: 'select(0.0, 1.0, a > b)', cpu: (a, b) => (a > b ? 1 : 0), grad: null },
  greaterEqual: { wgsl: 'select(0.0, 1.0, a >= b)', cpu: (a, b) => (a >= b ? 1 : 0), grad: null },
  less: { wgsl: 'select(0.0, 1.0, a < b)', cpu: (a, b) => (a < b ? 1 : 0), grad: null },
  lessEqual: { wgsl: 'select(0.0, 1.0, a <= b)', cpu: (a, b) => (a <= b ? 1 : 0), grad: null },
  equal: { wgsl: 'select(0.0, 1.0, a == b)', cpu: (a, b) => (a === b ? 1 : 0), grad: null },
};

/**
 * where(cond, a, b): a where cond is non-zero, else b (cond is a float tensor
 * of 0 and 1, as the comparisons give), broadcasting all three. No gradient
 * to cond.
 */
defineOp({
  name: 'where',
  shape: ([c, a, b]) => broadcastShapes('where', broadcastShapes('where', c, a), b),
  cpu: ([c, a, b], [cs, as, bs], outShape) => ternaryMap(c, cs, a, as, b, bs, outShape, (k, x, y) => (k !== 0 ? x : y)),
  grad: (dy, node) => {
    const [c, a, b] = node.inputs;
    const zero = dy.graph.constant(0);
    return [null, sumTo(where(c, dy, zero), a.shape), sumTo(where(c, zero, dy), b.shape)];
  },
  elementwise: () => 'select(b, a, c != 0.0)',
});

for (const [name, row] of Object.entries(unaryTable)) {
  defineOp({
    name,
    shape: ([x], attrs) => {
      if (name !== 'broadcastTo') return x;
      const target = attrs.shape as Shape;
      const out = broadcastShapes('broadcastTo', x, target);
      if (!sameShape(out, target)) throw new ShapeError(`broadcastTo: cannot broadcast ${fmtShape(x)} to ${fmtShape(target)}`);
      return target;
    },
    cpu: ([x], [xs], outShape, attrs) => unaryMap(x, xs, outShape, (v) => row.cpu(v, attrs)),
    grad: row.grad ? (dy, node) => [row.grad!(dy, node.inputs[0], node, node.attrs)] : undefined,
    elementwise: (node) => row.wgsl(node.attrs),
    elementwiseHelpers: row.helpers,
  });
}

for (const [name, row] of Object.entries(binaryTable)) {
  defineOp({
    name,
    shape: ([a, b]) => broadcastShapes(name, a, b),
    cpu: ([a, b], [as, bs], outShape) => binaryMap(a, as, b, bs, outShape, row.cpu),
    grad: row.grad
      ? (dy, node) => {
          const [a, b] = node.inputs;
          const [ga, gb] = row.grad!(dy, a, b, node);
          return [ga && sumTo(ga, a.shape), gb && sumTo(gb, b.shape)];
        }
      : undefined,
    elementwise: () => row.wgsl,
  });
}

/** A numeric option of an op, written into its kernel as a literal: it must be finite. */
function finite(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ShapeError(`${op}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

function unary(op: string, x: Tensor, attrs: Attrs = {}): Tensor {
  if (!(x instanceof Tensor)) throw new ShapeError(`${op}: x must be a graph tensor, got ${x === null ? 'null' : typeof x}`);
  return apply(op, [x], attrs);
}

/** Turn a number into a scalar constant of the other operand's graph. */
function operands(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') throw new ShapeError(`${op}: at least one operand must be a tensor`);
  for (const [k, v] of [['first', a], ['second', b]] as const) {
    if (typeof v !== 'number' && !(v instanceof Tensor)) throw new ShapeError(`${op}: the ${k} operand must be a graph tensor or a number, got ${v === null ? 'null' : Array.isArray(v) ? 'an array (make it a tensor: g.constant(values, shape))' : typeof v}`);
  }
  const graph = typeof a === 'number' ? (b as Tensor).graph : a.graph;
  return [typeof a === 'number' ? graph.constant(a) : a, typeof b === 'number' ? graph.constant(b) : b];
}

function binary(op: string, a: Operand, b: Operand): Tensor {
  return apply(op, operands(op, a, b));
}

export const neg = (x: Tensor) => unary('neg', x);
export const square = (x: Tensor) => unary('square', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const abs = (x: Tensor) => unary('abs', x);
export const sign = (x: Tensor) => unary('sign', x);
export const step = (x: Tensor) => unary('step', x);
export const relu = (x: Tensor) => unary('relu', x);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const leakyRelu = (x: Tensor, alpha = 0.2) => unary('leakyRelu', x, { alpha: finite('leakyRelu', 'alpha', alpha) });
export const elu = (x: Tensor, alpha = 1) => unary('elu', x, { alpha: finite('elu', 'alpha', alpha) });
export const softplus = (x: Tensor) => unary('softplus', x);
/** x itself, but a constant to grad: no gradient flows back through it. */
export const stopGradient = (x: Tensor) => unary('stopGradient', x);
export const sin = (x: Tensor) => unary('sin', x);
export const cos = (x: Tensor) => unary('cos', x);
export const erf = (x: Tensor) => unary('erf', x);

/** Elements of a where cond is non-zero, else of b (all three broadcast; numbers become constants). */
export function where(cond: Operand, a: Operand, b: Operand): Tensor {
  const t = [cond, a, b].find((v): v is Tensor => v instanceof Tensor);
  if (!t) throw new ShapeError('where: at least one operand must be a tensor');
  const [c, x, y] = [cond, a, b].map((v, i) => {
    if (typeof v === 'number') return t.graph.constant(v);
    if (!(v instanceof Tensor)) throw new ShapeError(`where: operand ${i} must be a graph tensor or a number, got ${v === null ? 'null' : typeof v}`);
    return v;
  });
  return apply('where', [c, x, y]);
}

/**
 * GELU, x * Phi(x) with Phi the standard normal CDF (exact: via erf), or
 * its tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
 * (Keras' approximate). Built from elementwise ops, which the planner fuses
 * into one kernel; the gradient follows from theirs.
 */
export function gelu(x: Tensor, options: { approximate?: boolean } = {}): Tensor {
  if (options.approximate !== undefined && typeof options.approximate !== 'boolean') throw new ShapeError(`gelu: approximate must be true or false, got ${String(options.approximate)}`);
  if (options.approximate) {
    const inner = mul(add(x, mul(mul(square(x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/** SiLU (swish), x * sigmoid(x). */
export const silu = (x: Tensor) => mul(x, sigmoid(x));
/** x^n for a constant n; an integer n is defined for negative x. */
export function pow(x: Tensor, exponent: number): Tensor {
  if (typeof exponent !== 'number' || !Number.isFinite(exponent)) throw new ShapeError(`pow: the exponent must be a finite number, got ${String(exponent)}`);
  if (exponent === 1) return x;
  return unary('pow', x, { exponent });
}
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const target = checkShape(shape, 'broadcastTo');
  return sameShape(x.shape, target) ? x : unary('broadcastTo', x, { shape: target });
}

export const add = (a: Operand, b: Operand) => binary('add', a, b);
export const sub = (a: Operand, b: Operand) => binary('sub', a, b);
export const mul = (a: Operand, b: Operand) => binary('mul', a, b);
export const div = (a: Operand, b: Operand) => binary('div', a, b);
export const maximum = (a: Operand, b: Operand) => binary('maximum', a, b);
export const minimum = (a: Operand, b: Operand) => binary('minimum', a, b);
export const greater = (a: Operand, b: Operand) => binary('greater', a, b);
export const greaterEqual = (a: Operand, b: Operand) => binary('greaterEqual', a, b);
export const less = (a: Operand, b: Operand) => binary('less', a, b);
export const lessEqual = (a: Operand, b: Operand) => binary('lessEqual', a, b);
export const equal = (a: Operand, b: Operand) => binary('equal', a, b);

export const unaryOpNames = Object.keys(unaryTable);
export const binaryOpNames = Object.keys(binaryTable);
