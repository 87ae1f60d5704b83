import * as path from 'node:path';

/**
 * Deployment files (Dockerfiles, Procfiles, compose files, shell entrypoints, .env files) are not
 * parsed: Headroom only needs how many server processes they start, which is a flag on a command
 * line or one environment variable. Code that declares it (gunicorn.conf.py, pm2's
 * ecosystem.config.js, cluster forks) is read by the rules' tree-sitter queries instead.
 */

/** The export every process-count declaration becomes (deployment files and rules alike). */
export const PROCESS_COUNT = 'process-count';
/** The rule id that exports read from deployment files carry. */
export const DEPLOYMENT_SOURCE = 'deployment';

export type Runtime = 'python' | 'node';

export interface ProcessDeclaration {
  runtime: Runtime;
  /** Processes started: `count + perCpu × CPUs` (`pm2 -i max` is 0 + 1 per CPU; `deployment.cpus` says how many). */
  count: number;
  perCpu: number;
  /** What declared it, for messages: "gunicorn --workers", "WEB_CONCURRENCY". */
  source: string;
  /** UTF-16 offsets of the value in the file's text. */
  start: number;
  end: number;
}

const DEPLOYMENT_NAMES: readonly RegExp[] = [
  /^dockerfile(\.(?!(md|txt|rst)$)[\w.-]+)?$/i,
  /\.dockerfile$/i,
  /^containerfile$/i,
  /^procfile(\.(?!(md|txt|rst)$)[\w.-]+)?$/i,
  /^(docker-)?compose(\.[\w.-]+)?\.ya?ml$/i,
  /^\.env(\..+)?$/,
  /\.sh$/,
];

export function isDeploymentFile(file: string): boolean {
  const name = path.basename(file);
  return DEPLOYMENT_NAMES.some((re) => re.test(name));
}

/** A value: a number, or a shell default (`${WEB_CONCURRENCY:-4}`) whose default is taken. */
const VALUE = String.raw`(?:(\d+)|\$\{\w+:-(\d+)\})`;
/** Between a flag and its value: spaces, `=`, the quotes and commas of an exec-form `CMD [...]`, line continuations. */
const SEP = String.raw`(?:[\s"',=]|\\\r?\n)*`;

interface ServerCommand {
  word: RegExp;
  runtime: Runtime;
  flag: RegExp;
  /** Values the flag takes that mean one process per CPU. */
  perCpu?: RegExp;
}

const COMMANDS: readonly ServerCommand[] = [
  { word: /\bgunicorn\b/g, runtime: 'python', flag: new RegExp(String.raw`(?<![\w-])(-w|--workers)${SEP}${VALUE}`, 'g') },
  { word: /\buvicorn\b/g, runtime: 'python', flag: new RegExp(String.raw`(?<![\w-])(--workers)${SEP}${VALUE}`, 'g') },
  { word: /\bhypercorn\b/g, runtime: 'python', flag: new RegExp(String.raw`(?<![\w-])(-w|--workers)${SEP}${VALUE}`, 'g') },
  {
    word: /\bpm2(?:-runtime|-docker)?\b/g,
    runtime: 'node',
    flag: new RegExp(String.raw`(?<![\w-])(-i|--instances)${SEP}(?:${VALUE}|(max|-1))`, 'g'),
  },
];

const WEB_CONCURRENCY = new RegExp(String.raw`\bWEB_CONCURRENCY(?:["']?\s*[:=]\s*|\s+)["']?(\d+)`, 'g');

/** The end of the shell command that starts at `from`: the first line break not escaped by `\`, or `&&`, `;`, `|`. */
function commandEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' && text[i - 1] !== '\\' && !(text[i - 1] === '\r' && text[i - 2] === '\\')) return i;
    if (c === ';' || c === '|' || (c === '&' && text[i + 1] === '&')) return i;
  }
  return text.length;
}

/** Every process count a deployment file declares. */
export function readDeployment(text: string): ProcessDeclaration[] {
  const out: ProcessDeclaration[] = [];
  for (const cmd of COMMANDS) {
    cmd.word.lastIndex = 0;
    for (let w = cmd.word.exec(text); w; w = cmd.word.exec(text)) {
      const from = w.index + w[0].length;
      const extent = text.slice(from, commandEnd(text, from));
      cmd.flag.lastIndex = 0;
      const f = cmd.flag.exec(extent);
      if (!f) continue;
      const value = f[2] ?? f[3];
      const perCpu = f[4] !== undefined;
      const token = value ?? f[4]!;
      // The value is the last thing the flag regex matched: find it from the end of the match.
      const at = from + f.index + f[0].lastIndexOf(token);
      const count = perCpu ? 0 : Number(value);
      const one = perCpu || count === 0; // pm2's `-i 0` means one per CPU too
      out.push({ runtime: cmd.runtime, count: one ? 0 : count, perCpu: one ? 1 : 0, source: `${w[0]} ${f[1]}`, start: at, end: at + token.length });
      cmd.word.lastIndex = from + f.index + f[0].length;
    }
  }
  WEB_CONCURRENCY.lastIndex = 0;
  for (let m = WEB_CONCURRENCY.exec(text); m; m = WEB_CONCURRENCY.exec(text)) {
    const at = m.index + m[0].length - m[1].length;
    const count = Number(m[1]);
    if (count > 0) out.push({ runtime: 'python', count, perCpu: 0, source: 'WEB_CONCURRENCY', start: at, end: at + m[1].length });
  }
  return out.sort((a, b) => a.start - b.start);
}
