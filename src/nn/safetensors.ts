// The safetensors file format (Hugging Face), F32 only:
//   8 bytes   N, the header length, unsigned 64-bit little-endian
//   N bytes   UTF-8 JSON: { "__metadata__": { string: string },
//               name: { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }, ... }
//             starting with '{', padded with spaces so the data starts 8-aligned
//   rest      the tensors' bytes, little-endian, row-major; offsets are relative
//             to the start of this section, which they cover exactly (no holes)
// Decoding treats the file as hostile: every length, offset and key is checked
// before any data is read, and problems are FormatErrors naming what and where.
import { FormatError, InputError, fmtShape } from '../errors.js';
import { HostTensor } from '../graph/host-tensor.js';

export interface Safetensors {
  tensors: Record<string, HostTensor>;
  metadata: Record<string, string>;
}

/** The largest header accepted, as in the reference implementation. */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';
/** Keys that could reach an object's prototype chain in careless code. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const ENTRY_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Serializes tensors (sorted by name, packed in that order) and string
 * metadata. The output is deterministic: decoding and encoding again gives
 * the same bytes.
 */
export function encodeSafetensors(tensors: Record<string, HostTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort(byCodePoint);
  const parts: string[] = [];
  const metaKeys = Object.keys(metadata).sort(byCodePoint);
  if (metaKeys.length > 0) {
    const fields = metaKeys.map((k) => {
      checkName('metadata key', k);
      const v = metadata[k];
      if (typeof v !== 'string') throw new InputError(`safetensors: metadata '${k}' must be a string, got ${typeof v}`);
      return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    });
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${fields.join(',')}}`);
  }
  let offset = 0;
  for (const name of names) {
    checkName('tensor name', name);
    if (name === METADATA_KEY) throw new InputError(`safetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
    const t = tensors[name];
    if (!t || !(t.data instanceof Float32Array) || !Array.isArray(t.shape) || t.data.length !== t.shape.reduce((a, d) => a * d, 1)) {
      throw new InputError(`safetensors: tensor '${name}' is not a HostTensor ({ shape, data: Float32Array } of matching size)`);
    }
    const end = offset + t.data.byteLength;
    parts.push(`${JSON.stringify(name)}:{"dtype":"F32","shape":${JSON.stringify(t.shape)},"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLen, true);
  view.setUint32(4, Math.floor(headerLen / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let at = 8 + headerLen;
  for (const name of names) {
    const data = tensors[name].data;
    writeF32(out, at, data);
    at += data.byteLength;
  }
  return out;
}

/** Parses safetensors bytes. Tensors are copies (they do not alias `bytes`). */
export function decodeSafetensors(bytes: Uint8Array): Safetensors {
  const fail = (msg: string): never => {
    throw new FormatError(`safetensors: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) throw new InputError(`safetensors: expected the file's bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes === 'object' ? (bytes as object).constructor?.name ?? 'an object' : `a ${typeof bytes}`}`);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length at offset 0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} (at offset 0) is over the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + headerLen > bytes.length) {
    fail(`header length ${headerLen} (at offset 0) runs past the end of the file: the header would end at offset ${8 + headerLen}, the file has ${bytes.length} bytes`);
  }
  if (headerLen === 0 || bytes[8] !== 0x7b) fail(`header at offset 8 must be a JSON object starting with '{'`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    return fail(`header (offsets 8..${8 + headerLen}) is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header (offsets 8..${8 + headerLen}) is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(header)) fail(`header (offset 8) must be a JSON object, got ${describe(header)}`);
  const entries = header as Record<string, unknown>;

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = Object.create(null);
  const infos: { name: string; shape: number[]; begin: number; end: number }[] = [];
  for (const name of Object.keys(entries)) {
    if (FORBIDDEN_KEYS.has(name)) fail(`header key '${name}' is not allowed`);
    const entry = entries[name];
    if (name === METADATA_KEY) {
      if (!isPlainObject(entry)) fail(`'${METADATA_KEY}' must be an object of strings, got ${describe(entry)}`);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (FORBIDDEN_KEYS.has(k)) fail(`metadata key '${k}' is not allowed`);
        if (typeof v !== 'string') fail(`metadata '${k}' must be a string, got ${describe(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor '${name}'`;
    if (!isPlainObject(entry)) fail(`${where}: expected an object with dtype, shape and data_offsets, got ${describe(entry)}`);
    const info = entry as Record<string, unknown>;
    for (const field of ENTRY_FIELDS) {
      if (!Object.prototype.hasOwnProperty.call(info, field)) fail(`${where}: missing '${field}'`);
    }
    for (const field of Object.keys(info)) {
      if (!ENTRY_FIELDS.has(field)) fail(`${where}: unknown field '${field}'`);
    }
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string') fail(`${where}: dtype must be a string, got ${describe(dtype)}`);
    if (dtype !== 'F32') fail(`${where}: dtype ${String(dtype)} is not supported (only F32)`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${where}: shape must be an array of non-negative integers, got ${describe(shape)}`);
    }
    const dims = shape as number[];
    if (dims.includes(0)) fail(`${where}: shape ${fmtShape(dims)} has a zero dimension; empty tensors are not supported`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`${where}: data_offsets must be [begin, end], two non-negative integers, got ${describe(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    const span = `data_offsets [${begin}, ${end}] (file offsets ${dataStart + begin}..${dataStart + end})`;
    if (begin > end) fail(`${where}: ${span} are reversed`);
    if (end > dataLen) fail(`${where}: ${span} run past the data section, which is ${dataLen} bytes (file offsets ${dataStart}..${bytes.length})`);
    const need = dims.reduce((a, d) => a * d, 1) * 4;
    if (end - begin !== need) fail(`${where}: shape ${fmtShape(dims)} of F32 needs ${need} bytes but ${span} hold ${end - begin}`);
    infos.push({ name, shape: dims, begin, end });
  }

  // The tensors must tile the data section: no overlaps, no holes, nothing after.
  const sorted = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let prev: string | undefined;
  for (const t of sorted) {
    if (t.begin < covered) {
      fail(`tensor '${t.name}': data_offsets [${t.begin}, ${t.end}] overlap tensor '${prev}', which ends at ${covered} (file offset ${dataStart + covered})`);
    }
    if (t.begin > covered) {
      fail(`tensor '${t.name}': data_offsets [${t.begin}, ${t.end}] leave a gap of ${t.begin - covered} bytes after ${prev ? `tensor '${prev}'` : 'the header'} (file offset ${dataStart + covered})`);
    }
    covered = t.end;
    prev = t.name;
  }
  if (covered !== dataLen) {
    fail(`${dataLen - covered} bytes after the last tensor, at file offset ${dataStart + covered}, belong to no tensor (the file has ${bytes.length} bytes)`);
  }

  const tensors: Record<string, HostTensor> = Object.create(null);
  for (const t of infos) {
    tensors[t.name] = new HostTensor(readF32(bytes, dataStart + t.begin, (t.end - t.begin) / 4), t.shape);
  }
  return { tensors, metadata };
}

function writeF32(out: Uint8Array, at: number, data: Float32Array): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + at, data.byteLength);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
}

function readF32(bytes: Uint8Array, at: number, count: number): Float32Array {
  const out = new Float32Array(count);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(at, at + count * 4));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, count * 4);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function checkName(what: string, name: string): void {
  if (name.length === 0) throw new InputError(`safetensors: a ${what} must not be empty`);
  if (FORBIDDEN_KEYS.has(name)) throw new InputError(`safetensors: '${name}' cannot be a ${what}`);
}

/** Orders strings by Unicode code point (as UTF-8 bytes sort), not by UTF-16 unit. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i].codePointAt(0) as number) - (y[i].codePointAt(0) as number);
  }
  return x.length - y.length;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map((x) => (typeof x === 'string' ? JSON.stringify(x) : Array.isArray(x) ? 'an array' : typeof x === 'object' && x !== null ? 'an object' : String(x)));
    return `[${items.join(', ')}${v.length > 8 ? `, ... (${v.length} items)` : ''}]`;
  }
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}
