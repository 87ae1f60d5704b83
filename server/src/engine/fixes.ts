import type { SyntaxNode } from 'tree-sitter';
import type { ResolvedConfig } from '../config/config';
import type { AnalysisInput, Finding } from './analyzer';
import type { Catalogue } from './catalogue';
import { queryLanguageOf } from './languages';
import { log } from './log';
import { PREDICATES, enclosingFunction } from './predicates';
import type { CheckContext, TextEditInit } from './rule-api';
import { UNUSED_SUPPRESSION } from './suppressions';
import { fileContextOf, type FileContext } from '../model/file-context';

export interface Fix {
  ruleId: string;
  fixId: string;
  title: string;
  /** Unsafe fixes change behaviour: they are never preferred and never part of fix-all. */
  safe: boolean;
  preferred: boolean;
  edits: TextEditInit[];
}

export const IGNORE_FIX_ID = 'ignore';

export interface FixOptions {
  /** Offer "ignore this finding" after the real fixes (a setting can switch it off). */
  offerIgnore: boolean;
}

/** The node a finding was reported on, found again in the tree of the same version. */
export function findingNode(root: SyntaxNode, f: Finding): SyntaxNode | undefined {
  let node: SyntaxNode | null = root.descendantForIndex(f.start, f.end);
  while (node && (node.startIndex !== f.start || node.endIndex !== f.end || node.type !== f.nodeType)) {
    const parent: SyntaxNode | null = node.parent;
    if (!parent || parent.startIndex > f.start || parent.endIndex < f.end) break;
    node = parent;
  }
  return node && node.startIndex === f.start && node.endIndex === f.end ? node : undefined;
}

/** The fixes a finding offers, real fixes first (safe before unsafe), then "ignore". */
export function fixesFor(finding: Finding, input: AnalysisInput & { file?: FileContext }, config: ResolvedConfig, catalogue: Catalogue, options: FixOptions): Fix[] {
  const out: Fix[] = [];
  const language = queryLanguageOf(input.grammar);
  if (finding.ruleId === UNUSED_SUPPRESSION.id) {
    const meta = UNUSED_SUPPRESSION.fixes[0];
    out.push({ ruleId: finding.ruleId, fixId: meta.id, title: meta.title, safe: true, preferred: true, edits: [removeComment(input.text, finding)] });
    return out;
  }
  const rule = catalogue.rule(finding.ruleId);
  if (!rule) return out;
  const node = findingNode(input.tree.rootNode, finding);
  if (node) {
    const file = input.file ?? fileContextOf(input.tree.rootNode, language, input.text, input.path, input.manifest);
    const ctx: CheckContext = {
      config,
      file,
      is: (name, n) => PREDICATES[name](n, language, file),
      enclosingFunction: (n) => enclosingFunction(n, language),
    };
    for (const meta of rule.meta.fixes) {
      const provider = rule.fixes?.[meta.id];
      if (!provider) continue;
      try {
        const edits = provider({ node, root: input.tree.rootNode, text: input.text, grammar: input.grammar, language, data: finding.data, config }, ctx);
        if (edits && edits.length > 0) out.push({ ruleId: finding.ruleId, fixId: meta.id, title: meta.title, safe: meta.safe, preferred: false, edits });
      } catch (e) {
        log.once(`${rule.meta.id}/${meta.id}:${(e as Error).message}`, `fix ${meta.id} of ${rule.meta.id} failed: ${(e as Error).stack ?? String(e)}`);
      }
    }
  }
  out.sort((a, b) => Number(b.safe) - Number(a.safe));
  const firstSafe = out.find((f) => f.safe);
  if (firstSafe) firstSafe.preferred = true;
  const ignore = options.offerIgnore ? ignoreEdit(input.tree.rootNode, input.text, finding, language === 'python' ? '#' : '//') : undefined;
  if (ignore) {
    out.push({
      ruleId: finding.ruleId,
      fixId: IGNORE_FIX_ID,
      title: `Ignore this finding (headroom-ignore[${finding.ruleId}])`,
      safe: false,
      preferred: false,
      edits: [ignore],
    });
  }
  return out;
}

