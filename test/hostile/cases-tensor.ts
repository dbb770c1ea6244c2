// sn.tensor(data, shape): ragged nested arrays, strings, null, shapes that
// disagree with the data; and the forms it must accept.
import * as sn from '../../src/index.js';
import type { Case } from './probe.js';
import { err, ok, sameValues } from './fixtures.js';

const area = 'tensor';
const tensor = (data: unknown, shape?: number[]) => sn.tensor(data, shape);

const cases: Case[] = [
  { area, name: 'ragged rows [[1, 2], [3]]', run: () => tensor([[1, 2], [3]]), expect: err(sn.InputError, 'tensor', ['ragged', 'row 1', '[1]', 'length']) },
  { area, name: 'ragged rows [[1, 2], [3, 4, 5]]', run: () => tensor([[1, 2], [3, 4, 5]]), expect: err(sn.InputError, 'tensor', ['ragged', 'row 1', '[1]', 'length']) },
  {
    area, name: 'ragged rows whose total fits the shape ([[1, 2, 3], [4, 5], [6]] as [2, 3])',
    run: () => tensor([[1, 2, 3], [4, 5], [6]], [2, 3]),
    expect: err(sn.InputError, 'tensor', ['ragged', 'row 1', '[1]', 'length']),
  },
  { area, name: 'a row that is a number among arrays ([[1, 2], 3])', run: () => tensor([[1, 2], 3]), expect: err(sn.InputError, 'tensor') },
  { area, name: "a string element ([[1, 'a']])", run: () => tensor([[1, 'a']]), expect: err(sn.InputError, 'tensor', 'a') },
  { area, name: "numeric strings (['1', '2'])", run: () => tensor(['1', '2']), expect: err(sn.InputError, 'tensor', 'string') },
  { area, name: 'a null element ([1, null])', run: () => tensor([1, null]), expect: err(sn.InputError, 'tensor', 'null') },
  { area, name: 'an undefined element ([1, undefined])', run: () => tensor([1, undefined]), expect: err(sn.InputError, 'tensor', 'undefined') },
  { area, name: 'an object element ([1, {}])', run: () => tensor([1, {}]), expect: err(sn.InputError, 'tensor', 'object') },
  { area, name: 'tensor(null)', run: () => tensor(null), expect: err(sn.InputError, 'tensor', 'null') },
  { area, name: 'tensor(undefined)', run: () => tensor(undefined), expect: err(sn.InputError, 'tensor', 'undefined') },
  { area, name: 'tensor({})', run: () => tensor({}), expect: err(sn.InputError, 'tensor', 'object') },
  { area, name: "tensor('abc')", run: () => tensor('abc'), expect: err(sn.InputError, 'tensor', 'string') },
  { area, name: 'tensor([1, 2, 3], [2, 2])', run: () => tensor([1, 2, 3], [2, 2]), expect: err(sn.InputError, 'tensor', '[2, 2]', '3') },
  { area, name: 'tensor(Float32Array(4), [-2, -2])', run: () => tensor(new Float32Array(4), [-2, -2]), expect: err(sn.ShapeError, 'tensor', '-2') },
  { area, name: 'tensor([1, 2], [2.5])', run: () => tensor([1, 2], [2.5]), expect: err(sn.ShapeError, 'tensor', '2.5') },
  { area, name: 'tensor([[[]]]) (empty)', run: () => tensor([[[]]]), expect: err(sn.SinapsisError, 'tensor') },
  { area, name: "tensor([1, 2], 'abc') (shape a string)", run: () => tensor([1, 2], 'abc' as unknown as number[]), expect: err(sn.ShapeError, 'tensor') },
  {
    area, name: 'tensor(Int32Array) holds Float32Array data',
    run: () => tensor(Int32Array.from([1, -2, 3])),
    expect: ok((t: sn.HostTensor) => (t.data instanceof Float32Array && t.shape.join() === '3' ? sameValues(t.data, [1, -2, 3], 'data') : `shape [${t.shape}], ${t.data?.constructor?.name}`)),
  },
  {
    area, name: 'tensor(5) is a scalar',
    run: () => tensor(5),
    expect: ok((t: sn.HostTensor) => (t.shape.length === 0 && t.data[0] === 5 ? true : `shape [${t.shape}]`)),
  },
  {
    area, name: 'tensor(nested [2, 2], [4]) takes the data flat',
    run: () => tensor([[1, 2], [3, 4]], [4]),
    expect: ok((t: sn.HostTensor) => sameValues(t.data, [1, 2, 3, 4], 'data')),
  },
  {
    area, name: 'tensor of rows that are Float32Arrays ([f32, f32])',
    run: () => tensor([Float32Array.from([1, 2]), Float32Array.from([3, 4])]),
    expect: ok((t: sn.HostTensor) => (t.shape.join() === '2,2' ? sameValues(t.data, [1, 2, 3, 4], 'data') : `shape [${t.shape}]`)),
  },
];

export default cases;
