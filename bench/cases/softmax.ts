// softmax cases: the fused loss softmaxCrossEntropy (src/ops/losses.ts) at the
// convnet's and the MLPs' logits [batch, 10] with one-hot labels, forward and
// its gradient with respect to the logits as training builds it (the op's
// gradient rule applied to dy = 1/batch per row: softmax, a row sum and one
// fused elementwise kernel, so more than one dispatch); and softmax alone
// over rows of several widths. Rated in GB/s: every operand read once and the
// result written once.
import * as sn from '../../src/index.js';
import { getOp } from '../../src/graph/op-registry.js';
import { fmtShape, type OpCase } from './case.js';

function oneHot(rows: number, classes: number): Float32Array {
  const y = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) y[r * classes + ((r * 7 + 3) % classes)] = 1;
  return y;
}

export function softmaxCases(quick: boolean, batch: number): OpCase[] {
  const classes = 10;
  const set = `softmaxCrossEntropy [${batch},${classes}]`;
  const z = { name: 'z', shape: [batch, classes], scale: 3 };
  const y = { name: 'y', shape: [batch, classes], data: oneHot(batch, classes) };
  const dy = { name: 'dy', shape: [batch], data: new Float32Array(batch).fill(1 / batch) };
  const dims = (...os: { shape: number[] }[]) => os.map((o) => fmtShape(o.shape)).join(' ');
  const xent: OpCase[] = [
    { group: 'softmax', set, label: 'loss (forward)', dims: dims(z, y), operands: [z, y], build: ([tz, ty]) => sn.ops.softmaxCrossEntropy(tz, ty), runsScale: 2 },
    {
      group: 'softmax', set, label: 'dloss/dlogits', dims: dims(z, y, dy), operands: [z, y, dy], runsScale: 2,
      build: ([tz, ty, tdy]) => getOp('softmaxCrossEntropy').grad!(tdy, sn.ops.softmaxCrossEntropy(tz, ty))[0]!,
    },
  ];
  const n = quick ? 256 * 1024 : 1024 * 1024;
  const rows = [1024, 128, 16].map((cols): OpCase => ({
    group: 'softmax', set: `softmax, ${n} elements`, label: `rows of ${cols}`, dims: fmtShape([n / cols, cols]),
    operands: [{ name: 'x', shape: [n / cols, cols], scale: 3 }], build: ([x]) => x.softmax(), runsScale: 2,
  }));
  return [...xent, ...rows];
}
