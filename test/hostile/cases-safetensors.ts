// Hostile safetensors bytes given to sn.decodeSafetensors (header lengths,
// offsets, shapes, dtypes, keys) and careless arguments to encode/decode.
import * as sn from '../../src/index.js';
import type { Case } from './probe.js';
import { entry, err, ok, rawSafetensors, sameValues } from './fixtures.js';

const area = 'safetensors';
const decode = (bytes: unknown) => sn.decodeSafetensors(bytes as Uint8Array);
const header = (h: unknown) => JSON.stringify(h);

const cases: Case[] = [
  {
    area, name: 'header length 2^52 (far past the file, over the 100 MB limit)',
    run: () => decode(rawSafetensors('{}', new Uint8Array(0), 2 ** 52)),
    expect: err(sn.FormatError, 'header length'),
  },
  {
    area, name: 'header length 0',
    run: () => decode(rawSafetensors('{}', new Uint8Array(0), 0)),
    expect: err(sn.FormatError, 'header'),
  },
  {
    area, name: 'a file of 5 bytes (shorter than the length field)',
    run: () => decode(new Uint8Array([1, 2, 3, 4, 5])),
    expect: err(sn.FormatError, '5 bytes'),
  },
  {
    area, name: 'overlapping data_offsets',
    run: () => decode(rawSafetensors(header({ a: entry([2], 0, 8), b: entry([2], 4, 12) }), new Uint8Array(12))),
    expect: err(sn.FormatError, 'overlap'),
  },
  {
    area, name: 'data_offsets past the data section',
    run: () => decode(rawSafetensors(header({ a: entry([2], 0, 8) }), new Uint8Array(4))),
    expect: err(sn.FormatError, "'a'", '[0, 8]'),
  },
  {
    area, name: 'shape and byte length disagree ([3] in 8 bytes)',
    run: () => decode(rawSafetensors(header({ a: entry([3], 0, 8) }), new Uint8Array(8))),
    expect: err(sn.FormatError, "'a'", '[3]'),
  },
  {
    area, name: 'a huge shape ([2^30, 2^30, 2^30]) with 8 bytes of data',
    run: () => decode(rawSafetensors(header({ a: entry([2 ** 30, 2 ** 30, 2 ** 30], 0, 8) }), new Uint8Array(8))),
    expect: err(sn.FormatError, "'a'"),
  },
  {
    area, name: 'unknown dtype BF16',
    run: () => decode(rawSafetensors(header({ a: entry([2], 0, 4, 'BF16') }), new Uint8Array(4))),
    expect: err(sn.FormatError, 'BF16'),
  },
  {
    area, name: 'dtype 5 (a number)',
    run: () => decode(rawSafetensors(header({ a: { dtype: 5, shape: [1], data_offsets: [0, 4] } }), new Uint8Array(4))),
    expect: err(sn.FormatError, 'dtype'),
  },
  {
    area, name: "'__proto__' as a tensor key",
    run: () => decode(rawSafetensors('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4))),
    expect: err(sn.FormatError, '__proto__'),
  },
  {
    area, name: "'__proto__' as a metadata key",
    run: () => decode(rawSafetensors('{"__metadata__":{"__proto__":"x"}}')),
    expect: err(sn.FormatError, '__proto__'),
  },
  {
    area, name: 'header that is not JSON',
    run: () => decode(rawSafetensors('{"a": [1, 2')),
    expect: err(sn.FormatError, 'JSON'),
  },
  {
    area, name: 'header that is a JSON array',
    run: () => decode(rawSafetensors('[1, 2, 3]')),
    expect: err(sn.FormatError, 'header'),
  },
  {
    area, name: 'header that is not UTF-8',
    run: () => { const b = rawSafetensors('{"a":1}'); b[10] = 0xff; b[11] = 0xfe; return decode(b); },
    expect: err(sn.FormatError, 'UTF-8'),
  },
  {
    area, name: 'a negative dimension',
    run: () => decode(rawSafetensors(header({ a: entry([-1], 0, 4) }), new Uint8Array(4))),
    expect: err(sn.FormatError, "'a'", 'shape'),
  },
  {
    area, name: 'reversed data_offsets',
    run: () => decode(rawSafetensors(header({ a: entry([1], 4, 0) }), new Uint8Array(4))),
    expect: err(sn.FormatError, "'a'", 'reversed'),
  },
  {
    area, name: 'a gap between tensors',
    run: () => decode(rawSafetensors(header({ a: entry([1], 0, 4), b: entry([1], 8, 12) }), new Uint8Array(12))),
    expect: err(sn.FormatError, 'gap'),
  },
  {
    area, name: 'bytes after the last tensor',
    run: () => decode(rawSafetensors(header({ a: entry([1], 0, 4) }), new Uint8Array(16))),
    expect: err(sn.FormatError, '12 bytes'),
  },
  {
    area, name: 'data_offsets beyond 2^53',
    run: () => decode(rawSafetensors('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,18014398509481988]}}', new Uint8Array(4))),
    expect: err(sn.FormatError, "'a'"),
  },
  {
    area, name: 'a metadata value that is not a string',
    run: () => decode(rawSafetensors('{"__metadata__":{"k":5}}')),
    expect: err(sn.FormatError, "'k'"),
  },
  {
    area, name: 'an entry with an unknown field',
    run: () => decode(rawSafetensors('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}', new Uint8Array(4))),
    expect: err(sn.FormatError, 'extra'),
  },
  {
    area, name: 'decodeSafetensors of a string',
    run: () => decode('not bytes at all'),
    expect: err(sn.InputError, ['Uint8Array', 'bytes']),
  },
  {
    area, name: 'decodeSafetensors of null',
    run: () => decode(null),
    expect: err(sn.InputError, ['Uint8Array', 'bytes']),
  },
  {
    area, name: 'decodeSafetensors of a subarray at an odd byte offset reads the right values',
    run: () => {
      const inner = sn.encodeSafetensors({ w: sn.tensor([1.5, -2, 3.25], [3]) });
      const outer = new Uint8Array(inner.length + 3);
      outer.set(inner, 3);
      return decode(outer.subarray(3)).tensors.w;
    },
    expect: ok((w: sn.HostTensor) => sameValues(w.data, [1.5, -2, 3.25], 'w')),
  },
  {
    area, name: "encodeSafetensors with a tensor named '__proto__' (via JSON.parse)",
    run: () => sn.encodeSafetensors(JSON.parse('{"__proto__": 1}') as Record<string, sn.HostTensor>),
    expect: err(sn.InputError, '__proto__'),
  },
  {
    area, name: 'encodeSafetensors with a value that is not a HostTensor',
    run: () => sn.encodeSafetensors({ w: [1, 2, 3] as unknown as sn.HostTensor }),
    expect: err(sn.InputError, "'w'"),
  },
  {
    area, name: 'encodeSafetensors with a metadata value that is not a string',
    run: () => sn.encodeSafetensors({}, { k: 5 as unknown as string }),
    expect: err(sn.InputError, "'k'"),
  },
];

export default cases;
