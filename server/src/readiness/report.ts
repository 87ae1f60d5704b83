import { pathToFileURL } from 'node:url';
import { buildReadiness, type CategoryReadiness, type CategoryStatus, type Readiness } from './model';
import { plural, severityCounts } from '../cli/format-text';
import type { ScanResult } from '../cli/report';
import { engine } from '../engine/index';
import { UNUSED_SUPPRESSION } from '../engine/suppressions';
import { publicDocUri, ruleMeta } from '../cli/rule-info';
import { pushTo } from '../engine/multimap';

/** Findings listed per rule: a PR comment must stay readable (and under GitHub's 65,536 characters). */
const MAX_LISTED_PER_RULE = 25;

const STATUS: Readonly<Record<CategoryStatus, string>> = {
  blocker: '⛔ blocker',
  'at-risk': '⚠️ at risk',
  ok: '✅ OK',
  'not-detected': '— not detected',
};

/**
 * The readiness model of a scan: the same model the editor's sidebar shows. `scanned` is false
 * while an editor has not finished its first workspace scan.
 */
export function readinessOf(result: ScanResult, scanned = true): Readiness {
  const unreadable = result.errors.filter((e) => e.kind === 'read' || e.kind === 'path');
  const notes =
    unreadable.length === 0
      ? []
      : [`${plural(unreadable.length, 'path')} could not be read, so the verdict does not cover ${unreadable.length === 1 ? 'it' : 'them'}: ${unreadable.slice(0, 5).map((e) => e.path).join(', ')}${unreadable.length > 5 ? ', …' : ''}.`];
  return buildReadiness({
    scanned,
    notes,
    findings: result.files.flatMap((file) => {
      const uri = pathToFileURL(file.absPath).href;
      return file.findings.map((f) => ({ ruleId: f.ruleId, message: f.message, severity: f.severity, path: file.path, uri, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn }));
    }),
    evidence: result.evidence.map((e) => ({ ruleId: e.ruleId, message: e.message, path: e.path, uri: pathToFileURL(e.absPath).href, line: e.line, column: e.column, endLine: e.endLine, endColumn: e.endColumn })),
    rules: engine().catalogue.rules.map((r) => r.meta),
    targetUsers: result.targetUsers,
    filesScanned: result.stats.filesScanned,
  });
}

/**
 * The readiness report in Markdown (`--format markdown`, and the editor's "Export Readiness
 * Report"): the verdict, a table of categories, then every finding with its location, what breaks
 * and its fix, grouped by category and rule.
 */
export function formatMarkdown(result: ScanResult, afterScan = true): string {
  const readiness = readinessOf(result, afterScan);
  const out: string[] = ['## Headroom readiness report', '', `**${escape(readiness.verdict)}**`, ''];
  for (const note of readiness.notes) out.push(`> ${escape(note)}`, '');
  const { stats } = result;
  const scanned = `${plural(stats.filesScanned, 'file')} scanned`;
  out.push(stats.findings === 0 ? `No findings · ${scanned}.` : `${plural(stats.findings, 'finding')} (${severityCounts(result)}) · ${scanned}.`);
  out.push('', '| Category | Status | Errors | Warnings | Why |', '| --- | --- | ---: | ---: | --- |');
  for (const c of readiness.categories) {
    out.push(`| ${c.title} | ${STATUS[c.status]} | ${c.counts.error} | ${c.counts.warning} | ${escape(c.reason).replace(/\|/g, '\\|')} |`);
  }
  for (const c of readiness.categories) {
    if (c.findings.length === 0 && c.evidence.length === 0) continue;
    out.push('', `### ${c.title}`);
    renderEvidence(c, out);
    renderFindings(c, out);
  }
  // Findings outside the readiness categories (an unused suppression) are still the scan's findings.
  const other = result.files.flatMap((file) => file.findings.filter((f) => f.ruleId === UNUSED_SUPPRESSION.id).map((f) => ({ file, f })));
  if (other.length > 0) {
    out.push('', '### Unused suppressions');
    for (const { file, f } of other) out.push(`- \`${file.path}:${f.line}:${f.column}\` ${escape(f.message)}`);
  }
  if (result.skipped.length > 0) {
    out.push('', `<details><summary>Skipped ${plural(result.skipped.length, 'file')}</summary>`, '');
    for (const s of result.skipped) out.push(`- \`${s.path}\`: ${escape(s.note)}`);
    out.push('', '</details>');
  }
  if (result.errors.length > 0) {
    out.push('', `**${plural(result.errors.length, 'error')}:**`);
    for (const e of result.errors) out.push(`- ${escape(e.message)}`);
  }
  return `${out.join('\n')}\n`;
}

function renderEvidence(c: CategoryReadiness, out: string[]): void {
  if (c.evidence.length === 0) return;
  out.push('', 'Handled in the code:');
  for (const e of c.evidence.slice(0, MAX_LISTED_PER_RULE)) out.push(`- ${escape(e.message)}: \`${e.path}:${e.line}\``);
  if (c.evidence.length > MAX_LISTED_PER_RULE) out.push(`- …and ${c.evidence.length - MAX_LISTED_PER_RULE} more`);
}

function renderFindings(c: CategoryReadiness, out: string[]): void {
  const byRule = new Map<string, typeof c.findings>();
  for (const f of c.findings) pushTo(byRule, f.ruleId, f);
  for (const ruleId of [...byRule.keys()].sort()) {
    const findings = byRule.get(ruleId)!;
    const meta = ruleMeta(ruleId);
    const doc = publicDocUri(ruleId);
    const name = doc ? `[\`${ruleId}\`](${doc})` : `\`${ruleId}\``;
    out.push('', `#### ${name}${meta ? ` — ${escape(meta.title)}` : ''} (${findings.length})`);
    const fixes = meta?.fixes.map((f) => `${f.title}${f.safe ? '' : ' (changes behaviour)'}`) ?? [];
    if (fixes.length > 0) out.push('', `Fix: ${escape(fixes.join('; '))}. See \`rules/${ruleId}/doc.md\`.`);
    out.push('');
    for (const f of findings.slice(0, MAX_LISTED_PER_RULE)) out.push(`- \`${f.path}:${f.line}:${f.column}\` ${f.severity} — ${escape(f.message)}`);
    if (findings.length > MAX_LISTED_PER_RULE) {
      out.push('', `…and ${findings.length - MAX_LISTED_PER_RULE} more (the full list: \`headroom --format sarif\` or \`--format json\`).`);
    }
  }
}

/** Keeps messages on one line and keeps `<` outside code spans from opening HTML. */
function escape(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;')))
    .join('');
}
