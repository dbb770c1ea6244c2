// Fetches the MNIST IDX files served next to the page (/data/*) and builds
// the tensors with sn.datasets.mnistFromBytes, the same code Node uses.
// Only the rows the page trains on are fetched: a Range request for the
// header and the first `rows` records, whose header count is then rewritten.
import * as sn from '../../src/index.js';

type MnistFiles = Parameters<typeof sn.datasets.mnistFromBytes>[0];
export type Mnist = ReturnType<typeof sn.datasets.mnistFromBytes>;

const FILES: Record<keyof MnistFiles, { name: string; header: number; row: number; split: 'train' | 'test' }> = {
  trainImages: { name: 'train-images-idx3-ubyte', header: 16, row: 28 * 28, split: 'train' },
  trainLabels: { name: 'train-labels-idx1-ubyte', header: 8, row: 1, split: 'train' },
  testImages: { name: 't10k-images-idx3-ubyte', header: 16, row: 28 * 28, split: 'test' },
  testLabels: { name: 't10k-labels-idx1-ubyte', header: 8, row: 1, split: 'test' },
};

/** The IDX file at `url` cut to its first `rows` records (fewer if the file has fewer). */
async function fetchRows(url: string, header: number, row: number, rows: number): Promise<Uint8Array> {
  const want = header + rows * row;
  const res = await fetch(url, { headers: { Range: `bytes=0-${want - 1}` } });
  if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status} ${res.statusText}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length < header) throw new Error(`${url}: ${bytes.length} bytes, shorter than an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A server that ignores Range sends the whole file: cut it here instead.
  const n = Math.min(rows, view.getUint32(4, false), Math.floor((bytes.length - header) / row));
  view.setUint32(4, n, false);
  return bytes.subarray(0, header + n * row);
}

/** MNIST with `trainRows` training and `testRows` test samples, from `base` (e.g. 'data/'). */
export async function loadMnist(base: string, trainRows: number, testRows: number): Promise<Mnist> {
  const keys = Object.keys(FILES) as (keyof MnistFiles)[];
  const parts = await Promise.all(
    keys.map((k) => {
      const f = FILES[k];
      return fetchRows(new URL(f.name, new URL(base, location.href)).href, f.header, f.row, f.split === 'train' ? trainRows : testRows);
    }),
  );
  const files = Object.fromEntries(keys.map((k, i) => [k, parts[i]])) as unknown as MnistFiles;
  return sn.datasets.mnistFromBytes(files);
}

/** Rows [start, start + count) of a tensor, as a view (no copy). */
export function rows(t: sn.HostTensor, start: number, count: number): sn.HostTensor {
  const row = t.size / t.shape[0];
  return new sn.HostTensor(t.data.subarray(start * row, (start + count) * row), [count, ...t.shape.slice(1)]);
}
