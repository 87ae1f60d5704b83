import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SyntaxNode } from 'tree-sitter';
import * as ts from 'typescript';
import { defaultConfig, type ResolvedConfig } from '../src/config/config';
import type { AnalysisResult, Finding } from '../src/engine/analyzer';
import { LineIndex } from '../src/cli/positions';
import { programContribution } from '../src/model/contribution';
import { programFindings } from '../src/workspace/program-findings';
import { applyEdits, fixAllEdits, fixesFor } from '../src/engine/fixes';
import { analyzeText, engine, parse } from '../src/engine/index';
import type { GrammarId } from '../src/engine/languages';
import type { ScanResult } from '../src/cli/report';
import { scan } from '../src/cli/scan';

/** Test languages: JavaScript is parsed with the TSX grammar, as the server does for .js files. */
export type TestLanguage = 'python' | 'go' | 'typescript' | 'tsx' | 'javascript';

export function grammarOf(lang: TestLanguage): GrammarId {
  return lang === 'javascript' ? 'tsx' : lang;
}

export function config(overrides: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return { ...defaultConfig(), ...overrides };
}

/** Strips the common indentation of a template literal, so cases can be written indented. */
export function code(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').replace(/\n[ \t]*$/, '\n').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** The findings of a scan of this one file: its own, and those through calls that the program of this file alone decides. */
export function analyze(lang: TestLanguage, source: string, cfg: ResolvedConfig = config()): Finding[] {
  const analysis = analyzeText(source, grammarOf(lang), cfg);
  assert.deepStrictEqual(analysis.failedRules, [], `rules threw: ${analysis.failedRules.join(', ')}`);
  const alone = decidedAlone(analysis, source, cfg);
  return alone.length === 0 ? analysis.findings : [...analysis.findings, ...alone].sort((a, b) => a.start - b.start);
}

/** The findings a one-file workspace adds (see workspace/program-findings.ts): those whose function the workspace does not hold stand as found. */
function decidedAlone(analysis: AnalysisResult, source: string, cfg: ResolvedConfig): Finding[] {
  const index = new LineIndex(source);
  const program = programContribution(analysis, (s, e) => index.span(s, e));
  if (!program || program.deferred.length === 0) return [];
  const found = programFindings(new Map([[SNIPPET, { exports: [], suppressions: [], program }]]), cfg, (f) => f).get(SNIPPET) ?? [];
  return found.map((f) => ({
    ruleId: f.ruleId,
    start: index.offsetOf(f.line, f.column),
    end: index.offsetOf(f.endLine, f.endColumn),
    message: f.message,
    severity: f.severity,
    related: [],
    data: {},
    nodeType: '',
  }));
}

const SNIPPET = '/snippet';

/** The source text of each finding of a rule, in document order: the readable form of a rule test. */
export function hits(lang: TestLanguage, source: string, ruleId: string, cfg?: ResolvedConfig): string[] {
  return analyze(lang, source, cfg)
    .filter((f) => f.ruleId === ruleId)
    .map((f) => source.slice(f.start, f.end));
}

export function findingsOf(lang: TestLanguage, source: string, ruleId: string, cfg?: ResolvedConfig): Finding[] {
  return analyze(lang, source, cfg).filter((f) => f.ruleId === ruleId);
}

/**
 * Fixed code must parse: with tree-sitter, and also with the language's own parser where one is
 * at hand (CPython's `ast`, the TypeScript compiler), which reject some code tree-sitter accepts.
 */
export function assertParses(lang: TestLanguage, source: string): void {
  const tree = parse(grammarOf(lang), source);
  const err = firstError(tree.rootNode);
  assert.ok(!err, `fixed code does not parse: ${err?.type} at ${JSON.stringify(err?.startPosition)} in\n${source}`);
  if (lang === 'python') {
    const r = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: source, encoding: 'utf8' });
    if (r.error) throw new Error(`python3 is needed to check fixed Python code: ${r.error.message}`);
    assert.strictEqual(r.status, 0, `CPython rejects the fixed code:\n${r.stderr}\n${source}`);
  } else if (lang !== 'go') {
    const fileName = lang === 'typescript' ? 'fixed.ts' : lang === 'tsx' ? 'fixed.tsx' : 'fixed.jsx';
    // transpileModule reports syntactic diagnostics only: exactly "does it parse".
    const out = ts.transpileModule(source, { fileName, reportDiagnostics: true, compilerOptions: { jsx: ts.JsxEmit.Preserve, allowJs: true } });
    const messages = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepStrictEqual(messages, [], `TypeScript rejects the fixed code:\n${source}`);
  }
}

