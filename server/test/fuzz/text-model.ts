import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range } from 'vscode-languageserver-protocol/node';

/** One content change of a didChange, as sent (a range may be reversed or out of the document on purpose). */
export interface Change {
  range?: Range;
  text: string;
}

/**
 * LSP lines: breaks are `\n`, `\r\n` and a lone `\r`. Each line's start offset and length in UTF-16
 * code units, without its break. Written independently of the text model, as the range oracle.
 */
export function lspLines(text: string): { start: number; length: number }[] {
  const lines: { start: number; length: number }[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      lines.push({ start, length: i - start });
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  lines.push({ start, length: text.length - start });
  return lines;
}

/** Why a range does not lie inside the text (UTF-16 positions), or undefined when it does. */
export function rangeProblem(lines: { length: number }[], range: Range | undefined | null): string | undefined {
  if (!range || !range.start || !range.end) return `no range: ${JSON.stringify(range)}`;
  for (const [name, p] of [['start', range.start], ['end', range.end]] as const) {
    if (!Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0) return `${name} ${JSON.stringify(p)} is not a position`;
    if (p.line >= lines.length) return `${name} line ${p.line} ≥ line count ${lines.length}`;
    if (p.character > lines[p.line].length) return `${name} ${p.line}:${p.character} beyond the line's ${lines[p.line].length} UTF-16 units`;
  }
  if (range.start.line > range.end.line || (range.start.line === range.end.line && range.start.character > range.end.character)) {
    return `start ${range.start.line}:${range.start.character} after end ${range.end.line}:${range.end.character}`;
  }
  return undefined;
}

/**
 * The client's copy of an open document. Changes are applied by vscode-languageserver-textdocument,
 * the LSP text model clients and the server share (it clamps positions and normalises a reversed
 * range), so the expected text is by definition what that model makes of the changes.
 */
export class DocModel {
  private doc: TextDocument;
  /** Texts of recent versions: a code action answered for an older version is checked against that text. */
  private readonly history = new Map<number, string>();

  constructor(
    readonly uri: string,
    readonly languageId: string,
    version: number,
    text: string,
  ) {
    this.doc = TextDocument.create(uri, languageId, version, text);
    this.remember();
  }

  get text(): string {
    return this.doc.getText();
  }

  get version(): number {
    return this.doc.version;
  }

  get lineCount(): number {
    return this.doc.lineCount;
  }

  lines(): { start: number; length: number }[] {
    return lspLines(this.text);
  }

  textAt(version: number): string | undefined {
    return this.history.get(version);
  }

  apply(changes: Change[], version: number): void {
    const events = changes.map((c) => (c.range ? { range: c.range, text: c.text } : { text: c.text }));
    this.doc = TextDocument.update(this.doc, events, version);
    this.remember();
  }

  positionAt(offset: number): Position {
    return this.doc.positionAt(offset);
  }

  offsetAt(p: Position): number {
    return this.doc.offsetAt(p);
  }

  private remember(): void {
    this.history.set(this.doc.version, this.doc.getText());
    if (this.history.size > 64) this.history.delete(this.history.keys().next().value as number);
  }
}
