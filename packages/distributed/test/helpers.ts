import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

/** Why Redis tests cannot run here, or null when redis-server is installed. */
export function redisMissing(): string | null {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'pipe' });
    return null;
  } catch {
    return 'redis-server is not installed (apt-get install redis-server)';
  }
}

/**
 * Whether the Redis tests run: yes when redis-server is installed; in CI (env CI or
 * KRYLOV_REQUIRE_REDIS) a missing server throws, so the suite fails instead of skipping; elsewhere
 * the tests are skipped with the reason printed.
 */
export function requireRedis(): boolean {
  const why = redisMissing();
  if (!why) return true;
  if (process.env.CI || process.env.KRYLOV_REQUIRE_REDIS)
    throw new Error(`Redis is required here (CI or KRYLOV_REQUIRE_REDIS) but ${why}`);
  console.warn(`skipping @krylov/distributed Redis tests: ${why}`);
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start within ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${out}`));
    });
  });
}

export interface RedisServer {
  port: number;
  connection: { host: string; port: number };
  stop(): Promise<void>;
}

/** Starts a private redis-server on 127.0.0.1 and a free port, without persistence. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await waitForLine(child, /Ready to accept connections/, 'redis-server');
  return {
    port,
    connection: { host: '127.0.0.1', port },
    stop: () => stopProcess(child),
  };
}

/** Ends a child process with SIGTERM (SIGKILL after 5 s) and waits for it. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts a `krylov-worker` process (the package's bin, from source) and waits for its ready line. */
export async function spawnWorker(port: number, queue: string, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', BIN, '--redis', `redis://127.0.0.1:${port}`, '--queue', queue, ...extra],
    { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await waitForLine(child, /krylov-worker ready/, 'krylov-worker');
  return child;
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `krylov-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
