// The command-line scanner (dist/cli.js, run by bin/headroom.js). Also exports `scan` for the
// benchmark and for programs that embed the scanner.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatJson } from './format-json';
import { formatMarkdown } from '../readiness/report';
import { formatSarif } from './format-sarif';
import { formatText } from './format-text';
import { parseOptions, USAGE, UsageError, type CliOptions } from './options';
import type { ScanResult } from './report';
import { TOOL_VERSION } from './rule-info';
import { scan } from './scan';

export { scan, type ScanOptions } from './scan';
export type { ScanResult } from './report';

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Runs the CLI and resolves to its exit code: 0 clean, 1 failing findings, 2 usage/config/path errors. */
export async function run(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }): Promise<number> {
  let options: CliOptions;
  try {
    options = parseOptions(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`headroom: ${e.message}\nRun "headroom --help" for usage.\n`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (options.version) {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }

  const progress = io.stderr.isTTY && !options.quiet ? progressLine(io.stderr) : undefined;
  let result: ScanResult;
  try {
    result = await scan(options.paths, {
      cwd: io.cwd,
      jobs: options.jobs,
      maxFileSizeKB: options.maxFileSizeKB,
      forceExclude: options.forceExclude,
      frames: options.format === 'text',
      onProgress: progress?.update,
    });
  } finally {
    progress?.clear();
  }

  const color = options.format === 'text' && !options.output && io.stdout.isTTY === true && wantsColor(io.env);
  const report = render(result, options, color);
  if (options.output) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(io.cwd, options.output)), { recursive: true });
      fs.writeFileSync(path.resolve(io.cwd, options.output), report);
    } catch (e) {
      io.stderr.write(`headroom: cannot write ${options.output}: ${(e as Error).message}\n`);
      return 2;
    }
  } else {
    io.stdout.write(report);
  }
  const configErrors = result.errors.filter((e) => e.kind === 'config');
  for (const e of configErrors) io.stderr.write(`${e.path}${e.line ? `:${e.line}:${e.column}` : ''}: error: ${e.message}\n`);
  if (configErrors.length > 0) io.stderr.write('headroom: the configuration has errors: the scan used the defaults for the invalid settings.\n');
  for (const e of result.errors) if (e.kind !== 'config') io.stderr.write(`headroom: ${e.message}\n`);
  if (!options.quiet) for (const n of result.notes) io.stderr.write(`headroom: note: ${n}\n`);
  if (result.errors.length > 0) return 2;
  return fails(result, options.failOn) ? 1 : 0;
}

function render(result: ScanResult, options: CliOptions, color: boolean): string {
  switch (options.format) {
    case 'json':
      return formatJson(result);
    case 'sarif':
      return formatSarif(result);
    case 'markdown':
      return formatMarkdown(result);
    case 'text':
      return formatText(result, { color, quiet: options.quiet });
  }
}

function fails(result: ScanResult, failOn: CliOptions['failOn']): boolean {
  const s = result.stats.bySeverity;
  if (failOn === 'never') return false;
  return failOn === 'error' ? s.error > 0 : s.error + s.warning > 0;
}

/** NO_COLOR (any non-empty value) turns colours off; FORCE_COLOR=0 too. */
function wantsColor(env: NodeJS.ProcessEnv): boolean {
  return !env.NO_COLOR && env.FORCE_COLOR !== '0';
}

/** A progress counter on one terminal line, redrawn at most ten times a second. */
function progressLine(stream: NodeJS.WriteStream): { update: (done: number, total: number) => void; clear: () => void } {
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[KScanning… ${done}/${total} files`);
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

/** The `headroom` command: runs with the process's arguments and sets its exit code. */
export function main(): void {
  // `headroom | head`: a closed pipe ends the output, not with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`headroom: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}

if (require.main === module) main();
