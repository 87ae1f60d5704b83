import * as path from 'path';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

export const LANGUAGES = ['python', 'go', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'];
export const SELECTOR = LANGUAGES.map((language) => ({ scheme: 'file', language }));

/** What the server reads from the editor's settings (see server/src/lsp/config-store.ts). */
export function serverSettings(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('headroom');
  const filesExclude = vscode.workspace.getConfiguration('files').get<Record<string, boolean>>('exclude', {});
  return {
    enable: c.get('enable', true),
    targetUsers: c.get('targetUsers') || undefined,
    ignoreAction: c.get('quickFix.ignore', true),
    scanOnStartup: c.get('scanOnStartup', true),
    debounce: c.get('debounce', 150),
    excludes: [...Object.entries(filesExclude).filter(([, on]) => on).map(([glob]) => glob), ...c.get<string[]>('exclude', [])],
  };
}

/**
 * Keeps the last error the server logged, so that when it stops for good the user is told why,
 * in one message, instead of a bare "crashed 5 times".
 */
function recordingChannel(channel: vscode.LogOutputChannel, onError: (line: string) => void): vscode.LogOutputChannel {
  return new Proxy(channel, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'error' || prop === 'appendLine' || prop === 'append') {
        return (...args: unknown[]) => {
          const text = args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
          if (prop === 'error' || /\b(error|uncaught|exception)\b/i.test(text)) onError(text.split('\n')[0]);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** Restarts the server after a crash, up to 4 times in 3 minutes; then says why it stopped. */
class RestartingErrorHandler {
  private crashes: number[] = [];
  lastError: string | undefined;

  constructor(private readonly output: vscode.LogOutputChannel, private readonly restart: () => void) {}

  error(): ErrorHandlerResult {
    return { action: ErrorAction.Continue };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < 3 * 60_000), now];
    if (this.crashes.length <= 4) return { action: CloseAction.Restart, handled: true };
    const why = this.lastError ? `: ${this.lastError}` : ' (nothing in the log says why)';
    void vscode.window.showErrorMessage(`The Headroom server stopped ${this.crashes.length} times in 3 minutes${why}`, 'Restart', 'Show Logs').then((choice) => {
      if (choice === 'Restart') this.restart();
      if (choice === 'Show Logs') this.output.show();
    });
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

export function createLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, restart: () => void): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const handler = new RestartingErrorHandler(output, restart);
  const clientOptions: LanguageClientOptions = {
    documentSelector: SELECTOR,
    outputChannel: recordingChannel(output, (line) => (handler.lastError = line)),
    initializationOptions: { settings: serverSettings() },
    errorHandler: handler,
  };
  return new LanguageClient('headroom', 'Headroom', serverOptions, clientOptions);
}
