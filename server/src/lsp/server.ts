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
import { ConfigStore, toPath } from './config-store';
import { docUri, reportedToDiagnostic, SOURCE, toDiagnostic, toTextEdit } from './convert';
import type { ReportedFinding, ScanError } from '../cli/report';
import { isWorkspaceDataFile } from '../workspace/data-files';
import { DocumentAnalyses } from './document-analysis';
import { programContribution } from '../model/contribution';
import { DocumentStore, type DocumentAnalysis, type OpenDocument } from './documents';
import { Excludes } from './excludes';
import type { Inbox } from './inbox';
import { changeParams, codeActionParams, documentUri, MalformedParams, openParams } from './params';
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
import { WorkspaceIndex, type FileEntry, type WorkspaceState } from './workspace-index';
import { demoted, demotedAt, quietable, quietAt } from '../workspace/program-findings';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.${SOURCE}`;

const SOURCE_GLOB = `**/*.{${SUPPORTED_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;
/** A superset of workspace/deployment.ts's names (watcher globs are case-sensitive on Linux); the server filters. */
const DEPLOYMENT_GLOB = '**/{[Dd]ockerfile*,*.[Dd]ockerfile,[Cc]ontainerfile,[Pp]rocfile*,*compose*.{yml,yaml},.env*,*.sh,*.prisma,*.sql}';
/** Fix-all goes through every finding's fixes: on a huge file that is bounded like the analysis. */
const FIX_ALL_BUDGET_MS = 750;

