import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocBlock } from './extract.js';
import { doctestDir } from './run.js';

/** One entry of `skip.json`: a block that is not run, and why. */
export interface SkipEntry {
  file: string;
  block: number;
  reason: string;
}

/** Reads `skip.json`; every entry must name a file, a block index and a reason. */
export function loadSkips(path = join(doctestDir, 'skip.json')): SkipEntry[] {
  const data = JSON.parse(readFileSync(path, 'utf8')) as { skip: SkipEntry[] };
  for (const e of data.skip) {
    if (
      typeof e.file !== 'string' ||
      !Number.isInteger(e.block) ||
      typeof e.reason !== 'string' ||
      !e.reason
    ) {
      throw new Error(`skip.json: an entry needs file, block and reason: ${JSON.stringify(e)}`);
    }
  }
  return data.skip;
}

/** The skip-list reason for a block, if it is listed. */
export function skipReason(skips: readonly SkipEntry[], block: DocBlock): string | undefined {
  return skips.find((s) => s.file === block.file && s.block === block.index)?.reason;
}

/** Entries that name no existing block (stale after an edit moved or removed the block). */
export function staleSkips(skips: readonly SkipEntry[], blocks: readonly DocBlock[]): SkipEntry[] {
  return skips.filter((s) => !blocks.some((b) => b.file === s.file && b.index === s.block));
}
