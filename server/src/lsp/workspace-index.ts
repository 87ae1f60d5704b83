import * as fs from 'fs';
import * as path from 'path';
import { defaultConfig, type ResolvedConfig } from '../config/config';
import { engine } from '../engine/index';
import { isWithin } from '../engine/paths';
import { formatMarkdown, readinessOf } from '../readiness/report';
import type { ReportedEvidence, ReportedFinding, ScanError, ScanResult, WorkspaceContribution } from '../cli/report';
import { runWorkspaceRules } from '../workspace/run';
import { buildProgram, placed, ProgramRoles, type Place } from '../workspace/program-findings';
import { displayPath, scan } from '../cli/scan';
import type { Readiness } from '../readiness/model';
import type { Scale, Severity } from '../engine/rule-api';

/** What one file contributes: its findings and evidence, located 1-based as the CLI reports them. */
export interface FileEntry {
  findings: ReportedFinding[];
  evidence: ReportedEvidence[];
  /** What the file hands to the workspace rules. */
  contribution?: WorkspaceContribution;
}

interface FolderIndex {
  root: string;
  targetUsers: Scale;
  config: ResolvedConfig;
  /** Absolute path → what the last analysis of that file on disk found. */
  files: Map<string, FileEntry>;
  /** Absolute path → why that file or folder could not be read: the verdict does not cover it. */
  unreadable: Map<string, ScanError>;
}

export interface ScanOutcome {
  files: number;
  cancelled: boolean;
}

/** The workspace's findings across files, and a place as its program sees it (its code role, its database). */
export interface WorkspaceState {
  byFile: Map<string, ReportedFinding[]>;
  placeAt(file: string, line: number, column: number): Place | undefined;
}

/**
 * The whole workspace's findings and evidence, for the readiness model: filled by a scan of every
 * folder (in the CLI's worker threads, so the editor's own requests never wait for it), refreshed
 * file by file when files change on disk, and overlaid with the live analysis of open editors.
 */
export class WorkspaceIndex {
  private folders = new Map<string, FolderIndex>();
  lastScan: Date | undefined;
  scanning = false;

  constructor(private readonly workerScript?: string) {}

  async scanFolders(
    roots: readonly string[],
    options: {
      extraExcludes?: readonly string[];
      signal?: AbortSignal;
      onProgress?: (done: number, total: number, root: string) => void;
      /** What the scan could not read (files, folders, the configuration) and its notes: for the log. */
      onErrors?: (errors: readonly ScanError[], notes: readonly string[]) => void;
    } = {},
  ): Promise<ScanOutcome> {
    this.scanning = true;
    let files = 0;
    try {
      for (const root of roots) {
        if (options.signal?.aborted) return { files, cancelled: true };
        const result = await scan([root], {
          cwd: root,
          extraExcludes: options.extraExcludes,
          signal: options.signal,
          workerScript: this.workerScript,
          workspaceRules: false,
          onProgress: (done, total) => options.onProgress?.(done, total, root),
        });
        const folder: FolderIndex = { root, targetUsers: result.targetUsers, config: result.config, files: new Map(), unreadable: new Map() };
        fill(folder, result);
        options.onErrors?.(result.errors, result.notes);
        this.folders.set(root, folder);
        files += result.stats.filesScanned;
        if (result.cancelled) return { files, cancelled: true };
      }
      this.lastScan = new Date();
      return { files, cancelled: false };
    } finally {
      this.scanning = false;
    }
  }

  /** Re-analyses files that changed, were created or were deleted on disk. */
  async refreshFiles(absPaths: readonly string[], extraExcludes?: readonly string[], onErrors?: (errors: readonly ScanError[], notes: readonly string[]) => void): Promise<void> {
    for (const folder of this.folders.values()) {
      const mine = absPaths.filter((p) => isWithin(folder.root, p));
      if (mine.length === 0) continue;
      for (const p of mine) {
        folder.files.delete(p);
        folder.unreadable.delete(p);
      }
      const existing = mine.filter((p) => fs.existsSync(p));
      if (existing.length === 0) continue;
      const result = await scan(existing, { cwd: folder.root, extraExcludes, workerScript: this.workerScript, jobs: 1, workspaceRules: false });
      fill(folder, result);
      onErrors?.(result.errors, []);
    }
  }

  folderOf(file: string): string | undefined {
    let best: string | undefined;
    for (const root of this.folders.keys()) if (isWithin(root, file) && (!best || root.length > best.length)) best = root;
    return best;
  }

