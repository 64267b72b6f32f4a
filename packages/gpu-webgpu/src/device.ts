/// <reference types="@webgpu/types" />
import {
  type Availability,
  BackendUnavailableError,
  InvalidArgumentError,
  checkBoolean,
  checkChoice,
  checkOptions,
  optionKeys,
} from '@krylov/core-array';

/**
 * Adapter and device acquisition. In a browser (or any runtime with `navigator.gpu`) the
 * runtime's WebGPU is used; in Node the optional `webgpu` package (Dawn) is loaded on demand.
 * The state is per process; `probe()` reads it synchronously, so device loss shows at the next
 * selection and every registry call falls back to the pure-JS kernels.
 */

/** Where SwiftShader's Vulkan driver lives in Debian's `chromium` package (the CI software adapter). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface WebGPUOptions {
  /** `'high-performance'` (default) or `'low-power'`, passed to `requestAdapter`. */
  powerPreference?: GPUPowerPreference;
  /** Accept a fallback (software) adapter when no hardware adapter exists (default true). */
  allowSoftware?: boolean;
  /** A `GPU` object to use instead of `navigator.gpu` or Dawn (tests, custom Dawn flags). */
  gpu?: GPU;
  /** Dawn toggles in Node (`create(flags)`), e.g. `['backend=vulkan']` (default none). */
  dawnFlags?: string[];
}

export interface DeviceState {
  device: GPUDevice;
  adapterInfo: { vendor: string; architecture: string; device: string; description: string };
  /** True when the adapter is a CPU implementation (SwiftShader, lavapipe, WARP): timings mean nothing. */
  software: boolean;
  features: string[];
  runtime: 'node-dawn' | 'navigator.gpu' | 'custom';
  generation: number;
  /** @internal Held so the garbage collector never destroys Dawn's instance under a live device. */
  keep: { gpu: GPU; adapter: GPUAdapter };
}

// One device per process, shared by every copy of this package that gets loaded (the ESM and the
// CJS build, or a bundle beside the workspace source), as core-array does for its registry.
interface Shared {
  current: DeviceState | null;
  pending: Promise<DeviceState | null> | null;
  reason: string;
  generation: number;
  // Every GPU instance made here stays referenced for the life of the process: collecting Dawn's
  // instance while buffers of its devices are still alive crashes the process (seen with node-webgpu).
  instances: GPU[];
  lastError: string | null;
}
const SLOT = Symbol.for('@krylov/gpu-webgpu/device');
const slot = globalThis as unknown as Record<symbol, Shared | undefined>;
const shared: Shared = (slot[SLOT] ??= {
  current: null,
  pending: null,
  reason: 'webgpu: no device requested yet (await initWebGPU())',
  generation: 0,
  instances: [],
  lastError: null,
});

const isNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node;

/**
 * Sets Dawn's environment in Node when unset: `VK_ICD_FILENAMES` to SwiftShader's ICD from
 * Debian's chromium package when that file exists and the machine has no GPU device node
 * (/dev/dri/render*, /dev/nvidia0, /dev/dxg), so a machine without a GPU still has a Vulkan adapter, and `XDG_RUNTIME_DIR` to the temp directory. Values already set are kept.
 */
async function nodeDefaults(): Promise<void> {
  const env = process.env;
  const fs = await import('node:fs');
  const os = await import('node:os');
  if (!env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES && fs.existsSync(SWIFTSHADER_ICD)) {
    // Only where no GPU device node exists: a real GPU's Vulkan driver wins over SwiftShader.
    const dri = fs.existsSync('/dev/dri')
      ? fs.readdirSync('/dev/dri').some((f) => f.startsWith('render'))
      : false;
    const nvidia = fs.existsSync('/dev/nvidia0') || fs.existsSync('/dev/dxg');
    if (!dri && !nvidia) env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = os.tmpdir();
}

async function findGpu(
  options: WebGPUOptions,
): Promise<{ gpu: GPU; runtime: DeviceState['runtime'] } | string> {
  if (options.gpu) return { gpu: options.gpu, runtime: 'custom' };
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, runtime: 'navigator.gpu' };
  if (!isNode())
    return 'webgpu: navigator.gpu is missing (WebGPU needs a secure context and a supporting browser)';
  await nodeDefaults();
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    const name = 'webgpu';
    mod = (await import(/* @vite-ignore */ name)) as typeof mod;
  } catch (e) {
    return `webgpu: the optional package 'webgpu' (Dawn for Node) is not installed: ${(e as Error).message}`;
  }
  // Dawn's classes (GPUBufferUsage, GPUShaderStage, ...) are what the kernels refer to.
  for (const [k, v] of Object.entries(mod.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  try {
    const gpu = mod.create(options.dawnFlags ?? []);
    shared.instances.push(gpu);
    return { gpu, runtime: 'node-dawn' };
  } catch (e) {
    return `webgpu: Dawn failed to start: ${(e as Error).message}`;
  }
}

async function acquire(options: WebGPUOptions): Promise<DeviceState | null> {
  const found = await findGpu(options);
  if (typeof found === 'string') {
    shared.reason = found;
    return null;
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await found.gpu.requestAdapter({
      powerPreference: options.powerPreference ?? 'high-performance',
    });
    if (!adapter && options.allowSoftware !== false)
      adapter = await found.gpu.requestAdapter({ forceFallbackAdapter: true });
  } catch (e) {
    shared.reason = `webgpu: requestAdapter threw: ${(e as Error).message}`;
    return null;
  }
  if (!adapter) {
    shared.reason =
      found.runtime === 'node-dawn'
        ? `webgpu: no adapter (Dawn found no Vulkan driver; install Debian's chromium and libvulkan1 for SwiftShader at ${SWIFTSHADER_ICD}, or set VK_ICD_FILENAMES)`
        : 'webgpu: no adapter (requestAdapter returned null)';
    return null;
  }
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const adapterInfo = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
  const text = `${adapterInfo.vendor} ${adapterInfo.architecture} ${adapterInfo.device} ${adapterInfo.description}`;
  const software =
    (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true ||
    /swiftshader|llvmpipe|lavapipe|warp|software|cpu/i.test(text);
  if (software && options.allowSoftware === false) {
    shared.reason = `webgpu: only a software adapter (${text.trim()}) and allowSoftware is false`;
    return null;
  }
  let device: GPUDevice;
  try {
    const limits = adapter.limits;
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      },
    });
  } catch (e) {
    shared.reason = `webgpu: requestDevice failed: ${(e as Error).message}`;
    return null;
  }
  const state: DeviceState = {
    device,
    adapterInfo,
    software,
    features: [...adapter.features].map(String).sort(),
    runtime: found.runtime,
    generation: ++shared.generation,
    keep: { gpu: found.gpu, adapter },
  };
  device.lost.then((lost) => {
    if (shared.current === state) {
      shared.current = null;
      shared.reason = `webgpu: device lost (${lost.reason}${lost.message ? `: ${lost.message}` : ''}); await initWebGPU() for a new device`;
    }
  });
  device.addEventListener?.('uncapturederror', (ev) => {
    shared.lastError = (ev as GPUUncapturedErrorEvent).error.message;
  });
  return state;
}

