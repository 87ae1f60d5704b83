import { CATEGORY_TITLES, type Category, type RuleMeta, type Scale, type Severity } from '../engine/rule-api';

/**
 * The readiness model: one judgement per category and one verdict for the target scale, built
 * from findings and evidence only: every statement it makes points at code. The CLI's Markdown
 * report and the editor's sidebar both render this, so they never disagree.
 */

export type CategoryStatus = 'blocker' | 'at-risk' | 'ok' | 'not-detected';

/** A finding or a piece of evidence, located in the workspace. */
export interface Located {
  ruleId: string;
  message: string;
  /** Workspace-relative, `/`-separated. */
  path: string;
  /** 1-based. */
  line: number;
  column: number;
  endLine?: number;
  /** Exclusive. */
  endColumn?: number;
  /** The file's URI, for the editor to open it. */
  uri?: string;
}

export interface ReadinessFinding extends Located {
  severity: Severity;
}

export interface CategoryReadiness {
  category: Category;
  title: string;
  status: CategoryStatus;
  /** Why it has that status, in words (the sidebar's and the report's status column). */
  reason: string;
  counts: Record<Severity, number>;
  findings: ReadinessFinding[];
  evidence: Located[];
}

export interface Readiness {
  targetUsers: Scale;
  /** False when any category has a blocker. */
  ready: boolean;
  /** "Not ready for 100K users: 3 blockers in connection pooling and query bounds." */
  verdict: string;
  categories: CategoryReadiness[];
  filesScanned: number;
  /** False before the workspace has been scanned: then the verdict says so and judges nothing. */
  scanned: boolean;
  /** What the verdict could not see (files that could not be read), in words. */
  notes: string[];
}

export const SCALE_WORDS: Readonly<Record<Scale, string>> = { '1k': '1K users', '10k': '10K users', '100k': '100K users', '1m': '1M users' };

export interface ReadinessInput {
  findings: ReadinessFinding[];
  evidence: Located[];
  /** The catalogue's rules: findings of any other rule (the engine's unused-suppression) are not about scale. */
  rules: readonly RuleMeta[];
  targetUsers: Scale;
  filesScanned: number;
  /** Default true (the CLI always scans); an editor that has not finished its first scan says false. */
  scanned?: boolean;
  notes?: string[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function list(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function where(l: Located): string {
  return `${l.path}:${l.line}`;
}

export function buildReadiness(input: ReadinessInput): Readiness {
  const categoryOf = new Map(input.rules.map((r) => [r.id, r.category]));
  const scale = SCALE_WORDS[input.targetUsers];
  const categories = (Object.keys(CATEGORY_TITLES) as Category[]).map((category): CategoryReadiness => {
    const findings = input.findings.filter((f) => categoryOf.get(f.ruleId) === category);
    const evidence = input.evidence.filter((e) => categoryOf.get(e.ruleId) === category);
    const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
    for (const f of findings) counts[f.severity]++;
    let status: CategoryStatus;
    let reason: string;
    if (counts.error > 0) {
      status = 'blocker';
      reason = `${plural(counts.error, 'blocker')}${counts.warning > 0 ? ` and ${plural(counts.warning, 'warning')}` : ''}`;
    } else if (counts.warning > 0) {
      status = 'at-risk';
      reason = plural(counts.warning, 'warning');
    } else if (evidence.length > 0) {
      status = 'ok';
      const first = evidence[0];
      reason = `${first.message} in ${where(first)}${evidence.length > 1 ? ` (and ${evidence.length - 1} more)` : ''}`;
    } else if (findings.length > 0) {
      // Only informational findings: the configured scale says they do not matter yet.
      status = 'ok';
      reason = `${plural(findings.length, 'informational finding')}: not a risk at ${scale}`;
    } else {
      status = 'not-detected';
      reason = 'nothing found, for or against';
    }
    return { category, title: CATEGORY_TITLES[category], status, reason, counts, findings, evidence };
  });

  const blockers = categories.filter((c) => c.status === 'blocker');
  const atRisk = categories.filter((c) => c.status === 'at-risk');
  const lower = (cs: CategoryReadiness[]) => list(cs.map((c) => c.title.toLowerCase()));
  let verdict: string;
  const scanned = input.scanned ?? true;
  if (!scanned) {
    // Never an all-clear without having looked: open files alone are not the workspace.
    verdict = `Not scanned yet: readiness for ${scale} is judged after a workspace scan.`;
  } else if (blockers.length > 0) {
    const n = blockers.reduce((a, c) => a + c.counts.error, 0);
    verdict = `Not ready for ${scale}: ${plural(n, 'blocker')} in ${lower(blockers)}.`;
  } else if (atRisk.length > 0) {
    const n = atRisk.reduce((a, c) => a + c.counts.warning, 0);
    verdict = `At risk at ${scale}: ${plural(n, 'warning')} in ${lower(atRisk)}.`;
  } else {
    const handled = categories.filter((c) => c.status === 'ok' && c.evidence.length > 0);
    verdict = `No blockers or warnings for ${scale}${handled.length > 0 ? `; the code shows ${lower(handled)} handled` : ''}.`;
  }
  return { targetUsers: input.targetUsers, ready: scanned && blockers.length === 0, verdict, categories, filesScanned: input.filesScanned, scanned, notes: input.notes ?? [] };
}
