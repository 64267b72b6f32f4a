import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A process that times another library for a suite: started now, it prints one JSON line when ready
 * (imports done, buffers set up), then answers each request line on its stdin with one JSON line;
 * it exits after `count` requests (its stdin is closed). Resolves once it is ready, to a function
 * that sends one request and waits for its answer. Suites start it before their cases: Node forks
 * to spawn, and a fork while the heap is large leaves that heap copy-on-write, so the next
 * in-process calls fault in every page they write (measured: native Cholesky n = 512 went from
 * 2.4 to 10.6 ms per call after a spawn).
 */
export async function lineWorker<T>(
  command: string,
  args: readonly string[],
  count: number,
): Promise<(request: string) => Promise<T>> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: { resolve: (answer: T) => void; reject: (e: Error) => void }[] = [];
  const ready = new Promise<unknown>((resolve, reject) => waiting.push({ resolve, reject }));
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(JSON.parse(line)));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${command} exited (code ${code})`));
  });
  await ready;
  let left = count;
  return (request) =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      child.stdin.write(`${request}\n`);
      if (--left === 0) child.stdin.end();
    });
}
