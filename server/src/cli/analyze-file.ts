import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { ResolvedConfig } from '../config/config';
import type { Finding, Incomplete } from '../engine/analyzer';
import { budgetOf, judgesOnlyProduction, readsEvidenceOf } from '../engine/analyzer';
import { analyzeText, engine, ParseBudgetExceeded } from '../engine/index';
import { SUPPORTED_EXTENSIONS, grammarForPath, queryLanguageOf } from '../engine/languages';
import { roleByPath } from '../model/roles';
import { DEPLOYMENT_SOURCE, PROCESS_COUNT, isDeploymentFile, readDeployment } from '../workspace/deployment';
import { isPrismaSchema, prismaExports, prismaIndexes } from '../workspace/prisma-schema';
import { isSqlFile, sqlIndexes } from '../workspace/sql-schema';
import { PRISMA_SOURCE } from '../workspace/orm-schema';
import { LineIndex } from './positions';
import { programContribution } from '../model/contribution';
import type { CodeFrame, FileOutcome, ReportedEvidence, ReportedFinding, WorkspaceContribution } from './report';
import { packageManifestOf } from '../engine/package-manifest';
import { goPackageTypesOf } from '../model/go-package';

/** How many bytes at the start of a file are searched for a NUL byte (as git and grep do). */
const BINARY_SNIFF_BYTES = 8192;
/** Lines of context above and below a finding in a code frame, and the most range lines shown. */
const FRAME_CONTEXT = 1;
const FRAME_MAX_RANGE_LINES = 6;
/** One file's parse and analysis: far above any real file's cost, it bounds only pathological input. */
export const FILE_BUDGET_MS = 20_000;

export const UNSUPPORTED_NOTE = `not a file type Headroom analyses (${SUPPORTED_EXTENSIONS.join(' ')}; not .d.ts)`;

export interface AnalyzeFileOptions {
  maxBytes: number;
  /** Attach source lines for the text format's code frames. */
  frames: boolean;
  /** The path relative to the file's project, for code roles (tests/, migrations/). */
  projectPath?: string;
  /** The project's root: package.json files are looked for up to it. */
  projectRoot?: string;
}

