// npm run example:graph-basics
// The course's two computational graphs: the forward value of every node,
// then its adjoint (d output / d node) as backpropagation computes it from
// the output back to the inputs, both computed on the GPU by one compiled
// program.
import * as sn from '../../src/index.js';
import { formatReport, graphOne, graphTwo, walkThrough } from './graphs.js';

const device = await sn.createDevice();

console.log('Graph 1: f(x1, x2, x3) = (4*x2 + x2^2 + 3*x3, x1*x2 + 3*x3) at (x1, x2, x3) = (1, 2, 2)');
console.log('(expected f1 = 18, f2 = 8; each adjoint column is the backward pass of one output)\n');
console.log(formatReport(await walkThrough(device, graphOne())));

console.log('\nGraph 2: f(x, y) = (x/y + 5)^2 + x at (x, y) = (6, 2)');
console.log('(expected f = 70, df/dx = 2(x/y + 5)/y + 1 = 9, df/dy = -2(x/y + 5) x/y^2 = -24)\n');
console.log(formatReport(await walkThrough(device, graphTwo())));

device.destroy();