/**
 * The safe fixes of all findings, as one set of non-overlapping edits against the analysed text.
 * Where two fixes collide, the first (in document order) wins; identical insertions (an import
 * two fixes both need) are made once. With a `deadline` (performance.now()), findings after it
 * are left out: each safe fix stands on its own, so applying some of them is still safe.
 */
export function fixAllEdits(findings: Finding[], input: AnalysisInput & { file?: FileContext }, config: ResolvedConfig, catalogue: Catalogue, deadline = Infinity): TextEditInit[] {
  const chosen: TextEditInit[] = [];
  // One file context for every fix (building it is a walk of the file).
  if (!input.file && findings.length > 0) input = { ...input, file: fileContextOf(input.tree.rootNode, queryLanguageOf(input.grammar), input.text, input.path, input.manifest) };
  const seen = new Set<string>();
  for (const f of findings) {
    if (performance.now() > deadline) break;
    const fix = fixesFor(f, input, config, catalogue, { offerIgnore: false }).find((x) => x.safe && x.fixId !== IGNORE_FIX_ID);
    if (!fix) continue;
    const fresh = fix.edits.filter((e) => !seen.has(editKey(e)));
    if (fresh.some((e) => chosen.some((c) => overlaps(c, e)))) continue;
    for (const e of fresh) {
      chosen.push(e);
      seen.add(editKey(e));
    }
  }
  return chosen.sort((a, b) => a.start - b.start || a.end - b.end);
}

function editKey(e: TextEditInit): string {
  return `${e.start}:${e.end}:${e.newText}`;
}

function overlaps(a: TextEditInit, b: TextEditInit): boolean {
  if (a.start === a.end && b.start === b.end) return a.start === b.start; // two inserts at one point: order would be ambiguous
  return a.start < b.end && b.start < a.end;
}

/** Applies non-overlapping edits to a text (used by fix-all in the CLI and by the tests). */
export function applyEdits(text: string, edits: readonly TextEditInit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * The comment that suppresses a finding: added to a suppression alone on the line above, or a new
 * one above the line, or after the code on the line. Text inserted inside a token that spans the
 * insertion point (a block comment or string running across lines) would be no comment at all:
 * such a place is skipped, and where there is none, no ignore fix is offered.
 */
function ignoreEdit(root: SyntaxNode, text: string, f: Finding, marker: string): TextEditInit | undefined {
  const ls = lineStartOf(text, f.start);
  const indent = /^[ \t]*/.exec(text.slice(ls, ls + 200))![0];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  // An existing suppression alone on the line above gets the rule added to its list.
  if (ls > 0) {
    const prevStart = lineStartOf(text, ls - 1);
    const prev = text.slice(prevStart, ls).replace(/\r?\n$/, '');
    const m = /^(\s*)((?:#|\/\/)\s*headroom-ignore\[)([^\]]*)\]/.exec(prev);
    const comment = m ? root.descendantForIndex(prevStart + m[1].length, prevStart + m[1].length + 1) : undefined;
    if (m && comment?.type === 'comment' && comment.startIndex === prevStart + m[1].length) {
      const at = prevStart + m[1].length + m[2].length + m[3].length;
      return { start: at, end: at, newText: `, ${f.ruleId}` };
    }
  }
  if (!splitsToken(root, ls)) return { start: ls, end: ls, newText: `${indent}${marker} headroom-ignore[${f.ruleId}]${eol}` };
  const nl = text.indexOf('\n', f.start);
  const le = nl < 0 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl;
  if (!splitsToken(root, le)) return { start: le, end: le, newText: ` ${marker} headroom-ignore[${f.ruleId}]` };
  return undefined;
}

/** Whether a token (a comment, a string, any leaf) runs across this offset: text inserted there lands inside it. */
function splitsToken(root: SyntaxNode, offset: number): boolean {
  const n = root.descendantForIndex(offset, offset);
  return n.startIndex < offset && offset < n.endIndex && (n.childCount === 0 || /comment|string|template/.test(n.type));
}

function removeComment(text: string, f: Finding): TextEditInit {
  const ls = lineStartOf(text, f.start);
  if (text.slice(ls, f.start).trim() === '') {
    const nl = text.indexOf('\n', f.end);
    return { start: ls, end: nl < 0 ? text.length : nl + 1, newText: '' };
  }
  let start = f.start;
  while (start > ls && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  return { start, end: f.end, newText: '' };
}
