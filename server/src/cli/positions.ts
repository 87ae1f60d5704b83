/**
 * 1-based line/column positions from UTF-16 offsets, as SARIF (`columnKind: utf16CodeUnits`), the
 * JSON report and editors' `file:line:col` links count them. A line ends at `\n`; the `\r` of a
 * CRLF belongs to the line ending, never to a column.
 */
export interface Span {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  endLine: number;
  /** 1-based and exclusive: the column just after the last character (SARIF's `endColumn`). */
  endColumn: number;
}

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The 0-based line holding an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The text of a 1-based line, without its line ending. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    let end = line < this.starts.length ? this.starts[line] - 1 : this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  /** The offset of a 1-based line and column (the inverse of span's start). */
  offsetOf(line: number, column: number): number {
    return (this.starts[line - 1] ?? this.text.length) + column - 1;
  }

  span(start: number, end: number): Span {
    const l0 = this.lineOf(start);
    // An end just past a line's content (before its `\r\n`) stays on that line.
    const l1 = end > start ? this.lineOf(end) : l0;
    return {
      line: l0 + 1,
      column: start - this.starts[l0] + 1,
      endLine: l1 + 1,
      endColumn: Math.min(end - this.starts[l1], this.lineText(l1 + 1).length) + 1,
    };
  }
}
