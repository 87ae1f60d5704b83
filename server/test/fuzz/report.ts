import * as fs from 'fs';
import * as path from 'path';
import type { Range } from 'vscode-languageserver-protocol/node';
import type { Recorder } from './executor';
import { FAILURE_CLASSES, type Failure, type Op } from './ops';
import type { Repro } from './shrink';

export interface FuzzReport {
  seed: number;
  ms: number;
  counts: Record<string, number>;
  failuresByClass: Record<string, number>;
  latency: { p50: number; p95: number; max: number; n: number };
  /** One entry per distinct failure (signature), with its shrunk repro when one was made. */
  failures: (Omit<Failure, 'trace'> & { count: number; repro?: Repro })[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function buildReport(seed: number, ms: number, rec: Recorder, repros: Map<string, Repro>): FuzzReport {
  const s = rec.stats;
  const lat = [...s.latencies].sort((a, b) => a - b);
  const failuresByClass: Record<string, number> = {};
  for (const c of FAILURE_CLASSES) failuresByClass[c] = rec.counts.get(c) ?? 0;
  return {
    seed,
    ms,
    counts: { edits: s.edits, pulls: s.pulls, codeActions: s.codeActions, races: s.races, comparisons: s.comparisons, comparisonsSkipped: s.comparisonsSkipped, fixesApplied: s.fixes, badInputs: s.badInputs, scenarios: s.scenarios, restarts: s.restarts },
    failuresByClass,
    latency: { p50: percentile(lat, 50), p95: percentile(lat, 95), max: lat[lat.length - 1] ?? 0, n: lat.length },
    failures: rec.distinct.map(({ trace: _trace, ...f }) => ({ ...f, repro: repros.get(f.signature) })),
  };
}

export function formatReport(r: FuzzReport): string {
  const lines: string[] = [];
  const c = r.counts;
  lines.push(`headroom fuzz: seed ${r.seed}, ${(r.ms / 1000).toFixed(1)} s`);
  lines.push(`  edits ${c.edits}, pulls ${c.pulls}, code actions ${c.codeActions}, races ${c.races}, comparisons ${c.comparisons} (${c.comparisonsSkipped} not judged: a budget ran out), fixes applied ${c.fixesApplied}, bad inputs ${c.badInputs}, scenarios ${c.scenarios}, server restarts ${c.restarts}`);
  lines.push(`  pull latency after an edit: p50 ${r.latency.p50} ms, p95 ${r.latency.p95} ms, max ${r.latency.max} ms (${r.latency.n} pulls)`);
  lines.push(`  failures: ${Object.entries(r.failuresByClass).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const f of r.failures) {
    lines.push('');
    lines.push(`FAIL [${f.cls}] ×${f.count} (${f.phase}${f.lang ? `, ${f.lang}` : ''}): ${f.detail}`);
    const sent = (f.input as { sent?: unknown[] } | undefined)?.sent;
    if (sent && sent.length > 0) lines.push(`  sent: ${short(sent)}`);
    if (f.repro && f.repro.steps.length + f.repro.docs.length > 0) lines.push(formatRepro(f.repro));
    else if (f.got !== undefined || f.expected !== undefined) lines.push(`  expected: ${short(f.expected)}\n  got: ${short(f.got)}`);
  }
  return lines.join('\n');
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 600 ? `${s.slice(0, 600)}…` : s;
}

/** A repro, one line per step, long texts cut (the JSON file under test-output/fuzz/ has them whole). */
export function formatRepro(repro: Repro): string {
  const t = (v: string) => {
    const j = JSON.stringify(v);
    return j.length > 300 ? `${j.slice(0, 300)}…" (${v.length} chars)` : j;
  };
  const r = (x: Range | undefined) => (x ? `${x.start.line}:${x.start.character}-${x.end.line}:${x.end.character}` : 'whole text');
  const step = (o: Op, indent: string): string[] => {
    switch (o.op) {
      case 'open':
        return [`${indent}open ${o.uri} (${o.languageId}, v${o.version}): ${t(o.text)}`];
      case 'change':
        return [`${indent}didChange ${o.uri} v${o.version}: ${o.changes.map((c) => `${r(c.range)} ← ${t(c.text)}`).join('; ') || '(no changes)'}`];
      case 'race':
        return [`${indent}in one write:`, ...o.ops.flatMap((x) => step(x, `${indent}  `))];
      case 'pull':
        return [`${indent}pull ${o.uri}${o.previous ? ' (with previousResultId)' : ''}${o.cancel ? ', cancelled at once' : ''}`];
      case 'codeAction':
        return [`${indent}codeAction ${o.uri} ${o.diag !== undefined ? `for diagnostic #${o.diag}` : r(o.range)}${o.only ? ` only ${JSON.stringify(o.only)}` : ''}`];
      case 'applyFix':
        return [`${indent}apply ${o.fixAll ? 'fix-all' : `fix #${o.action}`} of diagnostic #${o.diag} of ${o.uri}, then pull`];
      case 'compare':
        return [`${indent}pull ${o.uri} and compare with a fresh server`];
      default:
        return [];
    }
  };
  const lines = [
    `  repro (${repro.language ?? '?'}; ${repro.reproducesOnFreshServer === 'not checked' ? 'as run' : repro.reproducesOnFreshServer ? 'reproduces on a fresh server' : 'did NOT reproduce on a fresh server'}; ${repro.steps.length + repro.docs.length} ops, ${repro.docs.reduce((n, d) => n + d.text.length, 0)} chars, shrunk from ${repro.shrunkFrom.ops} ops, ${repro.shrunkFrom.chars} chars in ${repro.shrinkAttempts} attempts):`,
    ...repro.docs.map((d) => step({ op: 'open', ...d }, '    ')[0]),
    ...repro.steps.flatMap((o) => step(o, '    ')),
    `    expected: ${short(repro.expected)}`,
    `    got: ${short(repro.got)}`,
  ];
  return lines.join('\n');
}

/**
 * Writes the report as `<label>.json` and each repro as `<label>-<n>-<class>.json` to `dir`
 * (test-output/fuzz/ by default), after removing that label's files of an earlier run; returns the files written.
 */
export function writeReport(dir: string, r: FuzzReport, label = `seed-${r.seed}`): string[] {
  fs.mkdirSync(dir, { recursive: true });
  for (const old of fs.readdirSync(dir)) if (old === `${label}.json` || new RegExp(`^${label}-\\d+-[a-z-]+\\.json$`).test(old)) fs.rmSync(path.join(dir, old));
  const files: string[] = [];
  const summary = path.join(dir, `${label}.json`);
  fs.writeFileSync(summary, JSON.stringify(r, null, 2));
  files.push(summary);
  r.failures.forEach((f, i) => {
    if (!f.repro) return;
    const file = path.join(dir, `${label}-${i + 1}-${f.cls}.json`);
    fs.writeFileSync(file, JSON.stringify(f.repro, null, 2));
    files.push(file);
  });
  return files;
}