/** Reads, decodes, parses and analyses one file. The parse tree does not outlive this call. */
export function analyzeFile(absPath: string, config: ResolvedConfig, options: AnalyzeFileOptions): FileOutcome {
  const grammar = grammarForPath(absPath);
  const deployment = !grammar && isDeploymentFile(absPath);
  const schema = !grammar && isPrismaSchema(absPath);
  const sql = !grammar && isSqlFile(absPath);
  if (!grammar && !deployment && !schema && !sql) return { kind: 'skipped', reason: 'unsupported-language', note: UNSUPPORTED_NOTE };
  // A SQL file of the tests (a fixture's schema) declares nothing about the service.
  if (sql && options.projectPath !== undefined && sqlOfTests(options.projectPath)) return { kind: 'ok', bytes: 0, findings: [], evidence: [], exports: [], suppressions: [] };
  let bytes: Buffer;
  let fd: number | undefined;
  // A test, a migration, a script or generated code by its path, where no rule judges such code:
  // nothing it holds would be reported (most of a real repository's bytes are its tests), but for
  // the evidence some rule takes from such code (a migration's indexes).
  const byPath = grammar && options.projectPath !== undefined && judgesOnlyProduction(engine().catalogue, config) ? roleByPath(options.projectPath, queryLanguageOf(grammar)) : undefined;
  try {
    fd = fs.openSync(absPath, 'r');
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { kind: 'error', message: 'not a regular file' };
    if (st.size > options.maxBytes) {
      return { kind: 'skipped', reason: 'too-large', note: `${formatKB(st.size)} is above the size limit of ${formatKB(options.maxBytes)}` };
    }
    if (byPath && !readsEvidenceOf(engine().catalogue, byPath.role, config)) {
      return { kind: 'ok', bytes: st.size, findings: [], evidence: [], exports: [], suppressions: [] };
    }
    bytes = fs.readFileSync(fd);
  } catch (e) {
    // Found by the walk, gone when its turn came (a build or a checkout running meanwhile): not an error of the scan.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'skipped', reason: 'vanished', note: 'deleted during the scan' };
    return { kind: 'error', message: describeFsError(e) };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (bytes.length > options.maxBytes) {
    return { kind: 'skipped', reason: 'too-large', note: `${formatKB(bytes.length)} is above the size limit of ${formatKB(options.maxBytes)}` };
  }
  const encoding = sniffEncoding(bytes);
  if (encoding) return { kind: 'skipped', reason: encoding.reason, note: encoding.note };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // also drops a UTF-8 BOM
  } catch {
    return { kind: 'skipped', reason: 'non-utf8', note: 'not valid UTF-8' };
  }
  if (sql) return { kind: 'ok', bytes: bytes.length, findings: [], evidence: located(sqlIndexes(text), text), exports: [], suppressions: [] };
  // A migration is read only for the indexes it may declare: one that names none is not parsed.
  if (byPath && !/index|unique/i.test(text)) return { kind: 'ok', bytes: bytes.length, findings: [], evidence: [], exports: [], suppressions: [] };
  if (!grammar) return { kind: 'ok', bytes: bytes.length, findings: [], evidence: schema ? located(prismaIndexes(text), text) : [], ...(schema ? prismaContribution(text) : deploymentContribution(text)) };
  let analysis: ReturnType<typeof analyzeText>;
  try {
    analysis = analyzeText(text, grammar, config, undefined, budgetOf(FILE_BUDGET_MS), options.projectPath, packageManifestOf(absPath, options.projectRoot), grammar === 'go' ? goPackageTypesOf(absPath, text) : undefined);
  } catch (e) {
    if (e instanceof ParseBudgetExceeded) return { kind: 'skipped', reason: 'too-slow', note: `parsing took longer than ${FILE_BUDGET_MS / 1000} s` };
    throw e;
  }
  const { findings, evidence, exports, deferredSuppressions, incomplete } = analysis;
  const index = new LineIndex(text);
  const program = programContribution(analysis, (s, e) => index.span(s, e));
  return {
    kind: 'ok',
    ...(incomplete ? { incomplete: incompleteNote(incomplete, index!) } : {}),
    bytes: bytes.length,
    findings: report(findings, text, options.frames),
    evidence: evidence.map((e) => ({ ruleId: e.ruleId, message: e.message, ...index!.span(e.start, e.end) })),
    exports: exports.map((x) => ({ ruleId: x.ruleId, name: x.name, data: x.data, ...index!.span(x.start, x.end) })),
    suppressions: deferredSuppressions.map((s) => ({ ruleIds: s.ruleIds, line: index!.lineOf(s.line) + 1 })),
    ...(program ? { program } : {}),
  };
}

/** Where the findings of a partly analysed file may be missing, in words. */
export function incompleteNote(incomplete: Incomplete, index: LineIndex): string {
  const from = index.lineOf(incomplete.offset) + 1;
  const to = incomplete.end === undefined ? undefined : index.lineOf(Math.max(incomplete.offset, incomplete.end - 1)) + 1;
  const where = to === undefined ? `from line ${from} on` : to === from ? `in line ${from}` : `in lines ${from}–${to}`;
  return `findings ${where} may be missing: ${incomplete.reason}`;
}

/** A Prisma schema yields its models and what each references (see workspace/prisma-schema.ts). */
export function prismaContribution(text: string): WorkspaceContribution {
  const found = prismaExports(text);
  const index = found.length > 0 ? new LineIndex(text) : undefined;
  return { exports: found.map((x) => ({ ruleId: PRISMA_SOURCE, name: x.name, data: x.data, ...index!.span(x.start, x.end) })), suppressions: [] };
}

