#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startWorker } from './worker.js';

const USAGE = `krylov-worker: runs @krylov/distributed jobs from a BullMQ queue on Redis

  krylov-worker [--redis redis://127.0.0.1:6379] [--queue krylov] [--concurrency 1]
                [--plugin @krylov/native-blas ...] [--lock-duration ms] [--stalled-interval ms]

Loads the installed backend plugins (native BLAS, WebAssembly) unless --plugin names others, prints
one 'ready' line, and runs until SIGINT or SIGTERM (it then finishes the jobs in progress).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    strict: true,
    options: {
      redis: { type: 'string', default: process.env.KRYLOV_REDIS ?? 'redis://127.0.0.1:6379' },
      queue: { type: 'string', default: 'krylov' },
      concurrency: { type: 'string', default: '1' },
      plugin: { type: 'string', multiple: true },
      'lock-duration': { type: 'string' },
      'stalled-interval': { type: 'string' },
      'slowdown-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const url = new URL(values.redis as string);
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const started = await startWorker({
    connection: {
      host: url.hostname,
      port: Number(url.port || 6379),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    },
    queue: values.queue,
    concurrency: Number(values.concurrency),
    ...(values.plugin ? { plugins: values.plugin } : {}),
    lockDuration: num(values['lock-duration']),
    stalledInterval: num(values['stalled-interval']),
    slowdownMs: num(values['slowdown-ms']),
  });
  for (const p of started.plugins)
    if (!p.loaded) console.error(`krylov-worker: ${p.name} not loaded: ${p.reason}`);
  console.log(
    `krylov-worker ready pid=${process.pid} queue=${values.queue} concurrency=${values.concurrency} backends=${started.backends.join(',')}`,
  );
  const stop = () => {
    started.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`krylov-worker: ${(e as Error).message}`);
  process.exit(1);
});
