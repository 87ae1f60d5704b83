import type { ScanResult } from './report';
import { TOOL_NAME, TOOL_VERSION, ruleMeta } from './rule-info';

/**
 * The machine-readable report. Positions are 1-based; columns count UTF-16 code units and
 * `endColumn` is exclusive (as in SARIF). Deterministic: no timings, sorted by path then position.
 */
export function formatJson(result: ScanResult): string {
  const report = {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    root: result.root,
    columnKind: 'utf16CodeUnits',
    findings: result.files.flatMap((file) =>
      file.findings.map((f) => {
        const meta = ruleMeta(f.ruleId);
        return {
          path: file.path,
          ruleId: f.ruleId,
          title: meta?.title,
          category: meta?.category,
          severity: f.severity,
          message: f.message,
          line: f.line,
          column: f.column,
          endLine: f.endLine,
          endColumn: f.endColumn,
          // Paths of related locations in other files are shown like the finding's; the rest is internal.
          related: f.related.map((r) => ({ message: r.message, line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn, ...(r.path ? { path: r.path } : {}) })),
          fingerprint: f.fingerprint,
          ...(f.role ? { role: f.role } : {}),
        };
      }),
    ),
    skipped: result.skipped,
    errors: result.errors,
    notes: result.notes,
    summary: {
      filesScanned: result.stats.filesScanned,
      bytesScanned: result.stats.bytesScanned,
      filesWithFindings: result.files.length,
      findings: result.stats.findings,
      ...result.stats.bySeverity,
      skipped: result.skipped.length,
      errors: result.errors.length,
    },
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