/** Index declarations read from a schema or SQL file: the database-load evidence of the readiness model, as missing-index's. */
function located(found: { message: string; start: number; end: number }[], text: string): ReportedEvidence[] {
  const index = found.length > 0 ? new LineIndex(text) : undefined;
  return found.map((x) => ({ ruleId: 'missing-index', message: x.message, ...index!.span(x.start, x.end) }));
}

/** Whether a SQL file's path makes it part of the tests (in any language's convention: `tests/`, `testdata/`, `__tests__/`). */
function sqlOfTests(projectPath: string): boolean {
  return (['python', 'go', 'typescript'] as const).some((l) => roleByPath(projectPath, l)?.role === 'test');
}

/** A deployment file yields only the process counts it declares. */
export function deploymentContribution(text: string): WorkspaceContribution {
  const decls = readDeployment(text);
  const index = decls.length > 0 ? new LineIndex(text) : undefined;
  return {
    exports: decls.map((d) => ({
      ruleId: DEPLOYMENT_SOURCE,
      name: PROCESS_COUNT,
      data: { runtime: d.runtime, count: d.count, perCpu: d.perCpu, source: d.source },
      ...index!.span(d.start, d.end),
    })),
    suppressions: [],
  };
}

function sniffEncoding(bytes: Buffer): { reason: 'binary' | 'non-utf8'; note: string } | undefined {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (bytes.length >= 2 && ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff))) {
    return { reason: 'non-utf8', note: 'UTF-16 text: only UTF-8 is read' };
  }
  const head = bytes.length > BINARY_SNIFF_BYTES ? bytes.subarray(0, BINARY_SNIFF_BYTES) : bytes;
  if (head.includes(0)) return { reason: 'binary', note: `binary file (a NUL byte in the first ${BINARY_SNIFF_BYTES / 1024} KB)` };
  return undefined;
}

function report(findings: Finding[], text: string, frames: boolean): ReportedFinding[] {
  if (findings.length === 0) return [];
  const index = new LineIndex(text);
  const occurrences = new Map<string, number>();
  return findings.map((f) => {
    const span = index.span(f.start, f.end);
    const hash = fingerprintHash(f.ruleId, text.slice(f.start, f.end));
    const n = (occurrences.get(hash) ?? 0) + 1;
    occurrences.set(hash, n);
    const out: ReportedFinding = {
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      ...span,
      related: f.related.map((r) => ({ message: r.message, ...index.span(r.start, r.end) })),
      fingerprint: `${hash}:${n}`,
    };
    if (frames) out.frame = frame(index, span.line, span.endLine);
    return out;
  });
}

/** Whitespace-insensitive, position-free: a finding keeps its fingerprint when code moves or is re-indented. */
function fingerprintHash(ruleId: string, source: string): string {
  const normalised = source.replace(/\s+/g, ' ').trim().slice(0, 1000);
  return createHash('sha256').update(ruleId).update('\0').update(normalised).digest('hex').slice(0, 32);
}

function frame(index: LineIndex, line: number, endLine: number): CodeFrame {
  const first = Math.max(1, line - FRAME_CONTEXT);
  const lastRange = Math.min(endLine, line + FRAME_MAX_RANGE_LINES - 1);
  const last = Math.min(index.lineCount, lastRange + FRAME_CONTEXT);
  const lines: string[] = [];
  for (let l = first; l <= last; l++) lines.push(index.lineText(l));
  // The empty "line" after a file's final newline is not worth showing as context.
  if (last === index.lineCount && last > endLine && lines[lines.length - 1] === '') lines.pop();
  return { firstLine: first, lines };
}

export function formatKB(bytes: number): string {
  const kb = bytes / 1024;
  return kb >= 1024 ? `${(kb / 1024).toFixed(1)} MB` : `${kb < 10 ? kb.toFixed(1) : Math.round(kb)} KB`;
}

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return err.message ?? String(e);
  }
}
