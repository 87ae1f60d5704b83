import { plural, severityCounts } from './format-text';
import type { ReportedFinding, ScanResult } from './report';
import { categoryTitle, publicDocUri, ruleMeta } from './rule-info';

/** Findings listed per rule: a PR comment must stay readable (and under GitHub's 65,536 characters). */
const MAX_LISTED_PER_RULE = 25;

/**
 * A Markdown report for a pull-request comment: findings grouped by category, then rule, then file.
 * Kept on its own so that the readiness verdict (a later issue) can replace it.
 */
export function formatMarkdown(result: ScanResult): string {
  const out: string[] = ['## Headroom scan', ''];
  const { stats } = result;
  const scanned = `${plural(stats.filesScanned, 'file')} scanned`;
  if (stats.findings === 0) {
    out.push(`No findings · ${scanned}.`);
  } else {
    out.push(`**${plural(stats.findings, 'finding')}** (${severityCounts(result)}) in ${plural(result.files.length, 'file')} · ${scanned}.`);
  }

  // category → rule → file → findings
  const tree = new Map<string, Map<string, Map<string, ReportedFinding[]>>>();
  for (const file of result.files) {
    for (const f of file.findings) {
      const category = ruleMeta(f.ruleId)?.category ?? 'other';
      const rules = tree.get(category) ?? new Map<string, Map<string, ReportedFinding[]>>();
      tree.set(category, rules);
      const files = rules.get(f.ruleId) ?? new Map<string, ReportedFinding[]>();
      rules.set(f.ruleId, files);
      const list = files.get(file.path) ?? [];
      files.set(file.path, list);
      list.push(f);
    }
  }
  for (const category of [...tree.keys()].sort()) {
    out.push('', `### ${categoryTitle(category)}`);
    const rules = tree.get(category)!;
    for (const ruleId of [...rules.keys()].sort()) {
      const files = rules.get(ruleId)!;
      const count = [...files.values()].reduce((n, l) => n + l.length, 0);
      const title = ruleMeta(ruleId)?.title;
      const doc = publicDocUri(ruleId);
      const name = doc ? `[\`${ruleId}\`](${doc})` : `\`${ruleId}\``;
      out.push('', `#### ${name}${title ? ` — ${escape(title)}` : ''} (${count})`);
      let listed = 0;
      for (const path of [...files.keys()].sort()) {
        if (listed >= MAX_LISTED_PER_RULE) break;
        out.push('', `\`${path}\``);
        for (const f of files.get(path)!.slice(0, MAX_LISTED_PER_RULE - listed)) {
          out.push(`- **${f.line}:${f.column}** ${f.severity} — ${escape(f.message)}`);
          listed++;
        }
      }
      if (count > listed) out.push('', `…and ${count - listed} more (see the full report: \`headroom --format sarif\` or \`--format json\`).`);
    }
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

/** Keeps messages on one line and keeps `<` outside code spans from opening HTML. */
function escape(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;')))
    .join('');
}