export function startServer(connection: Connection, inbox?: Inbox): void {
  const store = new DocumentStore();
  const configs = new ConfigStore();
  const excludes = new Excludes();
  let pullDiagnostics = false;
  let refreshSupport = false;
  let versionedEdits = false;
  let watchRegistration = false;
  let configurationRegistration = false;
  let workspaceFolderEvents = false;
  let progressSupport = false;
  let resolveFixAll = false;
  const index = new WorkspaceIndex();
  let scan: AbortController | undefined;
  let pendingRefresh = new Set<string>();
  let refreshTimer: NodeJS.Timeout | undefined;
  const pushTimers = new Map<string, NodeJS.Timeout>();
  const analyses = new DocumentAnalyses(
    configs,
    excludes,
    (d, a, contributionChanged) => {
      overlayEntries.set(a, overlayEntry(d, a));
      if (contributionChanged) workspaceInputChanged();
      scheduleProgram(d, a);
    },
    (d) => store.get(d.uri) === d,
    (d) => askAgain(d),
  );

  setLogger({
    error: (m) => connection.console.error(m),
    warn: (m) => connection.console.warn(m),
    info: (m) => connection.console.info(m),
  });

  /** A client's malformed request or notification: one line in the log, never a trace. */
  function malformed(method: string, e: unknown): void {
    connection.console.warn(`ignored a malformed ${method}: ${(e as Error).message}`);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities ?? {};
    pullDiagnostics = caps.textDocument?.diagnostic !== undefined;
    refreshSupport = caps.workspace?.diagnostics?.refreshSupport === true;
    versionedEdits = caps.workspace?.workspaceEdit?.documentChanges === true;
    watchRegistration = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    configurationRegistration = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    workspaceFolderEvents = caps.workspace?.workspaceFolders === true;
    progressSupport = caps.window?.workDoneProgress === true;
    resolveFixAll = caps.textDocument?.codeAction?.resolveSupport?.properties?.includes('edit') === true;
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    if (init?.settings !== undefined) configs.setSettings(init.settings);
    const folders = Array.isArray(params.workspaceFolders) ? params.workspaceFolders : params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : [];
    const roots = folders
      .map((f) => (typeof f?.uri === 'string' ? toPath(f.uri) : undefined))
      .filter((p): p is string => p !== undefined);
    configs.setFolders(roots);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        diagnosticProvider: { identifier: SOURCE, interFileDependencies: false, workspaceDiagnostics: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: resolveFixAll },
        executeCommandProvider: { commands: [FIX_ALL_COMMAND] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: workspaceFolderEvents } },
      },
      serverInfo: { name: 'headroom', version: (require('../../../package.json') as { version: string }).version },
    };
  });

  connection.onInitialized(() => {
    // Only what the client said it supports: asking for more fails, and must not stop the scan.
    if (watchRegistration) {
      connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }, { globPattern: SOURCE_GLOB }, { globPattern: DEPLOYMENT_GLOB }],
        })
        .catch((e: Error) => connection.console.warn(`the client refused file watching: ${e.message}`));
    }
    if (configurationRegistration) {
      connection.client
        .register(DidChangeConfigurationNotification.type, { section: 'headroom' })
        .catch((e: Error) => connection.console.warn(`the client refused configuration events: ${e.message}`));
    }
    publishConfigProblems();
    if (workspaceFolderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const current = configs.allFolders().map((f) => f.root);
        const removed = new Set(e.removed.map((f) => toPath(f.uri)));
        const added = e.added.map((f) => toPath(f.uri)).filter((p): p is string => p !== undefined);
        configs.setFolders([...current.filter((r) => !removed.has(r)), ...added]);
        configurationChanged();
      });
    }
    if (configs.clientSettings.scanOnStartup) void scanWorkspace();
  });

  connection.onDidChangeConfiguration((change) => {
    const settings = (change?.settings as { headroom?: unknown } | undefined)?.headroom;
    if (settings !== undefined) {
      configs.setSettings(settings);
      configurationChanged();
    }
  });

  connection.onDidChangeWatchedFiles((e) => {
    const changes = Array.isArray(e?.changes) ? e.changes : [];
    let changed = false;
    for (const c of changes) {
      const file = typeof c?.uri === 'string' ? toPath(c.uri) : undefined;
      if (!file) continue;
      if (path.basename(file) === CONFIG_FILE_NAME) {
        if (configs.reload(file)) changed = true;
      } else if (grammarForPath(file) || isWorkspaceDataFile(file)) pendingRefresh.add(file);
    }
    if (changed) configurationChanged();
    if (pendingRefresh.size > 0 && !refreshTimer) {
      // A checkout or a formatter touches many files at once: refresh them together.
      refreshTimer = setTimeout(() => {
        refreshTimer = undefined;
        const files = [...pendingRefresh];
        pendingRefresh = new Set();
        void index.refreshFiles(files, configs.clientSettings.excludes, logUnreadable).then(
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

  /** What a scan could not read is said in the log, a line each (the readiness report says it too). */
  function logUnreadable(errors: readonly ScanError[], notes: readonly string[]): void {
    for (const e of errors) if (e.kind === 'read' || e.kind === 'path') connection.console.warn(`the workspace scan left out ${e.path}: ${e.message}`);
    for (const n of notes) connection.console.info(`workspace scan: ${n}`);
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
    const progress = progressSupport ? await connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    progress?.begin('Headroom', 0, 'Scanning the workspace', true);
    progress?.token.onCancellationRequested(() => controller.abort());
    let lastPercent = -1;
    let outcome: { files: number; cancelled: boolean } = { files: 0, cancelled: true };
    try {
      outcome = await index.scanFolders(roots, {
        extraExcludes: configs.clientSettings.excludes,
        signal: controller.signal,
        onErrors: logUnreadable,
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

  /*
   * Open documents stand in for their files on disk, with their latest analysis: the one their own
   * pulls computed. A request about one document never analyses another (a slow document must not
   * hold up the others); a document whose exports change refreshes the others when it is analysed.
   */
  /** Each analysis as the workspace index sees a file, located while the document still holds the analysed text. */
  const overlayEntries = new WeakMap<DocumentAnalysis, FileEntry>();
  function openOverlay(): Map<string, FileEntry> {
    const overlay = new Map<string, FileEntry>();
    for (const d of store.all()) {
      const file = toPath(d.uri);
      const entry = d.analysis && overlayEntries.get(d.analysis);
      if (file && d.grammar && entry) overlay.set(file, entry);
    }
    return overlay;
  }

  function overlayEntry(d: OpenDocument, a: DocumentAnalysis): FileEntry {
    const span = (start: number, end: number) => {
      const s = d.doc.positionAt(start);
      const e = d.doc.positionAt(end);
      return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
    };
    const { result } = a;
    return {
      findings: result.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, ...span(f.start, f.end), related: [], fingerprint: '' })),
      evidence: result.evidence.map((e) => ({ ruleId: e.ruleId, message: e.message, ...span(e.start, e.end) })),
      contribution: {
        exports: result.exports.map((x) => ({ ruleId: x.ruleId, name: x.name, data: x.data, ...span(x.start, x.end) })),
        suppressions: result.deferredSuppressions.map((s) => ({ ruleIds: s.ruleIds, line: d.doc.positionAt(s.line).line + 1 })),
      },
    };
  }

  /**
   * What an open document's functions do (its part of the workspace's program) costs a resolution
   * of every call: it is computed once typing settles, not per keystroke, and the workspace's
   * findings through calls are recomputed when it changed.
   */
  const programTimers = new Map<string, NodeJS.Timeout>();
  const programKeys = new Map<string, string>();
  function scheduleProgram(d: OpenDocument, a: DocumentAnalysis): void {
    if (!a.result.file || index.lastScan === undefined) return;
    clearTimeout(programTimers.get(d.uri));
    programTimers.set(
      d.uri,
      setTimeout(() => {
        programTimers.delete(d.uri);
        // After an edit the analysis is stale, and its model is the next analysis's to move (see
        // mergeUnitModels): the next stored analysis schedules its own contribution.
        if (store.get(d.uri) !== d || d.analysis !== a || d.revision !== a.revision) return;
        const entry = overlayEntries.get(a);
        if (!entry?.contribution) return;
        const program = programContribution(a.result, (start, end) => {
          const s = d.doc.positionAt(start);
          const e = d.doc.positionAt(end);
          return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 };
        });
        entry.contribution.program = program;
        const key = JSON.stringify(program ?? null);
        if (programKeys.get(d.uri) !== key) {
          programKeys.set(d.uri, key);
          workspaceInputChanged();
        }
      }, Math.max(300, configs.clientSettings.debounce)),
    );
  }

  /** The workspace views count open editors with their unsaved text: each is analysed (in slices) first. */
  async function analyseOpenDocuments(): Promise<void> {
    await Promise.all([...store.all()].map((d) => analyses.analyse(d).catch((e: unknown) => reportFailure(`analysis of ${d.uri} failed`, e))));
  }

  connection.onRequest(READINESS_REQUEST, async (): Promise<ReadinessReply> => {
    await analyseOpenDocuments();
    return readinessReply();
  });
  const readinessReply = (): ReadinessReply => ({
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
  });
  connection.onRequest(EXPORT_REPORT_REQUEST, async (): Promise<ExportReportReply> => {
    await analyseOpenDocuments();
    return { markdown: index.reportMarkdown(openOverlay()) };
  });
  connection.onRequest(SCAN_WORKSPACE_REQUEST, (): Promise<ScanWorkspaceReply> => scanWorkspace());

  function configurationChanged(): void {
    excludes.clear();
    workspaceGeneration++;
    publishConfigProblems();
    if (pullDiagnostics && refreshSupport) void connection.languages.diagnostics.refresh();
    else if (!pullDiagnostics) for (const d of store.all()) schedulePush(d);
  }

  const unreadableSaid = new Set<string>();
  /** Problems in `.headroom.json` are reported on the file itself, never silently replaced by defaults. */
  function publishConfigProblems(): void {
    for (const f of configs.allFolders()) {
      const file = path.join(f.root, CONFIG_FILE_NAME);
      const uri = URI.file(file).toString();
      if (f.unreadable) {
        // Nothing to put a diagnostic on: say it where it is seen.
        const message = `Headroom cannot read ${file} (${f.unreadable}): it uses the default configuration.`;
        connection.console.warn(message);
        if (!unreadableSaid.has(message)) {
          unreadableSaid.add(message);
          void connection.window.showWarningMessage(message);
        }
        continue;
      }
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

  connection.onDidOpenTextDocument((params) => {
    let uri: string | undefined;
    try {
      const p = openParams(params);
      uri = p.uri;
      const d = store.open(p.uri, p.languageId, p.version, p.text);
      analyses.changed(d);
      if (!pullDiagnostics) schedulePush(d);
    } catch (e) {
      if (!(e instanceof MalformedParams)) throw e;
      malformed('textDocument/didOpen', e);
    } finally {
      inbox?.applied(uri ?? uriOf(params));
    }
  });

  connection.onDidChangeTextDocument((params) => {
    let uri: string | undefined;
    try {
      const p = changeParams(params);
      uri = p.uri;
      const d = store.get(p.uri);
      if (!d) {
        connection.console.warn(`ignored a change to ${p.uri}: it is not open`);
        return;
      }
      const version = p.version ?? d.version + 1;
      if (version <= d.version) connection.console.warn(`${p.uri}: version ${version} does not follow ${d.version}; the change is applied anyway`);
      try {
        d.applyChanges(p.changes, version);
      } catch (e) {
        // A change we cannot apply means our copy is wrong: say so, and wait for the client to reopen it.
        connection.console.error(`could not apply a change to ${p.uri}: ${(e as Error).message}`);
        store.close(p.uri);
        return;
      }
      analyses.changed(d);
      if (!pullDiagnostics) schedulePush(d);
    } catch (e) {
      if (!(e instanceof MalformedParams)) throw e;
      malformed('textDocument/didChange', e);
    } finally {
      inbox?.applied(uri ?? uriOf(params));
    }
  });

  connection.onDidCloseTextDocument((params) => {
    let uri: string | undefined;
    try {
      uri = documentUri(params);
      const closed = store.get(uri);
      store.close(uri);
      servedWorkspace.delete(uri);
      // Its file on disk stands in for it again.
      if (closed?.analysis?.contributed) workspaceInputChanged();
      const timer = pushTimers.get(uri);
      if (timer) clearTimeout(timer);
      if (!pullDiagnostics) void connection.sendDiagnostics({ uri, diagnostics: [] });
    } catch (e) {
      if (!(e instanceof MalformedParams)) throw e;
      malformed('textDocument/didClose', e);
    } finally {
      inbox?.applied(uri ?? uriOf(params));
    }
  });

  /** Before the first scan: a lone file is no workspace. */
  const NO_WORKSPACE: WorkspaceState = { byFile: new Map(), placeAt: () => undefined };

  // The workspace rules' findings, recomputed when their input changed: a scan or refresh, a
  // configuration change, or an open document whose exports moved.
  let workspaceGeneration = 0;
  let workspaceCache: { generation: number; state: WorkspaceState } | undefined;
  let workspaceRefreshTimer: NodeJS.Timeout | undefined;
  /** The workspace findings each open document was last answered with: what a refresh compares against. */
  const servedWorkspace = new Map<string, string>();

  function workspaceInputChanged(): void {
    workspaceGeneration++;
    if (index.lastScan === undefined || workspaceRefreshTimer) return;
    // Open documents may gain or lose a workspace finding: refresh those whose last answer differs
    // once typing settles. The document being typed is no exception: changes of several documents
    // meet in one refresh, and another one's change may be what moved its findings.
    workspaceRefreshTimer = setTimeout(() => {
      workspaceRefreshTimer = undefined;
      const after = workspaceFindingsNow();
      const changed = [...store.all()].filter((d) => (servedWorkspace.get(d.uri) ?? '') !== JSON.stringify(workspacePart(d, d.analysis, after)));
      if (changed.length === 0) return;
      if (pullDiagnostics && refreshSupport) void connection.languages.diagnostics.refresh();
      else if (!pullDiagnostics) for (const d of changed) schedulePush(d);
    }, configs.clientSettings.debounce);
  }

  /** Asks for a document's diagnostics again (a paused document is being retried). */
  function askAgain(d: OpenDocument): void {
    if (pullDiagnostics && refreshSupport) void connection.languages.diagnostics.refresh();
    else if (!pullDiagnostics) schedulePush(d);
  }

  /** The range of one of a document's current exports: where a workspace finding about it is shown now. */
  function reanchor(d: OpenDocument, result: AnalysisResult): (index: number | undefined) => Range | undefined {
    return (index) => {
      const x = index === undefined ? undefined : result.exports[index];
      return x && { start: d.doc.positionAt(x.start), end: d.doc.positionAt(x.end) };
    };
  }

  function workspaceFindingsNow(): WorkspaceState {
    if (index.lastScan === undefined) return NO_WORKSPACE;
    if (workspaceCache?.generation === workspaceGeneration) return workspaceCache.state;
    const generation = workspaceGeneration;
    const state = index.workspaceFindings(openOverlay());
    workspaceCache = { generation, state };
    return state;
  }

  /**
   * What the workspace decides about a document: its findings across files, and which of its own
   * findings are quiet because only start-up code runs where they are (a refresh compares this).
   */
  function workspacePart(d: OpenDocument, a: DocumentAnalysis | undefined, state: WorkspaceState): { findings: ReportedFinding[]; quiet: number[]; demote: number[] } {
    const file = toPath(d.uri);
    if (!file) return { findings: [], quiet: [], demote: [] };
    const quiet: number[] = [];
    const demote: number[] = [];
    const catalogue = engine().catalogue;
    a?.result.findings.forEach((f, i) => {
      if (!quietable(catalogue, f.ruleId)) return;
      const at = d.doc.positionAt(f.start);
      const place = state.placeAt(file, at.line + 1, at.character + 1);
      if (quietAt(catalogue, f.ruleId, place)) quiet.push(i);
      else if (demotedAt(catalogue, f.ruleId, place)) demote.push(i);
    });
    return { findings: state.byFile.get(file) ?? [], quiet, demote };
  }

  /** The diagnostics of a document's current analysis (`a` belongs to its current revision). */
  function diagnosticsOf(d: OpenDocument, a: DocumentAnalysis): Diagnostic[] {
    const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    if (a.skip) return [{ range: zero, severity: DiagnosticSeverity.Information, source: SOURCE, code: 'file-skipped', message: a.skip.reason }];
    const { result } = a;
    const part = workspacePart(d, a, workspaceFindingsNow());
    servedWorkspace.set(d.uri, JSON.stringify(part));
    const quiet = new Set(part.quiet);
    const demote = new Set(part.demote);
    const own = result.findings.flatMap((f, i) => (quiet.has(i) ? [] : [demote.has(i) ? demoted(f) : f]));
    const out = [...own.map((f) => toDiagnostic(f, d.doc)), ...part.findings.map((f) => reportedToDiagnostic(f, d.uri, reanchor(d, result)))];
    if (result.incomplete) {
      const at = d.doc.positionAt(result.incomplete.offset);
      const where = result.incomplete.end === undefined ? `from line ${at.line + 1} on` : `in the code that starts on line ${at.line + 1}`;
      out.push({
        range: { start: at, end: at },
        severity: DiagnosticSeverity.Information,
        source: SOURCE,
        code: 'analysis-incomplete',
        message: `Headroom analysed this file only in part: findings ${where} may be missing (${result.incomplete.reason}).`,
      });
    }
    return out;
  }

  const retrigger = () => new ResponseError(LSPErrorCodes.ServerCancelled, 'document changed', { retriggerRequest: true });

  connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
    let uri: string;
    try {
      uri = documentUri(params);
    } catch (e) {
      malformed('textDocument/diagnostic', e);
      throw new ResponseError(LSPErrorCodes.RequestFailed, (e as Error).message);
    }
    const d = store.get(uri);
    if (!d) return { kind: 'full', items: [] };
    // A change already read but not applied yet: answering now would describe the replaced text.
    if (inbox?.changePending(uri)) throw retrigger();
    const revision = d.revision;
    let a: DocumentAnalysis | undefined;
    try {
      a = await analyses.analyse(d);
    } catch (e) {
      reportFailure(`analysis of ${uri} failed`, e);
      return { kind: 'full', items: [] };
    }
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    if (!a || store.get(uri) !== d || d.revision !== revision || inbox?.changePending(uri)) throw retrigger();
    const items = diagnosticsOf(d, a);
    // The id names the content: most keystrokes move no finding, and then the client keeps what
    // it has instead of receiving every diagnostic again.
    const resultId = createHash('sha1').update(JSON.stringify(items)).digest('base64');
    if (params.previousResultId === resultId) return { kind: 'unchanged', resultId };
    return { kind: 'full', resultId, items };
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
        const revision = d.revision;
        const version = d.version;
        analyses.analyse(d).then(
          (a) => {
            // Overtaken by an edit: that edit scheduled its own push.
            if (!a || store.get(d.uri) !== d || d.revision !== revision) return;
            void connection.sendDiagnostics({ uri: d.uri, version, diagnostics: diagnosticsOf(d, a) });
          },
          (e: unknown) => reportFailure(`analysis of ${d.uri} failed`, e),
        );
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

  /** The analysis and tree of a document's current revision, for fixes; undefined when it is not analysable now. */
  async function fixInput(d: OpenDocument): Promise<{ a: DocumentAnalysis; revision: number } | undefined> {
    const revision = d.revision;
    const a = await analyses.analyse(d);
    if (!a || a.skip || store.get(d.uri) !== d || d.revision !== revision) return undefined;
    return { a, revision };
  }

  /** Safe fixes of every finding, as edits of the document's current text (bounded in time). */
  function fixAllFor(d: OpenDocument, a: DocumentAnalysis): TextEditInit[] {
    return fixAllEdits(a.result.findings, { tree: d.currentTree(), text: d.text, grammar: d.grammar!, file: a.result.file }, configs.configFor(d.uri), engine().catalogue, performance.now() + FIX_ALL_BUDGET_MS);
  }

  function hasSafeFix(f: Finding): boolean {
    return engine().catalogue.meta(f.ruleId)?.fixes.some((x) => x.safe) === true;
  }

  connection.onCodeAction(async (params) => {
    let input;
    try {
      input = codeActionParams(params);
    } catch (e) {
      malformed('textDocument/codeAction', e);
      return [];
    }
    const d = store.get(input.uri);
    if (!d?.grammar) return [];
    try {
        const ready = await fixInput(d);
      if (!ready || ready.a.result.findings.length === 0) return [];
      const { a } = ready;
      const config = configs.configFor(d.uri);
      const tree = { tree: d.currentTree(), text: d.text, grammar: d.grammar, file: a.result.file };
      const actions: CodeAction[] = [];
      const { only } = input;
      if (wants(only, CodeActionKind.QuickFix)) {
        for (const diag of input.diagnostics as Diagnostic[]) {
          if (diag?.source !== SOURCE || !diag.range) continue;
          const f = findingFor(a.result.findings, diag, d);
          if (!f) continue;
          for (const fix of fixesFor(f, tree, config, engine().catalogue, { offerIgnore: configs.clientSettings.ignoreAction })) {
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
      // Fix-all goes out when asked for (on save), or beside quick fixes when several findings may
      // have one: then its edit is computed only if chosen (resolve), not for every lightbulb.
      const explicitFixAll = only?.some((k) => FIX_ALL_KIND === k || FIX_ALL_KIND.startsWith(`${k}.`)) ?? false;
      if (explicitFixAll) {
        const edits = fixAllFor(d, a);
        if (edits.length > 0) actions.push({ title: 'Fix all safe Headroom findings', kind: FIX_ALL_KIND, edit: editFor(d, edits) });
      } else if (!only && (input.diagnostics as Diagnostic[]).some((x) => x?.source === SOURCE) && a.result.findings.filter(hasSafeFix).length > 1) {
        if (resolveFixAll) {
          actions.push({ title: 'Fix all safe Headroom findings', kind: FIX_ALL_KIND, data: { uri: d.uri, revision: d.revision } });
        } else {
          const edits = fixAllFor(d, a);
          if (edits.length > 1) actions.push({ title: 'Fix all safe Headroom findings', kind: FIX_ALL_KIND, edit: editFor(d, edits) });
        }
      }
      return actions;
    } catch (e) {
      reportFailure(`code actions for ${d.uri} failed`, e);
      return [];
    }
  });

  connection.onCodeActionResolve(async (action) => {
    const data = action?.data as { uri?: unknown; revision?: unknown } | undefined;
    const d = typeof data?.uri === 'string' ? store.get(data.uri) : undefined;
    if (!d?.grammar || data?.revision !== d.revision) return action;
    const ready = await fixInput(d);
    if (!ready) return action;
    return { ...action, edit: editFor(d, fixAllFor(d, ready.a)) };
  });

  connection.onExecuteCommand(async (params) => {
    if (params?.command !== FIX_ALL_COMMAND) return;
    const arg = (Array.isArray(params.arguments) ? params.arguments[0] ?? {} : {}) as { uri?: unknown; version?: unknown };
    const d = typeof arg.uri === 'string' ? store.get(arg.uri) : undefined;
    if (!d?.grammar) throw new ResponseError(LSPErrorCodes.RequestFailed, `${typeof arg.uri === 'string' ? arg.uri : 'no document'} is not open`);
    if (arg.version !== undefined && arg.version !== d.version) {
      throw new ResponseError(LSPErrorCodes.ContentModified, `the document changed (version ${d.version}, asked for ${String(arg.version)})`);
    }
    const ready = await fixInput(d);
    if (!ready) throw new ResponseError(LSPErrorCodes.ContentModified, 'the document changed while its fixes were computed');
    const edits = fixAllFor(d, ready.a);
    if (edits.length === 0) return { applied: 0 };
    const res = await connection.workspace.applyEdit({ label: 'Headroom: fix all', edit: editFor(d, edits) });
    return { applied: res.applied ? edits.length : 0 };
  });
}

/** The uri of a notification's document, if it has one: for the inbox, even when the rest is malformed. */
function uriOf(params: unknown): string | undefined {
  const uri = (params as { textDocument?: { uri?: unknown } } | undefined)?.textDocument?.uri;
  return typeof uri === 'string' ? uri : undefined;
}

function findingFor(findings: Finding[], diag: Diagnostic, d: OpenDocument): Finding | undefined {
  const start = d.doc.offsetAt(diag.range.start);
  const end = d.doc.offsetAt(diag.range.end);
  return findings.find((f) => f.ruleId === diag.code && f.start === start && f.end === end);
}
