// GPU buffer creation with a live count per device, so tests and long runs can
// check that the number of buffers stays flat and dispose() releases them all.
import { DeviceError } from '../errors.js';

const live = new WeakMap<GPUDevice, number>();

export const STORAGE_USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** Bytes as a person reads them: 1,254,400,000 bytes (1.17 GiB). */
export function fmtBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${bytes.toLocaleString('en-US')} bytes${u >= 0 ? ` (${v.toFixed(2)} ${units[u]})` : ''}`;
}

/**
 * Throws a DeviceError unless a storage buffer of `bytes` fits the device
 * (maxBufferSize and maxStorageBufferBindingSize), naming `what`. Called
 * before anything is allocated for it, on the host or the GPU: past the
 * limits WebGPU only reports "invalid due to a previous error" later, and a
 * weight's initial values would first take the host memory.
 */
export function checkBufferBytes(device: GPUDevice, what: string, bytes: number): void {
  const { maxBufferSize, maxStorageBufferBindingSize } = device.limits;
  const [limit, name] = maxStorageBufferBindingSize < maxBufferSize ? [maxStorageBufferBindingSize, 'maxStorageBufferBindingSize'] : [maxBufferSize, 'maxBufferSize'];
  if (bytes > limit || !Number.isSafeInteger(bytes)) {
    throw new DeviceError(`${what} needs ${fmtBytes(bytes)}, more than this device allows in one buffer (${name} ${fmtBytes(limit)})`);
  }
}

export function createBuffer(device: GPUDevice, label: string, bytes: number, usage: number): GPUBuffer {
  // Bindings need a non-zero size that is a multiple of 4; uniforms of 16.
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  const b = device.createBuffer({ label, size, usage });
  live.set(device, (live.get(device) ?? 0) + 1);
  return b;
}

export function destroyBuffer(device: GPUDevice, b: GPUBuffer): void {
  b.destroy();
  live.set(device, (live.get(device) ?? 1) - 1);
}

/** Buffers created through the engine on this device and not yet destroyed. */
export function liveBufferCount(device: GPUDevice): number {
  return live.get(device) ?? 0;
}

/** queue.writeBuffer for any Float32Array (the typings reject views of possibly shared memory). */
export function writeFloats(device: GPUDevice, buffer: GPUBuffer, data: Float32Array, offsetBytes = 0): void {
  device.queue.writeBuffer(buffer, offsetBytes, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
}
