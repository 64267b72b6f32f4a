import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { DocBlock } from './extract.js';

/** The doctest package's directory: blocks are written under it so `@krylov/*` resolves to dist. */
export const doctestDir = fileURLToPath(new URL('..', import.meta.url));
/** The repository root. */
export const repoRoot = join(doctestDir, '..', '..');
const blocksDir = join(doctestDir, '.blocks');
const assertThrows = fileURLToPath(new URL('./assert-throws.mjs', import.meta.url));

/** What running one block gave. */
export interface BlockResult {
  ok: boolean;
  /** Exit code, or null when the process was killed (timeout). */
  code: number | null;
  timedOut: boolean;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
  ms: number;
}

/** A file name for a block: `packages/core-array/src/creation.ts` block 2 -> `packages__core-array__src__creation.ts.2.mjs`. */
export function blockFileName(block: DocBlock): string {
  return `${block.file.replace(/[^\w.-]+/g, '__')}.${block.index}.mjs`;
}

/** Strips the block's types (TypeScript `transpileModule`, no type check) into an ES module. */
export function transpile(block: DocBlock): string {
  const out = ts.transpileModule(block.code, {
    fileName: `${blockFileName(block)}.mts`,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      verbatimModuleSyntax: false,
      isolatedModules: true,
    },
    reportDiagnostics: false,
  });
  return out.outputText;
}

/**
 * Writes the block as `.blocks/<name>.mjs` inside the doctest package and runs it with Node,
 * `console.assert` made to throw. A thrown error, a failed assertion, an unhandled rejection or a
 * run past `timeoutMs` fails the block.
 */
export function runBlock(block: DocBlock, timeoutMs = 60_000): Promise<BlockResult> {
  mkdirSync(blocksDir, { recursive: true });
  const path = join(blocksDir, blockFileName(block));
  writeFileSync(path, `// ${block.file}:${block.line} (block ${block.index})\n${transpile(block)}`);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', assertThrows, path], {
      cwd: doctestDir,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0 && !timedOut, code, timedOut, output, ms: performance.now() - started });
    });
  });
}
