// maxPool2d cases: the two 2x2 pooling layers of the MNIST convnet at the
// benchmark batch, forward (maxPool2d) and backward (maxPool2dGrad: reads the
// pooled layer's input x and dy, writes dx):
//   pool1  on 26x26x32 -> 13x13x32
//   pool2  on 11x11x64 -> 5x5x64 (the last row and column are dropped)
// Rated in GB/s: every operand read once and the result written once.
import * as sn from '../../src/index.js';
import { fmtShape, type OpCase } from './case.js';

function layer(name: string, b: number, hw: number, c: number): OpCase[] {
  const out = Math.floor(hw / 2);
  const set = `${name} 2x2 on ${hw}x${hw}x${c}`;
  const x = { name: 'x', shape: [b, hw, hw, c] };
  const dy = { name: 'dy', shape: [b, out, out, c] };
  return [
    { group: 'pool', set, label: 'forward', dims: fmtShape(x.shape), operands: [x], build: ([tx]) => sn.ops.maxPool2d(tx, { poolSize: 2 }) },
    {
      group: 'pool', set, label: 'backward', dims: `${fmtShape(x.shape)} ${fmtShape(dy.shape)}`, operands: [x, dy],
      build: ([tx, tdy]) => sn.ops.maxPool2dGrad(tx, tdy, { poolSize: 2 }),
    },
  ];
}

export const poolCases = (batch: number): OpCase[] => [...layer('pool1', batch, 26, 32), ...layer('pool2', batch, 11, 64)];
