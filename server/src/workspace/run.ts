import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedConfig } from '../config/config';
import type { Catalogue } from '../engine/catalogue';
import { log } from '../engine/log';
import { isWithin } from '../engine/paths';
import type { LocatedExport, WorkspaceView } from '../engine/rule-api';
import type { ReportedFinding, WorkspaceContribution } from '../cli/report';
import { buildProgram, programFindings } from './program-findings';
import type { Program } from '../model/program';

/** A directory holding one of these is a project: a process count declared in it applies to the code under it. */
const PROJECT_MARKERS = ['package.json', 'pyproject.toml', 'requirements.txt', 'setup.py', 'Pipfile', 'go.mod'];

export interface WorkspaceInput {
  /** The workspace (scan) root: messages show paths relative to it, and it is the project of last resort. */
  root: string;
  config: ResolvedConfig;
  /** Absolute path → what that file contributes. */
  contributions: ReadonlyMap<string, WorkspaceContribution>;
  display(file: string): string;
  /** The workspace's program, when the caller built it already (it also annotates roles). */
  program?: Program;
}

/**
 * Runs the workspace rules over every file's exports. Findings come back per absolute path, already
 * filtered by the files' suppression comments; positions are those of the exports they are reported at.
 */
export function runWorkspaceRules(catalogue: Catalogue, input: WorkspaceInput): Map<string, ReportedFinding[]> {
  // Findings through calls into other files, confirmed against the workspace's program.
  const out = programFindings(input.contributions, input.config, input.display, input.program ?? buildProgram(input.contributions));
  const rules = catalogue.rules.filter((r) => r.workspace && input.config.rules[r.meta.id] !== 'off');
  if (rules.length === 0) return out;

  const byName = new Map<string, LocatedExport[]>();
  for (const file of [...input.contributions.keys()].sort()) {
    for (const [index, x] of input.contributions.get(file)!.exports.entries()) {
      const list = byName.get(x.name) ?? [];
      list.push({ ...x, file, index });
      byName.set(x.name, list);
    }
  }
  const projects = new Map<string, string>();
  const view: WorkspaceView = {
    config: input.config,
    exports: (name) => byName.get(name) ?? [],
    projectOf: (file) => projectOf(path.dirname(file), path.resolve(input.root), projects),
    display: input.display,
    within: isWithin,
  };

  for (const rule of rules) {
    let made;
    try {
      made = rule.workspace!(view);
    } catch (e) {
      log.once(`${rule.meta.id}:workspace:${(e as Error).message}`, `workspace rule ${rule.meta.id} failed: ${(e as Error).stack ?? String(e)}`);
      continue;
    }
    const meta = rule.meta;
    const configured = input.config.rules[meta.id];
    for (const f of made) {
      const file = f.at.file;
      const suppressed = input.contributions
        .get(file)
        ?.suppressions.some((s) => s.line === f.at.line && (s.ruleIds.includes(meta.id) || s.ruleIds.includes('*')));
      if (suppressed) continue;
      const severity = (configured !== 'off' ? configured : undefined) ?? f.severity ?? meta.severityAtScale?.[input.config.targetUsers] ?? meta.severity;
      const finding: ReportedFinding = {
        ruleId: meta.id,
        severity,
        message: f.message,
        line: f.at.line,
        column: f.at.column,
        endLine: f.at.endLine,
        endColumn: f.at.endColumn,
        related: (f.related ?? []).map((r) => ({
          message: r.message,
          line: r.at.line,
          column: r.at.column,
          endLine: r.at.endLine,
          endColumn: r.at.endColumn,
          exportIndex: r.at.index,
          ...(r.at.file !== file ? { path: input.display(r.at.file), absPath: r.at.file } : {}),
        })),
        exportIndex: f.at.index,
        // Position-free, like a file finding's: the rule and what the message says.
        fingerprint: `${createHash('sha256').update(meta.id).update('\0').update(f.message).digest('hex').slice(0, 32)}:1`,
      };
      const list = out.get(file) ?? [];
      list.push(finding);
      out.set(file, list);
    }
  }
  return out;
}

function projectOf(dir: string, root: string, cache: Map<string, string>): string {
  const seen: string[] = [];
  let found = root;
  for (let d = dir; ; d = path.dirname(d)) {
    const known = cache.get(d);
    if (known !== undefined) {
      found = known;
      break;
    }
    seen.push(d);
    if (PROJECT_MARKERS.some((m) => fs.existsSync(path.join(d, m)))) {
      found = d;
      break;
    }
    const rel = path.relative(root, d);
    if (d === root || rel.startsWith('..') || path.isAbsolute(rel) || path.dirname(d) === d) break;
  }
  for (const d of seen) cache.set(d, found);
  return found;
}
