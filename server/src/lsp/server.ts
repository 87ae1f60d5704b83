import { createHash } from 'crypto';
import * as path from 'path';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  LSPErrorCodes,
  ResponseError,
  TextDocumentEdit,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type InitializeParams,
  type InitializeResult,
  type Range,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { CONFIG_FILE_NAME } from '../config/config';
import type { AnalysisResult, Finding } from '../engine/analyzer';
import { fixAllEdits, fixesFor } from '../engine/fixes';
import { engine } from '../engine/index';
import { NativeLoadError } from '../engine/native';
import { grammarForPath, SUPPORTED_EXTENSIONS } from '../engine/languages';
import { setLogger } from '../engine/log';
import type { TextEditInit } from '../engine/rule-api';
import { ConfigStore, toPath, type ClientSettings } from './config-store';
import { docUri, reportedToDiagnostic, SOURCE, toDiagnostic, toTextEdit } from './convert';
import type { ReportedFinding } from '../cli/report';
import { isDeploymentFile } from '../workspace/deployment';
import { DocumentStore, type OpenDocument } from './documents';
import { Excludes } from './excludes';
import {
  EXPORT_REPORT_REQUEST,
  FIX_ALL_COMMAND,
  READINESS_CHANGED,
  READINESS_REQUEST,
  SCAN_WORKSPACE_REQUEST,
  type ExportReportReply,
  type ReadinessReply,
  type ScanWorkspaceReply,
} from '../protocol';
import { WorkspaceIndex, type FileEntry } from './workspace-index';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.${SOURCE}`;

const SOURCE_GLOB = `**/*.{${SUPPORTED_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;
/** A superset of workspace/deployment.ts's names (watcher globs are case-sensitive on Linux); the server filters. */
const DEPLOYMENT_GLOB = '**/{[Dd]ockerfile*,*.[Dd]ockerfile,[Cc]ontainerfile,[Pp]rocfile*,*compose*.{yml,yaml},.env*,*.sh}';

/** Why an open document is not analysed (too large, binary, excluded): reported once, as information. */
interface Skip {
  reason: string;
}

