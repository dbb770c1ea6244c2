// Getting a GPUDevice: navigator.gpu in a browser, Dawn (npm `webgpu`) in Node.
// In Node, when no adapter is found and Chromium's SwiftShader Vulkan driver
// is installed, it retries with that driver before giving up.
import { DeviceError, InputError } from './errors.js';
import { defaultCaps, type KernelCaps } from './graph/kernel-binding.js';
import { kernelCaps } from './plan/variants.js';

export interface DeviceInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  /** The adapter's subgroup sizes, where it reports them (4 and 4 on SwiftShader). */
  subgroupMinSize?: number;
  subgroupMaxSize?: number;
}

export interface CreateDeviceOptions {
  powerPreference?: GPUPowerPreference;
  /** Force a kernel variant family instead of choosing by adapter (tests compare both). */
  caps?: Partial<KernelCaps>;
  /**
   * WebGPU's bounds checks on every buffer access (default true). In Node,
   * false asks Dawn for a device without them (its `disable_robustness`
   * toggle): on SwiftShader an MLP train step is about 1.4x faster, as
   * every load there is a bounds-masked gather. sinapsis' kernels keep their
   * own indices in range (the test suite passes on such a device), but
   * other WebGPU code on a device created this way loses WebGPU's
   * guarantee that a stray index cannot read outside its buffer.
   * Browsers always check; `Device.robustness` says what is in effect.
   */
  robustness?: boolean;
  /**
   * Choose kernel variants by timing them on this device, per op and shape,
   * on first use (cached; in Node across processes too: see
   * src/exec/autotune.ts). Default: on for GPUs, off for CPU drivers, where
   * the fixed rules were set by measurement and compiling the candidates
   * costs seconds.
   */
  autotune?: boolean;
}

/** The Dawn toggle that turns WebGPU's bounds checks off (see CreateDeviceOptions.robustness). */
export const DAWN_NO_ROBUSTNESS = 'enable-dawn-features=disable_robustness';

/** Where Debian's chromium package puts SwiftShader's Vulkan driver manifest. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export class Device {
  readonly info: DeviceInfo;
  readonly caps: KernelCaps;
  /** True on CPU Vulkan drivers (SwiftShader, llvmpipe): the "GPU" shares the CPU with JavaScript. */
  readonly cpuDriver: boolean;
  /** Whether WebGPU's bounds checks are on (false only where createDevice was asked for that, in Node). */
  readonly robustness: boolean;
  /** Whether kernel variants are chosen by measurement on this device (CreateDeviceOptions.autotune). */
  readonly autotune: boolean;
  private lostMessage: string | undefined;
  private destroyed = false;

  constructor(
    readonly gpu: GPUDevice,
    info: DeviceInfo,
    caps: Partial<KernelCaps> = {},
    /** Dawn's GPU object in Node: if it were garbage-collected while the device lives, the process could crash. */
    private readonly keepAlive?: unknown,
    robustness = true,
    autotune?: boolean,
  ) {
    this.info = info;
    this.robustness = robustness;
    this.cpuDriver = info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(`${info.architecture} ${info.description} ${info.vendor}`);
    const fourLaneSubgroups = gpu.features.has('subgroups') && info.subgroupMinSize === 4 && info.subgroupMaxSize === 4;
    this.caps = kernelCaps({ cpuDriver: this.cpuDriver, robustness, fourLaneSubgroups }, caps);
    this.autotune = autotune ?? !this.cpuDriver;
    void gpu.lost.then((lost) => {
      if (!this.destroyed) this.lostMessage = `${lost.reason}: ${lost.message}`;
    });
  }

  /** Throws a DeviceError if the device was lost or destroyed, so callers fail fast instead of hanging. */
  assertAlive(what: string): void {
    if (this.destroyed) throw new DeviceError(`${what}: the device was destroyed`);
    if (this.lostMessage !== undefined) throw new DeviceError(`${what}: the GPU device was lost (${this.lostMessage}); create a new device with sn.createDevice()`);
  }

  get lost(): boolean {
    return this.lostMessage !== undefined;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.gpu.destroy();
    void this.keepAlive;
  }
}

/** createDevice's options, each checked (a typo or a wrong kind would otherwise be ignored, or fail inside Dawn). */
function checkDeviceOptions(o: CreateDeviceOptions): void {
  const fail = (msg: string): never => {
    throw new InputError(`createDevice: ${msg}`);
  };
  if (typeof o !== 'object' || o === null) fail(`options must be an object, got ${String(o)}`);
  const known = ['powerPreference', 'caps', 'robustness', 'autotune'];
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length) fail(`unknown option ${unknown.map((k) => `'${k}'`).join(', ')}; known: ${known.join(', ')}`);
  if (o.powerPreference !== undefined && o.powerPreference !== 'low-power' && o.powerPreference !== 'high-performance') fail(`powerPreference must be 'low-power' or 'high-performance', got ${JSON.stringify(o.powerPreference)}`);
  if (o.robustness !== undefined && typeof o.robustness !== 'boolean') fail(`robustness must be true or false, got ${JSON.stringify(o.robustness)}`);
  if (o.autotune !== undefined && typeof o.autotune !== 'boolean') fail(`autotune must be true or false, got ${JSON.stringify(o.autotune)}`);
  if (o.caps !== undefined) {
    if (typeof o.caps !== 'object' || o.caps === null) fail(`caps must be an object such as { matmul: 'tiled' }, got ${JSON.stringify(o.caps)}`);
    const extra = Object.keys(o.caps).filter((k) => !(k in defaultCaps));
    if (extra.length) fail(`unknown caps ${extra.map((k) => `'${k}'`).join(', ')}; known: ${Object.keys(defaultCaps).join(', ')}`);
    if (o.caps.matmul !== undefined && o.caps.matmul !== 'register' && o.caps.matmul !== 'tiled') fail(`caps.matmul must be 'register' or 'tiled', got ${JSON.stringify(o.caps.matmul)}`);
    if (o.caps.matmulSharedA !== undefined && typeof o.caps.matmulSharedA !== 'boolean') fail(`caps.matmulSharedA must be true or false, got ${JSON.stringify(o.caps.matmulSharedA)}`);
  }
}

