import type { CodeAction, Diagnostic, Range, TextEdit } from 'vscode-languageserver-protocol/node';
import { rangeProblem } from './text-model';

/** The parts of a diagnostic that must match a fresh analysis: code, range, message, severity. */
export function diagKey(d: Diagnostic): string {
  const r = d.range;
  return `${String(d.code)} [${r?.start?.line}:${r?.start?.character}-${r?.end?.line}:${r?.end?.character}] sev ${d.severity}: ${d.message}`;
}

/** Multiset difference of two answers, ignoring order: what only the expected has, what only the other has. */
export function diffDiagnostics(expected: Diagnostic[], got: Diagnostic[]): { missing: string[]; extra: string[] } {
  const count = new Map<string, number>();
  for (const d of expected) count.set(diagKey(d), (count.get(diagKey(d)) ?? 0) + 1);
  const extra: string[] = [];
  for (const d of got) {
    const k = diagKey(d);
    const n = count.get(k) ?? 0;
    if (n > 0) count.set(k, n - 1);
    else extra.push(k);
  }
  const missing = [...count].flatMap(([k, n]) => Array<string>(n).fill(k));
  return { missing, extra };
}

export function sameDiagnostics(a: Diagnostic[], b: Diagnostic[]): boolean {
  const { missing, extra } = diffDiagnostics(a, b);
  return missing.length === 0 && extra.length === 0;
}

/** Out-of-range problems of a diagnostic answer (ranges, and related ranges in the same document). */
export function diagnosticRangeProblems(lines: { length: number }[], uri: string, items: Diagnostic[]): string[] {
  const out: string[] = [];
  for (const d of items) {
    const p = rangeProblem(lines, d.range);
    if (p) out.push(`${String(d.code)}: ${p}`);
    for (const rel of d.relatedInformation ?? []) {
      if (rel.location?.uri !== uri) continue;
      const q = rangeProblem(lines, rel.location.range);
      if (q) out.push(`${String(d.code)} related: ${q}`);
    }
  }
  return out;
}

export interface ActionEdits {
  title: string;
  /** The version of a versioned edit (documentChanges), undefined for plain `changes`. */
  version: number | null | undefined;
  edits: TextEdit[];
}

/** The edits of a code action for `uri`, from `documentChanges` or `changes`; other documents' edits are left out. */
export function actionEdits(a: CodeAction, uri: string): { found: ActionEdits[]; problems: string[] } {
  const found: ActionEdits[] = [];
  const problems: string[] = [];
  const e = a.edit;
  if (!e) return { found, problems };
  for (const dc of e.documentChanges ?? []) {
    const tde = dc as { textDocument?: { uri: string; version: number | null }; edits?: TextEdit[]; kind?: string };
    if (tde.kind) {
      problems.push(`"${a.title}" creates, renames or deletes a file (${tde.kind})`);
      continue;
    }
    if (tde.textDocument?.uri !== uri) continue;
    found.push({ title: a.title, version: tde.textDocument.version, edits: tde.edits ?? [] });
  }
  for (const [u, edits] of Object.entries(e.changes ?? {})) if (u === uri) found.push({ title: a.title, version: undefined, edits });
  return { found, problems };
}

/** Out-of-range and overlapping edits (LSP requires a TextDocumentEdit's edits not to overlap). */
export function editProblems(lines: { length: number }[], edits: TextEdit[]): string[] {
  const out: string[] = [];
  for (const e of edits) {
    const p = rangeProblem(lines, e.range);
    if (p) out.push(p);
  }
  if (out.length > 0) return out;
  const sorted = [...edits].sort((a, b) => cmp(a.range.start, b.range.start) || cmp(a.range.end, b.range.end));
  for (let i = 1; i < sorted.length; i++) {
    if (cmp(sorted[i - 1].range.end, sorted[i].range.start) > 0) out.push(`edits overlap: ${fmt(sorted[i - 1].range)} and ${fmt(sorted[i].range)}`);
  }
  return out;
}

function cmp(a: { line: number; character: number }, b: { line: number; character: number }): number {
  return a.line - b.line || a.character - b.character;
}

export function fmt(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

export function overlaps(a: Range, b: Range): boolean {
  return cmp(a.start, b.end) <= 0 && cmp(b.start, a.end) <= 0;
}

/** A log line worth a finding for bad input: a stack trace or several lines where one would do. */
export function isNoisy(message: string): boolean {
  return /\n\s+at /.test(message) || message.split('\n').filter((l) => l.trim()).length > 2;
}

/** First line, shortened: for one-line details. */
export function firstLine(s: string, max = 160): string {
  const l = s.split('\n')[0];
  return l.length > max ? `${l.slice(0, max)}…` : l;
}
