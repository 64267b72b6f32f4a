import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCommand, runRow, suiteTable } from '../src/bench/runner.js';
import { main } from '../src/krylov.js';
import { markdownTable, textTable } from '../src/table.js';

describe('krylov CLI', () => {
  it('prints help, rejects unknown commands and options with exit code 2', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await main(['help'], (s) => out.push(s))).toBe(0);
    expect(out[0]).toContain('krylov <command>');
    expect(
      await main(
        ['frobnicate'],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err[0]).toContain("unknown command 'frobnicate'");
    expect(
      await main(
        ['backends', '--yaml'],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err[1]).toBe('krylov backends: unknown option --yaml');
  });
  it('backends lists the js backend as available and reports plugin packages that did not load', async () => {
    const out: string[] = [];
    expect(await main(['backends', '--json'], (s) => out.push(s))).toBe(0);
    const parsed = JSON.parse(out[0]);
    expect(parsed.backends.find((b: { name: string }) => b.name === 'js').available).toBe(true);
    expect(parsed.plugins.map((p: { name: string }) => p.name)).toContain('@krylov/native-blas');
  });
});

describe('benchmark runner', () => {
  it('times cases, reports skips and failures, and formats tables', async () => {
    const [ok, skipped, noBackend, failed] = await runRow(
      's',
      [
        { name: 'sum n=10', library: 'a', flops: 1e6, run: () => 1, accuracy: () => 1e-16 },
        { name: 'sum n=10', library: 'b', run: () => 1, skip: 'b is not installed' },
        { name: 'sum n=10', library: 'd', backends: ['absent', 'js'], run: () => 1 },
        {
          name: 'sum n=10',
          library: 'c',
          run: () => {
            throw new Error('boom');
          },
        },
      ],
      5,
    );
    expect(ok.runs).toBeGreaterThanOrEqual(3);
    expect(ok.gflops).toBeGreaterThan(0);
    expect(skipped.skipped).toBe('b is not installed');
    expect(noBackend.skipped).toBe("backend 'absent' not loaded (its plugin package is not installed)");
    expect(failed.skipped).toBe('failed: boom');
    const table = suiteTable([ok, skipped, failed]);
    expect(table[0]).toEqual(['case', 'a', 'b', 'c']);
    expect(table[1][2]).toBe('skipped: b is not installed');
    expect(textTable(table).split('\n')).toHaveLength(3);
    expect(
      markdownTable([
        ['x', 'y'],
        ['1', 'a|b'],
      ]),
    ).toBe('| x | y |\n| --- | --- |\n| 1 | a\\|b |');
  });
  it("runs a row's external cases first, then interleaves the others run by run, each until its own minimum runs and budget", async () => {
    const order: string[] = [];
    let calls = 0;
    const [x, y, z, w] = await runRow(
      's',
      [
        { name: 'r', library: 'x', run: () => order.push('x'), minRuns: 4 },
        { name: 'r', library: 'y', run: () => order.push('y'), minRuns: 2 },
        {
          name: 'r',
          library: 'z',
          external: async () => {
            order.push('z');
            return { times: [3, 1, 2] };
          },
        },
        {
          name: 'r',
          library: 'w',
          run: () => {
            // fails on its third call (the second timed run): reported, and the others go on
            if (++calls === 3) throw new Error('late failure');
            order.push('w');
          },
        },
      ],
      0,
    );
    // the external case first, then warm-ups x y w, then rounds x y w | x y (w fails) | x | x
    expect(order.join('')).toBe('zxywxywxyxx');
    expect([x.runs, y.runs, z.runs]).toEqual([4, 2, 3]);
    expect(z.medianMs).toBe(2);
    expect(w.skipped).toBe('failed: late failure');
  });
  it('discovers suites in a repository and writes JSON and Markdown reports', async () => {
    const root = mkdtempSync(join(tmpdir(), 'krylov-bench-'));
    mkdirSync(join(root, 'packages', 'fake', 'bench'), { recursive: true });
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
    writeFileSync(
      join(root, 'packages', 'fake', 'bench', 'fake.bench.ts'),
      "export const suite = { name: 'fake', description: 'a fake suite', cases: () => [{ name: 'noop', library: 'x', run: () => 0 }] };\n",
    );
    const logs: string[] = [];
    const results = await benchCommand(root, 'fake', (s) => logs.push(s), {
      budgetMs: 5,
      progress: () => {},
    });
    expect(results).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(root, 'docs', 'bench', 'fake.json'), 'utf8')).results[0].name).toBe(
      'noop',
    );
    expect(readFileSync(join(root, 'docs', 'bench', 'fake.md'), 'utf8')).toContain('| noop |');
    await expect(benchCommand(root, 'nothing', () => {}, { progress: () => {} })).rejects.toThrow(
      "no benchmark suite matches 'nothing'",
    );
  });
});
