// safetensors encoding/decoding (and every rejection of a hostile file), and
// the atomic file write that model saving uses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, InputError } from '../src/errors.js';
import { HostTensor } from '../src/graph/host-tensor.js';
import { MAX_HEADER_BYTES, decodeSafetensors, encodeSafetensors } from '../src/nn/safetensors.js';
import { writeFileAtomic } from '../src/atomic-file.js';

// A child process of this file runs one atomic write under a file-size limit
// (see the EFBIG test below) and reports how it went.
const childJob = process.env.SINAPSIS_ATOMIC_CHILD;
if (childJob) {
  const { path, size } = JSON.parse(childJob) as { path: string; size: number };
  try {
    await writeFileAtomic(path, new Uint8Array(size).fill(7));
    console.log('CHILD wrote');
  } catch (e) {
    console.log(`CHILD failed ${(e as NodeJS.ErrnoException).code}`);
  }
  process.exit(0);
}

const t = (values: number[], shape: number[]) => new HostTensor(new Float32Array(values), shape);

function sample() {
  return {
    'dense_1/kernel': t([1, -2, 3.5, 4, 5, 6], [2, 3]),
    'dense_1/bias': t([0.25, -0.5, 1e-30], [3]),
    step: t([42], []),
    a: t([Math.PI, -0, Infinity, -Infinity], [2, 2, 1]),
  };
}

/** A file from a header string (padded to 8) and a data section. */
function file(header: string | object, data: Uint8Array | number = 0): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + body.length).fill(0x20, 8, 8 + n);
  new DataView(out.buffer).setUint32(0, n, true);
  out.set(json, 8);
  out.set(body, 8 + n);
  return out;
}

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