/**
 * The last WebGPU validation, out-of-memory or internal error message, if any (for diagnostics):
 * an uncaptured one, or one a dispatch's error scope caught (which `GPUArray.read` then throws as
 * a `WebGPUError`).
 */
export function lastDeviceError(): string | null {
  return shared.lastError;
}

/** @internal Records an error message caught by an error scope. */
export function noteDeviceError(message: string): void {
  shared.lastError = message;
}

const WEB_GPUOPTIONS_KEYS = optionKeys<WebGPUOptions>()(
  'powerPreference',
  'allowSoftware',
  'gpu',
  'dawnFlags',
);

/**
 * Requests an adapter and a device (once; later calls return the same device until it is lost or
 * released). Resolves to the backend's availability, with the reason when there is no device.
 * Never throws for a missing GPU: the backend just stays unavailable and calls fall back to js.
 * @throws InvalidArgumentError for unknown option keys, a `powerPreference` other than
 * 'high-performance' / 'low-power', a non-boolean `allowSoftware`, a `gpu` without
 * `requestAdapter` or `dawnFlags` that are not strings.
 */
export async function initWebGPU(options: WebGPUOptions = {}): Promise<Availability> {
  const fn = 'initWebGPU';
  checkOptions(fn, options, WEB_GPUOPTIONS_KEYS);
  const { powerPreference, allowSoftware, gpu, dawnFlags } = options;
  if (powerPreference !== undefined)
    checkChoice(fn, 'options.powerPreference', powerPreference, ['high-performance', 'low-power']);
  if (allowSoftware !== undefined) checkBoolean(fn, 'options.allowSoftware', allowSoftware);
  if (gpu !== undefined && (gpu === null || typeof (gpu as GPU).requestAdapter !== 'function'))
    throw new InvalidArgumentError(fn, 'options.gpu', gpu, 'a GPU object (with requestAdapter)');
  if (dawnFlags !== undefined && (!Array.isArray(dawnFlags) || dawnFlags.some((f) => typeof f !== 'string')))
    throw new InvalidArgumentError(fn, 'options.dawnFlags', dawnFlags, 'an array of strings');
  if (!shared.current) {
    shared.pending ??= acquire(options).finally(() => {
      shared.pending = null;
    });
    shared.current = await shared.pending;
  }
  return probe();
}

/** Availability of the WebGPU backend: synchronous and cheap (reads the state `initWebGPU` left). */
export function probe(): Availability {
  if (!shared.current) return { available: false, reason: shared.reason };
  const i = shared.current.adapterInfo;
  return {
    available: true,
    details: {
      runtime: shared.current.runtime,
      adapter: [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown',
      software: shared.current.software,
      'shader-f16': shared.current.features.includes('shader-f16'),
    },
  };
}

/** The current device state, or null (see `probe().reason`). */
export function deviceState(): DeviceState | null {
  return shared.current;
}

/** The current device; throws BackendUnavailableError with the reason when there is none. */
export function requireDevice(fn: string): GPUDevice {
  if (!shared.current) throw new BackendUnavailableError(fn, 'webgpu', shared.reason);
  return shared.current.device;
}

/**
 * Destroys the device (Dawn then lets Node exit) and marks the backend unavailable. Arrays that
 * still live on the device become unusable; a later `initWebGPU()` gets a new device.
 */
export function releaseWebGPU(): void {
  const s = shared.current;
  shared.current = null;
  shared.reason = 'webgpu: released (await initWebGPU() for a new device)';
  s?.device.destroy();
}

/**
 * Resolves when the device has finished all work submitted so far (WebGPU's
 * `queue.onSubmittedWorkDone`); for timing. Operations never need it: reads wait for their inputs.
 * @throws BackendUnavailableError when there is no device.
 */
export async function synchronize(): Promise<void> {
  await requireDevice('synchronize').queue.onSubmittedWorkDone();
}
