// GPU buffer creation with a live count per device, so tests and long runs can
// check that the number of buffers stays flat and dispose() releases them all.

const live = new WeakMap<GPUDevice, number>();

export const STORAGE_USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

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