function rejects(bytes: Uint8Array, ...patterns: string[]): void {
  try {
    decodeSafetensors(bytes);
  } catch (e) {
    assert.instance(e, FormatError, `expected FormatError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    const msg = (e as Error).message;
    for (const p of patterns) assert.ok(msg.includes(p), `message ${JSON.stringify(msg)} should contain ${JSON.stringify(p)}`);
    return;
  }
  assert.unreachable(`expected a FormatError containing ${patterns.join(', ')}`);
}

// ---------------------------------------------------------------- encoding and round trip

test('encode: layout, sorted names, padded header, little-endian F32', () => {
  const bytes = encodeSafetensors(sample(), { 'sinapsis.config': '{"layers":[]}', format: 'sn' });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true);
  assert.is(view.getUint32(4, true), 0);
  assert.is(n % 8, 0);
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.ok(text.startsWith('{"__metadata__":{"format":"sn","sinapsis.config":"{\\"layers\\":[]}"},"a":'), text);
  const unpadded = text.replace(/ +$/, '');
  assert.ok(unpadded.endsWith('}') && n - unpadded.length < 8, 'padded with fewer than 8 spaces');
  const header = JSON.parse(text);
  assert.equal(Object.keys(header), ['__metadata__', 'a', 'dense_1/bias', 'dense_1/kernel', 'step']);
  assert.equal(header.a, f32([2, 2, 1], 0, 16));
  assert.equal(header['dense_1/bias'], f32([3], 16, 28));
  assert.equal(header['dense_1/kernel'], f32([2, 3], 28, 52));
  assert.equal(header.step, f32([], 52, 56));
  assert.is(bytes.length, 8 + n + 56);
  // dense_1/kernel[2] = 3.5 = 0x40600000, little-endian.
  assert.equal([...bytes.subarray(8 + n + 28 + 8, 8 + n + 28 + 12)], [0x00, 0x00, 0x60, 0x40]);
});

test('round trip: bytes -> tensors -> identical bytes', () => {
  const meta = { 'sinapsis.config': JSON.stringify({ name: 'm', layers: [{ units: 10 }] }), note: 'ünïcødé ✓ 🚀' };
  const bytes = encodeSafetensors(sample(), meta);
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.equal(Object.keys(tensors).sort(), ['a', 'dense_1/bias', 'dense_1/kernel', 'step']);
  for (const [name, want] of Object.entries(sample())) {
    assert.instance(tensors[name], HostTensor);
    assert.equal(tensors[name].shape, want.shape, name);
    assert.equal([...tensors[name].data], [...want.data], name);
  }
  assert.ok(Object.is(tensors.a.data[1], -0));
  assert.is(tensors['dense_1/bias'].data[2], Math.fround(1e-30));
  assert.equal({ ...metadata }, meta);
  assert.is(Object.getPrototypeOf(tensors), null);
  assert.is(Object.getPrototypeOf(metadata), null);
  assert.equal(encodeSafetensors(tensors, metadata), bytes);
  // Decoded tensors are copies: the file buffer can be reused.
  bytes.fill(0);
  assert.is(tensors['dense_1/kernel'].data[2], 3.5);
});

test('round trip: no metadata, no tensors, a tensor viewing a larger buffer, NaN bits', () => {
  const empty = encodeSafetensors({});
  assert.equal([...empty], [8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32]);
  const d = decodeSafetensors(empty);
  assert.equal(Object.keys(d.tensors), []);
  assert.equal(Object.keys(d.metadata), []);
  const big = new Float32Array([9, 9, 1, 2, 3, 9]);
  const nan = new Float32Array([NaN]);
  const bytes = encodeSafetensors({ w: new HostTensor(big.subarray(2, 5), [3]), n: new HostTensor(nan, [1]) });
  const back = decodeSafetensors(bytes);
  assert.equal([...back.tensors.w.data], [1, 2, 3]);
  assert.ok(Number.isNaN(back.tensors.n.data[0]));
  assert.equal(encodeSafetensors(back.tensors), bytes);
});

test('decode: a file written by another writer (spaced JSON, unsorted, unaligned data)', () => {
  const header = '{"b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}, "__metadata__": {"format": "pt"}, "a": {"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const json = new TextEncoder().encode(header); // deliberately not padded: the data starts unaligned
  const bytes = new Uint8Array(8 + json.length + 12);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 8);
  const data = new DataView(bytes.buffer, 8 + json.length);
  data.setFloat32(0, 1.5, true);
  data.setFloat32(4, -2, true);
  data.setFloat32(8, 7, true);
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.equal([...tensors.a.data], [1.5, -2]);
  assert.equal([...tensors.b.data], [7]);
  assert.is(metadata.format, 'pt');
});

test('encode: rejects names and metadata that could not be read back', () => {
  const w = t([1], [1]);
  const throwsInput = (fn: () => unknown, part: string) => {
    try {
      fn();
    } catch (e) {
      assert.instance(e, InputError);
      assert.ok((e as Error).message.includes(part), (e as Error).message);
      return;
    }
    assert.unreachable(part);
  };
  throwsInput(() => encodeSafetensors({ ['__proto__']: w }), "'__proto__' cannot be a tensor name");
  throwsInput(() => encodeSafetensors({ __metadata__: w }), 'reserved');
  throwsInput(() => encodeSafetensors({ '': w }), 'must not be empty');
  throwsInput(() => encodeSafetensors({ w }, { n: 5 as unknown as string }), "metadata 'n' must be a string");
  throwsInput(() => encodeSafetensors({ w }, { constructor: 'x' }), "'constructor' cannot be a metadata key");
});

// ---------------------------------------------------------------- rejections

const ok1 = { w: f32([2], 0, 8) };

test('reject: too short, header length past the file or over 100 MB', () => {
  rejects(new Uint8Array(5), 'file is 5 bytes', 'shorter than the 8-byte header length');
  rejects(new Uint8Array(0), 'file is 0 bytes');
  const long = file(ok1, 8);
  new DataView(long.buffer).setUint32(0, 1000, true);
  rejects(long, 'header length 1000', 'runs past the end of the file', `the file has ${long.length} bytes`);
  const huge = file(ok1, 8);
  new DataView(huge.buffer).setUint32(0, MAX_HEADER_BYTES + 1, true);
  rejects(huge, `header length ${MAX_HEADER_BYTES + 1}`, '100000000-byte limit');
  const high = file(ok1, 8);
  new DataView(high.buffer).setUint32(4, 1, true); // 2^32 + n
  rejects(high, 'over the 100000000-byte limit');
  rejects(file(ok1, 8).subarray(0, 20), 'runs past the end of the file');
});

test('reject: header that is not a JSON object', () => {
  rejects(file('{"w": {"dtype": "F32",'), 'not valid JSON', 'offsets 8..');
  rejects(file('[1, 2]'), "starting with '{'");
  rejects(file('  {}'), "starting with '{'");
  const bad = file('{"ab":1}'); // 8 bytes: replace the key by two bytes that are not UTF-8
  bad.set([0xff, 0xfe], 10);
  rejects(bad, 'not valid UTF-8');
  const zero = new Uint8Array(8);
  rejects(zero, "starting with '{'");
});

test('reject: keys that reach prototypes, at the top and in metadata', () => {
  rejects(file('{"__proto__": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}', 8), "header key '__proto__' is not allowed");
  rejects(file({ constructor: f32([2], 0, 8) }, 8), "header key 'constructor' is not allowed");
  rejects(file({ prototype: f32([2], 0, 8) }, 8), "header key 'prototype' is not allowed");
  rejects(file('{"__metadata__": {"__proto__": "x"}, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}', 8), "metadata key '__proto__' is not allowed");
  // The header really was hostile: a naive decoder would have polluted a prototype.
  assert.is(({} as Record<string, unknown>).dtype, undefined);
});

test('reject: entries with missing or mistyped fields', () => {
  rejects(file({ w: { shape: [2], data_offsets: [0, 8] } }, 8), "tensor 'w'", "missing 'dtype'");
  rejects(file({ w: { dtype: 'F32', data_offsets: [0, 8] } }, 8), "tensor 'w'", "missing 'shape'");
  rejects(file({ w: { dtype: 'F32', shape: [2] } }, 8), "tensor 'w'", "missing 'data_offsets'");
  rejects(file({ w: 5 }, 8), "tensor 'w'", 'expected an object', 'got 5');
  rejects(file({ w: [1, 2] }, 8), "tensor 'w'", 'expected an object');
  rejects(file({ w: { dtype: 32, shape: [2], data_offsets: [0, 8] } }, 8), "tensor 'w'", 'dtype must be a string, got 32');
  rejects(file({ w: { dtype: 'F32', shape: '2', data_offsets: [0, 8] } }, 8), "tensor 'w'", 'shape must be an array of non-negative integers', 'got "2"');
  rejects(file({ w: { dtype: 'F32', shape: [2.5], data_offsets: [0, 8] } }, 8), "tensor 'w'", 'shape must be', '[2.5]');
  rejects(file({ w: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, 8), "tensor 'w'", 'shape must be');
  rejects(file({ w: { dtype: 'F32', shape: [2], data_offsets: [0] } }, 8), "tensor 'w'", 'data_offsets must be [begin, end]', 'got [0]');
  rejects(file({ w: { dtype: 'F32', shape: [2], data_offsets: ['0', '8'] } }, 8), "tensor 'w'", 'data_offsets must be [begin, end]');
  rejects(file({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8], extra: 1 } }, 8), "tensor 'w'", "unknown field 'extra'");
  rejects(file({ w: f32([2, 0], 0, 0) }), "tensor 'w'", 'shape [2, 0] has a zero dimension');
});

test('reject: dtypes other than F32 say which dtype was found', () => {
  rejects(file({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4), "tensor 'w'", 'dtype F16 is not supported (only F32)');
  rejects(file({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, 8), 'dtype I64 is not supported');
});

test('reject: data_offsets outside, reversed, overlapping, mis-sized, with gaps or trailing bytes', () => {
  rejects(file({ w: f32([4], 0, 16) }, 8), "tensor 'w'", 'data_offsets [0, 16]', 'run past the data section, which is 8 bytes');
  rejects(file({ w: f32([2], 8, 0) }, 8), "tensor 'w'", 'data_offsets [8, 0]', 'are reversed');
  rejects(file({ w: f32([3], 0, 8) }, 8), "tensor 'w'", 'shape [3] of F32 needs 12 bytes', 'hold 8');
  rejects(file({ u: f32([2], 0, 8), v: f32([2], 4, 12) }, 12), "tensor 'v'", 'overlap tensor \'u\'', 'ends at 8');
  rejects(file({ u: f32([2], 0, 8), v: f32([2], 0, 8) }, 8), 'overlap tensor');
  rejects(file({ u: f32([1], 0, 4), v: f32([1], 8, 12) }, 12), "tensor 'v'", 'gap of 4 bytes', "after tensor 'u'");
  rejects(file({ v: f32([1], 4, 8) }, 8), "tensor 'v'", 'gap of 4 bytes after the header');
  const trailing = file({ w: f32([2], 0, 8) }, 12);
  rejects(trailing, '4 bytes after the last tensor', `file offset ${trailing.length - 4}`);
  // File offsets in the message point into the real file.
  const outside = file({ w: f32([4], 0, 16) }, 8);
  const dataStart = outside.length - 8;
  rejects(outside, `file offsets ${dataStart}..${dataStart + 16}`);
});

test('reject: metadata that is not a map of strings', () => {
  rejects(file({ __metadata__: { epochs: 5 }, ...ok1 }, 8), "metadata 'epochs' must be a string, got 5");
  rejects(file({ __metadata__: { nested: { a: 'b' } }, ...ok1 }, 8), "metadata 'nested' must be a string, got an object");
  rejects(file({ __metadata__: ['a'], ...ok1 }, 8), "'__metadata__' must be an object of strings");
  rejects(file({ __metadata__: 'x', ...ok1 }, 8), "'__metadata__' must be an object of strings");
});

// ---------------------------------------------------------------- atomic write

const scratch = () => mkdtempSync(join(tmpdir(), 'sinapsis-atomic-'));

test('writeFileAtomic: creates and replaces, leaving only the target', async () => {
  const dir = scratch();
  try {
    const target = join(dir, 'model.safetensors');
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    assert.equal([...readFileSync(target)], [1, 2, 3]);
    await writeFileAtomic(target, encodeSafetensors(sample()));
    assert.equal([...decodeSafetensors(readFileSync(target)).tensors.step.data], [42]);
    assert.equal(readdirSync(dir), ['model.safetensors']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic: a write that throws keeps the old file and removes the temp file', async () => {
  const dir = scratch();
  try {
    const target = join(dir, 'model.safetensors');
    writeFileSync(target, 'old contents');
    const notBytes = { length: 3 } as unknown as Uint8Array; // the write itself throws, after the temp file exists
    await writeFileAtomic(target, notBytes).then(
      () => assert.unreachable('write succeeded'),
      (e) => assert.instance(e, Error),
    );
    assert.is(readFileSync(target, 'utf8'), 'old contents');
    assert.equal(readdirSync(dir), ['model.safetensors']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic: a failed rename (target is a directory) leaves it and no temp file', async () => {
  const dir = scratch();
  try {
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'x');
    await writeFileAtomic(target, new Uint8Array([1])).then(
      () => assert.unreachable('rename over a directory succeeded'),
      (e) => assert.ok(['EISDIR', 'ENOTEMPTY', 'EEXIST', 'EPERM'].includes((e as NodeJS.ErrnoException).code ?? ''), String(e)),
    );
    assert.equal(readdirSync(dir), ['taken']);
    assert.is(readFileSync(join(target, 'inside'), 'utf8'), 'x');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic: a disk-level write failure (EFBIG under a file-size limit) keeps the old file', () => {
  if (process.platform !== 'linux' && process.platform !== 'darwin') return;
  const dir = scratch();
  try {
    const target = join(dir, 'model.safetensors');
    writeFileSync(target, 'old contents');
    // `ulimit -f 16`: files may not grow past 16 KiB; Node ignores SIGXFSZ, so the write fails with EFBIG.
    const r = spawnSync('/bin/sh', ['-c', 'ulimit -f 16 && exec "$0" "$1"', process.execPath, process.argv[1]], {
      env: { ...process.env, SINAPSIS_ATOMIC_CHILD: JSON.stringify({ path: target, size: 1 << 20 }) },
      encoding: 'utf8',
    });
    assert.match(r.stdout, 'CHILD failed EFBIG', `child said: ${r.stdout} ${r.stderr}`);
    assert.is(readFileSync(target, 'utf8'), 'old contents');
    assert.equal(readdirSync(dir), ['model.safetensors']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic: a read-only directory keeps the old file (skipped as root)', async () => {
  if (process.platform === 'win32' || process.getuid?.() === 0) return; // root ignores directory permissions
  const dir = scratch();
  const target = join(dir, 'model.safetensors');
  try {
    writeFileSync(target, 'old contents');
    chmodSync(dir, 0o500);
    await writeFileAtomic(target, new Uint8Array([1, 2])).then(
      () => assert.unreachable('wrote into a read-only directory'),
      (e) => assert.is((e as NodeJS.ErrnoException).code, 'EACCES'),
    );
    assert.is(readFileSync(target, 'utf8'), 'old contents');
    assert.equal(readdirSync(dir), ['model.safetensors']);
  } finally {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
