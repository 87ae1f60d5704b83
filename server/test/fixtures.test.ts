// The sample backends in test-fixtures/ carry their expectations inline:
//   `# expect: rule-id` / `// expect: rule-id`   a finding of that rule starts on this line
//   `# expect: rule-a (error), rule-b`            several rules; a severity in parentheses is asserted too
//   `# ok: rule-id`                               a look-alike: no finding of that rule on this line
//   `// expect: rule-a; ok: rule-b`               both in one comment
// A marker comment alone on its line applies to the next line that is neither blank nor a marker;
// after the code, it applies to its own line. Anything after ` -- ` in a marker is a note.
// Every rule's findings over all fixtures must equal its expect markers exactly. Each sample backend
// is also a workspace: the workspace rules run over its files (and deployment files) as a scan would.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { packageManifestOf } from '../src/engine/package-manifest';
import type { SyntaxNode } from 'tree-sitter';
import { defaultConfig, parseConfig } from '../src/config/config';
import type { Finding } from '../src/engine/analyzer';
import { deploymentContribution } from '../src/cli/analyze-file';
import { programContribution } from '../src/model/contribution';
import { LineIndex } from '../src/cli/positions';
import type { WorkspaceContribution } from '../src/cli/report';
import { isDeploymentFile } from '../src/workspace/deployment';
import { runWorkspaceRules } from '../src/workspace/run';
import { analyzeText, engine } from '../src/engine/index';
import { grammarForPath, queryLanguageOf, type QueryLanguage } from '../src/engine/languages';
import { SEVERITIES, type Severity } from '../src/engine/rule-api';

const FIXTURE_EXTENSIONS = new Set(['.py', '.go', '.ts', '.tsx', '.js', '.mjs', '.cjs', '.jsx']);

/** The repository root: the bundle runs from out/test/tests.js; fall back to the working directory. */
function repoRoot(): string {
  for (const candidate of [path.resolve(__dirname, '../..'), process.cwd()]) {
    if (fs.existsSync(path.join(candidate, 'test-fixtures')) && fs.existsSync(path.join(candidate, 'rules'))) return candidate;
  }
  throw new Error(`test-fixtures/ not found from ${__dirname} or ${process.cwd()}`);
}

interface Marker {
  kind: 'expect' | 'ok';
  ruleId: string;
  severity?: Severity;
  /** 1-based line the marker applies to. */
  line: number;
  /** 1-based line of the marker comment itself, for messages. */
  markerLine: number;
}

interface FixtureFile {
  abs: string;
  rel: string;
  contribution: WorkspaceContribution;
  language: QueryLanguage;
  lines: string[];
  /** UTF-16 offset at which each line starts (as are the findings' offsets). */
  lineStarts: number[];
  markers: Marker[];
  findings: Finding[];
  failedRules: string[];
  /** Problems with the markers themselves (unparsable, pointing at nothing). */
  problems: string[];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p, out);
    } else if (FIXTURE_EXTENSIONS.has(path.extname(e.name).toLowerCase()) && grammarForPath(p)) out.push(p);
  }
  return out;
}

function comments(root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode): void => {
    if (n.type === 'comment') out.push(n);
    for (const c of n.children) visit(c);
  };
  visit(root);
  return out;
}

