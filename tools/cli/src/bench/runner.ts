import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchCase, BenchSuite } from '@krylov/bench';
import { getBackend, listBackends, withBackends } from '@krylov/core-array';
import { loadBackendPlugins } from '../plugins.js';
import { formatMs, markdownTable, textTable } from '../table.js';

export interface CaseResult {
  suite: string;
  name: string;
  library: string;
  skipped?: string;
  runs?: number;
  medianMs?: number;
  minMs?: number;
  gflops?: number;
  accuracy?: number;
  metrics?: Record<string, number>;
}

export interface RunOptions {
  /** Per-case time budget for the timed repetitions, in ms (default 1500). */
  budgetMs?: number;
  /** Progress line on stderr (default true when stderr is a TTY or CI). */
  progress?: (done: number, total: number, label: string) => void;
}

/** Every `*.bench.ts` under packages/X/bench and tools/cli/bench, sorted. */
export function discoverBenchFiles(root: string): string[] {
  const dirs: string[] = [];
  for (const pkg of safeList(join(root, 'packages'))) dirs.push(join(root, 'packages', pkg, 'bench'));
  dirs.push(join(root, 'tools', 'cli', 'bench'));
  return dirs
    .flatMap((d) =>
      safeList(d)
        .filter((f) => f.endsWith('.bench.ts'))
        .map((f) => join(d, f)),
    )
    .sort();
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Loads a suite file (TypeScript, through tsx). */
export async function loadSuite(file: string): Promise<BenchSuite> {
  const { tsImport } = (await import('tsx/esm/api')) as {
    tsImport: (p: string, parent: string) => Promise<{ suite?: BenchSuite }>;
  };
  const mod = await tsImport(pathToFileURL(file).href, import.meta.url);
  if (!mod.suite || typeof mod.suite.cases !== 'function')
    throw new Error(`${file} does not export \`suite\` (a BenchSuite)`);
  return mod.suite;
}

/** A text progress bar on stderr. */
export function progressBar(done: number, total: number, label: string): void {
  const width = 24;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label.slice(0, 60).padEnd(60)}`,
  );
  if (done === total) process.stderr.write('\n');
}

/** Why the first backend of a case's order cannot run here (not loaded, or its probe says why), if it cannot. */
function leadingBackendProblem(order: readonly string[] | undefined): string | null {
  const name = order?.[0];
  if (!name || name === 'js') return null;
  const backend = getBackend(name);
  if (!backend) return `backend '${name}' not loaded (its plugin package is not installed)`;
  const p = backend.probe();
  return p.available ? null : `backend '${name}' unavailable: ${p.reason}`;
}

/** A prepared in-process case: its state after setup and one warm-up run, and its timed runs so far. */
interface Timed {
  c: BenchCase;
  run: () => Promise<unknown>;
  state: unknown;
  result: unknown;
  times: number[];
  spentMs: number;
  faults: number;
}

/**
 * Times the cases of one table row, side by side: each case is set up and warmed up once, then the
 * in-process cases take turns, one timed run each per round, so a machine that drifts between fast
 * and slow phases (shared VMs do, for seconds to minutes) slows every column of the row alike
 * instead of whichever case ran during the slow phase. A case stops once it has minRuns runs (3 by
 * default) and has spent `budgetMs`, or at 50 runs. Cases timed in another process (`external`)
 * run first, in order: the garbage of in-process setups and runs is collected on background
 * threads that would compete with them. Results come back in the order of `cases`.
 */
export async function runRow(
  suite: string,
  cases: readonly BenchCase[],
  budgetMs: number,
  pageFaults = false,
): Promise<CaseResult[]> {
  const results = new Map<BenchCase, CaseResult>();
  const base = (c: BenchCase) => ({ suite, name: c.name, library: c.library });
  const failed = (c: BenchCase, e: unknown): CaseResult => ({
    ...base(c),
    skipped: `failed: ${(e as Error).message}`,
  });
  const summary = (c: BenchCase, times: number[]) => {
    const sorted = [...times].sort((x, y) => x - y);
    const medianMs = sorted[Math.floor(sorted.length / 2)];
    return {
      ...base(c),
      runs: sorted.length,
      medianMs,
      minMs: sorted[0],
      gflops: c.flops ? c.flops / medianMs / 1e6 : undefined,
    };
  };
  for (const c of cases) {
    const unavailable = c.skip ?? leadingBackendProblem(c.backends);
    if (unavailable) results.set(c, { ...base(c), skipped: unavailable });
  }
  for (const c of cases) {
    if (results.has(c) || !c.external) continue;
    try {
      const { times, metrics } = await c.external();
      results.set(c, { ...summary(c, times), metrics });
    } catch (e) {
      results.set(c, failed(c, e));
    }
  }
  const timed: Timed[] = [];
  for (const c of cases) {
    if (results.has(c)) continue;
    try {
      const order = c.backends ?? ['js'];
      const body = c.run;
      if (!body) throw new Error('the case has neither run nor external');
      const state = c.setup ? await withBackends(order, () => c.setup!()) : undefined;
      const run = async () => withBackends(order, () => body(state));
      timed.push({ c, run, state, result: await run(), times: [], faults: 0, spentMs: 0 });
    } catch (e) {
      results.set(c, failed(c, e));
    }
  }
  const done = (t: Timed) =>
    results.has(t.c) ||
    t.times.length >= 50 ||
    (t.times.length >= (t.c.minRuns ?? 3) && t.spentMs >= budgetMs);
  for (let active = timed; active.length > 0; active = active.filter((t) => !done(t))) {
    for (const t of active) {
      try {
        const faults0 = process.resourceUsage().minorPageFault;
        const t0 = performance.now();
        t.result = await t.run();
        const ms = performance.now() - t0;
        t.faults += process.resourceUsage().minorPageFault - faults0;
        t.times.push(ms);
        t.spentMs += ms;
      } catch (e) {
        results.set(t.c, failed(t.c, e));
      }
    }
  }
  for (const { c, state, result, times, faults } of timed) {
    if (results.has(c)) continue;
    results.set(c, {
      ...summary(c, times),
      accuracy: c.accuracy ? c.accuracy(state, result) : undefined,
      metrics:
        c.metrics || pageFaults
          ? {
              ...c.metrics?.(state, result),
              ...(pageFaults ? { 'faults/run': Math.round(faults / times.length) } : {}),
            }
          : undefined,
    });
  }
  return cases.map((c) => results.get(c)!);
}

/** Splits a suite's cases into rows: runs of adjacent cases with the same name. */
function adjacentRows(cases: readonly BenchCase[]): BenchCase[][] {
  const rows: BenchCase[][] = [];
  for (const c of cases) {
    const last = rows.at(-1);
    if (last && last[0].name === c.name) last.push(c);
    else rows.push([c]);
  }
  return rows;
}

/** One table per suite: rows are case names, columns libraries. */
export function suiteTable(results: CaseResult[]): string[][] {
  const libraries = [...new Set(results.map((r) => r.library))];
  const names = [...new Set(results.map((r) => r.name))];
  const cell = (r: CaseResult | undefined) => {
    if (!r) return '';
    if (r.skipped) return `skipped: ${r.skipped}`;
    const parts = [formatMs(r.medianMs!)];
    if (r.gflops !== undefined) parts.push(`${r.gflops.toFixed(2)} GFLOP/s`);
    if (r.accuracy !== undefined) parts.push(`acc ${r.accuracy.toExponential(1)}`);
    for (const [k, v] of Object.entries(r.metrics ?? {}))
      parts.push(`${k} ${Number.isInteger(v) ? v : v.toPrecision(3)}`);
    return parts.join(', ');
  };
  return [
    ['case', ...libraries],
    ...names.map((n) => [
      n,
      ...libraries.map((l) => cell(results.find((r) => r.name === n && r.library === l))),
    ]),
  ];
}

export function machineInfo() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    date: new Date().toISOString(),
    backends: listBackends().map((b) => ({
      name: b.name,
      available: b.available,
      reason: b.reason,
      details: b.details,
    })),
  };
}

/** Runs the suites whose name or file matches `filter`, printing tables and writing docs/bench/<suite>.{json,md}. */
export async function benchCommand(
  root: string,
  filter: string | undefined,
  log: (s: string) => void,
  options: RunOptions = {},
): Promise<CaseResult[]> {
  await loadBackendPlugins();
  const files = discoverBenchFiles(root);
  const suites: { file: string; suite: BenchSuite }[] = [];
  for (const file of files) {
    const suite = await loadSuite(file);
    if (!filter || suite.name.includes(filter) || relative(root, file).includes(filter))
      suites.push({ file, suite });
  }
  if (suites.length === 0)
    throw new Error(
      `no benchmark suite matches '${filter}' (suites: ${files.map((f) => relative(root, f)).join(', ')})`,
    );
  const outDir = join(root, 'docs', 'bench');
  mkdirSync(outDir, { recursive: true });
  const all: CaseResult[] = [];
  for (const { file, suite } of suites) {
    const cases = await suite.cases();
    const results: CaseResult[] = [];
    for (const row of adjacentRows(cases)) {
      const libraries = row.map((c) => c.library).join(', ');
      (options.progress ?? progressBar)(
        results.length,
        cases.length,
        `${suite.name}: ${row[0].name} [${libraries}]`,
      );
      results.push(...(await runRow(suite.name, row, options.budgetMs ?? 1500, suite.pageFaults)));
    }
    (options.progress ?? progressBar)(cases.length, cases.length, `${suite.name}: done`);
    const table = suiteTable(results);
    log(`\n${suite.name}: ${suite.description}\n${textTable(table)}`);
    const machine = machineInfo();
    writeFileSync(
      join(outDir, `${suite.name}.json`),
      `${JSON.stringify({ suite: suite.name, description: suite.description, file: relative(root, file), machine, results }, null, 2)}\n`,
    );
    const artifacts = suite.artifacts?.(results) ?? [];
    for (const a of artifacts) writeFileSync(join(outDir, a.file), a.content);
    const notes = [...(suite.notes ?? []), ...artifacts.map((a) => `![${a.file}](${a.file})`)]
      .map((n) => `- ${n}`)
      .join('\n');
    const md = [
      `# Benchmark: ${suite.name}`,
      '',
      suite.description,
      '',
      `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${machine.date}. Command: \`pnpm bench ${suite.name}\`. Median of timed runs after a warm-up; the in-process cases of a row take turns run by run.`,
      '',
      markdownTable(table),
      ...(notes ? ['', notes] : []),
      '',
    ].join('\n');
    writeFileSync(join(outDir, `${suite.name}.md`), md);
    all.push(...results);
  }
  return all;
}