function firstError(node: SyntaxNode): SyntaxNode | undefined {
  if (!node.hasError) return undefined;
  if (node.type === 'ERROR' || node.isMissing) return node;
  for (const c of node.children) {
    const e = firstError(c);
    if (e) return e;
  }
  return node;
}

/**
 * Applies a rule's fix to the nth finding of the rule and returns the new text, after checking what
 * every fix must guarantee: the result parses, and that finding is gone.
 */
export function applyFix(lang: TestLanguage, source: string, ruleId: string, fixId: string, opts: { nth?: number; cfg?: ResolvedConfig } = {}): string {
  const cfg = opts.cfg ?? config();
  const grammar = grammarOf(lang);
  const { findings, tree } = analyzeText(source, grammar, cfg);
  const mine = findings.filter((f) => f.ruleId === ruleId);
  const finding = mine[opts.nth ?? 0];
  assert.ok(finding, `no ${ruleId} finding #${opts.nth ?? 0} to fix`);
  const fix = fixesFor(finding, { tree, text: source, grammar }, cfg, engine().catalogue, { offerIgnore: true }).find((f) => f.fixId === fixId);
  assert.ok(fix, `fix ${fixId} is not offered for ${ruleId} at ${source.slice(finding.start, finding.end)}`);
  const out = applyEdits(source, fix.edits);
  assertParses(lang, out);
  const after = findingsOf(lang, out, ruleId, cfg);
  assert.ok(after.length < mine.length, `the ${ruleId} finding is still there after ${fixId}:\n${out}`);
  return out;
}

/** The fix ids offered for the nth finding of a rule (without the generic ignore). */
export function offeredFixes(lang: TestLanguage, source: string, ruleId: string, nth = 0, cfg: ResolvedConfig = config()): string[] {
  const grammar = grammarOf(lang);
  const { findings, tree } = analyzeText(source, grammar, cfg);
  const finding = findings.filter((f) => f.ruleId === ruleId)[nth];
  assert.ok(finding, `no ${ruleId} finding #${nth}`);
  return fixesFor(finding, { tree, text: source, grammar }, cfg, engine().catalogue, { offerIgnore: false }).map((f) => f.fixId);
}

/** Writes files into a new temporary directory (paths relative to it) and returns the directory. */
export function tempTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-test-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Scans a little workspace as the CLI does (in this thread), workspace rules included. */
export async function scanTree(files: Record<string, string>): Promise<ScanResult> {
  const dir = tempTree(files);
  try {
    return await scan(['.'], { cwd: dir, jobs: 1 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A workspace rule's findings in a little workspace, as `path:line:column`, with their messages. */
export async function workspaceHits(files: Record<string, string>, ruleId: string): Promise<{ at: string; message: string; related: string[] }[]> {
  const result = await scanTree(files);
  return result.files.flatMap((file) =>
    file.findings
      .filter((f) => f.ruleId === ruleId)
      .map((f) => ({ at: `${file.path}:${f.line}:${f.column}`, message: f.message, related: f.related.map((r) => `${r.path ?? file.path}:${r.line}: ${r.message}`) })),
  );
}

/** Applies every safe fix of the file at once, as `source.fixAll.headroom` does. */
export function fixAll(lang: TestLanguage, source: string, cfg: ResolvedConfig = config()): string {
  const grammar = grammarOf(lang);
  const { findings, tree } = analyzeText(source, grammar, cfg);
  return applyEdits(source, fixAllEdits(findings, { tree, text: source, grammar }, cfg, engine().catalogue));
}
