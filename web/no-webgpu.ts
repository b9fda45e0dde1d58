// What a browser without a usable WebGPU gets instead of a Run button that would fail.
export const WEBGPU_HOWTO =
  'To enable it:\n' +
  ' - Chrome or Edge 113 or later on Windows, macOS or ChromeOS: WebGPU is on by default; update the browser.\n' +
  ' - Chrome on Linux: open chrome://flags/#enable-unsafe-webgpu and chrome://flags/#enable-vulkan, set both to Enabled, restart\n' +
  '   (or start it with --enable-unsafe-webgpu --enable-features=Vulkan).\n' +
  ' - Firefox: set dom.webgpu.enabled to true in about:config (on by default on Windows from Firefox 141).\n' +
  ' - Safari: Safari 26, or Develop > Feature Flags > WebGPU.\n' +
  'The page must be opened over https:// or from localhost (WebGPU needs a secure context).';

export function hasWebGpu(): boolean {
  return typeof navigator !== 'undefined' && 'gpu' in navigator && !!navigator.gpu;
}

/** The headline: no navigator.gpu at all, or one that gives no adapter. */
export function noWebGpuMessage(): string {
  const what = hasWebGpu()
    ? 'This browser has WebGPU but gives no adapter (WebGPU is disabled, or the GPU is blocklisted)'
    : 'This browser does not offer WebGPU (navigator.gpu is missing)';
  return `${what}, and the segmentation runs on it.\n${WEBGPU_HOWTO}`;
}
