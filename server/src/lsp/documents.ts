import type { Point, Tree } from 'tree-sitter';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { UnitCache, type AnalysisResult } from '../engine/analyzer';
import { parse } from '../engine/index';
import { grammarForDocument, type GrammarId } from '../engine/languages';
import { sameParse } from './reparse-check';

/** The last analysis of a document, tagged with what it was computed for. */
export interface DocumentAnalysis {
  revision: number;
  configGen: number;
  result: AnalysisResult;
  /** What the workspace rules saw of it (see document-analysis.ts contributionKey). */
  contributed: string;
  /** Not analysed, and why (too large, binary, too slow to parse): said once, as information. */
  skip?: { reason: string };
  /** Cut short by its time budget with progress made: the next request continues it from the units done. */
  resumable?: boolean;
}

/**
 * An open document: its text, and its syntax tree kept in step with every incremental change
 * (`tree.edit` per change, one `parse(text, oldTree)` before the next analysis).
 */
export class OpenDocument {
  doc: TextDocument;
  readonly grammar: GrammarId | undefined;
  private tree: Tree | undefined;
  private treeStale = true;
  /** Where the text changed since the last parse (new-text offsets): what the re-parse check covers. */
  private edited: { start: number; end: number } | undefined;
  /** LSP counts a lone `\r` as a line break, tree-sitter does not: only then do their rows differ. */
  private loneCR: boolean;
  readonly units = new UnitCache();
  /**
   * Counts every change applied. Analyses are cached by it, never by the client's version number:
   * a client that repeats a version (or goes back) must not be served the analysis of other text.
   */
  revision = 0;
  analysis: DocumentAnalysis | undefined;
  /** Incremental parses that differed from a fresh parse of the same text (and were replaced by it). */
  reparseFallbacks = 0;

  constructor(uri: string, languageId: string, version: number, text: string) {
    this.doc = TextDocument.create(uri, languageId, version, text);
    this.loneCR = LONE_CR.test(text);
    this.grammar = grammarForDocument(languageId, uri);
  }

  get uri(): string {
    return this.doc.uri;
  }

  get version(): number {
    return this.doc.version;
  }

  get text(): string {
    return this.doc.getText();
  }

  applyChanges(changes: TextDocumentContentChangeEvent[], version: number): void {
    this.revision++;
    for (const change of changes) {
      if (!('range' in change) || !this.tree) {
        this.doc = TextDocument.update(this.doc, [change], version);
        this.loneCR = LONE_CR.test(this.doc.getText());
        this.units.reset();
        this.tree = undefined; // a whole-text replacement: parse from scratch
        this.treeStale = true;
        this.edited = undefined;
        continue;
      }
      const before = this.doc;
      const oldText = before.getText();
      // The text model orders a reversed range and clamps positions past a line's end or the
      // document's: take the offsets it uses, and the tree's points from those offsets.
      const range = ordered(change.range);
      const startIndex = before.offsetAt(range.start);
      const oldEndIndex = before.offsetAt(range.end);
      const newEndIndex = startIndex + change.text.length;
      const startPosition = pointAt(oldText, startIndex, before.positionAt(startIndex), this.loneCR);
      const oldEndPosition = pointAt(oldText, oldEndIndex, before.positionAt(oldEndIndex), this.loneCR);
      this.doc = TextDocument.update(before, [{ range, text: change.text }], version);
      this.units.noteEdit(startIndex, oldEndIndex, newEndIndex);
      this.edited = this.edited ? shiftSpan(this.edited, startIndex, oldEndIndex, newEndIndex) : { start: startIndex, end: newEndIndex };
      // A lone `\r` can only appear or vanish where a change inserts, removes or follows a `\r`.
      if (this.loneCR || change.text.includes('\r') || oldText[startIndex - 1] === '\r' || oldText.slice(startIndex, oldEndIndex).includes('\r')) {
        this.loneCR = LONE_CR.test(this.doc.getText());
      }
      this.tree.edit({
        startIndex,
        oldEndIndex,
        newEndIndex,
        startPosition,
        oldEndPosition,
        newEndPosition: advance(startPosition, change.text),
      });
      this.treeStale = true;
    }
    // Some clients send a version with no change: keep the version current anyway.
    if (this.doc.version !== version) this.doc = TextDocument.update(this.doc, [], version);
  }

