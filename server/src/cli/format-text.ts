import type { Severity } from '../engine/rule-api';
import type { ReportedFinding, ScanResult } from './report';
import { displayWidth } from './text-width';

export interface TextOptions {
  color: boolean;
  /** Findings only: no notes on skipped files, no summary. */
  quiet: boolean;
}

/** Lines longer than this are shown as a window around the finding. */
const MAX_SHOWN_LINE = 160;

type Paint = (s: string) => string;
interface Palette {
  bold: Paint;
  dim: Paint;
  severity: Record<Severity, Paint>;
  ok: Paint;
}

function palette(color: boolean): Palette {
  const sgr = (open: number, close: number): Paint => (color ? (s) => `\x1b[${open}m${s}\x1b[${close}m` : (s) => s);
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    severity: { error: sgr(31, 39), warning: sgr(33, 39), info: sgr(36, 39), hint: sgr(36, 39) },
    ok: sgr(32, 39),
  };
}

/** The terminal report: findings grouped by file, each with a code frame, then skipped files and a summary. */
export function formatText(result: ScanResult, options: TextOptions): string {
  const p = palette(options.color);
  const out: string[] = [];
  for (const file of result.files) {
    out.push(p.bold(oneLine(file.path)));
    for (const f of file.findings) {
      out.push(`  ${f.line}:${f.column}  ${p.severity[f.severity](f.severity)}  ${oneLine(f.message)}  ${p.dim(f.ruleId)}`);
      out.push(...codeFrame(f, p));
      for (const r of f.related) out.push(`    ${p.dim(`related ${r.path ? `${oneLine(r.path)}:` : ''}${r.line}:${r.column}`)}  ${oneLine(r.message)}`);
      out.push('');
    }
  }
  if (options.quiet) return out.length > 0 ? `${out.join('\n')}\n` : '';
  const partial = result.skipped.filter((s) => s.reason === 'incomplete');
  const skipped = result.skipped.filter((s) => s.reason !== 'incomplete');
  for (const [list, title] of [[skipped, `Skipped ${plural(skipped.length, 'file')}:`], [partial, `Analysed in part (${plural(partial.length, 'file')}):`]] as const) {
    if (list.length === 0) continue;
    out.push(p.dim(title));
    for (const s of list) out.push(p.dim(`  ${oneLine(s.path)}: ${s.note}`));
    out.push('');
  }
  out.push(summary(result, p));
  return `${out.join('\n')}\n`;
}

export function summary(result: ScanResult, p: Palette = palette(false)): string {
  const { stats } = result;
  const partial = result.skipped.filter((s) => s.reason === 'incomplete').length;
  const skipped = result.skipped.length - partial;
  const scanned = `${plural(stats.filesScanned, 'file')} scanned${skipped ? `, ${skipped} skipped` : ''}${partial ? `, ${partial} analysed in part` : ''}`;
  if (stats.findings === 0) return `${p.ok('✔')} No findings · ${scanned}`;
  const mark = stats.bySeverity.error > 0 ? p.severity.error('✖') : p.severity.warning('✖');
  return `${mark} ${plural(stats.findings, 'finding')} (${severityCounts(result)}) in ${plural(result.files.length, 'file')} · ${scanned}`;
}

/** `1 error, 2 warnings, 3 info`: the severities that occur. */
export function severityCounts(result: ScanResult): string {
  const counts = result.stats.bySeverity;
  return (['error', 'warning', 'info', 'hint'] as Severity[])
    .filter((s) => counts[s] > 0)
    .map((s) => (s === 'info' || s === 'hint' ? `${counts[s]} ${s}` : plural(counts[s], s)))
    .join(', ');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The lines around a finding with a gutter of line numbers, `>` on the lines of the range and a
 * row of carets under the range (per line when it spans several).
 */
function codeFrame(f: ReportedFinding, p: Palette): string[] {
  if (!f.frame) return [];
  const { firstLine, lines } = f.frame;
  const lastLine = firstLine + lines.length - 1;
  const width = String(lastLine).length;
  const gutter = (n: string): string => p.dim(`${n.padStart(width)} |`);
  const out: string[] = [];
  lines.forEach((line, i) => {
    const raw = visible(line);
    const n = firstLine + i;
    const inRange = n >= f.line && n <= f.endLine;
    const from = n === f.line ? f.column - 1 : inRange ? raw.length - raw.trimStart().length : 0;
    const to = n === f.endLine ? Math.min(f.endColumn - 1, raw.length) : raw.length;
    const shown = clip(raw, inRange ? from : 0, inRange ? to : 0);
    out.push(`  ${inRange ? p.severity[f.severity]('>') : ' '} ${gutter(String(n))} ${shown.text}`);
    if (inRange && (shown.end > shown.start || n === f.line)) {
      const before = [...shown.text.slice(0, shown.start)].map((c) => (c === '\t' ? '\t' : ' '.repeat(displayWidth(c)))).join('');
      const carets = '^'.repeat(Math.max(1, displayWidth(shown.text.slice(shown.start, shown.end))));
      out.push(`    ${gutter('')} ${before}${p.severity[f.severity](carets)}`);
    }
  });
  if (f.endLine > lastLine) out.push(`    ${gutter('')} …`);
  return out;
}

/** A long line cut to a window around [start, end), with the offsets moved into the window. */
function clip(text: string, start: number, end: number): { text: string; start: number; end: number } {
  if (text.length <= MAX_SHOWN_LINE) return { text, start, end };
  let from = Math.max(0, start - 40);
  let to = Math.min(text.length, Math.max(end, from + MAX_SHOWN_LINE));
  if (to - from > MAX_SHOWN_LINE) to = from + MAX_SHOWN_LINE;
  // Do not split a surrogate pair.
  if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from--;
  if (to < text.length && isLowSurrogate(text.charCodeAt(to))) to++;
  const head = from > 0 ? '…' : '';
  const tail = to < text.length ? '…' : '';
  const shift = head.length - from;
  return { text: head + text.slice(from, to) + tail, start: Math.max(0, start + shift), end: Math.min(to, end) + shift };
}

/** Control characters from a file must not reach the terminal as escape sequences: one `?` each (offsets stay). */
function visible(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?');
}

/** A message on one line, without control characters. */
function oneLine(text: string): string {
  return text.replace(/[ \t]*[\r\n]+[ \t]*/g, ' ').replace(/[\x00-\x1f\x7f]/g, ' ');
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
