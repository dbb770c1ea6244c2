// conv2d cases: the two convolutions of the MNIST convnet at the benchmark
// batch ('valid', stride 1), each as its three passes in training:
//   conv1  Conv(32, 3x3) on 28x28x1   -> 26x26x32
//   conv2  Conv(64, 3x3) on 13x13x32  -> 11x11x64
// forward, backprop to the input (conv2dBackpropInput) and to the filter
// (conv2dBackpropFilter). FLOPs, the same nominal count for all three passes:
// 2 x batch x outH x outW x outC x kh x kw x inC (multiply + add).
import * as sn from '../../src/index.js';
import { fmtShape, type OpCase } from './case.js';

function layer(name: string, b: number, hw: number, cin: number, cout: number): OpCase[] {
  const out = hw - 2;
  const set = `${name} ${cout}@3x3 on ${hw}x${hw}x${cin}`;
  const x = { name: 'x', shape: [b, hw, hw, cin] };
  const f = { name: 'f', shape: [3, 3, cin, cout] };
  const dy = { name: 'dy', shape: [b, out, out, cout] };
  const flop = 2 * b * out * out * cout * 9 * cin;
  const pass = (label: string, operands: { name: string; shape: number[] }[], build: OpCase['build']): OpCase => ({
    group: 'conv', set, label, dims: operands.map((o) => fmtShape(o.shape)).join(' '), operands, build, flop,
  });
  return [
    pass('forward', [x, f], ([tx, tf]) => sn.ops.conv2d(tx, tf)),
    pass('backprop input', [dy, f], ([tdy, tf]) => sn.ops.conv2dBackpropInput(tdy, tf, x.shape)),
    pass('backprop filter', [x, dy], ([tx, tdy]) => sn.ops.conv2dBackpropFilter(tx, tdy, f.shape)),
  ];
}

export const convCases = (batch: number): OpCase[] => [...layer('conv1', batch, 28, 1, 32), ...layer('conv2', batch, 13, 32, 64)];
