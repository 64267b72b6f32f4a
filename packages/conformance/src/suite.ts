import {
  type FloatDType,
  type KernelArgs,
  type KernelName,
  type KernelResult,
  explain,
  getBackend,
  runKernel,
  runKernelAsync,
  withBackends,
} from '@krylov/core-array';
import { blasCases } from './cases/blas.js';
import { factorCases } from './cases/factor.js';
import { spectralCases } from './cases/spectral.js';
import { type ConformanceCase, ConformanceFailure, DECLINED, type Declined, type Tester } from './harness.js';
import { epsOf } from './util.js';

/** Every kernel of core-array's catalogue (`KernelSignatures`) that the suite has cases for. */
export const CATALOGUE = [
  'dot',
  'axpy',
  'scal',
  'nrm2',
  'gemv',
  'ger',
  'gemm',
  'gemmBatched',
  'syrk',
  'trmv',
  'trsv',
  'trmm',
  'trsm',
  'trtrs',
  'potrf',
  'potrs',
  'getrf',
  'getrs',
  'gesv',
  'geqrf',
  'orgqr',
  'ormqr',
  'geqp3',
  'gesdd',
  'gelsd',
  'syevd',
  'syevr',
  'geev',
] as const satisfies readonly KernelName[];

/** The reference cases of every catalogue kernel, both dtypes. */
export const conformanceCases: readonly ConformanceCase[] = [...blasCases, ...factorCases, ...spectralCases];

/**
 * A known disagreement of a backend with the catalogue, declared as data: the matching cases are
 * registered as skipped tests whose title carries the reason, and the report counts them.
 */
export interface KnownGap {
  kernel: KernelName;
  /** Only this dtype (both when absent). */
  dtype?: FloatDType;
  /** Only cases whose name contains this text or matches this pattern (all when absent). */
  case?: string | RegExp;
  /** Why: the observed failure and, where known, the issue or the fix. */
  reason: string;
}

type TestBody = () => Promise<void> | void;
type Register = (name: string, fn: TestBody) => unknown;

export interface ConformanceOptions {
  /** The registered backend under test. */
  backend: string;
  /** The test framework's functions (vitest's, jest's or mocha's). */
  describe: (name: string, fn: () => void) => unknown;
  it: Register & { skip?: Register };
  /** Called once after the suite to print the report (vitest's `afterAll`); optional. */
  afterAll?: (fn: () => void) => unknown;
  /** Known gaps of this backend. */
  skip?: readonly KnownGap[];
  /** Only these kernels (all of the catalogue when absent). */
  kernels?: readonly KernelName[];
  /** Extra cases, e.g. for kernels a plugin adds by module augmentation. */
  cases?: readonly ConformanceCase[];
  /** 'auto' (default): sync where the backend has a sync form, else async; or force one form. */
  mode?: 'auto' | 'sync' | 'async';
  /**
   * When the backend is unavailable at registration: `skip` (default) registers one skipped test
   * naming the reason; `fail` registers one failing test (for CI machines that must have it).
   */
  whenUnavailable?: 'skip' | 'fail';
  /** Print the report after the suite (default true when `afterAll` is given). */
  print?: boolean;
}

export type CaseStatus = 'passed' | 'failed' | 'declined' | 'gap' | 'not run';

export interface KernelReport {
  kernel: string;
  /** 'sync', 'async', or why the backend does not run this kernel at all. */
  mode: 'sync' | 'async' | 'not implemented';
  cases: number;
  passed: number;
  failed: number;
  /** Cases in which the backend declined every call (its `supports`). */
  declined: number;
  /** Cases skipped as known gaps. */
  gaps: number;
  /** Kernel calls made on the backend, and calls it declined. */
  runs: number;
  declinedRuns: number;
}

export interface ConformanceReport {
  backend: string;
  available: boolean;
  reason?: string;
  kernels: KernelReport[];
  gaps: KnownGap[];
  /** Kernels the backend implements that the suite has no cases for (spmv and spmm until their reference moves to the catalogue signature). */
  uncovered: string[];
}

const matches = (gap: KnownGap, c: ConformanceCase) =>
  gap.kernel === c.kernel &&
  (gap.dtype === undefined || gap.dtype === c.dtype) &&
  (gap.case === undefined ||
    (typeof gap.case === 'string' ? c.name.includes(gap.case) : gap.case.test(c.name)));

