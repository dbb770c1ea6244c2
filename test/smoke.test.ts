import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sn from '../src/index.js';

test('design example: (x/y + 5)^2 + x', async () => {
  const device = await sn.createDevice();
  const g = sn.graph();
  const x = g.input('x', [1]);
  const y = g.input('y', [1]);
  const f = x.div(y).add(5).square().add(x);
  const [dfdx, dfdy] = g.grad(f.sum(), [x, y]);
  const prog = await sn.compile(device, g, { outputs: { f, dfdx, dfdy } });
  const out = await prog.run({ x: [6], y: [2] });
  console.log(prog.toString());
  assert.equal([...out.f.data], [70]);
  assert.equal([...out.dfdx.data], [9]);
  assert.equal([...out.dfdy.data], [-24]);
  prog.dispose();
  device.destroy();
});
test.run();
