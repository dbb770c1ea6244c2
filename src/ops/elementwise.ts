// The elementwise family: one table row per op, stating side by side its WGSL
// expression, its CPU reference and its gradient rule. Every row runs through
// the fused-chain template (src/ops/fused.ts): alone as a chain of one, or
// fused with its neighbours by the planner.
import { ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes, broadcastStrides, checkShape, sameShape, type Shape } from '../graph/shape.js';
import { Tensor, type Attrs } from '../graph/tensor.js';
import { binaryMap, unaryMap } from '../cpu/elementwise.js';
import { lit } from './kernel.js';
import { apply, defineOp } from '../graph/op-registry.js';
import { sumTo } from './reduce.js';

export type Operand = Tensor | number;

interface UnaryRow {
  /** WGSL expression in `x` (f32); attrs are baked in as literals. */
  wgsl(attrs: Attrs): string;
  cpu(x: number, attrs: Attrs): number;
  /** Gradient wrt x, given dy, the input x and the output y. null: no gradient (piecewise constant). */
  grad: ((dy: Tensor, x: Tensor, y: Tensor, attrs: Attrs) => Tensor) | null;
}

const num = (attrs: Attrs, key: string): number => attrs[key] as number;

const unaryTable: Record<string, UnaryRow> = {
  neg: { wgsl: () => '-x', cpu: (x) => -x, grad: (dy) => neg(dy) },
  square: { wgsl: () => 'x * x', cpu: (x) => x * x, grad: (dy, x) => mul(dy, mul(x, 2)) },
  sqrt: { wgsl: () => 'sqrt(x)', cpu: (x) => Math.sqrt(x), grad: (dy, _x, y) => div(dy, mul(y, 2)) },
  exp: { wgsl: () => 'exp(x)', cpu: (x) => Math.exp(x), grad: (dy, _x, y) => mul(dy, y) },
  log: { wgsl: () => 'log(x)', cpu: (x) => Math.log(x), grad: (dy, x) => div(dy, x) },
  abs: { wgsl: () => 'abs(x)', cpu: (x) => Math.abs(x), grad: (dy, x) => mul(dy, sign(x)) },
  sign: { wgsl: () => 'sign(x)', cpu: (x) => Math.sign(x), grad: null },
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
