import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

/**
 * The VS Code client: starts the bundled language server over IPC and hands it the documents
 * Headroom analyses. Squiggles, quick fixes and fix-on-save come from the server.
 */
let client: LanguageClient | undefined;

function settings(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('headroom');
  return { enable: c.get('enable', true), targetUsers: c.get('targetUsers'), ignoreAction: c.get('quickFix.ignore', true) };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const output = vscode.window.createOutputChannel('Headroom', { log: true });
  const clientOptions: LanguageClientOptions = {
    documentSelector: ['python', 'go', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'].map((language) => ({ scheme: 'file', language })),
    outputChannel: output,
    initializationOptions: { settings: settings() },
    synchronize: { configurationSection: 'headroom' },
  };
  client = new LanguageClient('headroom', 'Headroom', serverOptions, clientOptions);
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('headroom.restartServer', () => client?.restart()),
    vscode.commands.registerCommand('headroom.fixAll', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !client) return;
      await client.sendRequest('workspace/executeCommand', {
        command: 'headroom.fixAll',
        arguments: [{ uri: editor.document.uri.toString(), version: editor.document.version }],
      });
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
