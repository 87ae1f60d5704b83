// `npm run fuzz -- --edits 10000 --seed N [--lang py|go|ts|js] [--budget-ms 5000] [--compare-every 20]`:
// the seeded protocol fuzzer against dist/server.js (or $HEADROOM_FUZZ_SERVER). Exit code 1 when anything failed.
import * as path from 'path';
import { repoRoot } from '../lsp-client';
import { LANGS, type Lang } from './corpus';
import { defaultOptions, runFuzz, type Phase } from './fuzz';
import { formatReport, writeReport } from './report';

const USAGE = `usage: npm run fuzz -- [--edits N] [--seed N] [--lang py,go,ts,js] [--budget-ms MS] [--compare-every N]
       [--phases targeted,bad-inputs,random] [--no-large] [--only NAME] [--no-shrink] [--shrink-ms MS] [--out DIR]`;

function parse(argv: string[]) {
  const o = { ...defaultOptions(), out: path.join(repoRoot(), 'test-output', 'fuzz') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i] ?? '';
    const num = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number`);
      return n;
    };
    switch (flag) {
      case '--edits': o.edits = num(); break;
      case '--seed': o.seed = num(); break;
      case '--budget-ms': o.budgetMs = num(); break;
      case '--compare-every': o.compareEvery = Math.max(1, num()); break;
      case '--shrink-ms': o.shrinkMs = num(); break;
      case '--lang': {
        const langs = value().split(',') as Lang[];
        if (langs.some((l) => !LANGS.includes(l))) throw new Error(`--lang takes ${LANGS.join(', ')}`);
        o.langs = langs;
        break;
      }
      case '--phases': o.phases = value().split(',') as Phase[]; break;
      case '--only': o.only = value(); break;
      case '--no-large': o.large = false; break;
      case '--no-shrink': o.shrink = false; break;
      case '--out': o.out = path.resolve(value()); break;
      case '--help': console.log(USAGE); process.exit(0); break;
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const report = await runFuzz({ ...opts, progress: (l) => console.log(l) });
  console.log(formatReport(report));
  const files = writeReport(opts.out, report);
  console.log(`\nwrote ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
  process.exit(report.failures.length > 0 ? 1 : 0);
}

void main();
