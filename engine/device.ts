// One function that yields a WebGPU device in Node (Dawn, npm `webgpu`) or a browser
// (navigator.gpu). Requests the adapter's maximum limits so large MSI images fit.

export interface AdapterReport {
  vendor: string;
  architecture: string;
  description: string;
  /** 'host': a GPUDevice the embedding app created and handed to createEngine({ device }). */
  backend: 'node-dawn' | 'browser' | 'host';
}

export interface GpuContext {
  /** Held so it outlives the device: Dawn's Node binding frees its instance when the GPU
   *  object is garbage-collected, and a live device then crashes in ProcessEvents. */
  gpu?: GPU;
  device: GPUDevice;
  /** Absent for a host device (an app's device does not say which adapter made it). */
  adapter?: GPUAdapter;
  report: AdapterReport;
  /** False for a host device: destroy() then waits for submitted work and leaves it alive. */
  ownsDevice: boolean;
  destroy(): Promise<void>;
}

export class NoAdapterError extends Error {
  constructor(detail: string) {
    super(
      `No WebGPU adapter found (${detail}). Install a Vulkan driver: on Debian 12 run ` +
        `scripts/setup.sh as root (it installs Mesa >= 25 lavapipe from bookworm-backports), ` +
        `or elsewhere install mesa-vulkan-drivers >= 25 or your GPU's Vulkan driver. ` +
        `In a browser, enable WebGPU (Chrome >= 113, or --enable-unsafe-webgpu).`,
    );
    this.name = 'NoAdapterError';
  }
}

async function getGpu(): Promise<{ gpu: GPU; backend: AdapterReport['backend'] }> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, backend: 'browser' };
  // Node: the `webgpu` package ships Dawn. A variable module name keeps browser bundlers
  // from trying to include the native addon.
  const name = 'webgpu';
  const mod = (await import(/* @vite-ignore */ name)) as {
    create(flags: string[]): GPU;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, mod.globals);
  return { gpu: mod.create([]), backend: 'node-dawn' };
}

export interface DeviceOptions {
  powerPreference?: GPUPowerPreference;
  /**
   * A GPUDevice the host app already owns (e.g. the one its renderer uses). The engine then
   * runs on it and never destroys it. Its limits are used as they are: request large
   * maxStorageBufferBindingSize / maxBufferSize for large images.
   */
  device?: GPUDevice;
}

/** Wraps an app's own device: destroy() only waits for the engine's submitted work. */
export function hostGpuContext(device: GPUDevice): GpuContext {
  const info = (device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return {
    device,
    report: { vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', description: info?.description ?? '', backend: 'host' },
    ownsDevice: false,
    async destroy() {
      await device.queue.onSubmittedWorkDone();
    },
  };
}

export async function createGpuContext(opts: DeviceOptions = {}): Promise<GpuContext> {
  if (opts.device) return hostGpuContext(opts.device);
  let gpu: GPU, backend: AdapterReport['backend'];
  try {
    ({ gpu, backend } = await getGpu());
  } catch (e) {
    throw new NoAdapterError(`WebGPU is not available: ${(e as Error).message}`);
  }
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new NoAdapterError('requestAdapter() returned null');

  // Ask for everything the adapter offers: activations of large images need big bindings.
  const requiredLimits: Record<string, number> = {};
  const lim = adapter.limits as unknown as Record<string, number>;
  for (const key of [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupSizeY',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBuffersPerShaderStage',
  ]) {
    if (typeof lim[key] === 'number') requiredLimits[key] = lim[key];
  }
  // Timestamps cost nothing until a profile asks for them (Runtime.startProfile).
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const info = adapter.info;
  const report: AdapterReport = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description ?? '',
    backend,
  };
  let destroyed = false;
  return {
    gpu,
    device,
    adapter,
    report,
    ownsDevice: true,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await device.queue.onSubmittedWorkDone();
      device.destroy();
    },
  };
}

export function describeAdapter(r: AdapterReport): string {
  return [r.vendor, r.architecture, r.description].filter(Boolean).join(' / ') + ` (${r.backend})`;
}
