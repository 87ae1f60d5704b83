import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import {
  EXPORT_REPORT_REQUEST,
  FIX_ALL_COMMAND,
  READINESS_CHANGED,
  READINESS_REQUEST,
  SCAN_WORKSPACE_REQUEST,
  type ExportReportReply,
  type ReadinessReply,
} from '../../server/src/protocol';
import { createLanguageClient, SELECTOR, serverSettings } from './language-client';
import { FILTER_LABELS, FindingItem, FindingsView, ReadinessView, type FindingsFilter } from './views';

/**
 * The VS Code client: starts the bundled language server over IPC, shows its diagnostics and
 * fixes, and presents the workspace's readiness in the Headroom sidebar and the status bar.
 */
let client: LanguageClient | undefined;

/** What the extension exposes to its tests (and to other extensions). */
export interface HeadroomApi {
  readiness(): Promise<ReadinessReply | undefined>;
  client(): LanguageClient | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<HeadroomApi> {
  const output = vscode.window.createOutputChannel('Headroom', { log: true });
  const readinessView = new ReadinessView();
  const findingsView = new FindingsView();
  const findingsTree = vscode.window.createTreeView('headroom.findings', { treeDataProvider: findingsView, showCollapseAll: true });
  const status = vscode.window.createStatusBarItem('headroom.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'Headroom';
  status.command = 'headroom.readiness.focus';
  const language = vscode.languages.createLanguageStatusItem('headroom.language', SELECTOR);
  language.name = 'Headroom';
  language.command = { title: 'Show Logs', command: 'headroom.showOutput' };
  let lastAnalysis: Date | undefined;
  let latest: ReadinessReply | undefined;

  const setState = (text: string, busy = false): void => {
    language.text = `Headroom: ${text}`;
    language.busy = busy;
    language.detail = lastAnalysis ? `last analysis ${lastAnalysis.toLocaleTimeString()}` : undefined;
  };

  const refresh = async (): Promise<ReadinessReply | undefined> => {
    if (!client || client.state !== State.Running) return undefined;
    try {
      latest = await client.sendRequest<ReadinessReply>(READINESS_REQUEST);
    } catch (e) {
      output.error(`readiness: ${(e as Error).message}`);
      return undefined;
    }
    lastAnalysis = new Date();
    readinessView.update(latest);
    findingsView.update(latest);
    findingsTree.message = findingsView.filter === 'all' ? undefined : `Filter: ${FILTER_LABELS[findingsView.filter]}`;
    const counts = latest.readiness.categories.reduce((acc, c) => ({ error: acc.error + c.counts.error, warning: acc.warning + c.counts.warning }), { error: 0, warning: 0 });
    status.text = `$(error) ${counts.error} $(warning) ${counts.warning}`;
    status.tooltip = latest.readiness.verdict;
    status.show();
    await vscode.commands.executeCommand('setContext', 'headroom.noSupportedFiles', latest.readiness.filesScanned === 0 && !latest.scanning);
    setState('ready');
    return latest;
  };
  let timer: NodeJS.Timeout | undefined;
  const refreshSoon = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 500);
  };

  const start = async (): Promise<void> => {
    setState('starting', true);
    client = createLanguageClient(context, output, () => void restart());
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped) setState('stopped');
    });
    await client.start();
    client.onNotification(READINESS_CHANGED, () => void refresh());
    setState('ready');
    await refresh();
  };
  const restart = async (): Promise<void> => {
    const old = client;
    client = undefined;
    await old?.stop().catch(() => undefined);
    await start();
  };

  /** Applies the code action of a finding in the sidebar: the preferred fix, or "ignore". */
  const applyAction = async (item: FindingItem | undefined, pick: (a: vscode.CodeAction) => boolean): Promise<void> => {
    const f = item?.finding;
    if (!f?.uri) return;
    const uri = vscode.Uri.parse(f.uri);
    await vscode.window.showTextDocument(uri, { preserveFocus: true, preview: true });
    const range = new vscode.Range(f.line - 1, f.column - 1, (f.endLine ?? f.line) - 1, (f.endColumn ?? f.column) - 1);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value)) ?? [];
    const action = actions.find((a) => a.diagnostics?.some((d) => d.code === f.ruleId || (typeof d.code === 'object' && d.code.value === f.ruleId)) && pick(a));
    if (!action?.edit) {
      void vscode.window.showInformationMessage(`No such fix is offered for this ${f.ruleId} finding any more.`);
      return;
    }
    await vscode.workspace.applyEdit(action.edit);
  };

  context.subscriptions.push(
    output,
    status,
    language,
    findingsTree,
    vscode.window.registerTreeDataProvider('headroom.readiness', readinessView),
    vscode.commands.registerCommand('headroom.showOutput', () => output.show()),
    vscode.commands.registerCommand('headroom.restartServer', () => restart()),
    vscode.commands.registerCommand('headroom.fixAll', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !client) return;
      await client.sendRequest('workspace/executeCommand', {
        command: FIX_ALL_COMMAND,
        arguments: [{ uri: editor.document.uri.toString(), version: editor.document.version }],
      });
    }),
    vscode.commands.registerCommand('headroom.rescan', async () => {
      if (!client) return;
      await client.sendRequest(SCAN_WORKSPACE_REQUEST);
      await refresh();
    }),
    vscode.commands.registerCommand('headroom.exportReport', async () => {
      if (!client) return undefined;
      const { markdown } = await client.sendRequest<ExportReportReply>(EXPORT_REPORT_REQUEST);
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown }));
        return undefined;
      }
      const file = vscode.Uri.joinPath(folder.uri, '.headroom', 'readiness-report.md');
      await vscode.workspace.fs.writeFile(file, Buffer.from(markdown, 'utf8'));
      await vscode.window.showTextDocument(file);
      return file;
    }),
    vscode.commands.registerCommand('headroom.findings.filter', async () => {
      const choice = await vscode.window.showQuickPick(
        (Object.keys(FILTER_LABELS) as FindingsFilter[]).map((id) => ({ id, label: FILTER_LABELS[id], picked: id === findingsView.filter })),
        { title: 'Show findings' },
      );
      if (!choice) return;
      findingsView.setFilter(choice.id);
      findingsTree.message = choice.id === 'all' ? undefined : `Filter: ${choice.label}`;
    }),
    vscode.commands.registerCommand('headroom.findings.applyFix', (item?: FindingItem) => applyAction(item, (a) => a.isPreferred === true)),
    vscode.commands.registerCommand('headroom.findings.ignore', (item?: FindingItem) => applyAction(item, (a) => a.title.startsWith('Ignore this finding'))),
    vscode.commands.registerCommand('headroom.findings.openDoc', async (item?: FindingItem) => {
      if (item?.rule) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.parse(item.rule.docUri));
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!client || !(e.affectsConfiguration('headroom') || e.affectsConfiguration('files.exclude'))) return;
      void client.sendNotification('workspace/didChangeConfiguration', { settings: { headroom: serverSettings() } });
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (client && vscode.languages.match(SELECTOR, e.document) > 0) refreshSoon();
    }),
  );
  await start();
  return { readiness: refresh, client: () => client };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