const MARKER = /^(?:#|\/\/)\s*(expect|ok):\s*(.*)$/;
const ENTRY = /^([a-z][a-z0-9-]*)(?:\s*\((\w+)\))?$/;

interface Entry {
  ruleId: string;
  severity?: Severity;
}

/** Splits a marker comment into its clauses (`expect: a, b; ok: c -- note`); undefined when it is no marker. */
function markerClauses(comment: string): { kind: 'expect' | 'ok'; body: string }[] | undefined {
  const m = MARKER.exec(comment);
  if (!m) return undefined;
  const text = `${m[1]}: ${m[2].split(/\s+(?:--|—)\s+/)[0]}`;
  return text.split(/;\s*(?=(?:expect|ok):)/).map((clause) => {
    const [, kind, body] = /^(expect|ok):\s*(.*)$/.exec(clause.trim())!;
    return { kind: kind as 'expect' | 'ok', body };
  });
}

/** Parses the rule list of one clause; returns the entries or an error message. */
function parseEntries(body: string): Entry[] | string {
  const list = body.trim();
  if (!list) return 'names no rule';
  const entries: Entry[] = [];
  for (const part of list.split(',').map((s) => s.trim())) {
    const m = ENTRY.exec(part);
    if (!m) return `cannot read "${part}"`;
    if (m[2] !== undefined && !(SEVERITIES as readonly string[]).includes(m[2])) return `unknown severity "${m[2]}"`;
    entries.push({ ruleId: m[1], severity: m[2] as Severity | undefined });
  }
  return entries;
}

function isMarkerLine(line: string, prefix: string): boolean {
  const t = line.trim();
  return t.startsWith(prefix) && MARKER.test(t);
}

function loadFixture(root: string, file: string): FixtureFile {
  const text = fs.readFileSync(file, 'utf8');
  const grammar = grammarForPath(file)!;
  const language = queryLanguageOf(grammar);
  // As a scan of the sample backend would: the path within it gives the file's role (tests,
  // scripts, migrations), and the file's program part joins the workspace's.
  const backend = path.relative(root, file).split(path.sep)[0];
  const projectPath = path.relative(path.join(root, backend), file).split(path.sep).join('/');
  const analysis = analyzeText(text, grammar, defaultConfig(), undefined, undefined, projectPath, packageManifestOf(file, path.join(root, backend)));
  const { findings, failedRules, tree, exports, deferredSuppressions } = analysis;
  const index = new LineIndex(text);
  const program = programContribution(analysis, (s, e) => index.span(s, e));
  const contribution: WorkspaceContribution = {
    exports: exports.map((x) => ({ ruleId: x.ruleId, name: x.name, data: x.data, ...index.span(x.start, x.end) })),
    suppressions: deferredSuppressions.map((s) => ({ ruleIds: s.ruleIds, line: index.lineOf(s.line) + 1 })),
    ...(program ? { program } : {}),
  };
  const lines = text.split(/\r?\n/);
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const prefix = language === 'python' ? '#' : '//';
  const markers: Marker[] = [];
  const problems: string[] = [];
  const rel = path.relative(root, file).split(path.sep).join('/');
  for (const c of comments(tree.rootNode)) {
    const clauses = markerClauses(c.text.trim());
    if (!clauses || !c.text.startsWith(prefix)) continue;
    const markerLine = c.startPosition.row + 1;
    const parsed = clauses.map((cl) => ({ kind: cl.kind, entries: parseEntries(cl.body) }));
    const bad = parsed.find((p) => typeof p.entries === 'string');
    if (bad) {
      problems.push(`${rel}:${markerLine}: marker ${bad.entries as string}: ${c.text}`);
      continue;
    }
    let line = markerLine;
    const before = lines[c.startPosition.row].slice(0, c.startPosition.column);
    if (before.trim() === '') {
      // Alone on its line: it applies to the next line that is neither blank nor another marker.
      let next = c.startPosition.row + 1;
      while (next < lines.length && (lines[next].trim() === '' || isMarkerLine(lines[next], prefix))) next++;
      if (next >= lines.length) {
        problems.push(`${rel}:${markerLine}: marker applies to no line`);
        continue;
      }
      line = next + 1;
    }
    for (const p of parsed) {
      for (const e of p.entries as Entry[]) markers.push({ kind: p.kind, ruleId: e.ruleId, severity: e.severity, line, markerLine });
    }
  }
  return { abs: file, rel, contribution, language, lines, lineStarts, markers, findings, failedRules, problems };
}

/** Runs the workspace rules per sample backend (each folder of test-fixtures/) and files their findings with the others'. */
function addWorkspaceFindings(fixturesRoot: string, files: FixtureFile[]): void {
  for (const backend of fs.readdirSync(fixturesRoot, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const dir = path.join(fixturesRoot, backend.name);
    const mine = files.filter((f) => f.abs.startsWith(`${dir}${path.sep}`));
    const contributions = new Map<string, WorkspaceContribution>(mine.map((f) => [f.abs, f.contribution]));
    for (const file of walkAll(dir).filter((p) => isDeploymentFile(p))) contributions.set(file, deploymentContribution(fs.readFileSync(file, 'utf8')));
    const configFile = path.join(dir, '.headroom.json');
    const config = fs.existsSync(configFile) ? parseConfig(fs.readFileSync(configFile, 'utf8')).config : defaultConfig();
    const found = runWorkspaceRules(engine().catalogue, { root: dir, config, contributions, display: (f) => path.relative(dir, f) });
    for (const f of mine) {
      for (const x of found.get(f.abs) ?? []) {
        const start = f.lineStarts[x.line - 1] + x.column - 1;
        f.findings.push({ ruleId: x.ruleId, start, end: start, message: x.message, severity: x.severity, related: [], data: {}, nodeType: '' });
      }
    }
  }
}

function walkAll(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') walkAll(p, out);
    } else out.push(p);
  }
  return out;
}

