import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { ResolvedConfig } from '../config/config';
import { fillThrough, reached } from '../engine/analyzer';
import type { ReportedFinding, ReportedRelated, WorkspaceContribution } from '../cli/report';
import { Program, type ProgramFile } from '../model/program';

/**
 * The findings through calls that need the whole workspace: a loop in one file calling a helper
 * in another that queries, an async route calling a sync helper that blocks. Each file handed its
 * unconfirmed findings to the program (see analyzer.ts followCalls); here they are confirmed
 * against what the called function does across the workspace, with the chain in the message.
 */
export function programFindings(contributions: ReadonlyMap<string, WorkspaceContribution>, config: ResolvedConfig, display: (file: string) => string): Map<string, ReportedFinding[]> {
  const out = new Map<string, ReportedFinding[]>();
  const files: ProgramFile[] = [];
  for (const [file, c] of contributions) {
    if (!c.program) continue;
    files.push({ path: file, language: c.program.language, summary: c.program.summary, imports: c.program.imports, reexports: c.program.reexports, goPackage: c.program.goPackage });
  }
  if (!files.some((f) => (contributions.get(f.path)?.program?.deferred.length ?? 0) > 0)) return out;
  const program = new Program(files, readText);
  for (const f of files) {
    const c = contributions.get(f.path)!;
    for (const d of c.program!.deferred) {
      if (config.rules[d.ruleId] === 'off') continue;
      const ref = program.resolve(f.path, d.target);
      const hit = ref && reached(program, ref, d.needs);
      if (!hit) continue;
      if (c.suppressions.some((s) => s.line === d.at.line && (s.ruleIds.includes(d.ruleId) || s.ruleIds.includes('*')))) continue;
      const steps = hit.chain.map((s) => `\`${s.text}\` (${display(s.file)}:${s.at?.line ?? '?'})`);
      const message = fillThrough(d.message, steps.join(' → '), hit.site.text);
      const related: ReportedRelated[] = hit.chain
        .filter((s) => s.at)
        .map((s, i) => ({
          message: i === hit.chain.length - 1 ? `${hit.site.text}: ${hit.effect}` : `calls \`${s.text}\``,
          ...s.at!,
          ...(s.file !== f.path ? { path: display(s.file), absPath: s.file } : {}),
        }));
      const configured = config.rules[d.ruleId];
      const finding: ReportedFinding = {
        ruleId: d.ruleId,
        severity: configured && configured !== 'off' ? configured : d.severity,
        message,
        ...d.at,
        related,
        // Position-free: the rule, the call as written and what it reaches.
        fingerprint: `${createHash('sha256').update(d.ruleId).update('\0').update(hit.chain.map((s) => s.text).join('>')).digest('hex').slice(0, 32)}:1`,
      };
      out.set(f.path, [...(out.get(f.path) ?? []), finding]);
    }
  }
  return out;
}

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}
