import { describe, expect, it } from 'vitest';
import { markdownBlocks, parseInfo, sourceBlocks } from '../src/extract.js';
import { transpile } from '../src/run.js';

describe('extract', () => {
  it('parses fence info strings', () => {
    expect(parseInfo('ts')).toEqual({ lang: 'ts' });
    expect(parseInfo('ts skip needs a GPU adapter')).toEqual({ lang: 'ts', skip: 'needs a GPU adapter' });
    expect(parseInfo('ts skip')).toEqual({ lang: 'ts', skip: 'marked skip' });
    expect(parseInfo('sh')).toEqual({ lang: 'sh' });
  });

  it('finds ```ts blocks of Markdown and numbers them', () => {
    const md = [
      '# T',
      '```sh',
      'pnpm add x',
      '```',
      '```ts',
      'const a = 1;',
      '```',
      '',
      '```ts skip needs redis',
      'x',
      '```',
    ].join('\n');
    const blocks = markdownBlocks('README.md', md);
    expect(blocks.map((b) => [b.index, b.line, b.code, b.skip])).toEqual([
      [0, 5, 'const a = 1;\n', undefined],
      [1, 9, 'x\n', 'needs redis'],
    ]);
  });

  it('finds @example fences of doc comments with their symbol', () => {
    const src = [
      '/**',
      ' * Adds.',
      ' *',
      ' * @example',
      ' * ```ts',
      " * import { add } from '@krylov/core-array';",
      ' *   console.assert(add(1, 2) === 3);',
      ' * ```',
      ' * @param a - left',
      ' */',
      'export function add(a: number, b: number): number {',
      '  return a + b;',
      '}',
      '/**',
      ' * @example',
      ' * add(1, 2)',
      ' */',
      'export const plus = add;',
      '/** No example. */',
      'export const x = 1;',
    ].join('\n');
    const blocks = sourceBlocks('a.ts', src);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatchObject({ index: 0, line: 5, symbol: 'add' });
    expect(blocks[0]!.code).toBe(
      "import { add } from '@krylov/core-array';\n  console.assert(add(1, 2) === 3);\n",
    );
    expect(blocks[1]).toMatchObject({ index: 1, symbol: 'plus' });
    expect(blocks[1]!.error).toMatch(/without a ```ts fence/);
  });

  it('strips types without changing the program', () => {
    const js = transpile({
      file: 'x.md',
      index: 0,
      line: 1,
      code: 'const n: number = 2;\nconsole.log(n as number);\n',
    });
    expect(js).toContain('const n = 2;');
    expect(js).not.toContain(': number');
  });
});