  /** Whether the tree must be (re)parsed before the next analysis. */
  get needsParse(): boolean {
    return this.treeStale || !this.tree;
  }

  /**
   * The tree of the current text, re-parsed incrementally if edits are pending. `budgetMs` bounds
   * the parse (ParseBudgetExceeded). Units whose syntax changed are re-analysed even where their
   * span did not move, and an incremental parse that a fresh parse of the edited units contradicts
   * is replaced by a fresh parse of the whole text: the same text must always give the same findings.
   */
  currentTree(budgetMs?: number): Tree {
    if (!this.grammar) throw new Error(`no grammar for ${this.uri}`);
    if (!this.needsParse) return this.tree!;
    const text = this.text;
    const old = this.tree;
    let tree = parse(this.grammar, text, old, budgetMs);
    if (old) {
      const changed = old.getChangedRanges(tree);
      for (const r of changed) this.units.noteChanged(r.startIndex, r.endIndex);
      const span = union([...changed.map((r) => ({ start: r.startIndex, end: r.endIndex })), ...(this.edited ? [this.edited] : [])]);
      if (span && !sameParse(this.grammar, tree, text, span)) {
        this.reparseFallbacks++;
        tree = parse(this.grammar, text, undefined, budgetMs);
        this.units.reset();
      }
    }
    this.tree = tree;
    this.treeStale = false;
    this.edited = undefined;
    return tree;
  }
}

function ordered(range: Range): Range {
  const { start, end } = range;
  const reversed = start.line > end.line || (start.line === end.line && start.character > end.character);
  return reversed ? { start: end, end: start } : range;
}

/** An edited span of the new text, moved by a later edit [start, oldEnd) → [start, newEnd) and grown to cover it. */
function shiftSpan(span: { start: number; end: number }, start: number, oldEnd: number, newEnd: number): { start: number; end: number } {
  const delta = newEnd - oldEnd;
  const s = span.start > oldEnd ? span.start + delta : span.start;
  const e = span.end >= oldEnd ? span.end + delta : span.end;
  return { start: Math.min(s, start), end: Math.max(e, newEnd) };
}

function union(spans: { start: number; end: number }[]): { start: number; end: number } | undefined {
  if (spans.length === 0) return undefined;
  return { start: Math.min(...spans.map((s) => s.start)), end: Math.max(...spans.map((s) => s.end)) };
}

/**
 * A tree-sitter point: rows split on `\n` only, columns in UTF-16 code units (as the Node binding
 * counts them). It equals the LSP position except after a lone `\r`, which LSP treats as a line break.
 */
function pointAt(text: string, offset: number, lsp: { line: number; character: number }, loneCR: boolean): Point {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const column = offset - lineStart;
  if (!loneCR) return { row: lsp.line, column };
  let row = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) row++;
  return { row, column };
}

const LONE_CR = /\r(?!\n)/;

function advance(start: Point, inserted: string): Point {
  const lastNl = inserted.lastIndexOf('\n');
  if (lastNl < 0) return { row: start.row, column: start.column + inserted.length };
  let rows = 0;
  for (let i = inserted.indexOf('\n'); i >= 0; i = inserted.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: inserted.length - lastNl - 1 };
}

export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    const d = new OpenDocument(uri, languageId, version, text);
    this.docs.set(uri, d);
    return d;
  }

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  close(uri: string): void {
    this.docs.delete(uri);
  }

  all(): IterableIterator<OpenDocument> {
    return this.docs.values();
  }
}
