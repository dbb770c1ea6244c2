// The IDX file format (LeCun's MNIST files): a 4-byte magic number
// 0x00 0x00 <type> <rank>, then `rank` big-endian uint32 dimensions, then the
// data, row-major. Only the unsigned-byte type (0x08) is read here: MNIST
// images are 0x00000803 ([n, 28, 28]), labels 0x00000801 ([n]).
import { FormatError, fmtShape } from '../errors.js';

export interface IdxArray {
  /** Dimensions from the header, outermost first. */
  dims: number[];
  /** The data bytes, row-major: a view into the parsed buffer, not a copy. */
  data: Uint8Array;
}

const UBYTE = 0x08;
const TYPE_NAMES: Record<number, string> = { 0x08: 'ubyte', 0x09: 'byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double' };
/** IDX allows up to 255 dimensions; nothing real has more than a few. */
const MAX_RANK = 16;

/**
 * Parses an unsigned-byte IDX file. The file length must be exactly
 * 4 + 4*rank + product(dims): a truncated file or one with trailing bytes is a
 * FormatError naming `fileName`, the expected and actual sizes and the offset
 * where the file stops matching its header.
 */
export function parseIdx(bytes: Uint8Array, fileName: string): IdxArray {
  const fail = (msg: string): never => {
    throw new FormatError(`${fileName}: ${msg}`);
  };
  if (bytes.length < 4) {
    fail(`not an IDX file: ${bytes.length} bytes, shorter than the 4-byte magic number (truncated at offset ${bytes.length})`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    fail(`not an IDX file: bad magic number 0x${magic.toString(16).padStart(8, '0')} at offset 0 (expected 0x0000TTRR, e.g. 0x00000803 for images, 0x00000801 for labels)`);
  }
  const type = bytes[2];
  if (type !== UBYTE) {
    const name = TYPE_NAMES[type] ? ` (${TYPE_NAMES[type]})` : '';
    fail(`unsupported IDX data type 0x${hex2(type)}${name} at offset 2: only unsigned bytes (0x08) are supported`);
  }
  const rank = bytes[3];
  if (rank < 1 || rank > MAX_RANK) fail(`bad IDX rank ${rank} at offset 3: expected 1 to ${MAX_RANK} dimensions`);

  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    fail(`truncated IDX header: a rank-${rank} header needs ${headerBytes} bytes, the file has ${bytes.length} (truncated at offset ${bytes.length})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    if (d === 0) fail(`dimension ${i} is 0 (at offset ${4 + 4 * i}): an IDX array must not be empty`);
    dims.push(d);
    size *= d;
  }

  const expected = headerBytes + size;
  if (bytes.length < expected) {
    fail(`truncated IDX file: dims ${fmtShape(dims)} need ${expected} bytes (${headerBytes}-byte header + ${size} data bytes), the file has ${bytes.length}; the data stops at offset ${bytes.length}, ${expected - bytes.length} bytes short`);
  }
  if (bytes.length > expected) {
    fail(`IDX file has ${bytes.length - expected} trailing bytes: dims ${fmtShape(dims)} need ${expected} bytes (${headerBytes}-byte header + ${size} data bytes), the file has ${bytes.length}; unexpected data starts at offset ${expected}`);
  }
  return { dims, data: bytes.subarray(headerBytes, expected) };
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}
