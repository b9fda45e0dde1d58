// Shared by the browser tests: a static server for files built in memory, and Debian's
// Chromium driven by playwright-core, headless, with WebGPU on (SwiftShader, on the CPU) or off.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Chromium's own SwiftShader Vulkan driver: Dawn in Node runs on it with VK_ICD_FILENAMES. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Prints why and returns true when Chromium is missing, so a test can return early. */
export function skipWithoutChromium(): boolean {
  if (existsSync(CHROMIUM)) return false;
  console.log(`  skipped: ${CHROMIUM} not found (scripts/setup.sh installs Debian's chromium when run as root)`);
  return true;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.css': 'text/css', '.json': 'application/json', '.map': 'application/json' };

export interface StaticServer {
  url: string;
  close(): void;
}

/** Serves `files` (path -> contents) on 127.0.0.1; '/' is '/index.html'. */
export async function serveFiles(files: Map<string, string | Uint8Array>): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/$/, '/index.html');
    const body = files.get(path);
    if (body === undefined) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': TYPES[/\.[a-z]+$/.exec(path)?.[0] ?? ''] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

const QUIET = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/**
 * WebGPU in headless Debian Chromium: behind --enable-unsafe-webgpu, on SwiftShader's Vulkan.
 * SwiftShader compiles the big register-tiled GEMM for minutes; the GPU watchdog would kill the
 * GPU process meanwhile (every later test then fails with a lost device), so it is off.
 */
const WEBGPU = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--disable-gpu-watchdog'];

export async function launchChromium({ webgpu = true }: { webgpu?: boolean } = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: webgpu ? [...QUIET, ...WEBGPU] : QUIET });
}
