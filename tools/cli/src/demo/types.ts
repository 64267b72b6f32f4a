/** One package's part of `krylov demo`: a small representative workload that reports its accuracy. */
export interface DemoSection {
  package: string;
  /** The one backend the section runs on (a device backend); default: each available CPU backend. */
  backend?: string;
  run(): DemoResult[] | Promise<DemoResult[]>;
}

export interface DemoResult {
  task: string;
  /** A short accuracy statement, e.g. 'max rel. error 2.1e-16'. */
  accuracy: string;
  ms: number;
}