/**
 * Registers the conformance suite for one backend with the test framework: for every kernel of
 * the catalogue (and `options.cases`), one test per reference case and dtype, each running the
 * kernel on the backend alone (`explain` must choose it) and checking the result against the
 * pure-JS kernels or LAPACK's scaled residuals. Kernels the backend does not implement are listed
 * in the report, not tested; calls it declines through `supports` are counted as declined; known
 * gaps are skipped with their reason. Returns the report, filled in as the tests run.
 *
 * The pure-JS reference kernels of `@krylov/decompositions` are registered by importing this
 * package.
 *
 * @example
 * ```ts skip a vitest test file: registers its tests with the runner's describe and it
 * // test/conformance.test.ts of a backend package
 * import { runConformance } from '@krylov/conformance';
 * import { use } from '@krylov/core-array';
 * import { plugin } from '@krylov/native-blas';
 * import { afterAll, describe, it } from 'vitest';
 * use(plugin);
 * runConformance({ backend: 'native', describe, it, afterAll });
 * ```
 */
export function runConformance(options: ConformanceOptions): ConformanceReport {
  const { backend, describe, it } = options;
  const b = getBackend(backend);
  const probe = b
    ? safeProbe(b.probe)
    : { available: false, reason: 'not registered (is its plugin loaded?)' };
  const wanted = new Set<string>(
    options.kernels ?? [...CATALOGUE, ...(options.cases ?? []).map((c) => c.kernel)],
  );
  const all = [...conformanceCases, ...(options.cases ?? [])].filter((c) => wanted.has(c.kernel));
  const report: ConformanceReport = {
    backend,
    available: probe.available,
    reason: probe.reason,
    kernels: [],
    gaps: [...(options.skip ?? [])],
    uncovered: Object.keys(b?.kernels ?? {}).filter((k) => !all.some((c) => c.kernel === k)),
  };
  if (options.afterAll && options.print !== false) options.afterAll(() => console.log(formatReport(report)));
  const title = `conformance: ${backend}`;
  if (!probe.available || !b) {
    const why = `${backend} unavailable: ${probe.reason ?? 'no reason given'}`;
    describe(title, () => {
      if (options.whenUnavailable === 'fail')
        it(why, () => {
          throw new ConformanceFailure(`${why} (this machine must run the ${backend} conformance suite)`);
        });
      else (it.skip ?? it)(`[declared skip] ${why}`, () => {});
    });
    return report;
  }
  const kernels = [...new Set(all.map((c) => c.kernel))];
  describe(title, () => {
    for (const kernel of kernels) {
      const impl = b.kernels[kernel];
      const cases = all.filter((c) => c.kernel === kernel);
      const mode =
        !impl || (!impl.run && !impl.runAsync)
          ? 'not implemented'
          : options.mode === 'sync' || options.mode === 'async'
            ? options.mode
            : impl.run
              ? 'sync'
              : 'async';
      const entry: KernelReport = {
        kernel,
        mode,
        cases: cases.length,
        passed: 0,
        failed: 0,
        declined: 0,
        gaps: 0,
        runs: 0,
        declinedRuns: 0,
      };
      report.kernels.push(entry);
      if (mode === 'not implemented') continue;
      // every catalogue kernel needs its reference: a missing one is a failure of the setup, not a pass
      if ((CATALOGUE as readonly string[]).includes(kernel) && !getBackend('js')?.kernels[kernel]) {
        describe(kernel, () =>
          it('has a pure-JS reference kernel', () => {
            throw new ConformanceFailure(`no pure-JS kernel registered for ${kernel}: the oracle is missing`);
          }));
        continue;
      }
      describe(kernel, () => {
        for (const c of cases) {
          const gap = options.skip?.find((g) => matches(g, c));
          const name = `${c.dtype} ${c.name}`;
          if (gap) {
            entry.gaps++;
            (it.skip ?? it)(`${name} [known gap: ${gap.reason}]`, () => {});
            continue;
          }
          it(name, async () => {
            let runs = 0;
            let declined = 0;
            const tester = makeTester(backend, c, mode, {
              ran: () => {
                runs++;
                entry.runs++;
              },
              declined: () => {
                declined++;
                entry.declinedRuns++;
              },
            });
            try {
              await c.run(tester);
            } catch (e) {
              entry.failed++;
              throw e;
            }
            if (runs === 0 && declined > 0) entry.declined++;
            else entry.passed++;
          });
        }
      });
    }
  });
  return report;
}

