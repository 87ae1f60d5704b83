import { badInputPhase } from './bad-inputs';
import { LANGS, type Lang } from './corpus';
import { Recorder, Reference, Session } from './executor';
import type { Failure } from './ops';
import { randomPhase } from './random';
import { buildReport, type FuzzReport } from './report';
import { SCENARIOS } from './scenarios';
import { shrink, type Repro } from './shrink';

export type Phase = 'targeted' | 'bad-inputs' | 'random';

export interface FuzzOptions {
  seed: number;
  edits: number;
  langs: readonly Lang[];
  budgetMs: number;
  compareEvery: number;
  phases: readonly Phase[];
  /** Targeted scenarios with large inputs (each costs up to a budget when the server hangs). */
  large: boolean;
  /** Only scenarios and bad inputs whose name contains this. */
  only?: string;
  shrink: boolean;
  /** Per failure. */
  shrinkMs: number;
  /** Distinct failures shrunk at most (the others are reported with their detail only). */
  maxShrinks: number;
  progress?: (line: string) => void;
}

export function defaultOptions(): FuzzOptions {
  return { seed: 1, edits: 1000, langs: LANGS, budgetMs: 5000, compareEvery: 20, phases: ['targeted', 'bad-inputs', 'random'], large: true, shrink: true, shrinkMs: 30000, maxShrinks: 12 };
}

/** Runs the phases, shrinks what failed, and reports. The servers are always stopped. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const t0 = Date.now();
  const rec = new Recorder();
  const ref = new Reference();
  const say = opts.progress ?? (() => undefined);
  const repros = new Map<string, Repro>();
  try {
    if (opts.phases.includes('targeted')) {
      for (const s of SCENARIOS) {
        if ((s.large && !opts.large) || (opts.only && !s.name.includes(opts.only)) || !opts.langs.includes(s.lang as Lang)) continue;
        const before = rec.total;
        const session = new Session(rec, ref, { budgetMs: opts.budgetMs, phase: `targeted:${s.name}`, lang: s.lang });
        try {
          await session.start();
          rec.stats.scenarios++;
          for (const op of s.ops()) {
            await session.run(op);
            if (session.broken) break;
          }
        } finally {
          session.dispose();
        }
        say(`  scenario ${s.name}: ${rec.total > before ? `${rec.total - before} failure(s)` : 'ok'}`);
      }
    }
    if (opts.phases.includes('bad-inputs')) await badInputPhase(opts, rec, ref);
    if (opts.phases.includes('random')) {
      say(`  random: ${opts.edits} edits, seed ${opts.seed}, ${opts.langs.join('/')}`);
      await randomPhase({ seed: opts.seed, edits: opts.edits, langs: opts.langs, budgetMs: opts.budgetMs, compareEvery: opts.compareEvery, docs: 3, maxDocChars: 30000, progress: say }, rec, ref);
    }
    if (opts.shrink) {
      let shrunk = 0;
      for (const f of rec.distinct) {
        if (!f.trace || f.trace.length === 0) continue;
        if (f.phase.startsWith('targeted:') || (f.phase.startsWith('bad-input:') && f.cls === 'hang')) {
          // A scenario is its own small repro (replayed once to check it; a hang is not replayed, it costs a budget).
          repros.set(f.signature, f.cls === 'hang' ? asRepro(f) : await shrink(f, ref, { budgetMs: opts.budgetMs, timeMs: opts.shrinkMs, maxAttempts: 0 }));
          continue;
        }
        if (f.phase.startsWith('bad-input:')) {
          // Its ops shrink like any trace (what it sent raw is listed apart; without it the replay may not fail).
          repros.set(f.signature, await shrink(f, ref, { budgetMs: opts.budgetMs, timeMs: Math.min(opts.shrinkMs, 10000), maxAttempts: 100 }));
          continue;
        }
        if (shrunk++ >= opts.maxShrinks) break;
        say(`  shrinking [${f.cls}] ${f.detail.slice(0, 100)} (${f.trace.length} ops)`);
        repros.set(f.signature, await shrink(f, ref, { budgetMs: opts.budgetMs, timeMs: opts.shrinkMs, maxAttempts: 400 }));
      }
    }
  } finally {
    ref.kill();
  }
  return buildReport(opts.seed, Date.now() - t0, rec, repros);
}

function asRepro(f: Failure): Repro {
  const trace = f.trace ?? [];
  const leading = trace.findIndex((o) => o.op !== 'open');
  const opens = (leading < 0 ? trace : trace.slice(0, leading)) as Extract<(typeof trace)[number], { op: 'open' }>[];
  return {
    cls: f.cls,
    detail: f.detail,
    language: f.lang,
    docs: opens.map(({ uri, languageId, version, text }) => ({ uri, languageId, version, text })),
    steps: leading < 0 ? [] : trace.slice(leading),
    expected: f.expected,
    got: f.got,
    reproducesOnFreshServer: 'not checked',
    shrunkFrom: { ops: trace.length, chars: opens.reduce((s, o) => s + o.text.length, 0) },
    shrinkAttempts: 0,
  };
}
