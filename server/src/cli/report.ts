import type { ResolvedConfig } from '../config/config';
import type { Scale, Severity } from '../engine/rule-api';
import type { DeferredFinding } from '../engine/analyzer';
import type { QueryLanguage } from '../engine/languages';
import type { ImportBinding } from '../model/file-model';
import type { At, FileSummary } from '../model/summary';
import type { Span } from './positions';

/** The types a scan produces: plain data, safe to pass between threads and to print. */

/** A finding through calls or roles that the workspace decides, located by line and column. */
export type LocatedDeferred = Omit<DeferredFinding, 'start' | 'end' | 'related'> & { at: At; related?: (At & { message: string })[] };

export interface ReportedRelated extends Span {
  message: string;
  /** Set when the location is in another file (workspace rules): display path and absolute path. */
  path?: string;
  absPath?: string;
  /** Workspace rules: the location is this export of its file (see LocatedExport.index). */
  exportIndex?: number;
}

/** Source lines around a finding, for the text format's code frame. */
export interface CodeFrame {
  /** The 1-based number of `lines[0]`. */
  firstLine: number;
  lines: string[];
}

export interface ReportedFinding extends Span {
  ruleId: string;
  severity: Severity;
  message: string;
  related: ReportedRelated[];
  /**
   * Stable across runs and line shifts: a hash of the rule and the normalised text of the range,
   * with the occurrence number of that hash in the file (`<hash>:<n>`).
   */
  fingerprint: string;
  frame?: CodeFrame;
  /** Workspace rules: the finding is at this export of its file (see LocatedExport.index). */
  exportIndex?: number;
  /**
   * The code role of where the finding is: `handler`, `middleware`, `request-dependency`,
   * `request-path` (a handler reaches it), `job`, `startup`, `module` (runs at import), `unreached`.
   */
  role?: string;
}

/** Evidence that a concern is handled (see engine/analyzer.ts Evidence), located like a finding. */
export interface ReportedEvidence extends Span {
  ruleId: string;
  message: string;
}

/**
 * `too-slow`: parsing ran out of its time budget; `incomplete`: analysed in part (the note says
 * where); `vanished`: deleted between the walk and its analysis.
 */
export type SkipReason = 'binary' | 'non-utf8' | 'too-large' | 'unsupported-language' | 'excluded' | 'too-slow' | 'incomplete' | 'vanished';

export interface SkippedFile {
  /** Display path: relative to the scan root when inside it, absolute otherwise. */
  path: string;
  reason: SkipReason;
  /** A sentence for people. */
  note: string;
}

export interface ScanError {
  path: string;
  message: string;
  kind: 'path' | 'read' | 'config' | 'internal';
  /** For config errors: 1-based position in the config file. */
  line?: number;
  column?: number;
}

export interface FileFindings {
  /** Display path (see SkippedFile.path); `/`-separated. */
  path: string;
  absPath: string;
  findings: ReportedFinding[];
}

export interface ScanResult {
  /** The directory paths are shown relative to (SARIF's %SRCROOT%). */
  root: string;
  /** The target scale of the configuration at the scan root (default 100k). */
  targetUsers: Scale;
  /** The configuration at the scan root: the workspace rules run under it. */
  config: ResolvedConfig;
  /** The scan was stopped before every file was analysed (ScanOptions.signal). */
  cancelled?: boolean;
  /** Files with at least one finding, sorted by path; their findings sorted by position. */
  files: FileFindings[];
  /** Evidence found, by file path then position (for the readiness model). */
  evidence: (ReportedEvidence & { path: string; absPath: string })[];
  /** Every file analysed (absolute paths), with or without findings: what an index refreshes. */
  scanned: string[];
  /** What each analysed file (absolute path) hands to the workspace rules, when it has anything. */
  contributions: Map<string, WorkspaceContribution>;
  skipped: SkippedFile[];
  errors: ScanError[];
  /** What people should know about what was (not) scanned, in words (see Discovery.notes). */
  notes: string[];
  stats: {
    filesScanned: number;
    bytesScanned: number;
    findings: number;
    bySeverity: Record<Severity, number>;
    durationMs: number;
    /** Worker threads used (0: the scan ran in the calling thread). */
    workers: number;
  };
}

/** What a file hands to the workspace rules: its exports, and its suppressions of workspace rules (covered 1-based lines). */
export interface WorkspaceContribution {
  exports: (Span & { ruleId: string; name: string; data: Record<string, string | number | boolean> })[];
  suppressions: { line: number; ruleIds: string[] }[];
  /** What the file's functions do and call, and its findings through calls the workspace must confirm (production code only). */
  program?: ProgramContribution;
}

/** A file's part of the workspace's program (see server/src/model/program.ts). */
export interface ProgramContribution {
  language: QueryLanguage;
  summary: FileSummary;
  imports: ImportBinding[];
  reexports: { name: string; module: string; as: string }[];
  goPackage?: string;
  deferred: LocatedDeferred[];
}

/** What analysing one file yields (in a worker or in the calling thread). */
export type FileOutcome =
  | ({ kind: 'ok'; bytes: number; findings: ReportedFinding[]; evidence: ReportedEvidence[]; incomplete?: string } & WorkspaceContribution)
  | { kind: 'skipped'; reason: SkipReason; note: string }
  | { kind: 'error'; message: string };
