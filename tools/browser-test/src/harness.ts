/**
 * A small harness for running package code in headless Chromium (Debian's /usr/bin/chromium,
 * driven by playwright-core; no browser is ever downloaded). It serves files from a localhost
 * HTTP server (localhost is a secure context, which WebGPU requires), with an import map so built
 * ESM bundles can import each other by package name, and returns a page to evaluate code in.
 *
 * Reused by other packages' browser tests: give `routes` (URL path -> file on disk) and
 * `imports` (bare specifier -> URL path), then `session.evaluate(fn, arg)`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';

/** Flags that make navigator.gpu appear on SwiftShader in headless Chromium 150 (Debian 12). */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader'];

/** Flags that keep Chromium off the network and away from first-run work. */
export const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-default-apps',
  '--disable-extensions',
];

/** The Chromium binary: env KRYLOV_CHROMIUM, else Debian's /usr/bin/chromium; null when absent. */
export function chromiumPath(): string | null {
  const p = process.env.KRYLOV_CHROMIUM || '/usr/bin/chromium';
  return existsSync(p) ? p : null;
}

/**
 * Why a browser test cannot run here (no Chromium, or a bundle it loads is not built), or null.
 * When `required` (CI) a missing prerequisite throws instead, so CI never skips the test silently;
 * otherwise the reason is printed and the caller skips.
 */
export function browserTestSkip(bundles: readonly string[], required: boolean): string | null {
  const missing = !chromiumPath()
    ? 'chromium not found'
    : bundles.some((b) => !existsSync(b))
      ? 'dist bundles missing (run the build first)'
      : null;
  if (missing && required) throw new Error(`browser test required here (CI) but ${missing}`);
  if (missing) console.warn(`skipping the browser test: ${missing}`);
  return missing;
}

export interface BrowserOptions {
  /** URL path (e.g. '/core-array.js') -> file on disk. */
  routes: Record<string, string>;
  /** Import map: bare specifier (e.g. '@krylov/core-array') -> URL path. */
  imports?: Record<string, string>;
  /**
   * Specifiers imported by the index page before `openBrowser` resolves; page code finds them as
   * `globalThis.__krylov[specifier]` (a dynamic `import()` inside an evaluated function would be
   * rewritten by vitest's transform and fail in the page).
   */
  preload?: readonly string[];
  /** Extra Chromium flags (e.g. WEBGPU_FLAGS). */
  args?: readonly string[];
  /**
   * Serve with COOP/COEP headers so the page is cross-origin isolated (SharedArrayBuffer, shared
   * WebAssembly memory, and so worker threads with shared memory).
   */
  crossOriginIsolated?: boolean;
}

export interface BrowserSession {
  /** http://127.0.0.1:port */
  origin: string;
  /** Console lines and page errors seen so far (for failure messages). */
  log: string[];
  /** Runs `fn(arg)` in the page (serialized: it cannot close over test variables) and returns its result. */
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  close(): Promise<void>;
}

/**
 * A code-split chunk (`/chunk-*.js`, as tsup names them) of a routed bundle: a package built from
 * several entries (core-array's `internal`) shares its modules through chunks that its `index.js`
 * imports relatively, so they are served from the routed files' folders without routes of their own.
 */
function chunkBesideRoute(routes: Record<string, string>, path: string): string | undefined {
  const name = path.slice(1);
  if (!/^chunk-[\w-]+\.js(\.map)?$/.test(name)) return undefined;
  return Object.values(routes)
    .map((file) => join(dirname(file), name))
    .find((candidate) => existsSync(candidate));
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * Starts the server and a fresh headless Chromium profile, and opens the index page.
 * @throws Error when Chromium is missing or fails to start (callers decide whether to skip).
 */
export async function openBrowser(options: BrowserOptions): Promise<BrowserSession> {
  const exe = chromiumPath();
  if (!exe) throw new Error('chromium not found (apt-get install chromium, or set KRYLOV_CHROMIUM)');
  const { chromium } = await import('playwright-core');
  const importMap = JSON.stringify({ imports: options.imports ?? {} });
  const loads = (options.preload ?? [])
    .map((spec) => `globalThis.__krylov[${JSON.stringify(spec)}] = await import(${JSON.stringify(spec)});`)
    .join('\n');
  const index = `<!doctype html><meta charset="utf-8"><title>krylov browser test</title>
<script type="importmap">${importMap}</script>
<script type="module">
globalThis.__krylov = {};
try {
${loads}
  globalThis.__krylovReady = 'ok';
} catch (e) {
  globalThis.__krylovReady = 'error: ' + (e && e.message);
}
</script>`;
  const isolation: Record<string, string> = options.crossOriginIsolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {};
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html', ...isolation });
      res.end(index);
      return;
    }
    const file = options.routes[path] ?? chunkBesideRoute(options.routes, path);
    if (!file || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...isolation });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const profile = mkdtempSync(join(tmpdir(), 'krylov-chromium-'));
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>>;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: exe,
      headless: true,
      args: [...QUIET_FLAGS, ...(options.args ?? [])],
    });
  } catch (e) {
    await closeServer();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const log: string[] = [];
  page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (globalThis as { __krylovReady?: string }).__krylovReady !== undefined);
  const ready = await page.evaluate(() => (globalThis as { __krylovReady?: string }).__krylovReady);
  if (ready !== 'ok') {
    await context.close();
    await closeServer();
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`preloading modules failed: ${ready}\n${log.join('\n')}`);
  }
  return {
    origin,
    log,
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    close: async () => {
      await context.close();
      await closeServer();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
