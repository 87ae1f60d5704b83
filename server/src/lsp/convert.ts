import { URI } from 'vscode-uri';
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../engine/analyzer';
import type { Severity, TextEditInit } from '../engine/rule-api';
import { installRoot, ruleDocPath } from '../engine/paths';
import { UNUSED_SUPPRESSION } from '../engine/suppressions';
import type { Span } from '../cli/positions';
import type { ReportedFinding } from '../cli/report';

export const SOURCE = 'headroom';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The rule docs ship with the package (rules/<id>/doc.md), so the links work offline. */
export function docUri(ruleId: string): string {
  const file = ruleId === UNUSED_SUPPRESSION.id ? `${installRoot()}/rules/README.md` : ruleDocPath(ruleId);
  return URI.file(file).toString();
}

export function toDiagnostic(f: Finding, doc: TextDocument): Diagnostic {
  const d: Diagnostic = {
    range: { start: doc.positionAt(f.start), end: doc.positionAt(f.end) },
    severity: SEVERITY[f.severity],
    code: f.ruleId,
    codeDescription: { href: docUri(f.ruleId) },
    source: SOURCE,
    message: f.message,
  };
  if (f.related.length > 0) {
    d.relatedInformation = f.related.map((r) => ({
      location: { uri: doc.uri, range: { start: doc.positionAt(r.start), end: doc.positionAt(r.end) } },
      message: r.message,
    }));
  }
  if (f.ruleId === UNUSED_SUPPRESSION.id) d.tags = [DiagnosticTag.Unnecessary];
  return d;
}

export function toTextEdit(e: TextEditInit, doc: TextDocument): TextEdit {
  return { range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.newText };
}

/**
 * A workspace rule's finding (located 1-based, UTF-16 columns) as a diagnostic of the document at
 * `uri`; `current` gives where the document's exports are now, when it has moved since the join.
 */
export function reportedToDiagnostic(f: ReportedFinding, uri: string, current: (exportIndex: number | undefined) => Range | undefined = () => undefined): Diagnostic {
  const at = (s: Span) => ({ start: { line: s.line - 1, character: s.column - 1 }, end: { line: s.endLine - 1, character: s.endColumn - 1 } });
  const range = (s: Span & { exportIndex?: number }, sameFile: boolean) => (sameFile ? current(s.exportIndex) : undefined) ?? at(s);
  const d: Diagnostic = {
    range: range(f, true),
    severity: SEVERITY[f.severity],
    code: f.ruleId,
    codeDescription: { href: docUri(f.ruleId) },
    source: SOURCE,
    message: f.message,
  };
  if (f.related.length > 0) {
    d.relatedInformation = f.related.map((r) => ({ location: { uri: r.absPath ? URI.file(r.absPath).toString() : uri, range: range(r, !r.absPath) }, message: r.message }));
  }
  return d;
}
