import { parseArgs } from 'node:util';

const HELP = `krylov <command> [options]

commands:
  backends [--json]   list every backend, available or not and why
  doctor [--json]     every backend, why it is unavailable, and the fix (prebuilt binaries,
                      skipped install scripts, missing compiler or libraries, CUDA runtime)
  demo                run a representative workload from every package on each available backend
  bench [filter]      run the benchmark suites (all, or those whose name or file matches filter),
                      print tables and write docs/bench/<suite>.json and .md
  help                this text`;

type Options = Record<string, { type: 'boolean' | 'string' }>;
/** Each command's options and how many positional arguments it takes. */
const COMMANDS: Record<string, { options: Options; positionals: number }> = {
  backends: { options: { json: { type: 'boolean' } }, positionals: 0 },
  doctor: { options: { json: { type: 'boolean' } }, positionals: 0 },
  demo: { options: {}, positionals: 0 },
  bench: { options: {}, positionals: 1 },
  help: { options: {}, positionals: 0 },
};

/** Parses argv (util.parseArgs, strict: unknown options and extra arguments are errors) and runs a command; returns the exit code (2 for usage errors). */
export async function main(
  argv: string[],
  log: (s: string) => void = console.log,
  error: (s: string) => void = console.error,
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h' || rest.includes('--help')) {
    log(HELP);
    return 0;
  }
  const spec = COMMANDS[command];
  if (!spec) {
    error(`krylov: unknown command '${command}'\n\n${HELP}`);
    return 2;
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: spec.options,
      allowPositionals: spec.positionals > 0,
      strict: true,
    }));
  } catch (e) {
    const err = e as Error & { code?: string };
    const option = /option '([^']+)'/.exec(err.message)?.[1];
    const argument = /argument '([^']+)'/.exec(err.message)?.[1];
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option)
      error(`krylov ${command}: unknown option ${option}`);
    else if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && argument)
      error(`krylov ${command}: unexpected argument '${argument}'`);
    else error(`krylov ${command}: ${err.message}`);
    return 2;
  }
  if (positionals.length > spec.positionals) {
    error(`krylov ${command}: unexpected argument '${positionals[spec.positionals]}'`);
    return 2;
  }
  // Each command is loaded on use: `backends` and `doctor` need only @krylov/core-array (and
  // whichever backend plugins are installed), not the packages the demo and benchmarks import.
  if (command === 'backends')
    log(await (await import('./backends.js')).backendsCommand(values.json === true));
  if (command === 'doctor') log(await (await import('./doctor.js')).doctorCommand(values.json === true));
  if (command === 'demo') await (await import('./demo/run.js')).demoCommand(log);
  if (command === 'bench') {
    const [{ benchCommand }, { repoRoot }] = await Promise.all([
      import('./bench/runner.js'),
      import('./paths.js'),
    ]);
    await benchCommand(repoRoot(), positionals[0], log);
  }
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