  /**
   * The workspace rules' findings per absolute path, each folder judged on its own, with open
   * documents' live entries in place of their files on disk. Empty until a scan has run: a lone
   * file is no workspace.
   */
  workspaceFindings(overlay: ReadonlyMap<string, FileEntry> = new Map()): WorkspaceState {
    const out = new Map<string, ReportedFinding[]>();
    const roles = new Map<string, ProgramRoles>();
    const multi = this.folders.size > 1;
    for (const folder of this.folders.values()) {
      const contributions = new Map<string, WorkspaceContribution>();
      for (const [file, entry] of folder.files) if (entry.contribution) contributions.set(file, entry.contribution);
      for (const [file, entry] of overlay) {
        if (!isWithin(folder.root, file)) continue;
        // An open document's program part is computed once typing settles: until then, the disk's stands.
        const disk = contributions.get(file)?.program;
        if (entry.contribution) contributions.set(file, entry.contribution.program || !disk ? entry.contribution : { ...entry.contribution, program: disk });
        else contributions.delete(file);
      }
      const program = buildProgram(contributions);
      const found = runWorkspaceRules(engine().catalogue, {
        root: folder.root,
        config: folder.config,
        contributions,
        display: (abs) => (multi ? `${path.basename(folder.root)}/${displayPath(folder.root, abs)}` : displayPath(folder.root, abs)),
        program,
      });
      const folderRoles = program && new ProgramRoles(program);
      if (folderRoles) roles.set(folder.root, folderRoles);
      // As the CLI does: findings through calls say nothing where the role quiets their rule.
      const catalogue = engine().catalogue;
      for (const [file, findings] of found) out.set(file, placed(catalogue, findings, (f) => folderRoles?.place(file, f.line, f.column)));
    }
    return {
      byFile: out,
      placeAt: (file, line, column) => {
        const root = this.folderOf(file);
        return root === undefined ? undefined : roles.get(root)?.place(file, line, column);
      },
    };
  }

  /** The merged result of every folder, with open documents' live entries in place of their files on disk. */
  result(overlay: ReadonlyMap<string, FileEntry> = new Map()): ScanResult {
    const state = this.workspaceFindings(overlay);
    const workspace = state.byFile;
    const catalogue = engine().catalogue;
    const multi = this.folders.size > 1;
    const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
    const merged: ScanResult = {
      root: this.folders.size === 1 ? [...this.folders.keys()][0] : '',
      targetUsers: [...this.folders.values()][0]?.targetUsers ?? defaultConfig().targetUsers,
      config: [...this.folders.values()][0]?.config ?? defaultConfig(),
      files: [],
      evidence: [],
      scanned: [],
      contributions: new Map(),
      skipped: [],
      errors: [...this.folders.values()].flatMap((f) => [...f.unreadable.values()]),
      notes: [],
      stats: { filesScanned: 0, bytesScanned: 0, findings: 0, bySeverity, durationMs: 0, workers: 0 },
    };
    for (const folder of this.folders.values()) {
      const entries = new Map(folder.files);
      for (const [file, entry] of overlay) if (isWithin(folder.root, file)) entries.set(file, entry);
      for (const [file, entry] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        // Several folders: paths start with the folder's name, as VS Code shows them.
        const shown = multi ? `${path.basename(folder.root)}/${displayPath(folder.root, file)}` : displayPath(folder.root, file);
        merged.scanned.push(file);
        merged.stats.filesScanned++;
        const own = placed(catalogue, entry.findings, (f) => state.placeAt(file, f.line, f.column));
        const findings = [...own, ...(workspace.get(file) ?? [])];
        if (findings.length > 0) merged.files.push({ path: shown, absPath: file, findings });
        for (const e of entry.evidence) merged.evidence.push({ path: shown, absPath: file, ...e });
        for (const f of findings) {
          merged.stats.findings++;
          bySeverity[f.severity]++;
        }
      }
    }
    return merged;
  }

  readiness(overlay?: ReadonlyMap<string, FileEntry>): Readiness {
    return readinessOf(this.result(overlay), this.lastScan !== undefined);
  }

  reportMarkdown(overlay?: ReadonlyMap<string, FileEntry>): string {
    return formatMarkdown(this.result(overlay), this.lastScan !== undefined);
  }

  clear(): void {
    this.folders.clear();
    this.lastScan = undefined;
  }
}

function fill(folder: FolderIndex, result: ScanResult): void {
  for (const e of result.errors) if (e.kind === 'read' || e.kind === 'path') folder.unreadable.set(path.resolve(folder.root, e.path), e);
  for (const file of result.scanned) folder.files.set(file, { findings: [], evidence: [], contribution: result.contributions.get(file) });
  for (const f of result.files) folder.files.get(f.absPath)!.findings.push(...f.findings);
  for (const { path: _shown, absPath, ...located } of result.evidence) folder.files.get(absPath)?.evidence.push(located);
}
