import { parseArgs } from 'node:util';

export type Format = 'text' | 'json' | 'sarif' | 'markdown';
export type FailOn = 'error' | 'warning' | 'never';

export interface CliOptions {
  paths: string[];
  format: Format;
  failOn: FailOn;
  output: string | undefined;
  maxFileSizeKB: number | undefined;
  jobs: number | undefined;
  /** Apply ignore files and excludes to paths named on the command line too (as Ruff's flag does). */
  forceExclude: boolean;
  quiet: boolean;
  help: boolean;
  version: boolean;
}

const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'markdown'];
const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'never'];

export const USAGE = `Usage: headroom [options] [paths...]

Scans Python, Go and TypeScript/JavaScript files for scalability anti-patterns.
With no path, scans the current directory. Skips .git, node_modules, virtualenvs,
vendor, dist, build, __pycache__, what .gitignore ignores and the "exclude" globs
of .headroom.json. A path named on the command line is scanned even when an
enclosing .gitignore ignores it (and says so).

Options:
  -f, --format <text|json|sarif|markdown>  report format (default: text)
      --fail-on <error|warning|never>      exit with 1 when a finding is at or
                                           above this severity (default: error)
  -o, --output <file>                      write the report to a file
      --max-file-size <KB>                 skip larger files (default: 2048, or
                                           thresholds.maxFileSizeKB of .headroom.json)
  -j, --jobs <n>                           worker threads (default: one per core)
      --force-exclude                      also skip named paths that .gitignore or
                                           "exclude" cover (pre-commit hooks pass
                                           every staged file by name)
  -q, --quiet                              print findings only: no notes, no summary
  -h, --help                               show this help
  -v, --version                            show the version

Exit codes: 0 no failing findings, 1 findings at or above --fail-on,
2 usage, configuration or unreadable-path errors.
`;

export class UsageError extends Error {}

/** Parses the command line; throws UsageError with a message for people. */
export function parseOptions(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const format = (v.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${v.format}")`);
  const failOn = (v['fail-on'] ?? 'error') as FailOn;
  if (!FAIL_ON.includes(failOn)) throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')} (got "${v['fail-on']}")`);
  return {
    paths: parsed.positionals,
    format,
    failOn,
    output: v.output,
    maxFileSizeKB: v['max-file-size'] === undefined ? undefined : positive('--max-file-size', v['max-file-size'], false),
    jobs: v.jobs === undefined ? undefined : positive('--jobs', v.jobs, true),
    forceExclude: v['force-exclude'] ?? false,
    quiet: v.quiet ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', short: 'f' },
      'fail-on': { type: 'string' },
      output: { type: 'string', short: 'o' },
      'max-file-size': { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      'force-exclude': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

function positive(flag: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} needs a positive ${integer ? 'integer' : 'number'} (got "${text}")`);
  }
  return n;
}