/** The 1-based line an offset falls on. */
function lineOf(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

describe('fixtures', () => {
  const root = repoRoot();
  const files = walk(path.join(root, 'test-fixtures')).map((f) => loadFixture(root, f));
  addWorkspaceFindings(path.join(root, 'test-fixtures'), files);
  const catalogue = engine().catalogue;

  // A finding's line: the line its range starts on.
  const findingLine = (f: FixtureFile, finding: Finding): number => lineOf(f.lineStarts, finding.start);

  it('fixtures exist for every language', () => {
    const langs = new Set(files.map((f) => f.language));
    assert.deepStrictEqual([...langs].sort(), ['go', 'python', 'typescript']);
  });

  it('fixture markers are well-formed', () => {
    assert.deepStrictEqual(files.flatMap((f) => f.problems), []);
  });

  it('fixtures analyse without rule errors', () => {
    const failed = files.filter((f) => f.failedRules.length > 0).map((f) => `${f.rel}: ${f.failedRules.join(', ')}`);
    assert.deepStrictEqual(failed, []);
    assert.deepStrictEqual(catalogue.compileErrors, []);
  });

  // Every rule of the catalogue, every rule a marker names (a typo fails), every rule that reported something.
  const ruleIds = new Set<string>(catalogue.rules.map((r) => r.meta.id));
  for (const f of files) {
    for (const m of f.markers) ruleIds.add(m.ruleId);
    for (const x of f.findings) ruleIds.add(x.ruleId);
  }

  for (const ruleId of [...ruleIds].sort()) {
    it(`fixtures ${ruleId}`, () => {
      const reported = files.some((f) => f.findings.some((x) => x.ruleId === ruleId));
      if (catalogue.rule(ruleId) === undefined && !reported) assert.fail(`markers name "${ruleId}", which is not a rule in the catalogue`);
      const problems: string[] = [];
      for (const f of files) {
        const expected = new Map<number, Marker>();
        const okLines = new Map<number, Marker>();
        for (const m of f.markers) {
          if (m.ruleId !== ruleId) continue;
          if (m.kind === 'expect') expected.set(m.line, m);
          else okLines.set(m.line, m);
        }
        const found = new Map<number, Finding[]>();
        for (const x of f.findings) {
          if (x.ruleId !== ruleId) continue;
          const line = findingLine(f, x);
          found.set(line, [...(found.get(line) ?? []), x]);
        }
        const src = (line: number): string => f.lines[line - 1]?.trim() ?? '';
        for (const [line, m] of expected) {
          const at = found.get(line);
          if (!at) problems.push(`missing  ${f.rel}:${line}  ${src(line)}`);
          else if (m.severity && !at.some((x) => x.severity === m.severity)) {
            problems.push(`severity ${f.rel}:${line}  expected ${m.severity}, got ${at.map((x) => x.severity).join('/')}  ${src(line)}`);
          }
        }
        for (const [line, xs] of found) {
          if (expected.has(line)) continue;
          const note = okLines.has(line) ? ' (marked ok)' : '';
          for (const x of xs) {
            problems.push(`extra    ${f.rel}:${line}${note}  ${src(line)}\n           ${x.message}`);
          }
        }
        for (const [line, m] of okLines) {
          if (expected.has(line)) problems.push(`marker   ${f.rel}:${m.markerLine}: line ${line} is marked both expect and ok`);
        }
      }
      if (problems.length > 0) {
        assert.fail(`${ruleId} on test-fixtures/ (missing = expected, not reported; extra = reported, not expected):\n  ${problems.join('\n  ')}`);
      }
    });
  }

  it('fixtures cover every rule in every language it lists', () => {
    const missing: string[] = [];
    for (const rule of catalogue.rules) {
      for (const lang of rule.meta.languages) {
        const covered = files.some((f) => f.language === lang && f.markers.some((m) => m.kind === 'expect' && m.ruleId === rule.meta.id));
        if (!covered) missing.push(`${rule.meta.id} has no expect marker in a ${lang} fixture`);
      }
    }
    assert.deepStrictEqual(missing, []);
  });
});
