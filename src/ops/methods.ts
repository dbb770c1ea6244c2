// The common ops as Tensor methods (x.add(y).relu()), chained as in
// TensorFlow.js. The Tensor class lives in the graph layer, which cannot
// import the ops built on it (they import it), so the methods are attached
// here; src/ops/index.ts imports this module, so wherever the ops are, so
// are the methods.
import { Tensor } from '../graph/tensor.js';
import type { Shape } from '../graph/shape.js';
import * as elementwise from './elementwise.js';
import * as reduce from './reduce.js';
import { matmul, type MatmulOptions } from './matmul.js';
import { reshape, slice, transpose } from './shape-ops.js';
import { logSoftmax, softmax } from './softmax.js';

const ops = { ...elementwise, ...reduce, matmul, reshape, slice, transpose, softmax, logSoftmax };

declare module '../graph/tensor.js' {
  interface Tensor {
    add(b: elementwise.Operand): Tensor;
    sub(b: elementwise.Operand): Tensor;
    mul(b: elementwise.Operand): Tensor;
    div(b: elementwise.Operand): Tensor;
    neg(): Tensor;
    square(): Tensor;
    sqrt(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    abs(): Tensor;
    pow(exponent: number): Tensor;
    matmul(b: Tensor, options?: MatmulOptions): Tensor;
    sum(options?: reduce.ReduceOptions): Tensor;
    mean(options?: reduce.ReduceOptions): Tensor;
    max(options?: reduce.ReduceOptions): Tensor;
    reshape(shape: Shape): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    slice(begin: readonly number[], size?: readonly number[]): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    leakyRelu(alpha?: number): Tensor;
    elu(alpha?: number): Tensor;
    softplus(): Tensor;
    step(): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
  }
}

const p = Tensor.prototype;
p.add = function (b) { return ops.add(this, b); };
p.sub = function (b) { return ops.sub(this, b); };
p.mul = function (b) { return ops.mul(this, b); };
p.div = function (b) { return ops.div(this, b); };
p.neg = function () { return ops.neg(this); };
p.square = function () { return ops.square(this); };
p.sqrt = function () { return ops.sqrt(this); };
p.exp = function () { return ops.exp(this); };
p.log = function () { return ops.log(this); };
p.abs = function () { return ops.abs(this); };
p.pow = function (e) { return ops.pow(this, e); };
p.matmul = function (b, o) { return ops.matmul(this, b, o); };
p.sum = function (o) { return ops.sum(this, o); };
p.mean = function (o) { return ops.mean(this, o); };
p.max = function (o) { return ops.max(this, o); };
p.reshape = function (s) { return ops.reshape(this, s); };
p.transpose = function (perm) { return ops.transpose(this, perm); };
p.slice = function (b, s) { return ops.slice(this, b, s); };
p.relu = function () { return ops.relu(this); };
p.sigmoid = function () { return ops.sigmoid(this); };
p.tanh = function () { return ops.tanh(this); };
p.leakyRelu = function (a) { return ops.leakyRelu(this, a); };
p.elu = function (a) { return ops.elu(this, a); };
p.softplus = function () { return ops.softplus(this); };
p.step = function () { return ops.step(this); };
p.softmax = function (axis) { return ops.softmax(this, axis); };
p.logSoftmax = function (axis) { return ops.logSoftmax(this, axis); };
