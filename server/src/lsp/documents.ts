import type { Point, Tree } from 'tree-sitter';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { UnitCache, type AnalysisResult } from '../engine/analyzer';
import { parse } from '../engine/index';
import { grammarForDocument, type GrammarId } from '../engine/languages';

/**
 * An open document: its text, and its syntax tree kept in step with every incremental change
 * (`tree.edit` per change, one `parse(text, oldTree)` before the next analysis).
 */
export class OpenDocument {
  doc: TextDocument;
  readonly grammar: GrammarId | undefined;
  private tree: Tree | undefined;
  private treeStale = true;
  /** LSP counts a lone `\r` as a line break, tree-sitter does not: only then do their rows differ. */
  private loneCR: boolean;
  readonly units = new UnitCache();
  /** The last analysis, tagged with what it was computed for. */
  /** `contributed`: what the workspace rules saw of it (see server.ts contributionKey). */
  analysis: { version: number; configGen: number; result: AnalysisResult; contributed: string } | undefined;

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
    for (const change of changes) {
      if (!('range' in change) || !this.tree) {
        this.doc = TextDocument.update(this.doc, [change], version);
        this.loneCR = LONE_CR.test(this.doc.getText());
        this.units.reset();
        this.tree = undefined; // a whole-text replacement: parse from scratch
        this.treeStale = true;
        continue;
      }
      const before = this.doc;
      const oldText = before.getText();
      const startIndex = before.offsetAt(change.range.start);
      const oldEndIndex = before.offsetAt(change.range.end);
      const startPosition = pointAt(oldText, startIndex, change.range.start, this.loneCR);
      const oldEndPosition = pointAt(oldText, oldEndIndex, change.range.end, this.loneCR);
      this.doc = TextDocument.update(before, [change], version);
      this.units.noteEdit(startIndex, oldEndIndex, startIndex + change.text.length);
      // A lone `\r` can only appear or vanish where a change inserts, removes or follows a `\r`.
      if (this.loneCR || change.text.includes('\r') || oldText[startIndex - 1] === '\r' || oldText.slice(startIndex, oldEndIndex).includes('\r')) {
        this.loneCR = LONE_CR.test(this.doc.getText());
      }
      this.tree.edit({
        startIndex,
        oldEndIndex,
        newEndIndex: startIndex + change.text.length,
        startPosition,
        oldEndPosition,
        newEndPosition: advance(startPosition, change.text),
      });
      this.treeStale = true;
    }
    // Some clients send a version with no change: keep the version current anyway.
    if (this.doc.version !== version) this.doc = TextDocument.update(this.doc, [], version);
  }

  /** The tree of the current text, re-parsed incrementally if edits are pending. */
  currentTree(): Tree {
    if (!this.grammar) throw new Error(`no grammar for ${this.uri}`);
    if (this.treeStale || !this.tree) {
      this.tree = parse(this.grammar, this.text, this.tree);
      this.treeStale = false;
    }
    return this.tree;
  }
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
