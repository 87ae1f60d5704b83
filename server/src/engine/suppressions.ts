import type { ResolvedConfig } from '../config/config';
import type { DeferredSuppression, Finding } from './analyzer';
import type { Catalogue } from './catalogue';
import type { RuleMeta } from './rule-api';

/**
 * `# headroom-ignore[rule-id, other-rule]: reason` (or `//`). A comment alone on its line covers
 * the next line; a comment after code covers its own line.
 */
export interface Suppression {
  ruleIds: string[];
  reason: string;
  start: number;
  end: number;
}

const SYNTAX = /headroom-ignore\[([^\]]*)\](?:\s*:\s*(.*))?/;

export function parseSuppression(commentText: string, start: number, end: number): Suppression | undefined {
  const m = SYNTAX.exec(commentText);
  if (!m) return undefined;
  const ruleIds = m[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { ruleIds, reason: (m[2] ?? '').replace(/\s*\*\/\s*$/, '').trim(), start, end };
}

/** The engine's own diagnostic for a suppression comment that suppresses nothing. */
export const UNUSED_SUPPRESSION: RuleMeta = {
  id: 'unused-suppression',
  title: 'Unused headroom-ignore comment',
  category: 'query-bounds',
  severity: 'warning',
  message: 'This headroom-ignore comment suppresses nothing: the finding it was written for is gone.',
  languages: ['python', 'go', 'typescript'],
  fixes: [{ id: 'remove-suppression', title: 'Remove the unused headroom-ignore comment', safe: true }],
};

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The start offset of the line a suppression covers. */
function coveredLineStart(text: string, s: Suppression): number {
  const ls = lineStart(text, s.start);
  const alone = text.slice(ls, s.start).trim() === '';
  if (!alone) return ls;
  const nl = text.indexOf('\n', s.end);
  return nl < 0 ? text.length + 1 : nl + 1;
}

/**
 * Drops suppressed findings and adds one finding per suppression that suppressed nothing. Workspace
 * rules' findings do not exist yet when a file is analysed: suppressions naming them are handed
 * back (`deferred`) for the workspace pass, and never reported as unused here.
 */
export function resolveSuppressions(
  findings: Finding[],
  suppressions: Suppression[],
  text: string,
  config: ResolvedConfig,
  catalogue: Catalogue,
  /** Findings the workspace will confirm (through calls into other files): rule ids by the start of their line. */
  pending: ReadonlyMap<number, ReadonlySet<string>> = new Map(),
): { kept: Finding[]; deferred: DeferredSuppression[] } {
  if (suppressions.length === 0) return { kept: findings, deferred: [] };
  const deferred: DeferredSuppression[] = [];
  const isWorkspaceRule = (id: string): boolean => catalogue.rule(id)?.workspace !== undefined;
  const isPending = (s: Suppression, id: string): boolean => pending.get(coveredLineStart(text, s))?.has(id) ?? false;
  for (const s of suppressions) {
    const ids = s.ruleIds.filter((id) => id === '*' || isWorkspaceRule(id) || isPending(s, id));
    if (ids.length > 0) deferred.push({ ruleIds: ids, line: coveredLineStart(text, s) });
  }
  const byLine = new Map<number, { s: Suppression; used: Set<string> }[]>();
  const entries = suppressions.map((s) => ({ s, used: new Set<string>() }));
  for (const e of entries) {
    const line = coveredLineStart(text, e.s);
    const list = byLine.get(line) ?? [];
    list.push(e);
    byLine.set(line, list);
  }
  const kept = findings.filter((f) => {
    const entriesForLine = byLine.get(lineStart(text, f.start));
    const hit = entriesForLine?.find((e) => e.s.ruleIds.includes(f.ruleId) || e.s.ruleIds.includes('*'));
    if (hit) hit.used.add(f.ruleId);
    return !hit;
  });
  const unusedSeverity = config.rules[UNUSED_SUPPRESSION.id];
  if (!config.suppressions.reportUnused || unusedSeverity === 'off') return { kept, deferred };
  for (const { s, used } of entries) {
    const unknown = s.ruleIds.filter((id) => id !== '*' && !catalogue.meta(id));
    // A rule switched off in the configuration suppresses nothing by design: not worth a report.
    const stale = s.ruleIds.filter((id) => catalogue.meta(id) && !isWorkspaceRule(id) && !isPending(s, id) && !used.has(id) && config.rules[id] !== 'off');
    const wildcardUnused = s.ruleIds.includes('*') && used.size === 0;
    if (s.ruleIds.length === 0) {
      kept.push(unused(s, 'This headroom-ignore comment names no rule: write headroom-ignore[rule-id].', unusedSeverity));
    } else if (unknown.length > 0) {
      kept.push(unused(s, `Unknown rule ${unknown.map((u) => `"${u}"`).join(', ')} in headroom-ignore.`, unusedSeverity));
    } else if (stale.length > 0 || wildcardUnused) {
      const which = wildcardUnused ? 'anything' : stale.join(', ');
      kept.push(unused(s, `This headroom-ignore comment no longer suppresses ${which}: the finding is gone.`, unusedSeverity));
    }
  }
  return { kept, deferred };
}

function unused(s: Suppression, message: string, severity: ResolvedConfig['rules'][string] | undefined): Finding {
  return {
    ruleId: UNUSED_SUPPRESSION.id,
    start: s.start,
    end: s.end,
    message,
    severity: severity && severity !== 'off' ? severity : UNUSED_SUPPRESSION.severity,
    related: [],
    data: {},
    nodeType: 'comment',
  };
}
