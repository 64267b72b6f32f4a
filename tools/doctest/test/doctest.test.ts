import { afterAll, describe, expect, it } from 'vitest';
import { type DocBlock, collectBlocks } from '../src/extract.js';
import { repoRoot, runBlock } from '../src/run.js';
import { loadSkips, skipReason, staleSkips } from '../src/skips.js';

// Runs every @example of packages/*/src and every ```ts block of README.md, packages/*/README.md
// and docs/guide/**/*.md against the built packages. The convention is in tools/doctest/README.md.
const blocks = collectBlocks(repoRoot);
const skips = loadSkips();
const tally = { run: 0, passed: 0, marked: 0, listed: 0 };

function title(b: DocBlock): string {
  return `${b.file}:${b.line} [${b.index}]${b.symbol ? ` ${b.symbol}` : ''}`;
}

describe('doctest', () => {
  it('finds blocks', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  it('skip.json names only existing blocks', () => {
    expect(staleSkips(skips, blocks)).toEqual([]);
  });

  for (const block of blocks) {
    const listed = skipReason(skips, block);
    if (block.skip !== undefined || listed !== undefined) {
      if (block.skip !== undefined) tally.marked++;
      else tally.listed++;
      it.skip(`${title(block)} (skip: ${block.skip ?? listed})`, () => {});
      continue;
    }
    it.concurrent(title(block), async () => {
      if (block.error) throw new Error(block.error);
      tally.run++;
      const result = await runBlock(block);
      if (!result.ok) {
        const why = result.timedOut ? 'timed out' : `exited with code ${result.code}`;
        throw new Error(
          `${title(block)} ${why}\n--- code ---\n${block.code}--- output ---\n${result.output}`,
        );
      }
      tally.passed++;
    });
  }

  afterAll(() => {
    console.log(
      `doctest: ${blocks.length} blocks; ran ${tally.run}, passed ${tally.passed}; skipped ${tally.marked} marked \`ts skip\` and ${tally.listed} listed in skip.json`,
    );
  });
});
