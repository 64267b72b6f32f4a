import { backendsCommand } from './backends.js';
import { benchCommand } from './bench/runner.js';
import { demoCommand } from './demo/run.js';
import { repoRoot } from './paths.js';

const HELP = `krylov <command> [options]

commands:
  backends [--json]   list every backend, available or not and why
  demo                run a representative workload from every package on each available backend
  bench [filter]      run the benchmark suites (all, or those whose name or file matches filter),
                      print tables and write docs/bench/<suite>.json and .md
  help                this text`;

/** Parses argv and runs a command; returns the exit code (2 for usage errors). */
export async function main(
  argv: string[],
  log: (s: string) => void = console.log,
  error: (s: string) => void = console.error,
): Promise<number> {
  const [command, ...rest] = argv;
  const flags = rest.filter((a) => a.startsWith('-'));
  const args = rest.filter((a) => !a.startsWith('-'));
  const allowed: Record<string, string[]> = { backends: ['--json'], demo: [], bench: [], help: [] };
  if (!command || command === 'help' || command === '--help' || flags.includes('--help')) {
    log(HELP);
    return 0;
  }
  if (!(command in allowed)) {
    error(`krylov: unknown command '${command}'\n\n${HELP}`);
    return 2;
  }
  const unknown = flags.filter((f) => !allowed[command].includes(f));
  if (unknown.length) {
    error(`krylov ${command}: unknown option ${unknown.join(', ')}`);
    return 2;
  }
  if (command === 'backends') log(await backendsCommand(flags.includes('--json')));
  if (command === 'demo') await demoCommand(log);
  if (command === 'bench') await benchCommand(repoRoot(), args[0], log);
  return 0;
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '');
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`krylov: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
