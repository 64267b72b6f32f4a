/**
 * The shape of a benchmark suite. A package's `bench/*.bench.ts` files export `suite` (type-only
 * import of this file, so packages do not depend on the CLI at run time); `krylov bench [filter]`
 * discovers, runs and reports them.
 */
export interface BenchCase {
  /**
   * Operation and size, e.g. `'gemm f64 n=1024'`; one table row per distinct `name`. Adjacent cases
   * with the same name are timed together, taking turns run by run.
   */
  name: string;
  /** The implementation measured, e.g. `'krylov js'`, `'krylov native'`, `'ml-matrix'`; one column per library. */
  library: string;
  /** Nominal floating-point operations of one `run`, to report GFLOP/s. */
  flops?: number;
  /** Runs once before timing (allocation, inputs); its result is passed to `run`. */
  setup?: () => unknown | Promise<unknown>;
  /** The timed body (every case has `run` or `external`). */
  run?: (state: unknown) => unknown | Promise<unknown>;
  /** Optional accuracy of the result of `run` (e.g. a scaled residual), reported next to the time. */
  accuracy?: (state: unknown, result: unknown) => number;
  /** Other named figures of the result (e.g. steps to a target loss), reported next to the time. */
  metrics?: (state: unknown, result: unknown) => Record<string, number>;
  /**
   * For a library timed in another process (SciPy through python3): returns the times that process
   * measured, in the same run, so the comparison is side by side. Replaces setup/run timing. The
   * runner calls it before the row's in-process cases (see runRow).
   */
  external?: () => ExternalTiming | Promise<ExternalTiming>;
  /** When set, the case is reported as skipped with this reason (library missing, backend unavailable). */
  skip?: string;
  /**
   * The backend order the case runs under (default ['js']: a 'krylov js' column means the pure-JS
   * kernels even though `krylov bench` loads every installed backend plugin first). The case is
   * skipped, with the reason, when the first backend named is not loaded or not available.
   */
  backends?: readonly string[];
  /** Minimum number of timed repetitions (default chosen by the runner from a time budget). */
  minRuns?: number;
}

export interface ExternalTiming {
  /** The timed repetitions, in ms. */
  times: number[];
  metrics?: Record<string, number>;
}

export interface BenchSuite {
  /** Short id used by the filter, e.g. `'gemm'`, `'decompositions'`, `'native'`. */
  name: string;
  description: string;
  /** Built lazily so discovering suites is cheap. */
  cases: () => BenchCase[] | Promise<BenchCase[]>;
  /** Notes printed under the table in the report (machine caveats, what the comparison is). */
  notes?: string[];
  /**
   * Report minor page faults per timed run of each in-process case (metric 'faults/run'): fresh
   * result buffers are faulted in page by page, which dominates on machines with slow faults.
   */
  pageFaults?: boolean;
  /**
   * Extra report files computed from the results (e.g. an SVG plot), written next to the JSON
   * and linked from the Markdown report; names are relative to docs/bench/.
   */
  artifacts?: (
    results: readonly {
      name: string;
      library: string;
      medianMs?: number;
      accuracy?: number;
      metrics?: Record<string, number>;
    }[],
  ) => { file: string; content: string }[];
}