function infoOf(adapter: GPUAdapter): DeviceInfo {
  const i = adapter.info;
  return {
    vendor: i.vendor ?? '',
    architecture: i.architecture ?? '',
    description: i.description ?? '',
    isFallbackAdapter: Boolean((i as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter),
    ...subgroupSizes(i),
  };
}

/** GPUAdapterInfo's subgroup sizes (newer than some typings), where present. */
function subgroupSizes(i: GPUAdapterInfo): Pick<DeviceInfo, 'subgroupMinSize' | 'subgroupMaxSize'> {
  const { subgroupMinSize, subgroupMaxSize } = i as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  return typeof subgroupMinSize === 'number' && typeof subgroupMaxSize === 'number' ? { subgroupMinSize, subgroupMaxSize } : {};
}

async function requestDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  // Ask for the adapter's storage-buffer limits: a layer's kernels may bind more than the default 8.
  const limits = adapter.limits;
  return adapter.requestDevice({
    // Subgroups where the adapter has them: the register matmul may share loads across a subgroup.
    requiredFeatures: adapter.features.has('subgroups') ? ['subgroups' as GPUFeatureName] : [],
    requiredLimits: {
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    },
  });
}

/**
 * Whether the Vulkan loader would find an installed driver: a manifest in one
 * of the directories it searches on Linux (XDG config and data directories,
 * /etc, /usr/local/share, /usr/share). Elsewhere assume there is one.
 */
function systemVulkanDrivers(existsSync: (p: string) => boolean, readdirSync: (p: string) => string[]): boolean {
  if (process.platform !== 'linux') return true;
  const env = process.env;
  const home = env.HOME ?? '';
  const config = [env.XDG_CONFIG_HOME ?? `${home}/.config`, ...(env.XDG_CONFIG_DIRS ?? '/etc/xdg').split(':'), '/etc'];
  const data = [env.XDG_DATA_HOME ?? `${home}/.local/share`, ...(env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':')];
  return [...config, ...data].some((dir) => {
    const icd = `${dir}/vulkan/icd.d`;
    try {
      return existsSync(icd) && readdirSync(icd).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

async function nodeAdapter(options: CreateDeviceOptions): Promise<{ adapter: GPUAdapter; gpu: GPU }> {
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    throw new DeviceError(`createDevice: could not load Dawn from the 'webgpu' package (${(e as Error).message}); run npm install`);
  }
  // GPUBufferUsage, GPUMapMode, ... are globals in browsers; Dawn hands them over separately.
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const flags = options.robustness === false ? [DAWN_NO_ROBUSTNESS] : [];
  const tryCreate = async () => {
    const gpu = dawn.create(flags);
    const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference });
    return adapter ? { adapter, gpu } : undefined;
  };
  const { existsSync, readdirSync } = await import('node:fs');
  const swiftShaderThere = !process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD);
  // With no Vulkan driver installed, Dawn's first try prints the loader's
  // "vkCreateInstance: Found no drivers!" warning before we could retry:
  // where SwiftShader is the only driver, choose it before the first try.
  if (swiftShaderThere && !systemVulkanDrivers(existsSync, readdirSync)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const first = await tryCreate();
  if (first) return first;
  if (swiftShaderThere && !process.env.VK_ICD_FILENAMES) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const second = await tryCreate();
    if (second) return second;
  }
  throw new DeviceError(
    'createDevice: Dawn found no GPU adapter. On a machine without a GPU install a Vulkan driver: ' +
      `on Debian, 'apt-get install chromium' ships SwiftShader (${SWIFTSHADER_ICD}), which sinapsis then uses by itself` +
      (process.env.VK_ICD_FILENAMES ? ` (VK_ICD_FILENAMES is set to '${process.env.VK_ICD_FILENAMES}': check that file)` : ''),
  );
}

/** A WebGPU device: navigator.gpu in a browser, Dawn in Node. Throws a DeviceError saying what to install if none is found. */
export async function createDevice(options: CreateDeviceOptions = {}): Promise<Device> {
  checkDeviceOptions(options);
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  let adapter: GPUAdapter | null;
  let keepAlive: unknown;
  if (nav?.gpu && !isNode) {
    adapter = await nav.gpu.requestAdapter({ powerPreference: options.powerPreference });
    if (!adapter) throw new DeviceError('createDevice: this browser exposes WebGPU but gave no adapter; check chrome://gpu, or start Chrome with --enable-unsafe-webgpu');
  } else if (isNode) {
    const found = await nodeAdapter(options);
    adapter = found.adapter;
    keepAlive = found.gpu;
  } else {
    throw new DeviceError('createDevice: this browser has no WebGPU (navigator.gpu is missing); use a recent Chrome or Edge, or enable WebGPU in the browser flags');
  }
  const gpuDevice = await requestDevice(adapter);
  return new Device(gpuDevice, infoOf(adapter), options.caps, keepAlive, !(isNode && options.robustness === false), options.autotune);
}