export function startServer(connection: Connection): void {
  const store = new DocumentStore();
  const configs = new ConfigStore();
  const excludes = new Excludes();
  let pullDiagnostics = false;
  let refreshSupport = false;
  let versionedEdits = false;
  let watchRegistration = false;
  let configurationRegistration = false;
  let progressSupport = false;
  const index = new WorkspaceIndex();
  let scan: AbortController | undefined;
  let pendingRefresh = new Set<string>();
  let refreshTimer: NodeJS.Timeout | undefined;
  const pushTimers = new Map<string, NodeJS.Timeout>();

  setLogger({
    error: (m) => connection.console.error(m),
    warn: (m) => connection.console.warn(m),
    info: (m) => connection.console.info(m),
  });

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    pullDiagnostics = caps.textDocument?.diagnostic !== undefined;
    refreshSupport = caps.workspace?.diagnostics?.refreshSupport === true;
    versionedEdits = caps.workspace?.workspaceEdit?.documentChanges === true;
    watchRegistration = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    configurationRegistration = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    progressSupport = caps.window?.workDoneProgress === true;
    const init = (params.initializationOptions ?? {}) as { settings?: Partial<ClientSettings> };
    if (init.settings) configs.setSettings(init.settings);
    const roots = (params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []))
      .map((f) => toPath(f.uri))
      .filter((p): p is string => p !== undefined);
    configs.setFolders(roots);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        diagnosticProvider: { identifier: SOURCE, interFileDependencies: false, workspaceDiagnostics: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        executeCommandProvider: { commands: [FIX_ALL_COMMAND] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'headroom', version: (require('../../../package.json') as { version: string }).version },
    };
  });

  connection.onInitialized(() => {
    if (watchRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }, { globPattern: SOURCE_GLOB }, { globPattern: DEPLOYMENT_GLOB }],
      });
    }
    if (configurationRegistration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'headroom' });
    publishConfigProblems();
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      const current = configs.allFolders().map((f) => f.root);
      const removed = new Set(e.removed.map((f) => toPath(f.uri)));
      const added = e.added.map((f) => toPath(f.uri)).filter((p): p is string => p !== undefined);
      configs.setFolders([...current.filter((r) => !removed.has(r)), ...added]);
      configurationChanged();
    });
    if (configs.clientSettings.scanOnStartup) void scanWorkspace();
  });

  connection.onDidChangeConfiguration((change) => {
    const settings = (change.settings as { headroom?: Partial<ClientSettings> } | undefined)?.headroom;
    if (settings) {
      configs.setSettings(settings);
      configurationChanged();
    }
  });

  connection.onDidChangeWatchedFiles((e) => {
    let changed = false;
    for (const c of e.changes) {
      const file = toPath(c.uri);
      if (file && path.basename(file) === CONFIG_FILE_NAME && configs.reload(file)) changed = true;
      else if (file && (grammarForPath(file) || isDeploymentFile(file))) pendingRefresh.add(file);
    }
    if (changed) configurationChanged();
    if (pendingRefresh.size > 0 && !refreshTimer) {
      // A checkout or a formatter touches many files at once: refresh them together.
      refreshTimer = setTimeout(() => {
        refreshTimer = undefined;
        const files = [...pendingRefresh];
        pendingRefresh = new Set();
        void index.refreshFiles(files, configs.clientSettings.excludes).then(
          () => {
            workspaceInputChanged();
            readinessChanged();
          },
          (err: Error) => connection.console.error(`refreshing ${files.length} files failed: ${err.message}`),
        );
      }, 200);
    }
  });

  function readinessChanged(): void {
    void connection.sendNotification(READINESS_CHANGED, { lastScan: index.lastScan?.toISOString() ?? null });
  }

  /**
   * Scans every workspace folder in worker threads, with cancellable progress; a new scan stops the
   * one running. The editor's own requests never wait for it.
   */
  async function scanWorkspace(): Promise<{ files: number; cancelled: boolean }> {
    scan?.abort();
    const controller = new AbortController();
    scan = controller;
    const roots = configs.allFolders().map((f) => f.root);
    const progress = progressSupport ? await connection.window.createWorkDoneProgress() : undefined;
    progress?.begin('Headroom', 0, 'Scanning the workspace', true);
    progress?.token.onCancellationRequested(() => controller.abort());
    let lastPercent = -1;
    let outcome: { files: number; cancelled: boolean } = { files: 0, cancelled: true };
    try {
      outcome = await index.scanFolders(roots, {
        extraExcludes: configs.clientSettings.excludes,
        signal: controller.signal,
        onProgress: (done, total) => {
          const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
          if (percent !== lastPercent) {
            lastPercent = percent;
            progress?.report(percent, `${done}/${total} files`);
          }
        },
      });
    } catch (e) {
      reportFailure('the workspace scan failed', e);
    } finally {
      progress?.done();
      if (scan === controller) scan = undefined;
    }
    if (!outcome.cancelled) {
      workspaceInputChanged();
      readinessChanged();
    }
    return outcome;
  }

  /** Open documents, analysed live, stand in for their files on disk. */
  function openOverlay(): Map<string, FileEntry> {
    const overlay = new Map<string, FileEntry>();
    for (const d of store.all()) {
      const file = toPath(d.uri);
      if (!file || !d.grammar) continue;
      try {
        const { result } = analysisOf(d);
        const at = (offset: number) => d.doc.positionAt(offset);
        const span = (start: number, end: number) => {
          const s = at(start);
          const e = at(end);
          return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
        };
        overlay.set(file, {
          findings: result.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, ...span(f.start, f.end), related: [], fingerprint: '' })),
          evidence: result.evidence.map((e) => ({ ruleId: e.ruleId, message: e.message, ...span(e.start, e.end) })),
          contribution: {
            exports: result.exports.map((x) => ({ ruleId: x.ruleId, name: x.name, data: x.data, ...span(x.start, x.end) })),
            suppressions: result.deferredSuppressions.map((s) => ({ ruleIds: s.ruleIds, line: at(s.line).line + 1 })),
          },
        });
      } catch (e) {
        connection.console.error(`analysis of ${d.uri} failed: ${(e as Error).message}`);
      }
    }
    return overlay;
  }

  connection.onRequest(READINESS_REQUEST, (): ReadinessReply => ({
    readiness: index.readiness(openOverlay()),
    rules: engine().catalogue.rules.map(({ meta }) => ({
      id: meta.id,
      title: meta.title,
      category: meta.category,
      hasSafeFix: meta.fixes.some((f) => f.safe),
      docUri: docUri(meta.id),
    })),
    lastScan: index.lastScan?.toISOString() ?? null,
    scanning: index.scanning,
  }));
  connection.onRequest(EXPORT_REPORT_REQUEST, (): ExportReportReply => ({ markdown: index.reportMarkdown(openOverlay()) }));
  connection.onRequest(SCAN_WORKSPACE_REQUEST, (): Promise<ScanWorkspaceReply> => scanWorkspace());

  function configurationChanged(): void {
    excludes.clear();
    workspaceGeneration++;
    publishConfigProblems();
    if (pullDiagnostics && refreshSupport) void connection.languages.diagnostics.refresh();
    else if (!pullDiagnostics) for (const d of store.all()) schedulePush(d);
  }

  /** Problems in `.headroom.json` are reported on the file itself, never silently replaced by defaults. */
  function publishConfigProblems(): void {
    for (const f of configs.allFolders()) {
      const uri = URI.file(path.join(f.root, CONFIG_FILE_NAME)).toString();
      const doc = TextDocument.create(uri, 'json', 0, f.text ?? '');
      const diagnostics: Diagnostic[] = f.problems.map((p) => ({
        range: { start: doc.positionAt(p.start), end: doc.positionAt(p.start + p.length) },
        severity: DiagnosticSeverity.Error,
        source: SOURCE,
        message: `${p.message} This setting is ignored until it is fixed.`,
      }));
      void connection.sendDiagnostics({ uri, diagnostics });
    }
  }

  connection.onDidOpenTextDocument(({ textDocument: t }) => {
    const d = store.open(t.uri, t.languageId, t.version, t.text);
    if (!pullDiagnostics) schedulePush(d);
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const d = store.get(textDocument.uri);
    if (!d) return;
    try {
      d.applyChanges(contentChanges, textDocument.version ?? d.version + 1);
    } catch (e) {
      // A change we cannot apply means our copy is wrong: say so, and wait for the client to reopen it.
      connection.console.error(`could not apply a change to ${textDocument.uri}: ${(e as Error).message}`);
      store.close(textDocument.uri);
      return;
    }
    if (!pullDiagnostics) schedulePush(d);
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    const closed = store.get(textDocument.uri);
    store.close(textDocument.uri);
    servedWorkspace.delete(textDocument.uri);
    // Its file on disk stands in for it again.
    if (closed?.analysis?.contributed) workspaceInputChanged(textDocument.uri);
    const timer = pushTimers.get(textDocument.uri);
    if (timer) clearTimeout(timer);
    if (!pullDiagnostics) void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
  });

  /** The analysis of a document's current version, computed at most once per version and configuration. */
  function analysisOf(d: OpenDocument): { result: AnalysisResult; skip?: Skip } {
    const gen = configs.generation;
    if (d.analysis && d.analysis.version === d.version && d.analysis.configGen === gen) return { result: d.analysis.result };
    const empty: AnalysisResult = { findings: [], evidence: [], exports: [], deferredSuppressions: [], failedRules: [] };
    const config = configs.configFor(d.uri);
    if (!configs.clientSettings.enable || !d.grammar) return { result: empty };
    const folder = configs.folderOf(d.uri);
    const file = toPath(d.uri);
    if (folder && file && excludes.isExcluded(folder.root, config.exclude, file)) return { result: empty };
    const text = d.text;
    const limit = config.thresholds.maxFileSizeKB * 1024;
    if (text.length > limit) {
      return { result: empty, skip: { reason: `Headroom skipped this file: ${(text.length / 1024 / 1024).toFixed(1)} MB is above the ${config.thresholds.maxFileSizeKB} KB limit (thresholds.maxFileSizeKB in ${CONFIG_FILE_NAME}).` } };
    }
    if (text.includes('\u0000')) return { result: empty, skip: { reason: 'Headroom skipped this file: it contains NUL bytes, so it looks binary.' } };
    const result = engine().analyzer.analyze({ tree: d.currentTree(), text, grammar: d.grammar }, config, d.units);
    const contributed = contributionKey(d, result);
    if (contributed !== d.analysis?.contributed) workspaceInputChanged(d.uri);
    d.analysis = { version: d.version, configGen: gen, result, contributed };
    return { result };
  }

  /**
   * What the workspace rules' verdicts depend on in a document: its exports' data (not their
   * positions: findings are re-anchored to the current exports when reported, so typing that only
   * moves them needs no new join) and which export each workspace suppression covers.
   */
  function contributionKey(d: OpenDocument, result: AnalysisResult): string {
    if (result.exports.length + result.deferredSuppressions.length === 0) return '';
    const lineOf = (offset: number) => d.doc.positionAt(offset).line;
    const covered = result.deferredSuppressions.map((s) => [s.ruleIds, result.exports.findIndex((x) => lineOf(x.start) === lineOf(s.line))]);
    return JSON.stringify([result.exports.map((x) => [x.ruleId, x.name, x.data]), covered]);
  }

  // The workspace rules' findings, recomputed when their input changed: a scan or refresh, a
  // configuration change, or an open document whose exports moved.
  let workspaceGeneration = 0;
  let workspaceCache: { generation: number; byFile: Map<string, ReportedFinding[]> } | undefined;
  let workspaceRefreshTimer: NodeJS.Timeout | undefined;
  /** The workspace findings each open document was last answered with: what a refresh compares against. */
  const servedWorkspace = new Map<string, string>();

  function workspaceInputChanged(changedUri?: string): void {
    workspaceGeneration++;
    if (index.lastScan === undefined || workspaceRefreshTimer) return;
    // Other open documents may gain or lose a workspace finding: refresh them once typing settles.
    workspaceRefreshTimer = setTimeout(() => {
      workspaceRefreshTimer = undefined;
      const after = workspaceFindingsNow();
      const changed = [...store.all()].filter((d) => d.uri !== changedUri && (servedWorkspace.get(d.uri) ?? '[]') !== JSON.stringify(after.get(toPath(d.uri) ?? '') ?? []));
      if (changed.length === 0) return;
      if (pullDiagnostics && refreshSupport) void connection.languages.diagnostics.refresh();
      else if (!pullDiagnostics) for (const d of changed) schedulePush(d);
    }, configs.clientSettings.debounce);
  }

  /** The range of one of a document's current exports: where a workspace finding about it is shown now. */
  function reanchor(d: OpenDocument, result: AnalysisResult): (index: number | undefined) => Range | undefined {
    return (index) => {
      const x = index === undefined ? undefined : result.exports[index];
      return x && { start: d.doc.positionAt(x.start), end: d.doc.positionAt(x.end) };
    };
  }

  function workspaceFindingsNow(): Map<string, ReportedFinding[]> {
    if (workspaceCache?.generation === workspaceGeneration) return workspaceCache.byFile;
    const generation = workspaceGeneration;
    const byFile = index.lastScan === undefined ? new Map<string, ReportedFinding[]>() : index.workspaceFindings(openOverlay());
    workspaceCache = { generation, byFile };
    return byFile;
  }

  function diagnosticsOf(d: OpenDocument): Diagnostic[] {
    const { result, skip } = analysisOf(d);
    if (skip) return [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: SOURCE, code: 'file-skipped', message: skip.reason }];
    const file = toPath(d.uri);
    const workspace = file ? workspaceFindingsNow().get(file) ?? [] : [];
    servedWorkspace.set(d.uri, JSON.stringify(workspace));
    return [...result.findings.map((f) => toDiagnostic(f, d.doc)), ...workspace.map((f) => reportedToDiagnostic(f, d.uri, reanchor(d, result)))];
  }

  connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
    const d = store.get(params.textDocument.uri);
    if (!d) return { kind: 'full', items: [] };
    const version = d.version;
    // Let queued changes and cancellations be read first, so a burst of keystrokes is analysed once.
    // vscode-jsonrpc hands over one queued message per turn of the check phase, after ours: two turns.
    await nextTurn();
    await nextTurn();
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const current = store.get(params.textDocument.uri);
    if (current !== d || d.version !== version) {
      // Stale: the client asks again for the new version; never answer with an old version's findings.
      throw new ResponseError(LSPErrorCodes.ServerCancelled, 'document changed', { retriggerRequest: true });
    }
    try {
      const items = diagnosticsOf(d);
      // The id names the content: most keystrokes move no finding, and then the client keeps what
      // it has instead of receiving every diagnostic again.
      const resultId = createHash('sha1').update(JSON.stringify(items)).digest('base64');
      if (params.previousResultId === resultId) return { kind: 'unchanged', resultId };
      return { kind: 'full', resultId, items };
    } catch (e) {
      reportFailure(`analysis of ${d.uri} failed`, e);
      return { kind: 'full', items: [] };
    }
  });

  let nativeReported = false;
  /** Logs a failure; one that stops all analysis (the parser cannot load) is also told to the user, once. */
  function reportFailure(what: string, e: unknown): void {
    connection.console.error(`${what}: ${(e as Error).stack ?? String(e)}`);
    if (e instanceof NativeLoadError && !nativeReported) {
      nativeReported = true;
      void connection.window.showErrorMessage(`${e.message}. See "Platforms" in Headroom's README.`);
    }
  }

  /** For clients without pull diagnostics: publish after a short pause in typing, for the version analysed. */
  function schedulePush(d: OpenDocument): void {
    const previous = pushTimers.get(d.uri);
    if (previous) clearTimeout(previous);
    pushTimers.set(
      d.uri,
      setTimeout(() => {
        pushTimers.delete(d.uri);
        if (store.get(d.uri) !== d) return;
        try {
          void connection.sendDiagnostics({ uri: d.uri, version: d.version, diagnostics: diagnosticsOf(d) });
        } catch (e) {
          reportFailure(`analysis of ${d.uri} failed`, e);
        }
      }, configs.clientSettings.debounce),
    );
  }

  function editFor(d: OpenDocument, edits: TextEditInit[]): WorkspaceEdit {
    const textEdits = edits.map((e) => toTextEdit(e, d.doc));
    // Versioned edits make the client refuse a fix computed for an older version of the document.
    return versionedEdits
      ? { documentChanges: [TextDocumentEdit.create({ uri: d.uri, version: d.version }, textEdits)] }
      : { changes: { [d.uri]: textEdits } };
  }

  function wants(only: string[] | undefined, kind: string): boolean {
    return !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
  }

  connection.onCodeAction((params) => {
    const d = store.get(params.textDocument.uri);
    if (!d?.grammar) return [];
    try {
      const { result } = analysisOf(d);
      const config = configs.configFor(d.uri);
      const input = { tree: d.currentTree(), text: d.text, grammar: d.grammar };
      const actions: CodeAction[] = [];
      const only = params.context.only;
      if (wants(only, CodeActionKind.QuickFix)) {
        for (const diag of params.context.diagnostics) {
          if (diag.source !== SOURCE) continue;
          const f = findingFor(result.findings, diag, d);
          if (!f) continue;
          for (const fix of fixesFor(f, input, config, engine().catalogue, { offerIgnore: configs.clientSettings.ignoreAction })) {
            actions.push({
              title: fix.safe || fix.fixId === 'ignore' ? fix.title : `${fix.title} (unsafe)`,
              kind: CodeActionKind.QuickFix,
              diagnostics: [diag],
              isPreferred: fix.preferred,
              edit: editFor(d, fix.edits),
            });
          }
        }
      }
      // Fix-all goes out when asked for (on save) or alongside quick fixes when several findings have one.
      const explicitFixAll = only?.some((k) => FIX_ALL_KIND === k || FIX_ALL_KIND.startsWith(`${k}.`)) ?? false;
      if (explicitFixAll || (!only && params.context.diagnostics.some((x) => x.source === SOURCE))) {
        const edits = fixAllEdits(result.findings, input, config, engine().catalogue);
        if (edits.length > 0 && (explicitFixAll || edits.length > 1)) {
          actions.push({ title: 'Fix all safe Headroom findings', kind: FIX_ALL_KIND, edit: editFor(d, edits) });
        }
      }
      return actions;
    } catch (e) {
      connection.console.error(`code actions for ${d.uri} failed: ${(e as Error).stack ?? String(e)}`);
      return [];
    }
  });

  connection.onExecuteCommand(async (params) => {
    if (params.command !== FIX_ALL_COMMAND) return;
    const arg = (params.arguments?.[0] ?? {}) as { uri?: string; version?: number };
    const d = arg.uri ? store.get(arg.uri) : undefined;
    if (!d?.grammar) throw new ResponseError(LSPErrorCodes.RequestFailed, `${arg.uri ?? 'no document'} is not open`);
    if (arg.version !== undefined && arg.version !== d.version) {
      throw new ResponseError(LSPErrorCodes.ContentModified, `the document changed (version ${d.version}, asked for ${arg.version})`);
    }
    const { result } = analysisOf(d);
    const edits = fixAllEdits(result.findings, { tree: d.currentTree(), text: d.text, grammar: d.grammar }, configs.configFor(d.uri), engine().catalogue);
    if (edits.length === 0) return { applied: 0 };
    const res = await connection.workspace.applyEdit({ label: 'Headroom: fix all', edit: editFor(d, edits) });
    return { applied: res.applied ? edits.length : 0 };
  });
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function findingFor(findings: Finding[], diag: Diagnostic, d: OpenDocument): Finding | undefined {
  const start = d.doc.offsetAt(diag.range.start);
  const end = d.doc.offsetAt(diag.range.end);
  return findings.find((f) => f.ruleId === diag.code && f.start === start && f.end === end);
}