function safeProbe(probe: () => { available: boolean; reason?: string }) {
  try {
    return probe();
  } catch (e) {
    return { available: false, reason: `probe threw: ${(e as Error).message}` };
  }
}

function makeTester(
  backend: string,
  c: ConformanceCase,
  mode: 'sync' | 'async',
  count: { ran: () => void; declined: () => void },
): Tester {
  const where = `${backend} ${c.kernel} ${c.dtype} "${c.name}"`;
  const fail = (msg: string) => {
    throw new ConformanceFailure(`${where}: ${msg}`);
  };
  /** Whether the backend runs `kernel` on `args` in `m`; DECLINED when its `supports` declines; fails otherwise. */
  const chosen = <K extends KernelName>(kernel: K, args: KernelArgs<K>, m: 'sync' | 'async') => {
    const e = withBackends([backend], () => explain(kernel, args, m));
    if (e.backend === backend) return true;
    const mine = e.considered.find((x) => x.backend === backend);
    if (mine?.reason.startsWith('declined:')) {
      count.declined();
      return false;
    }
    return fail(`${kernel} would not run on ${backend}: ${mine?.reason ?? JSON.stringify(e.considered)}`);
  };
  return {
    backend,
    dtype: c.dtype,
    eps: epsOf(c.dtype),
    async run<K extends KernelName>(kernel: K, args: KernelArgs<K>): Promise<KernelResult<K> | Declined> {
      if (!chosen(kernel, args, mode)) return DECLINED;
      count.ran();
      return mode === 'sync'
        ? withBackends([backend], () => runKernel(kernel, args))
        : await withBackends([backend], () => runKernelAsync(kernel, args));
    },
    runPublic<K extends KernelName>(kernel: K, args: KernelArgs<K>, fn: () => void): boolean {
      // the public functions are synchronous: an async-only backend declines them by design
      if (mode === 'async') {
        count.declined();
        return false;
      }
      if (!chosen(kernel, args, 'sync')) return false;
      count.ran();
      withBackends([backend, 'js'], fn);
      return true;
    },
    le(what, value, bound) {
      if (!(value <= bound)) fail(`${what}: ${value} exceeds ${bound}`);
    },
    eq(what, got, want) {
      const g = JSON.stringify(got);
      const w = JSON.stringify(want);
      if (g !== w) fail(`${what}: got ${g}, expected ${w}`);
    },
    ok(what, condition) {
      if (!condition) fail(what);
    },
  };
}

/** The report as a table: kernels by passed, failed, declined, gaps, calls. */
export function formatReport(r: ConformanceReport): string {
  if (!r.available) return `conformance ${r.backend}: unavailable (${r.reason ?? 'no reason'}), nothing run`;
  const head = ['kernel', 'mode', 'cases', 'passed', 'failed', 'declined', 'gaps', 'calls', 'declined calls'];
  const rows = r.kernels.map((k) => [
    k.kernel,
    k.mode,
    k.cases,
    k.passed,
    k.failed,
    k.declined,
    k.gaps,
    k.runs,
    k.declinedRuns,
  ]);
  const total = (i: number) => rows.reduce((s, row) => s + (row[i] as number), 0);
  rows.push(['total', '', total(2), total(3), total(4), total(5), total(6), total(7), total(8)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells: (string | number)[]) => cells.map((x, i) => String(x).padEnd(widths[i])).join('  ');
  const gaps = r.gaps.map(
    (g) =>
      `  known gap ${g.kernel}${g.dtype ? ` ${g.dtype}` : ''}${g.case ? ` "${g.case}"` : ''}: ${g.reason}`,
  );
  const uncovered = r.uncovered.length
    ? [`  implemented without conformance cases: ${r.uncovered.join(', ')}`]
    : [];
  return [`conformance ${r.backend}:`, line(head), ...rows.map(line), ...gaps, ...uncovered].join('\n');
}
